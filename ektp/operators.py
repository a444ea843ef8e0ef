"""Who may change the data: operators of the internal instance, and their sign-in.

Operators are names with argon2 password hashes in a file outside the repository (setting
`operators`, written by `python -m etl operator add NAME`). A check always runs one argon2
verification, against a dummy hash for an unknown name, so a wrong name and a wrong password
take the same time. Repeated failures lock a name and a client address for a while. The
public instance never reads this file: it has no write path at all.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ektp import settings

#: Failures before a name or an address is locked, and for how long (seconds).
MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: loads.operator of a Load page load on a loopback-only server (no sign-in asked there)
LOCAL_USER = "local user (loopback)"

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not an operator's password")
_failures: dict[str, list[float]] = {}
_lock = threading.Lock()


class OperatorError(ValueError):
    """A bad operator name or file line; the message says why."""


def operators_path() -> Path:
    return settings.path("operators")


def read_operators(path: Path | None = None) -> dict[str, str]:
    """name → argon2 hash; an absent file is no operators. Lines: `name:hash`, '#' comments."""
    path = path or operators_path()
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, hashed = line.partition(":")
        if not sep or not name or not hashed.startswith("$argon2"):
            raise OperatorError(f"{path} line {n}: expected 'name:<argon2 hash>'")
        out[name] = hashed
    return out


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or ":" in name or any(c.isspace() for c in name) or len(name) > 64:
        raise OperatorError("an operator name is 1–64 characters, without spaces or ':'")
    return name


def add_operator(name: str, password: str, path: Path | None = None) -> Path:
    """Add or replace an operator (the file is created readable by its owner only)."""
    path = path or operators_path()
    name = _check_name(name)
    if len(password) < 10:
        raise OperatorError("a password has at least 10 characters")
    ops = read_operators(path)
    ops[name] = _hasher.hash(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(f"{k}:{v}\n" for k, v in sorted(ops.items())), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
    return path


def remove_operator(name: str, path: Path | None = None) -> bool:
    path = path or operators_path()
    ops = read_operators(path)
    if ops.pop(name, None) is None:
        return False
    path.write_text("".join(f"{k}:{v}\n" for k, v in sorted(ops.items())), encoding="utf-8")
    return True


def _recent(key: str, now: float) -> list[float]:
    times = [t for t in _failures.get(key, []) if now - t < LOCKOUT_SECONDS]
    _failures[key] = times
    return times


def locked(name: str, client: str | None, now: float | None = None) -> bool:
    """A name or a client address with MAX_FAILURES failures in the last LOCKOUT_SECONDS."""
    now = time.time() if now is None else now
    with _lock:
        return any(len(_recent(k, now)) >= MAX_FAILURES for k in (f"name:{name}", f"ip:{client}") if k)


@dataclass
class SignIn:
    ok: bool
    reason: str  # "ok" | "locked" | "wrong" | "none" (no operator configured)


def sign_in(name: str, password: str, client: str | None, path: Path | None = None) -> SignIn:
    """Check a name and password: one argon2 verification whatever the name, failures counted."""
    ops = read_operators(path)
    if not ops:
        return SignIn(False, "none")
    now = time.time()
    if locked(name, client, now):
        return SignIn(False, "locked")
    try:
        good = _hasher.verify(ops.get(name, _DUMMY), password) and name in ops
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        good = False
    if good:
        return SignIn(True, "ok")
    with _lock:
        for key in (f"name:{name}", f"ip:{client}"):
            _failures.setdefault(key, []).append(now)
    return SignIn(False, "locked" if locked(name, client, now) else "wrong")


def beyond_loopback(address: str | None) -> bool:
    """The server listens on more than this machine (Streamlit's empty address: every interface)."""
    import ipaddress

    a = (address or "").strip()
    if a in LOOPBACK:
        return False
    try:
        return not ipaddress.ip_address(a).is_loopback
    except ValueError:  # a host name other than localhost, or empty
        return True


def reset_failures() -> None:
    """Forget counted failures (tests)."""
    with _lock:
        _failures.clear()


def session_operator(state: dict, now: float, minutes: float) -> tuple[str | None, bool]:
    """The operator signed in to this browser session, and whether a sign-in just expired;
    each call on a live session moves its expiry on (idle minutes, setting session_minutes)."""
    who, seen = state.get("_operator"), state.get("_operator_seen", 0.0)
    if not who:
        return None, False
    if now - seen >= minutes * 60:
        state.pop("_operator", None)
        return None, True
    state["_operator_seen"] = now
    return who, False


def start_session(state: dict, name: str, now: float) -> None:
    state["_operator"], state["_operator_seen"] = name, now


def end_session(state: dict) -> None:
    state.pop("_operator", None)
    state.pop("_operator_seen", None)


def client_address(value: object) -> str | None:
    """The client's address as Streamlit gives it (`st.context.ip_address`: None for a browser on
    this machine, and no text at all where no browser is behind the session)."""
    return value if isinstance(value, str) and value else None

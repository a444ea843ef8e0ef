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

from ektp.core import settings

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


#: Longest name and password a sign-in reads: longer ones are wrong without a check, and a
#: failed name is kept only as its first MAX_NAME characters (a 20 MB name is not held).
MAX_NAME = 64
MAX_PASSWORD = 1024
#: Keys of counted failures kept at most (the oldest go first past it).
MAX_KEYS = 10_000


def _recent(key: str, now: float) -> list[float]:
    """The failures of `key` in the window; a key with none left is forgotten (call under _lock)."""
    times = [t for t in _failures.get(key, []) if now - t < LOCKOUT_SECONDS]
    if times:
        _failures[key] = times
    else:
        _failures.pop(key, None)
    return times


def _keys(name: str, client: str | None) -> tuple[str, ...]:
    return (f"name:{name[:MAX_NAME]}", f"ip:{client}")


def locked(name: str, client: str | None, now: float | None = None) -> bool:
    """A name or a client address with MAX_FAILURES failures in the last LOCKOUT_SECONDS."""
    now = time.time() if now is None else now
    with _lock:
        return any(len(_recent(k, now)) >= MAX_FAILURES for k in _keys(name, client))


def _reserve(name: str, client: str | None, now: float) -> bool:
    """Count this attempt as a failure before the password is checked, atomically: 40 guesses at
    once see each other's attempts, so at most MAX_FAILURES are ever checked in a window. False
    when the name or the client is locked (nothing counted)."""
    with _lock:
        keys = _keys(name, client)
        if any(len(_recent(k, now)) >= MAX_FAILURES for k in keys):
            return False
        for k in keys:
            _failures.setdefault(k, []).append(now)
        while len(_failures) > MAX_KEYS:  # dicts keep insertion order: the oldest key goes
            _failures.pop(next(iter(_failures)))
        return True


def _release(name: str, client: str | None, now: float) -> None:
    """A right password: the attempt reserved at `now` was not a failure."""
    with _lock:
        for k in _keys(name, client):
            times = _failures.get(k, [])
            if now in times:
                times.remove(now)
            if not times:
                _failures.pop(k, None)


@dataclass
class SignIn:
    ok: bool
    reason: str  # "ok" | "locked" | "wrong" | "none" (no operator configured)


def sign_in(name: str, password: str, client: str | None, path: Path | None = None) -> SignIn:
    """Check a name and password: the attempt is counted before the check (a lockout no burst of
    parallel guesses can outrun), then one argon2 verification whatever the name."""
    ops = read_operators(path)
    if not ops:
        return SignIn(False, "none")
    now = time.time()
    if not _reserve(name, client, now):
        return SignIn(False, "locked")
    good = False
    if len(name) <= MAX_NAME and len(password) <= MAX_PASSWORD:
        try:
            good = _hasher.verify(ops.get(name, _DUMMY), password) and name in ops
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            good = False
    if good:
        _release(name, client, now)
        return SignIn(True, "ok")
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


#: Headers a reverse proxy adds: a request carrying any of them did not come straight from a
#: browser on this machine, whatever address the server sees.
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip", "via")


def loopback_host(host: str | None) -> bool:
    """A Host header naming this machine: localhost, 127.x.x.x or [::1], with any port."""
    import ipaddress

    h = (host or "").strip().lower()
    if h.startswith("["):
        h = h[1 : h.find("]")] if "]" in h else ""
    elif h.count(":") == 1:
        h = h.split(":")[0]
    if h in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Asker:
    """Who is asking to load, as the write path decides it once for every request."""

    local: bool  # a browser on this machine, straight to a loopback-only server: no sign-in
    origin: str  # where the load history says the load came from
    why: str  # local | forwarded | remote | host | listens | unknown


def forwarded_client(chain: str, trusted: list[str]) -> str | None:
    """The client behind a chain of X-Forwarded-For hops: the right-most hop that is not one of
    the configured proxies (`trusted_proxies`); None when no proxy is configured (then the
    chain is only the proxy's claim, and it is recorded as such)."""
    if not trusted:
        return None
    hops = [h.strip() for h in chain.split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return hops[0] if hops else None


def who_is_asking(
    headers: dict[str, str], ip: str | None, server_address: str | None, trusted_proxies: list[str]
) -> Asker:
    """The one trust decision of the write path. A request may load without signing in only
    when it truly comes from this machine: no forwarding header (a reverse proxy on this
    machine connects from loopback for every client it serves), a loopback peer (`ip` is
    Streamlit's `st.context.ip_address`: None for loopback), a Host naming this machine (a
    rebound DNS name does not), and a server that listens on loopback only. Anything else signs
    in. Behind a proxy configured in `trusted_proxies` the history records the forwarded client;
    behind any other proxy, what it claimed, marked as unverified."""
    h = {k.lower(): v for k, v in headers.items()}
    if any(k in h for k in FORWARDING_HEADERS):
        chain = h.get("x-forwarded-for") or h.get("x-real-ip") or h.get("forwarded") or "?"
        client = forwarded_client(chain, trusted_proxies)
        origin = client if client else f"via a proxy not in trusted_proxies (it says: {chain[:120]})"
        return Asker(False, origin, "forwarded")
    if ip is not None:
        return Asker(False, ip[:64], "remote")
    if "host" not in h:
        return Asker(False, "unknown (no request headers)", "unknown")
    if not loopback_host(h["host"]):
        return Asker(False, f"this machine, for the name {h['host'][:80]!r}", "host")
    if beyond_loopback(server_address):
        return Asker(False, "127.0.0.1 (this machine)", "listens")
    return Asker(True, "127.0.0.1 (this machine)", "local")


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


def request_headers(value: object) -> dict[str, str]:
    """The request's headers as Streamlit gives them (`st.context.headers`; nothing where no
    browser is behind the session)."""
    from collections.abc import Mapping

    if not isinstance(value, Mapping):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def client_address(value: object) -> str | None:
    """The client's address as Streamlit gives it (`st.context.ip_address`: None for a browser on
    this machine, and no text at all where no browser is behind the session)."""
    return value if isinstance(value, str) and value else None

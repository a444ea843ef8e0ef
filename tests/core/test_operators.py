"""Who may change the data: the Load page of a networked internal instance asks an operator to
sign in (argon2 hashes in a file outside the repo, lockout, expiry); every load records who ran
it and from where; the public instance never has the page; `make run` listens on loopback."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from ektp.core import operators
from ektp.core.served import open_read_only
from tests.conftest import FIXTURES, ROOT

PAGE = "pages/7_Muat_data.py"
STACKED = FIXTURES / "layouts" / "stacked_lp_jambi_2019_01.csv"
PASSWORD = "sarolangun-98-persen"


@pytest.fixture()
def ops_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "private" / "operators"
    monkeypatch.setenv("EKTP_OPERATORS", str(path))
    operators.reset_failures()
    yield path
    operators.reset_failures()


@pytest.fixture()
def networked() -> Iterator[None]:
    """The server as `make run` with EKTP_ADDRESS=0.0.0.0 starts it."""
    before = st_config.get_option("server.address")
    st_config.set_option("server.address", "0.0.0.0")
    yield
    st_config.set_option("server.address", before)


def page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page(PAGE)
    at.query_params["lang"] = "en"
    return at.run()


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="w_op_name").input(name)
    at.text_input(key="w_op_password").input(password)
    return at.button[0].click().run()


# --- the operators file and the checks --------------------------------------------------------


def test_operators_file_holds_argon2_hashes_readable_by_its_owner_only(ops_file: Path) -> None:
    operators.add_operator("siti", PASSWORD)
    text = ops_file.read_text()
    assert text.startswith("siti:$argon2id$") and PASSWORD not in text
    assert ops_file.stat().st_mode & 0o777 == 0o600
    assert not str(ops_file).startswith(str(ROOT))  # the default lives outside the repository too
    assert operators.sign_in("siti", PASSWORD, "10.0.0.5").ok
    assert operators.sign_in("siti", "wrong", "10.0.0.5").reason == "wrong"
    assert operators.sign_in("budi", PASSWORD, "10.0.0.5").reason == "wrong"  # unknown name: same answer
    with pytest.raises(operators.OperatorError):
        operators.add_operator("bad name", PASSWORD)
    with pytest.raises(operators.OperatorError):
        operators.add_operator("budi", "short")
    assert operators.remove_operator("siti") and operators.read_operators() == {}


def test_default_operators_file_is_outside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EKTP_OPERATORS", raising=False)
    assert ROOT not in operators.operators_path().parents


def test_repeated_failures_lock_the_name_and_the_address(ops_file: Path) -> None:
    operators.add_operator("siti", PASSWORD)
    for _ in range(operators.MAX_FAILURES - 1):
        assert operators.sign_in("siti", "nope", "10.0.0.7").reason == "wrong"
    assert operators.sign_in("siti", "nope", "10.0.0.7").reason == "locked"
    assert operators.sign_in("siti", PASSWORD, "10.0.0.8").reason == "locked"  # the name is locked
    assert operators.locked("someone", "10.0.0.7")  # and so is the address
    assert not operators.locked("someone", "10.0.0.9")
    later = operators.LOCKOUT_SECONDS + 1
    import time

    assert not operators.locked("siti", "10.0.0.8", now=time.time() + later)


def test_a_session_expires_when_idle() -> None:
    state: dict = {}
    operators.start_session(state, "siti", now=1000.0)
    assert operators.session_operator(state, 1000.0 + 29 * 60, 30) == ("siti", False)
    assert operators.session_operator(state, 1000.0 + 29 * 60 + 30 * 60, 30) == (None, True)
    assert operators.session_operator(state, 99999.0, 30) == (None, False)


def test_make_run_listens_on_loopback_by_default() -> None:
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["address"] == "127.0.0.1"
    make = (ROOT / "Makefile").read_text()
    assert "ADDRESS ?= $(or $(EKTP_ADDRESS),127.0.0.1)" in make
    assert make.count("--server.address $(ADDRESS)") == 2  # run and run-public
    assert not operators.beyond_loopback("127.0.0.1") and operators.beyond_loopback("0.0.0.0")
    assert operators.beyond_loopback("")  # Streamlit's empty address: every interface


# --- the Load page ---------------------------------------------------------------------------


def test_networked_without_operators_the_page_stays_locked(writable_db: Path, ops_file: Path, networked: None) -> None:
    at = page()
    assert not at.exception
    assert any("no operator is configured" in w.value and str(ops_file) in w.value for w in at.warning)
    assert not at.file_uploader


def test_sign_in_wrong_then_lockout_then_good_then_load(writable_db: Path, ops_file: Path, networked: None) -> None:
    operators.add_operator("siti", PASSWORD)
    at = page()
    assert not at.file_uploader and any("sign in as an operator" in c.value for c in at.caption)
    at = sign_in(at, "siti", "salah")
    assert any("Wrong name or password." in e.value for e in at.error)
    assert not at.file_uploader
    for _ in range(operators.MAX_FAILURES - 1):
        at = sign_in(at, "siti", "salah")
    assert any("locked for 15 minutes" in e.value for e in at.error)
    at = sign_in(at, "siti", PASSWORD)  # even the right password: locked
    assert not at.file_uploader
    operators.reset_failures()
    at = sign_in(at, "siti", PASSWORD)
    assert not at.exception
    assert at.file_uploader and any("Signed in as siti" in c.value for c in at.sidebar.caption)
    at.file_uploader(key="w_upload").set_value((STACKED.name, STACKED.read_bytes(), "text/csv"))
    at.run()
    at.button(key="w_confirm").click().run()
    assert not at.exception and any(s.value.startswith("Loaded: 2 rows") for s in at.success)
    con = open_read_only(writable_db)
    who = con.execute("SELECT operator, origin FROM loads WHERE file = ?", [STACKED.name]).fetchall()
    con.close()
    assert who == [("siti", "unknown (no request headers)")]  # AppTest has no request: said so, never "local"
    at.sidebar.button(key="w_sign_out").click().run()
    assert not at.file_uploader


def test_oversize_upload_is_refused(writable_db: Path, ops_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    operators.add_operator("siti", PASSWORD)
    monkeypatch.setenv("EKTP_MAX_UPLOAD_MB", "0.0001")  # ~100 bytes
    at = sign_in(page(), "siti", PASSWORD)
    at.file_uploader(key="w_upload").set_value((STACKED.name, STACKED.read_bytes(), "text/csv"))
    at.run()
    size = f"{STACKED.stat().st_size:,} bytes is over the 0.0001 MB limit (setting max_upload_mb)"
    assert any(size in e.value for e in at.error), [e.value for e in at.error]
    assert not [b for b in at.button if b.key == "w_confirm"]


def test_the_cli_loads_as_command_line(writable_db: Path) -> None:
    """The Load page records the signed-in operator (above) or the local user (the browser test
    on a loopback server); the command line records itself."""
    from etl.__main__ import main

    assert main(["--db", str(writable_db), "load", str(FIXTURES / "layouts" / "derived_kupang_2019_03.csv"),
                 "--kind", "coverage"]) == 0  # fmt: skip
    con = open_read_only(writable_db)
    got = con.execute("SELECT operator FROM loads WHERE file = ?", ["derived_kupang_2019_03.csv"]).fetchall()
    con.close()
    assert got == [("command line",)]


def test_public_mode_with_operators_still_has_no_load_page(
    default_db: Path, ops_file: Path, networked: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    operators.add_operator("siti", PASSWORD)
    monkeypatch.setenv("EKTP_DB", str(default_db))
    monkeypatch.setenv("EKTP_PUBLIC", "1")
    at = page()
    assert not at.exception and not at.file_uploader and not at.text_input
    assert any("public, read-only instance" in e.value for e in at.error)

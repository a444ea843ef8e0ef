"""The red-team walk's defects (../shared/review/security-probes.md), each as a test of the fix.

Ids follow the review: H1 a sign-in that holds behind a proxy; H2 the preview beside the app's
connection; M2/M3/M5 a Host the app trusts; M4/L9 the lockout; L1–L4, L11 the load history and
the served file; L10 the frame and referrer headers. The bounded reading (H3, M6, M7, L5, M9,
L8) and the neutraliser (M1, L7, M8) have theirs in test_hostile.py.
"""

from __future__ import annotations

import asyncio
import errno
import shutil
import threading
from pathlib import Path

import pytest

from ektp.core import operators, served
from ektp.web.guard import Guard, origin
from etl.load import LoadSpec, pending_attempts, run
from tests.asgi_client import Downstream, call
from tests.conftest import FIXTURES, TODAY
from tests.etl.test_load import rows

SMALL = "KODE WILAYAH,TANGGAL,SUDAH REKAM\n15.03,31/03/2019,6\n"
PASSWORD = "sarolangun-98-persen"


# --- H1: one trust decision for the write path --------------------------------------------------

LOOPBACK = "127.0.0.1"


@pytest.mark.parametrize(
    ("headers", "ip", "address", "proxies", "local", "why"),
    [
        ({"Host": "localhost:8501"}, None, LOOPBACK, [], True, "local"),
        ({"Host": "127.0.0.1:8501"}, None, LOOPBACK, [], True, "local"),
        ({"Host": "[::1]:8501"}, None, "::1", [], True, "local"),
        # the shipped nginx on this machine: loopback peer, but forwarding headers
        ({"Host": "127.0.0.1:8611", "X-Forwarded-For": "203.0.113.7"}, None, LOOPBACK, [], False, "forwarded"),
        ({"Host": "ektp.example.go.id", "X-Real-IP": "203.0.113.7"}, None, LOOPBACK, [], False, "forwarded"),
        ({"Host": "localhost", "Forwarded": "for=203.0.113.7"}, None, LOOPBACK, [], False, "forwarded"),
        ({"Host": "localhost", "Via": "1.1 proxy"}, None, LOOPBACK, [], False, "forwarded"),
        # DNS rebinding: a loopback peer, a foreign name
        ({"Host": "rebind.attacker.example:8602"}, None, LOOPBACK, [], False, "host"),
        ({"Host": "10.0.0.5:8501"}, "10.0.0.9", "0.0.0.0", [], False, "remote"),
        ({"Host": "localhost:8501"}, None, "0.0.0.0", [], False, "listens"),  # a networked server
        ({}, None, LOOPBACK, [], False, "unknown"),  # no request at all
    ],
)
def test_only_a_browser_on_this_machine_straight_to_a_loopback_server_loads_without_sign_in(
    headers: dict, ip: str | None, address: str, proxies: list[str], local: bool, why: str
) -> None:
    asker = operators.who_is_asking(headers, ip, address, proxies)
    assert (asker.local, asker.why) == (local, why)


def test_the_history_names_the_forwarded_client_only_behind_a_configured_proxy() -> None:
    head = {"Host": "ektp.example.go.id", "X-Forwarded-For": "198.51.100.4, 203.0.113.7"}
    unverified = operators.who_is_asking(head, "203.0.113.7", LOOPBACK, [])
    assert not unverified.local and "not in trusted_proxies" in unverified.origin and "203.0.113.7" in unverified.origin
    trusted = operators.who_is_asking(head, "203.0.113.7", LOOPBACK, ["203.0.113.7"])
    assert trusted.origin == "198.51.100.4"


def test_the_load_page_without_a_local_request_asks_a_sign_in(writable_db: Path, operator_file: Path) -> None:
    """AppTest has no request headers: like a proxied request, it is not this machine's browser,
    so the page shows the sign-in, never the upload."""
    from tests.pages.test_load_page import page

    at = page(sign_in=False)
    assert not at.exception and not at.file_uploader
    assert any("sign in as an operator" in c.value for c in at.caption), [c.value for c in at.caption]


# --- H2: the preview and the app share one way to open the served file ---------------------------


def test_the_preview_runs_beside_the_apps_own_connection(default_db: Path, tmp_path: Path) -> None:
    from etl.preview import dry_run, loaded_before

    app_con = served.open_read_only(default_db)  # what every page holds open
    try:
        pv = dry_run(LoadSpec(FIXTURES / "layouts" / "template_jambi_2019_03.csv", "coverage"), served=default_db)
        assert pv.report.accepted > 0
        ro = served.open_read_only(default_db)  # a second reader in the same process, same configuration
        assert loaded_before(ro, LoadSpec(FIXTURES / "layouts" / "template_jambi_2019_03.csv", "coverage")) is None
        ro.close()
    finally:
        app_con.close()


# --- M2, M3, M5: a Host the app trusts ------------------------------------------------------------


def guarded(monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[Guard, Downstream]:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    down = Downstream()
    return Guard(down), down


@pytest.mark.parametrize("host", ["evil.example", "evil.example:443", "rebind.attacker.example:8602", "a.b.c.d.e.f"])
def test_a_foreign_host_gets_400_and_reaches_nothing(host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    guard, down = guarded(monkeypatch)
    status, head, body = call(guard, "/v/map", "area=15", host=host)
    assert status == 400 and b"allowed_hosts" in body and head["cache-control"] == "no-store"
    assert down.paths == []
    status, _, _ = call(guard, "/Muat_data", host=host)
    assert status == 400 and down.paths == []


def test_this_machines_names_public_urls_host_and_listed_hosts_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    guard, down = guarded(
        monkeypatch, EKTP_PUBLIC_URL="https://ektp.example.go.id", EKTP_ALLOWED_HOSTS="dukcapil.example.go.id"
    )
    for host in ("localhost:8501", "127.0.0.1", "[::1]:8501", "ektp.example.go.id", "DUKCAPIL.example.go.id:443"):
        assert call(guard, "/", host=host)[0] == 299, host
    assert call(guard, "/", host="other.example.go.id")[0] == 400
    assert call(guard, "/")[0] == 400  # no Host at all


def test_a_rebound_websocket_is_closed_before_streamlit(monkeypatch: pytest.MonkeyPatch) -> None:
    guard, down = guarded(monkeypatch)
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "websocket.connect"}

    async def send(msg: dict) -> None:
        sent.append(msg)

    scope = {"type": "websocket", "path": "/_stcore/stream", "headers": [
        (b"host", b"rebind.attacker.example:8602"), (b"origin", b"http://rebind.attacker.example:8602")]}  # fmt: skip
    asyncio.run(guard(scope, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1008}] and down.paths == []


def test_links_come_from_the_configured_origin_never_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EKTP_PUBLIC_URL", raising=False)
    assert origin(port=8601) == "http://localhost:8601"
    monkeypatch.setenv("EKTP_PUBLIC_URL", "https://ektp.example.go.id/")
    assert origin(port=8601) == "https://ektp.example.go.id"


def test_the_shipped_nginx_caches_per_host() -> None:
    from tests.conftest import ROOT

    conf = (ROOT / "deploy" / "nginx.conf.in").read_text()
    keys = [ln.strip() for ln in conf.splitlines() if "proxy_cache_key" in ln]
    assert keys and all("$host" in k for k in keys)


# --- L10: the app's pages may be framed by the app only -------------------------------------------


def test_app_pages_carry_frame_and_referrer_headers_reader_pages_keep_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guard, _ = guarded(monkeypatch)
    _, head, _ = call(guard, "/Muat_data", host="localhost:8501")
    assert "frame-ancestors 'self'" in head["content-security-policy"] and head["x-frame-options"] == "SAMEORIGIN"
    assert head["referrer-policy"] == "same-origin"  # internal: no Referer leaves the site

    async def reader(scope, receive, send) -> None:  # noqa: ANN001 - a reply with its own CSP, as /v/map
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-security-policy", b"default-src 'none'; frame-ancestors *")]})  # fmt: skip
        await send({"type": "http.response.body", "body": b""})

    _, head, _ = call(Guard(reader), "/v/map", host="localhost:8501")
    assert head["content-security-policy"] == "default-src 'none'; frame-ancestors *" and "x-frame-options" not in head


# --- M4, L9: the lockout ---------------------------------------------------------------------------


def test_forty_guesses_at_once_check_at_most_five_passwords(
    operator_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = []
    real = operators._hasher

    class Counting:  # the real argon2 hasher, each verification counted
        def verify(self, h: str, p: str) -> bool:
            checked.append(p)
            return real.verify(h, p)

    monkeypatch.setattr(operators, "_hasher", Counting())
    start = threading.Barrier(40)
    answers: list[str] = []

    def guess(i: int) -> None:
        start.wait()
        answers.append(operators.sign_in("siti", PASSWORD if i == 39 else f"guess-{i}", "198.51.100.7").reason)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(checked) <= operators.MAX_FAILURES
    assert answers.count("locked") >= 40 - operators.MAX_FAILURES
    if PASSWORD not in checked:  # the right password, if it was not among the five checked, never signed in
        assert "ok" not in answers


def test_failed_names_are_bounded_and_forgotten_after_the_window(operator_file: Path) -> None:
    import time

    huge = "n" * 2_000_000
    for ip in range(4):
        for i in range(5):
            assert operators.sign_in(f"{ip}{i}{huge}", "x", f"198.51.100.{ip}").reason in ("wrong", "locked")
    assert max(len(k) for k in operators._failures) <= len("name:") + operators.MAX_NAME
    assert not operators.sign_in("siti", "p" * 10_000, "198.51.100.99").ok  # over MAX_PASSWORD: not checked
    later = time.time() + operators.LOCKOUT_SECONDS + 1
    for key in list(operators._failures):
        operators.locked(key.split(":", 1)[1], None, now=later)
    with operators._lock:
        for key in list(operators._failures):
            operators._recent(key, later)
    assert operators._failures == {}


# --- L1–L4, L11: loads never lose history; a refused file leaves the served file as it was --------


def load(db: Path, path: Path, **kw: object):  # noqa: ANN201
    return run([LoadSpec(path=path, kind="coverage", **kw)], db_path=db, today=TODAY, progress=False)[0]


def test_a_refused_file_leaves_the_served_file_untouched_and_is_recorded_later(empty_db: Path, tmp_path: Path) -> None:
    before = empty_db.stat()
    bad = tmp_path / "not_a_workbook.xlsx"
    bad.write_text("KODE WILAYAH\n")
    rep = load(empty_db, bad)
    assert rep.status == "failed"
    after = empty_db.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    assert [a["status"] for a in pending_attempts(empty_db)] == ["failed"]
    good = tmp_path / "small.csv"
    good.write_text(SMALL)
    assert load(empty_db, good).status == "ok"
    hist = rows(empty_db, "SELECT file, status, message FROM loads ORDER BY load_id")
    assert [h[:2] for h in hist[-2:]] == [("not_a_workbook.xlsx", "failed"), ("small.csv", "ok")]
    assert "not an XLSX workbook" in hist[-2][2] and pending_attempts(empty_db) == []


def test_two_failed_loads_in_a_row_are_both_kept_in_the_history(empty_db: Path, tmp_path: Path) -> None:
    """L1: an earlier attempt's journal entry goes only once a load has swapped in a file that
    records it; a second failure keeps both."""

    def crash(tmp: Path) -> None:
        raise RuntimeError("disk full (simulated)")

    good = tmp_path / "small.csv"
    good.write_text(SMALL)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            run([LoadSpec(good, "coverage")], db_path=empty_db, today=TODAY, progress=False, before_swap=crash)
    assert len(pending_attempts(empty_db)) == 2
    assert load(empty_db, good).status == "ok"
    hist = rows(empty_db, "SELECT status FROM loads WHERE status = 'interrupted'")
    assert len(hist) == 2 and pending_attempts(empty_db) == []


def test_two_db_files_in_one_folder_keep_their_own_journal_and_lock(empty_db: Path, tmp_path: Path) -> None:
    other = empty_db.with_name("other.duckdb")
    shutil.copy(empty_db, other)
    bad = tmp_path / "bad.xlsx"
    bad.write_text("x")
    load(empty_db, bad)
    assert len(pending_attempts(empty_db)) == 1 and pending_attempts(other) == []
    good = tmp_path / "small.csv"
    good.write_text(SMALL)
    load(other, good)
    assert rows(other, "SELECT COUNT(*) FROM loads WHERE status = 'failed'") == [(0,)]
    assert len(pending_attempts(empty_db)) == 1


def test_a_full_disk_during_the_copy_leaves_no_partial_file_and_is_recorded(
    empty_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import etl.load

    def full(src: Path, dst: Path) -> None:
        Path(dst).write_bytes(b"\0" * 4096)  # a partial copy, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    good = tmp_path / "small.csv"
    good.write_text(SMALL)
    monkeypatch.setattr(etl.load.shutil, "copyfile", full)
    with pytest.raises(OSError, match="No space left"):
        load(empty_db, good)
    monkeypatch.undo()
    assert not list(empty_db.parent.glob(empty_db.name + ".tmp-*"))
    assert "No space left" in pending_attempts(empty_db)[0]["error"]


def test_the_swap_keeps_the_files_mode(empty_db: Path, tmp_path: Path) -> None:
    empty_db.chmod(0o640)
    good = tmp_path / "small.csv"
    good.write_text(SMALL)
    assert load(empty_db, good).status == "ok"
    assert empty_db.stat().st_mode & 0o777 == 0o640


def test_the_reader_draws_a_view_once_whatever_host_asks(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """M3: the reader's memory keys on the view and the build, never the request's Host: two
    names the server answers to get the same page, drawn once, naming public_url."""
    from ektp.web.reader import Reader

    monkeypatch.setenv("EKTP_PUBLIC_URL", "https://ektp.example.go.id")
    monkeypatch.setenv("EKTP_ALLOWED_HOSTS", "dukcapil.example.go.id")
    reader = Reader(Downstream(), base_url="")
    q = "area=15&level=regency&date=2019-03-31"
    one = call(Guard(reader), "/v/map", q, host="ektp.example.go.id")
    two = call(Guard(reader), "/v/map", q, host="dukcapil.example.go.id:443")
    assert one[0] == two[0] == 200 and one[2] == two[2] and reader.renders == 1
    assert b"https://ektp.example.go.id/v/map?" in one[2] and b"dukcapil" not in one[2]


def test_attempts_in_the_same_millisecond_keep_their_own_journal_entries(empty_db: Path, tmp_path: Path) -> None:
    """A refusal and the next load in one millisecond once shared a journal name: the refusal was
    overwritten and lost. Ten refusals in a row, then a load: ten failed loads in the history."""
    bad = tmp_path / "bad.xlsx"
    bad.write_text("x")
    for _ in range(10):
        load(empty_db, bad)
    assert len(pending_attempts(empty_db)) == 10
    run([], db_path=empty_db, progress=False)
    assert rows(empty_db, "SELECT COUNT(*) FROM loads WHERE file = 'bad.xlsx' AND status = 'failed'") == [(10,)]

"""Geometry over HTTP (ektp.web.geoserve): versioned URLs answered once-compressed and cacheable;
everything else handed on to Streamlit untouched. Driven as ASGI, with a recording app behind."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import brotli
import pytest

from ektp.data import geo
from ektp.web.geoserve import CACHE_CONTROL, GeometryFiles, choose_encoding
from tests.asgi_client import Downstream, call


@pytest.fixture()
def served(tmp_path: Path) -> tuple[GeometryFiles, Downstream, Path]:
    folder = tmp_path / "geo"
    folder.mkdir()
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": 0, "properties": {"c": "15"}}]}
    (folder / "province.json").write_text(json.dumps(fc))
    (tmp_path / "secret.json").write_text('{"no": 1}')
    down = Downstream()
    return GeometryFiles(down, static_dir=folder, url_dir="app/static/geo", base_url=""), down, folder


def test_a_versioned_url_is_answered_gzipped_and_immutable(served) -> None:  # noqa: ANN001
    app, down, folder = served
    data = (folder / "province.json").read_bytes()
    v = geo.file_digest(data)
    status, head, body = call(app, "/app/static/geo/province.json", f"v={v}", accept_encoding="gzip, br")
    assert status == 200 and down.paths == []
    assert head["cache-control"] == CACHE_CONTROL and "immutable" in head["cache-control"]
    assert head["content-encoding"] == "gzip" and head["etag"] == f'"{v}"'
    assert head["content-type"] == "application/json" and int(head["content-length"]) == len(body)
    assert gzip.decompress(body) == data
    # a client that cannot inflate gets the file itself
    status, head, body = call(app, "/app/static/geo/province.json", f"v={v}")
    assert status == 200 and "content-encoding" not in head and body == data
    # revalidation: 304, no body; HEAD: headers, no body
    status, head, body = call(app, "/app/static/geo/province.json", f"v={v}", if_none_match=f'W/"x", "{v}"')
    assert status == 304 and body == b"" and head["etag"] == f'"{v}"'
    status, _, body = call(app, "/app/static/geo/province.json", f"v={v}", method="HEAD", accept_encoding="gzip")
    assert status == 200 and body == b""
    assert down.paths == []


def test_anything_else_goes_on_to_streamlit(served) -> None:  # noqa: ANN001
    app, down, folder = served
    v = geo.file_digest((folder / "province.json").read_bytes())
    secret = geo.file_digest((folder.parent / "secret.json").read_bytes())
    for path, query, method in [
        ("/app/static/geo/province.json", "", "GET"),  # no version: Streamlit's plain static route
        ("/app/static/geo/province.json", "v=0123456789abcdef", "GET"),  # a stale version
        ("/app/static/geo/province.json", f"v={v}", "POST"),
        ("/app/static/geo/missing.json", f"v={v}", "GET"),
        ("/app/static/geo/../secret.json", f"v={secret}", "GET"),
        ("/app/static/geo/%2e%2e/secret.json", "v=x", "GET"),
        ("/_stcore/health", "", "GET"),
    ]:
        status, head, body = call(app, path, query, method, accept_encoding="gzip")
        assert status == 299 and body == b"downstream" and "cache-control" not in head, path
    assert len(down.paths) == 7


def test_a_rebuilt_file_gets_a_new_version_and_the_old_one_is_not_cached(served) -> None:  # noqa: ANN001
    app, down, folder = served
    p = folder / "province.json"
    old = geo.file_digest(p.read_bytes())
    assert call(app, "/app/static/geo/province.json", f"v={old}", accept_encoding="gzip")[0] == 200
    p.write_text('{"type": "FeatureCollection", "features": []}')
    os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 10**9))  # a later build
    new = geo.file_digest(p.read_bytes())
    assert new != old
    assert call(app, "/app/static/geo/province.json", f"v={old}", accept_encoding="gzip")[0] == 299
    status, _, body = call(app, "/app/static/geo/province.json", f"v={new}", accept_encoding="gzip")
    assert status == 200 and gzip.decompress(body) == p.read_bytes()


def test_the_base_url_path_is_honoured(tmp_path: Path) -> None:
    folder = tmp_path / "geo"
    folder.mkdir()
    (folder / "regency.json").write_text("{}")
    down = Downstream()
    app = GeometryFiles(down, static_dir=folder, url_dir="app/static/geo", base_url="/ektp/")
    v = geo.file_digest(b"{}")
    assert call(app, "/ektp/app/static/geo/regency.json", f"v={v}", accept_encoding="gzip")[0] == 200
    assert call(app, "/app/static/geo/regency.json", f"v={v}", accept_encoding="gzip")[0] == 299


def test_the_app_writes_the_version_the_server_answers(app_env: Path) -> None:
    """geo.static_url and the middleware agree: the URL the figures carry is the cacheable one."""
    url = geo.static_url("regency_15")
    path, _, query = url.partition("?")
    assert path == "app/static/geo/regency_15.json" and query.startswith("v=")
    app = GeometryFiles(Downstream(), base_url="")
    status, head, body = call(app, "/" + path, query, accept_encoding="gzip")
    assert status == 200 and head["cache-control"] == CACHE_CONTROL
    assert json.loads(gzip.decompress(body))["type"] == "FeatureCollection"
    assert geo.static_url("no_such_file") == "app/static/geo/no_such_file.json"  # no file, no version


def test_brotli_goes_to_clients_that_accept_it_when_the_etl_wrote_a_matching_copy(served) -> None:  # noqa: ANN001
    from etl.boundaries import write_brotli

    app, _, folder = served
    p = folder / "province.json"
    data = p.read_bytes()
    v = geo.file_digest(data)
    url = "/app/static/geo/province.json"
    # no .br beside the file: gzip, even for a browser that prefers brotli
    assert call(app, url, f"v={v}", accept_encoding="gzip, deflate, br, zstd")[1]["content-encoding"] == "gzip"
    write_brotli(p)
    os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 1000))  # the server re-reads the folder
    status, head, body = call(app, url, f"v={v}", accept_encoding="gzip, deflate, br, zstd")
    assert status == 200 and head["content-encoding"] == "br" and int(head["content-length"]) == len(body)
    assert brotli.decompress(body) == data and head["vary"] == "Accept-Encoding"
    assert head["etag"] == f'"{v}"' and "immutable" in head["cache-control"]
    # the client's weights decide; a client without brotli gets gzip
    assert call(app, url, f"v={v}", accept_encoding="br;q=0.5, gzip")[1]["content-encoding"] == "gzip"
    status, head, body = call(app, url, f"v={v}", accept_encoding="gzip")
    assert head["content-encoding"] == "gzip" and gzip.decompress(body) == data


def test_a_brotli_copy_of_other_bytes_is_never_sent(served) -> None:  # noqa: ANN001
    app, _, folder = served
    p = folder / "province.json"
    data = p.read_bytes()
    v = geo.file_digest(data)
    (folder / "province.json.br").write_bytes(brotli.compress(data.replace(b'"15"', b'"16"')))
    status, head, body = call(app, "/app/static/geo/province.json", f"v={v}", accept_encoding="br, gzip")
    assert status == 200 and head["content-encoding"] == "gzip" and gzip.decompress(body) == data
    (folder / "province.json.br").write_bytes(b"not brotli at all")
    os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 1000))
    assert call(app, "/app/static/geo/province.json", f"v={v}", accept_encoding="br")[1].get("content-encoding") is None


@pytest.mark.parametrize(
    ("header", "want"),
    [
        ("gzip, deflate, br, zstd", "br"),  # Chromium's, on http://127.0.0.1 as on https
        ("br;q=0.5, gzip", "gzip"),
        ("br;q=1.0, gzip;q=0.8", "br"),
        ("gzip;q=0.9, br;q=0", "gzip"),
        ("*", "br"),
        ("*;q=0.2, gzip", "gzip"),
        ("identity", None),
        ("br;q=0, gzip;q=0", None),
        ("", None),
        ("BR ; Q=0.7, gzip;q=0.6", "br"),
    ],
)
def test_the_coding_is_the_one_the_client_weights_highest(header: str, want: str | None) -> None:
    assert choose_encoding(header) == want


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("gzip;q=0", False),
        ("*", True),
        ("br", False),
        ("", False),
    ],
)
def test_gzip_is_sent_only_to_clients_that_accept_it(header: str, ok: bool) -> None:
    """A file with no brotli copy is offered as gzip alone."""
    assert (choose_encoding(header, ("gzip",)) == "gzip") is ok


def test_a_geometry_folder_outside_static_is_left_to_streamlit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    down = Downstream()
    assert GeometryFiles(down, base_url="").prefix == "/app/static/geo/"  # the default folder
    monkeypatch.setenv("EKTP_STATIC_DIR", str(tmp_path))
    outside = GeometryFiles(down, base_url="")
    assert outside.prefix is None
    assert call(outside, "/app/static/geo/province.json", "v=x", accept_encoding="gzip")[0] == 299


def test_uncompressed_bytes_that_no_longer_match_the_version_are_not_served_as_cacheable(served) -> None:  # noqa: ANN001
    """A file replaced with equal size and time (so the memory copy looks current) is not sent
    plain under the old version: the bytes are checked against the digest."""
    app, down, folder = served
    p = folder / "province.json"
    v = geo.file_digest(p.read_bytes())
    assert call(app, "/app/static/geo/province.json", f"v={v}", accept_encoding="gzip")[0] == 200
    st = p.stat()
    p.write_bytes(p.read_bytes().replace(b'"15"', b'"16"'))  # same length
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    status, head, _ = call(app, "/app/static/geo/province.json", f"v={v}")
    assert status == 299 and "cache-control" not in head


def test_streamlits_own_files_are_served_compressed_once_and_immutable() -> None:
    """ektp.web.assets: the copy `make assets` (a step of `make test`) compressed is what is sent."""
    from ektp.web import assets

    root = assets.ready()
    assert root is not None, "no compressed copy of Streamlit's files: run `make assets` (make test does)"
    app = assets.CompressedAssets(Downstream(), base_url="")
    name = next((root / "js").glob("index.*.js")).name
    status, head, body = call(app, f"/static/js/{name}", accept_encoding="gzip, br")
    assert status == 200 and head["content-encoding"] == "br" and "immutable" in head["cache-control"]
    original = (assets.SOURCE / "js" / name).read_bytes()
    assert brotli.decompress(body) == original and len(body) < len(original) / 3
    status, head, body = call(app, f"/static/js/{name}", accept_encoding="gzip")
    assert head["content-encoding"] == "gzip" and gzip.decompress(body) == original
    assert call(app, "/_stcore/health")[0] == 299  # anything else goes on to Streamlit


def test_listening_sockets_get_tcp_nodelay_and_pass_it_on() -> None:
    """ektp.web.nodelay: a kept-alive reply must not wait 40 ms for a delayed ACK."""
    import socket

    from ektp.web import nodelay

    with socket.socket(socket.AF_INET) as listener:  # as Streamlit binds it: protocol 0
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        assert nodelay.install() >= 1
        with socket.create_connection(listener.getsockname()) as client:
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
            del client


class HtmlShell:
    """Stands where Streamlit would: its HTML shell for a page, JSON for anything else; records
    the Accept-Encoding it was asked with."""

    def __init__(self) -> None:
        self.encodings: list[str] = []

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        head = dict(scope["headers"])
        self.encodings.append(head.get(b"accept-encoding", b"").decode())
        html = scope["path"].endswith(("/", "Peta_cakupan"))
        body = b'<!DOCTYPE html><html lang="en"><head><title>Streamlit</title></head><body></body></html>'
        ctype = b"text/html; charset=utf-8" if html else b"application/json"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})


def test_the_page_shell_carries_the_style_and_the_pages_language() -> None:
    """ektp.web.pageshell: the app's style and the link's language are in the HTML from the first
    paint (a style sent with the first script run arrived after Streamlit's own elements)."""
    from ektp.core.pagestyle import PAGE_CSS
    from ektp.web.pageshell import PageShell

    down = HtmlShell()
    app = PageShell(down, base_url="")
    status, head, body = call(app, "/Peta_cakupan", "area=15&lang=en", accept_encoding="gzip, br")
    html = gzip.decompress(body).decode()
    assert status == 200 and head["content-encoding"] == "gzip" and int(head["content-length"]) == len(body)
    assert '<html lang="en">' in html and f"{PAGE_CSS}</style></head>" in html
    assert down.encodings[-1] == ""  # asked uncompressed, to be written into
    status, head, body = call(app, "/", "lang=xx")  # no or an unknown language: the default
    assert '<html lang="id">' in body.decode() and "content-encoding" not in head
    for path in ("/_stcore/health", "/static/js/index.js", "/v/map", "/app/static/geo/x.json"):
        status, head, body = call(app, path, accept_encoding="gzip")
        assert body.startswith(b"<!DOCTYPE") and "ektp-shell" not in body.decode(), path  # as it came
        assert down.encodings[-1] == "gzip"


def test_robots_txt_lets_crawlers_index_only_the_public_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    """ektp.web.publicsurface: /robots.txt (it came back as the app's HTML shell): the public
    instance may be indexed but not Streamlit's endpoints; an internal one not at all."""
    from ektp.web.publicsurface import PublicSurface

    down = Downstream()
    app = PublicSurface(down)
    monkeypatch.setenv("EKTP_PUBLIC", "1")
    status, head, body = call(app, "/robots.txt")
    rules = body.decode().splitlines()
    assert status == 200 and head["content-type"].startswith("text/plain")
    assert "User-agent: *" in rules and "Disallow: /_stcore/" in rules and "Disallow: /" not in rules
    monkeypatch.setenv("EKTP_PUBLIC", "0")
    status, _, body = call(app, "/robots.txt")
    assert status == 200 and "Disallow: /" in body.decode().splitlines()
    assert call(app, "/robots.txt", method="POST")[0] == 299 and down.paths == ["/robots.txt"]


def test_a_plain_streamlit_run_compresses_streamlits_files_itself(default_db: Path, tmp_path: Path) -> None:
    """`streamlit run asgi.py` on a fresh checkout (no `make assets`, how a deployer starts a
    Streamlit app) sent the map page's 9.4 MB uncompressed, silently. The server compresses
    Streamlit's files itself in the background and sends brotli once they are ready."""
    import time
    import urllib.request

    from deploy.process import start_server, stop_server

    fresh = tmp_path / "assets"
    proc, base = start_server(default_db, public=True, env={"EKTP_ASSETS_DIR": str(fresh)})
    try:
        html = urllib.request.urlopen(base + "/", timeout=30).read().decode()
        script = re.search(r'src="\.?/?(static/js/index\.[^"]+\.js)"', html)[1]
        deadline, encoding = time.monotonic() + 240, None
        while time.monotonic() < deadline:
            req = urllib.request.Request(f"{base}/{script}", headers={"Accept-Encoding": "br"})
            with urllib.request.urlopen(req, timeout=30) as reply:
                encoding = reply.headers.get("content-encoding")
            if encoding == "br":
                break
            time.sleep(2)
        assert encoding == "br", "Streamlit's files were never sent compressed"
        from ektp.web import assets

        assert (fresh / assets.folder().name / ".complete").exists()
    finally:
        stop_server(proc)

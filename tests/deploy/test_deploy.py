"""Scale-out for real: two public replicas behind Debian's nginx (deploy/), driven by the
websocket load client and by reader-page requests through the balancer, with zero errors."""

from __future__ import annotations

import asyncio
import re
import urllib.request
from pathlib import Path

import brotli
import pytest

from tests.conftest import needs_nginx

pytestmark = needs_nginx


@pytest.fixture(scope="module")
def stack(default_db: Path):  # noqa: ANN201
    from deploy.replicas import start

    s = start(2, default_db)
    yield s
    s.stop()


def get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers={k.replace("_", "-"): v for k, v in headers.items()})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def test_websocket_sessions_through_nginx_reach_both_replicas_without_errors(stack) -> None:  # noqa: ANN001
    from bench.wsload import STEPS, run_level

    result = asyncio.run(run_level([stack.url], 8, 1, (0, 0), 120))
    assert result["errors"] == 0, result["error_kinds"]
    assert result["steps_ok"] == 8 * len(STEPS)
    upstreams = {m.group(1) for line in stack.access_log() if "/_stcore/stream" in line
                 for m in [re.search(r"up=(\S+)", line)] if m}  # fmt: skip
    assert upstreams == {base.removeprefix("http://") for _, base in stack.replicas}, upstreams


def test_reader_pages_are_cached_by_nginx_and_arrive_compressed(stack) -> None:  # noqa: ANN001
    url = stack.url + "/v/map?area=15&level=regency&date=2019-03-31&lang=en"
    statuses = []
    for _ in range(5):
        status, head, body = get(url, accept_encoding="br")
        assert status == 200 and head["content-encoding"] == "br"
        assert b"Kabupaten Sarolangun" in brotli.decompress(body)
        statuses.append(head["x-cache-status"])
    assert statuses[0] in ("MISS", "EXPIRED") and set(statuses[1:]) == {"HIT"}, statuses
    assert "ektp_replica=" in head["set-cookie"]
    status, head, body = get(stack.url + "/v/map.png?area=15&level=regency&date=2019-03-31&lang=en")
    assert status == 200 and body[:4] == b"\x89PNG"


def test_the_public_surface_holds_behind_nginx(stack) -> None:  # noqa: ANN001
    assert get(stack.url + "/_stcore/metrics")[0] == 404
    status, head, _ = get(stack.url + "/")
    assert status == 200 and head.get("x-content-type-options") == "nosniff"
    index = get(stack.url + "/")[2].decode()
    script = re.search(r'src="\./(static/js/index[^"]+\.js)"', index).group(1)
    status, head, body = get(f"{stack.url}/{script}", accept_encoding="br")
    assert status == 200 and head["content-encoding"] == "br" and "immutable" in head["cache-control"]
    assert len(body) < 0.4 * len(brotli.decompress(body))

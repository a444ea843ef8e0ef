"""Reader pages under load: server CPU per uncached draw, and requests per second from one
process on loopback, cold (each view drawn once) and cached (answers from memory), directly
and through nginx (deploy/).

    python -m bench.readers [--seconds 5] [--connections 8]

The client is asyncio with keep-alive connections (one process, the same two cores as the
server: the figures are a floor). Writes bench/results/readers.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "results"

JAMBI = "/v/map?area=15&level=regency&date=2019-03-31&lang=en"
NATIONAL = "/v/map?area=00&level=regency&lang=en"


def draw_cpu(db: str, repeats: int = 20) -> dict[str, float]:
    """Median CPU ms of one uncached draw of the HTML (the data queries warm, as on a server
    that has drawn other views of the build), for Jambi's 11 and Indonesia's 514 regencies."""
    os.environ["EKTP_DB"] = db
    from ektp.mapview.url import choose
    from ektp.web import reader as serve

    out = {}
    for name, qs in (("jambi_11", JAMBI), ("national_514", NATIONAL)):
        from urllib.parse import parse_qs

        choice, bad = choose(parse_qs(qs.split("?", 1)[1]))
        req = serve.Request("http://localhost", "")
        serve.render("html", choice, tuple(bad), req)  # warm: queries and the projected geometry
        times = []
        for _ in range(repeats):
            t0 = time.process_time()
            serve.render("html", choice, tuple(bad), req)
            times.append(time.process_time() - t0)
        out[name] = statistics.median(times) * 1000
    return out


async def _client(
    host: str,
    port: int,
    paths: list[str],
    deadline: float,
    counts: list[int],
    errors: list[str],
    lat: list[float] | None = None,
    coding: str = "br",
) -> None:
    """One keep-alive connection sending GETs until the deadline (each answer's time in `lat`
    when given); a connection the server closes (nginx after its keepalive_requests) is opened
    again. Reads a body by its length, or chunked (nginx compressing as it sends)."""
    reader, writer = await asyncio.open_connection(host, port)
    i = 0
    try:
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: {coding}\r\n\r\n".encode())
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            status = int(head.split(b" ", 2)[1])
            lines = head.split(b"\r\n")
            length = next((int(x.split(b":", 1)[1]) for x in lines if x.lower().startswith(b"content-length:")), None)
            if length is None:
                while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                    await reader.readexactly(size + 2)
                await reader.readexactly(2)
            else:
                await reader.readexactly(length)
            if lat is not None:
                lat.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(f"{status} {path}")
            counts[0] += 1
    finally:
        writer.close()


async def _load(base: str, paths: list[str], seconds: float, connections: int) -> dict:
    u = urlsplit(base)
    counts, errors = [0], []
    t0 = time.perf_counter()
    deadline = t0 + seconds
    await asyncio.gather(*(_client(u.hostname, u.port, paths[i::connections] or paths, deadline, counts, errors)
                           for i in range(connections)))  # fmt: skip
    wall = time.perf_counter() - t0
    return {"requests": counts[0], "per_second": counts[0] / wall, "errors": len(errors), "error_kinds": errors[:3]}


def cold_paths(n: int) -> list[str]:
    """n distinct views (each drawn once): every province and regency area, level and language."""
    from ektp.data import queries

    areas = [("00", lv) for lv in ("province", "regency")]
    provinces = queries.regions("province")["code"].to_list()
    areas += [(p, lv) for p in provinces for lv in ("regency", "district")]
    paths = [f"/v/map?area={a}&level={lv}&lang={lg}" for a, lv in areas for lg in ("en", "id")]
    paths += [p.replace("/v/map?", "/v/map.csv?") for p in paths]
    return paths[:n]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--db", default=os.environ.get("EKTP_DB", str(ROOT / "data" / "ektp.duckdb")))
    a = ap.parse_args()
    from deploy.process import start_server, stop_server

    results: dict = {"draw_cpu_ms": draw_cpu(a.db)}
    print(f"uncached draw, server CPU: {results['draw_cpu_ms']}")
    cold = cold_paths(300)
    proc, base = start_server(a.db, public=True)
    try:
        results["one_process_cold"] = asyncio.run(_load(base, cold, a.seconds, a.connections))
        results["one_process_cached"] = asyncio.run(_load(base, [JAMBI, NATIONAL], a.seconds, a.connections))
    finally:
        stop_server(proc)
    from deploy.replicas import start

    stack = start(2, a.db)
    try:
        asyncio.run(_load(stack.url, [JAMBI, NATIONAL], 1, 2))  # nginx's cache filled
        results["nginx_2_replicas_cached"] = asyncio.run(_load(stack.url, [JAMBI, NATIONAL], a.seconds, a.connections))
    finally:
        stack.stop()
    for k, v in results.items():
        print(k, v)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "readers.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

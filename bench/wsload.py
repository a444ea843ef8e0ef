"""Load test of the server alone: N sessions speaking Streamlit's websocket protocol (loopback).

The Chromium load test (bench.loadtest) shares the two cores with the browsers it drives, so it
measures mostly Chromium. Here each session is a websocket client that sends what the browser
sends (a BackMsg `rerun_script` with the page and the permalink's query string) and waits for
the server's `script_finished`: the time is the server's whole rerun, every delta included.
Steps: national map → Jambi regencies → Sarolangun districts (the drill-down) → backlog page.

    python -m bench.wsload --sessions 1 5 25 --rounds 2
    python -m bench.wsload --sessions 100 --rounds 1 --think 5 30
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS = [
    ("national map", "Peta_cakupan", "area=00&level=province&lang=en"),
    ("Jambi regencies", "Peta_cakupan", "area=15&level=regency&date=2019-03-31&lang=en"),
    ("Sarolangun districts", "Peta_cakupan", "area=15.03&level=district&lang=en"),
    ("backlog page", "Antrean_pengambilan", "area=16&lang=en"),
]
#: measured for CPU and bytes only (--cpu): the heaviest view, every district of Indonesia
HEAVY = [("national districts", "Peta_cakupan", "area=00&level=district&lang=en")]


def count_wire(ws, box: list[int]) -> None:  # noqa: ANN001 - a websockets ClientConnection
    """Count the bytes the socket delivers (compressed, if the server deflates) into box[0]."""
    inner = ws.data_received

    def counting(data: bytes) -> None:
        box[0] += len(data)
        inner(data)

    ws.data_received = counting


@dataclass
class Rerun:
    received: int = 0  # message bytes (after any deflate)
    failed: str | None = None
    found: tuple | None = None  # (id, options, fragment id) of the selectbox asked for


async def rerun(
    ws,  # noqa: ANN001 - a websockets ClientConnection
    page: str,
    qs: str,
    widget: tuple[str, str] | None = None,
    fragment_id: str = "",
    want: str = "",
) -> Rerun:
    """Send what the browser sends for one rerun (the page and the permalink's query string, or
    a widget's new value inside a fragment) and read until the server's `script_finished`."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = BackMsg()
    msg.rerun_script.query_string = qs
    msg.rerun_script.page_name = page
    if widget:
        w = msg.rerun_script.widget_states.widgets.add()
        w.id, w.string_value = widget
    msg.rerun_script.fragment_id = fragment_id
    await ws.send(msg.SerializeToString())
    out = Rerun()
    while True:
        data = await ws.recv()
        out.received += len(data)
        fm = ForwardMsg()
        fm.ParseFromString(data)
        kind = fm.WhichOneof("type")
        if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            if el.WhichOneof("type") == "exception":
                out.failed = "exception element"
            if want and el.WhichOneof("type") == "selectbox" and el.selectbox.id.endswith(want):
                out.found = (el.selectbox.id, list(el.selectbox.options), fm.delta.fragment_id)
        if kind == "script_finished":
            ok = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
            if fm.script_finished not in ok:
                out.failed = out.failed or f"script finished with status {fm.script_finished}"
            return out


def connect(base: str):  # noqa: ANN201
    """A websocket to the Streamlit server at `base` (http://host:port), as the browser opens it."""
    import websockets

    url = base.replace("http://", "ws://") + "/_stcore/stream"
    # a browser sends no websocket pings (the server pings it); the library's own keepalive
    # closed sessions with "keepalive ping timeout" when eight clients in one event loop were
    # still parsing a map's frames as the pong arrived, an error of the load tool, not the server
    return websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=30, ping_interval=None)


async def session(
    base: str, rounds: int, think: tuple[float, float], timings: list, errors: list, step_timeout: float
) -> int:
    """One client; returns the bytes it received."""
    received = 0
    try:
        if think[1] > 0:  # readers arrive spread over one pause, not all in the same millisecond
            await asyncio.sleep(random.uniform(0, think[1]))
        async with connect(base) as ws:
            for _ in range(rounds):
                for name, page, qs in STEPS:
                    t0 = time.perf_counter()
                    try:
                        r = await asyncio.wait_for(rerun(ws, page, qs), step_timeout)
                        received += r.received
                        failed = r.failed
                    except TimeoutError:
                        failed = f"no script_finished within {step_timeout:.0f} s"
                    if failed:
                        errors.append((name, failed))
                    else:
                        timings.append((name, time.perf_counter() - t0))
                    if think[1] > 0:
                        await asyncio.sleep(random.uniform(*think))
    except Exception as exc:  # noqa: BLE001 - every failure is counted as an error of the run
        errors.append(("connect", f"{type(exc).__name__}: {exc}"))
    return received


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def cpu_per_step(base: str, pid: int, repeats: int) -> list[tuple[str, float, float, float, float]]:
    """Server CPU, wall time, message bytes and wire bytes per rerun of each step (one session)."""
    out = []
    got, wire = [0], [0]
    async with connect(base) as ws:
        count_wire(ws, wire)

        async def measure(name: str, page: str, qs: str, widgets: list | None = None, fragment_id: str = "") -> None:
            c0, t0, b0, w0 = cpu_seconds(pid), time.perf_counter(), got[0], wire[0]
            for i in range(repeats):
                r = await rerun(
                    ws, page, qs, widget=widgets[i % len(widgets)] if widgets else None, fragment_id=fragment_id
                )
                if r.failed:
                    raise RuntimeError(f"{name}: {r.failed}")
                got[0] += r.received
            n = repeats
            out.append(
                (
                    name,
                    (cpu_seconds(pid) - c0) / n,
                    (time.perf_counter() - t0) / n,
                    (got[0] - b0) / n,
                    (wire[0] - w0) / n,
                )
            )

        for name, page, qs in STEPS + HEAVY:
            await rerun(ws, page, qs)  # warm: caches filled, as for every reader after the first
            await measure(name, page, qs)
        # a click inside a fragment: the unit picker of the map's detail section, as the browser
        # sends it (the widget's new value and the fragment's id); only that fragment reruns
        page, qs = STEPS[1][1], STEPS[1][2]
        found = (await rerun(ws, page, qs, want="w_unit")).found
        if found:
            wid, options, fragment_id = found
            await measure("unit pick (fragment)", page, qs, [(wid, o) for o in options[:2]], fragment_id)
    return out


async def run_level(bases: list[str], n: int, rounds: int, think: tuple[float, float], step_timeout: float) -> dict:
    """n sessions; with several replicas, session i stays on replica i mod k (a sticky balancer)."""
    from deploy.process import percentile

    timings: list = []
    errors: list = []
    t0 = time.perf_counter()
    got = await asyncio.gather(
        *(session(bases[i % len(bases)], rounds, think, timings, errors, step_timeout) for i in range(n)),
        return_exceptions=False,
    )
    secs = [t for _, t in timings]
    return {
        "sessions": n,
        "steps_ok": len(secs),
        "errors": len(errors),
        "error_kinds": sorted({e for _, e in errors})[:3],
        "p50_s": percentile(secs, 0.5),
        "p95_s": percentile(secs, 0.95),
        "wall_s": time.perf_counter() - t0,
        "kb_per_step": sum(got) / max(1, len(secs) + len(errors)) / 1024,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 25])
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--think", type=float, nargs=2, default=[0, 0], metavar=("MIN", "MAX"))
    p.add_argument("--step-timeout", type=float, default=60)
    p.add_argument("--cpu", type=int, default=0, metavar="N", help="first: server CPU per rerun, each step N times")
    p.add_argument(
        "--cpu-rounds", type=int, default=3, metavar="R", help="--cpu repeated R times; the median round is reported"
    )
    p.add_argument("--replicas", type=int, default=1, help="server processes; sessions stick to one each")
    p.add_argument(
        "--nginx", action="store_true", help="the replicas behind Debian's nginx (deploy/): every session through it"
    )
    p.add_argument("--db", default=os.environ.get("EKTP_DB", str(ROOT / "data" / "ektp.duckdb")))
    a = p.parse_args()
    if max(a.sessions) > 200 or a.rounds > 10 or not 1 <= a.replicas <= 4:
        p.error("bounded: at most 200 sessions, 10 rounds and 4 replicas")
    from deploy.process import start_server, stop_server, watch_peak_rss
    from etl.load import rss_bytes

    stack = None
    if a.nginx:  # the balancer picks each session's replica (deploy/nginx.conf.in: sticky by cookie)
        from deploy.replicas import start as start_stack

        stack = start_stack(a.replicas, a.db)
        servers = stack.replicas
        procs, bases = [s[0] for s in servers], [stack.url]
    else:
        servers = [start_server(a.db, public=True) for _ in range(a.replicas)]
        procs, bases = [s[0] for s in servers], [s[1] for s in servers]
    proc, base = servers[0]
    peaks = [watch_peak_rss(pr) for pr in procs]
    rows = []
    try:
        # one warm-up session per replica so the first level does not pay for imports and cold caches
        asyncio.run(run_level(bases, len(bases), 1, (0, 0), a.step_timeout))
        if a.cpu:
            # CPU time on a shared machine moves with its load: rounds spread over time, median reported
            rounds = [
                asyncio.run(cpu_per_step(base, proc.pid, min(a.cpu, 100))) for _ in range(max(1, min(a.cpu_rounds, 9)))
            ]
            for i in range(len(rounds[0])):
                by_cpu = sorted((r[i] for r in rounds), key=lambda x: x[1])
                name, cpu, wall, sent, on_wire = by_cpu[len(by_cpu) // 2]  # the median round
                print(
                    f"per rerun, {name}: server CPU {cpu * 1000:.0f} ms "
                    f"(median of {len(by_cpu)} rounds: {by_cpu[0][1] * 1000:.0f}–{by_cpu[-1][1] * 1000:.0f}), "
                    f"wall {wall * 1000:.0f} ms, {sent / 1024:.0f} KB of messages, {on_wire / 1024:.0f} KB on the wire",
                    flush=True,
                )
        for n in a.sessions:
            before = sum(rss_bytes(pr.pid) for pr in procs)
            r = asyncio.run(run_level(bases, n, a.rounds, tuple(a.think), a.step_timeout))
            r["rss_mib"] = max(rss_bytes(pr.pid) for pr in procs) / 2**20  # the largest process
            r["rss_per_session_mib"] = max(0.0, (sum(rss_bytes(pr.pid) for pr in procs) - before) / 2**20 / n)
            rows.append(r)
            print(
                f"{n:4d} sessions: {r['steps_ok']} steps ok, {r['errors']} errors {r['error_kinds']}, "
                f"p50 {r['p50_s']:.3f} s, p95 {r['p95_s']:.3f} s, {r['kb_per_step']:.0f} KB/step, "
                f"server RSS {r['rss_mib']:.0f} MiB per process ({r['rss_per_session_mib']:.1f} MiB/session)",
                flush=True,
            )
    finally:
        if stack is not None:
            stack.stop()
        else:
            for pr in procs:
                stop_server(pr)
    ok = [r["sessions"] for r in rows if r["errors"] == 0 and r["p95_s"] < 2.0]
    print(
        f"replicas {len(procs)}{' behind nginx' if stack else ''}; peak RSS per server process {max(pk() for pk in peaks) / 2**20:.0f} MiB; "
        f"highest N with p95 < 2 s and no errors: {max(ok, default=0)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Process helpers shared by the browser test, the load test and the benchmark: start the
dashboard on a free loopback port, stop it, and watch a child's peak memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from etl.load import rss_bytes

ROOT = Path(__file__).resolve().parent.parent
#: Debian's Chromium and the flags it needs headless on this closed network (no background calls)
CHROMIUM = "/usr/bin/chromium"
CHROME_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    db: Path | str,
    public: bool = True,
    timeout: float = 60,
    address: str = "127.0.0.1",
    env: dict | None = None,
    script: Path | str = "asgi.py",
    cwd: Path | str = ROOT,
) -> tuple[subprocess.Popen, str]:
    """The real server (`streamlit run asgi.py`, as `make run`) listening on `address` (127.0.0.1
    unless a test needs a networked instance), reached on 127.0.0.1, waited for until healthy.
    `script` and `cwd`: another Streamlit script from another folder (the benchmark's naive page,
    run without this project's config)."""
    port = free_port()
    env = dict(os.environ, EKTP_DB=str(db), EKTP_PUBLIC="1" if public else "0", **(env or {}))
    if public:
        env["STREAMLIT_CLIENT_SHOW_ERROR_DETAILS"] = "none"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(port),
            "--server.address",
            address,
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    if wait_healthy(base, timeout):
        return proc, base
    proc.kill()
    raise RuntimeError("streamlit did not start")


def wait_healthy(base: str, timeout: float) -> bool:
    """Whether `base` answers Streamlit's health check within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=2).status == 200:
                return True
        except OSError:
            time.sleep(0.3)
    return False


def watch_peak_rss(proc: subprocess.Popen, interval: float = 0.1) -> Callable[[], int]:
    """Sample a child's resident memory in a thread until it exits; call the result for the peak."""
    peak = [0]

    def watch() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], rss_bytes(proc.pid))
            time.sleep(interval)

    th = threading.Thread(target=watch, daemon=True)
    th.start()

    def result() -> int:
        th.join()
        return peak[0]

    return result


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def percentile(xs: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–1) of step times; NaN when there are none. Both load
    tests report p50 and p95 with this one rule, so their tables compare."""
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]

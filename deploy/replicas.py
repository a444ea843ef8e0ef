"""N replicas of the public instance behind Debian's nginx, on loopback, in one command.

    python -m deploy.replicas --replicas 2 --port 8080      # or: make serve-replicas N=2

Starts N `streamlit run asgi.py` processes in public mode (each on its own free port, all
reading the same DuckDB file read-only), writes `deploy/nginx.conf.in` with their addresses
into a run folder and starts nginx in the foreground of this command; Ctrl-C stops all of
them. The same `Stack` is what the deploy test and `make loadtest-server` drive.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.in"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@dataclass
class Stack:
    """The running replicas and nginx in front of them."""

    url: str  # http://127.0.0.1:<port>, nginx
    replicas: list[tuple[subprocess.Popen, str]]
    nginx: subprocess.Popen
    folder: Path  # nginx's config, logs and cache
    _own_folder: bool = field(default=False, repr=False)

    def access_log(self) -> list[str]:
        path = self.folder / "access.log"
        return path.read_text().splitlines() if path.exists() else []

    def stop(self) -> None:
        from deploy.process import stop_server

        self.nginx.send_signal(signal.SIGQUIT)  # graceful: finishes the open requests
        try:
            self.nginx.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.nginx.kill()
        for proc, _ in self.replicas:
            stop_server(proc)
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def write_config(folder: Path, upstreams: list[str], port: int) -> Path:
    """deploy/nginx.conf.in with this run's upstreams, port and folder filled in."""
    for sub in ("tmp", "cache"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    text = TEMPLATE.read_text()
    text = text.replace("@USER@", "user root;" if os.geteuid() == 0 else "")  # workers keep the folder's owner
    text = text.replace("@PREFIX@", str(folder)).replace("@LISTEN@", f"127.0.0.1:{port}")
    text = text.replace("@UPSTREAMS@", "\n".join(f"        server {u.removeprefix('http://')};" for u in upstreams))
    conf = folder / "nginx.conf"
    conf.write_text(text)
    return conf


def start_nginx(conf: Path, folder: Path) -> subprocess.Popen:
    """nginx with `conf` (checked first: a bad config is an error naming nginx's reason), in the
    foreground of a child process, its paths under `folder`."""
    check = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(folder)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused {conf}: {check.stderr.strip()}")
    return subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start(n: int, db: Path | str, port: int = 0, folder: Path | None = None, timeout: float = 60) -> Stack:
    """N public replicas on free loopback ports and nginx on `port` (0: a free one)."""
    from deploy.process import free_port, start_server, stop_server, wait_healthy

    if not Path(NGINX).exists():
        raise RuntimeError("nginx is not installed: `apt-get install -y nginx` (as .ci/run does)")
    own = folder is None
    folder = Path(tempfile.mkdtemp(prefix="ektp-nginx-")) if folder is None else folder
    replicas: list[tuple[subprocess.Popen, str]] = []
    try:
        for _ in range(n):
            replicas.append(start_server(db, public=True, timeout=timeout))
        port = port or free_port()
        conf = write_config(folder, [base for _, base in replicas], port)
        nginx = start_nginx(conf, folder)
    except BaseException:
        for proc, _ in replicas:
            stop_server(proc)
        raise
    url = f"http://127.0.0.1:{port}"
    stack = Stack(url, replicas, nginx, folder, own)
    if wait_healthy(url, timeout):
        return stack
    stack.stop()
    raise RuntimeError(f"nginx on {url} did not answer; see {folder / 'error.log'}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--db", default=os.environ.get("EKTP_DB", str(ROOT / "data" / "ektp.duckdb")))
    a = ap.parse_args()
    if not 1 <= a.replicas <= 8:
        ap.error("1 to 8 replicas")
    stack = start(a.replicas, a.db, a.port)
    print(f"{a.replicas} replicas behind nginx on {stack.url} (config, logs: {stack.folder}); Ctrl-C stops")
    try:
        stack.nginx.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

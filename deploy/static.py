"""A published reader site (`make publish`) served by Debian's nginx alone, on loopback:

    python -m deploy.static [--root build/site] [--port 8090]

What the site test crawls and the benchmark measures; a production host copies the server
block of deploy/nginx-static.conf.in.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from deploy.replicas import NGINX

TEMPLATE = Path(__file__).resolve().parent / "nginx-static.conf.in"


@dataclass
class Static:
    url: str
    nginx: subprocess.Popen
    folder: Path

    def stop(self) -> None:
        self.nginx.send_signal(signal.SIGQUIT)
        try:
            self.nginx.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.nginx.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def start(root: Path, port: int = 0, workers: int = 1, access_log: bool = False, timeout: float = 20) -> Static:
    """nginx serving `root` on `port` (0: a free one) with `workers` processes."""
    from deploy.process import free_port
    from deploy.replicas import start_nginx
    from ektp.reader.page import CSP_PAGE

    if not Path(NGINX).exists():
        raise RuntimeError("nginx is not installed: `apt-get install -y nginx` (as .ci/run does)")
    folder = Path(tempfile.mkdtemp(prefix="ektp-static-"))
    (folder / "tmp").mkdir()
    port = port or free_port()
    text = TEMPLATE.read_text()
    for k, v in {
        "@USER@": "user root;" if os.geteuid() == 0 else "",
        "@WORKERS@": str(workers),
        "@PREFIX@": str(folder),
        "@LISTEN@": f"127.0.0.1:{port}",
        "@ROOT@": str(Path(root).resolve()),
        "@ACCESS_LOG@": f"{folder}/access.log" if access_log else "off",
        "@CSP@": CSP_PAGE,  # the reader pages' own: their one style by its hash, nothing else
    }.items():
        text = text.replace(k, v)
    conf = folder / "nginx.conf"
    conf.write_text(text)
    proc = start_nginx(conf, folder)
    served = Static(f"http://127.0.0.1:{port}", proc, folder)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(served.url + "/", timeout=2)
            return served
        except urllib.error.HTTPError:
            return served  # it answers (an empty folder has no index.html)
        except OSError:
            time.sleep(0.2)
    served.stop()
    raise RuntimeError(f"nginx on port {port} did not answer; see {folder / 'error.log'}")


def main() -> int:
    from ektp.core import settings

    ap = argparse.ArgumentParser(prog="python -m deploy.static")
    ap.add_argument("--root", type=Path, default=settings.path("site_dir"))
    ap.add_argument("--port", type=int, default=8090)
    args = ap.parse_args()
    s = start(args.root, args.port, workers=2)
    print(f"serving {args.root} at {s.url}/ (Ctrl-C stops)")
    try:
        s.nginx.wait()
    except KeyboardInterrupt:
        s.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

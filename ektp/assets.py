"""Streamlit's own JavaScript, CSS and fonts, compressed once and served compressed.

Streamlit sends its 8.75 MB of JavaScript uncompressed (Plotly's chunk alone is 4.6 MB); brotli
makes it about a fifth. `make assets` (a step of `make run` and of CI) copies Streamlit's
`static/` folder to `build/assets/<streamlit version>/` and writes a `.br` and `.gz` beside each
file with servestatic's compressor (brotli at its best level, once, not per request).
`asgi.py` then mounts servestatic on `<base>/static/`: it answers with the smallest form the
browser accepts and, for Streamlit's content-hashed file names, `immutable` for a year. Without
the folder (`make assets` not run) Streamlit serves its files itself, uncompressed, as before.
"""

from __future__ import annotations

import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import streamlit

from ektp import settings
from ektp.serving import base_path

#: Streamlit's bundle: index.html loads ./static/js/…, ./static/css/…, ./static/media/….
SOURCE = Path(streamlit.__file__).resolve().parent / "static" / "static"
#: Written last: a folder without it is a copy that was interrupted, and is not served.
MARKER = ".complete"
#: Vite's content hash in a file name ('index.DormvYxC.js', 'SourceSansVF-Upright.ttf.BsWL4Kly.woff2').
HASHED = re.compile(r"\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$")
YEAR = 365 * 24 * 3600


def folder() -> Path:
    """Where this Streamlit version's compressed copy lives (a new version gets a new folder)."""
    return settings.path("assets_dir") / streamlit.__version__


def ready() -> Path | None:
    """The compressed copy when it is complete, else None (Streamlit then serves its own)."""
    f = folder()
    return f if (f / MARKER).exists() else None


def prepare(quiet: bool = True) -> Path:
    """Copy Streamlit's static folder and compress every file worth it, once; return the folder.
    Built beside and renamed into place, so a server never sees half a copy."""
    from servestatic.compress import Compressor

    done = ready()
    if done is not None:
        return done
    target = folder()
    work = target.with_name(target.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(SOURCE, work)
    compressor = Compressor(use_zstd=False, quiet=quiet)
    paths = [Path(d) / n for d, _, names in os.walk(work) for n in names if compressor.should_compress(n)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(compressor.compress, map(str, paths)))
    (work / MARKER).write_text(streamlit.__version__ + "\n")
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    return target


def immutable(path: str, url: str) -> bool:
    """Streamlit's file names carry their content's hash: a browser may keep them for a year."""
    return bool(HASHED.search(url))


class CompressedAssets:
    """ASGI middleware: servestatic over the compressed copy on `<base>/static/` (see the module
    doc); without the copy every request goes on to Streamlit unchanged."""

    def __init__(self, app: Any, base_url: str | None = None) -> None:
        from servestatic import ServeStaticASGI

        base = base_path(base_url)
        root = ready()
        self.root = root
        self.app = app
        if root is not None:
            self.app = ServeStaticASGI(
                app, root=str(root), prefix=f"{base}/static/", max_age=3600, immutable_file_test=immutable
            )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


if __name__ == "__main__":  # `python -m ektp.assets`: what `make assets` runs
    print(prepare(quiet=True))

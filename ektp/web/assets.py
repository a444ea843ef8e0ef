"""Streamlit's own JavaScript, CSS and fonts, compressed once and served compressed.

Streamlit sends its 8.75 MB of JavaScript uncompressed (Plotly's chunk alone is 4.6 MB); brotli
makes it about a fifth. `make assets` (a step of `make run` and of CI) copies Streamlit's
`static/` folder to `build/assets/<streamlit version>/` and writes a `.br` and `.gz` beside each
file with servestatic's compressor (brotli at its best level, once, not per request).
`asgi.py` then mounts servestatic on `<base>/static/`: it answers with the smallest form the
browser accepts and, for Streamlit's content-hashed file names, `immutable` for a year. Without
the folder (`make assets` not run, or a deployer's plain `streamlit run asgi.py`) the server
makes it itself in the background, saying so in its log, and serves compressed from then on:
never silently 9 MB to a phone.

The copy also carries Streamlit's icon font cut to the icons Streamlit can draw
(`small_icon_font`): Material Symbols holds 4,309 icons in 375 KB, fetched by the first icon on
screen (the sidebar's arrow on the map page); a phone spent ~2 s of its link on it. The icons
the frontend names in its code are ~500 (many are emoji shortcodes), 45 KB.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import streamlit

from ektp.core import settings
from ektp.web.serving import base_path

#: Streamlit's bundle: index.html loads ./static/js/…, ./static/css/…, ./static/media/….
SOURCE = Path(streamlit.__file__).resolve().parent / "static" / "static"
#: Written last: a folder without it is a copy that was interrupted, and is not served.
MARKER = ".complete"
#: How the copy is made; a new recipe gets a new folder (a copy made by an older one is not used).
RECIPE = "2"
#: Streamlit's icon font; its glyphs are named by ligature ("expand_more" draws the arrow).
ICON_FONT = "MaterialSymbols-Rounded.*.woff2"
#: Icons our own code names (`:material/…:` in pages and ektp/); none today.
OUR_ICONS: frozenset[str] = frozenset()
#: A name as it stands in the frontend's code: a string literal or a `:material/name:` token.
_ICON_NAME = re.compile(r"[\"'`:/]([a-z][a-z0-9_]{1,60})[\"'`:]")
#: Vite's content hash in a file name ('index.DormvYxC.js', 'SourceSansVF-Upright.ttf.BsWL4Kly.woff2').
HASHED = re.compile(r"\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$")
YEAR = 365 * 24 * 3600
_LOG = logging.getLogger(__name__)


def folder() -> Path:
    """Where this Streamlit version's compressed copy lives (a new version or recipe gets a new
    folder)."""
    return settings.path("assets_dir") / f"{streamlit.__version__}-{RECIPE}"


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
    work = target.with_name(f"{target.name}.tmp{os.getpid()}")  # replicas may start it at once
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(SOURCE, work)
    for font in (work / "media").glob(ICON_FONT):
        small_icon_font(font, work / "js")
    compressor = Compressor(use_zstd=False, quiet=quiet)
    paths = [Path(d) / n for d, _, names in os.walk(work) for n in names if compressor.should_compress(n)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(compressor.compress, map(str, paths)))
    (work / MARKER).write_text(streamlit.__version__ + "\n")
    if ready() is not None:  # another process finished first: its copy is the same
        shutil.rmtree(work, ignore_errors=True)
        return target
    shutil.rmtree(target, ignore_errors=True)
    try:
        work.rename(target)
    except OSError:  # renamed into place by another process a moment ago
        shutil.rmtree(work, ignore_errors=True)
    return target


def _ligatures(font: Any) -> list[tuple[Any, str]]:
    """Each ligature of the font's GSUB tables, as ((subtable, first glyph, ligature), the name
    it spells)."""
    cmap = {glyph: chr(code) for code, glyph in font.getBestCmap().items()}
    found = []
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for sub in lookup.SubTable:
            sub = getattr(sub, "ExtSubTable", sub)
            for first, ligs in (getattr(sub, "ligatures", None) or {}).items():
                for lig in ligs:
                    found.append(((sub, first, lig), "".join(cmap.get(g, "\0") for g in [first, *lig.Component])))
    return found


def small_icon_font(path: Path, js: Path) -> set[str]:
    """Rewrite Streamlit's icon font (in our copy) with only the icons the frontend's code names,
    and ours; return the names kept. A name the code builds at run time would draw as letters:
    tests/browser/test_browser.py walks every page and checks each icon on screen is one glyph."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    named = set(OUR_ICONS)
    for script in js.glob("*.js"):
        named.update(_ICON_NAME.findall(script.read_text(encoding="utf-8", errors="replace")))
    font = TTFont(str(path))
    kept: set[str] = set()
    for (sub, first, lig), name in _ligatures(font):
        if name in named:
            kept.add(name)
        else:
            sub.ligatures[first].remove(lig)
            if not sub.ligatures[first]:
                del sub.ligatures[first]
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    cut = subset.Subsetter(options)
    cut.populate(unicodes={ord(c) for name in kept for c in name})  # the letters; GSUB keeps the kept icons
    cut.subset(font)
    font.save(str(path))
    return kept


def immutable(path: str, url: str) -> bool:
    """Streamlit's file names carry their content's hash: a browser may keep them for a year."""
    return bool(HASHED.search(url))


class CompressedAssets:
    """ASGI middleware: servestatic over the compressed copy on `<base>/static/` (see the module
    doc). Without the copy, requests go on to Streamlit unchanged while a background thread makes
    it (a warning in the log says so), and are served compressed once it is ready."""

    def __init__(self, app: Any, base_url: str | None = None) -> None:
        self.base = base_path(base_url)
        self.inner = app
        self.app = app
        self.root = ready()
        if self.root is not None:
            self._serve(self.root)
        else:
            _LOG.warning(
                "Streamlit's files are not compressed yet (%s): compressing them now in the background "
                "(about 20 s on 2 cores; `make assets` does it before the server starts); until then they go "
                "uncompressed",
                folder(),
            )
            threading.Thread(target=self._prepare, name="ektp-assets", daemon=True).start()

    def _prepare(self) -> None:
        try:
            root = prepare(quiet=True)
        except Exception:  # a read-only disk: the app still works, uncompressed, and says why
            _LOG.exception("compressing Streamlit's files failed: they stay uncompressed")
            return
        self._serve(root)
        _LOG.warning("Streamlit's files are compressed (%s) and served so from now on", root)

    def _serve(self, root: Path) -> None:
        from servestatic import ServeStaticASGI

        self.root = root
        self.app = ServeStaticASGI(
            self.inner, root=str(root), prefix=f"{self.base}/static/", max_age=3600, immutable_file_test=immutable
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


if __name__ == "__main__":  # `python -m ektp.web.assets`: what `make assets` runs
    print(prepare(quiet=True))

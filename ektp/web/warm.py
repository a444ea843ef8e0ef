"""Warm-up at server start: the first reader after a (re)start waited ~1.5 s longer for the map
than the readers after them (bench.phone: 8.6 s against 7.0–7.5 s on a throttled phone), for the
imports (Plotly, polars, DuckDB), the database's first connection, the first queries and the
geometry's projection. `asgi.py` starts this beside the server: one thread does that work once
for the default map view. A reader who comes meanwhile is served at once; the caches it meets are
the same ones (a view under way is built once per key), so nothing is done twice for good."""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)


def warm() -> float:
    """Import what a page's first run imports and build the default map view (its data, classes,
    words and projected shapes): the seconds it took."""
    t0 = time.perf_counter()
    import ektp.charts  # noqa: F401  (Plotly: the charts' pages, the map page's funnel)
    from ektp.mapview import model, url

    choice, _ = url.choose({})  # the map page's view with no parameter: the nation's provinces
    model.gather(choice)
    return time.perf_counter() - t0


def _run() -> None:
    try:
        took = warm()
    except Exception:  # the first reader then does the work itself, as before
        log.exception("warm-up failed")
        return
    log.info("warm-up: the default map view built in %.1f s", took)


def start() -> threading.Thread:
    """Warm up in a thread of its own (the server serves meanwhile)."""
    thread = threading.Thread(target=_run, name="ektp-warm", daemon=True)
    thread.start()
    return thread

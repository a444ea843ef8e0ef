"""The server's warm-up (ektp.web.warm): the default map view is built before a reader asks."""

from __future__ import annotations

from pathlib import Path


def test_the_warm_up_builds_the_default_map_view_a_reader_then_finds(app_env: Path) -> None:
    from ektp.mapview import model, url
    from ektp.web import warm

    model._gather.cache_clear()
    thread = warm.start()
    thread.join(timeout=120)
    assert not thread.is_alive()
    before = model._gather.cache_info()
    assert before.currsize == 1  # the default view, built by the warm-up's thread
    choice, _ = url.choose({})  # the map page with no parameter
    assert model.gather(choice) is not None
    after = model._gather.cache_info()
    assert after.hits == before.hits + 1 and after.misses == before.misses  # found, not built again

"""Data and method: downloads for the current filters, data dictionary, sources, load history, licence."""

from __future__ import annotations

import datetime as dt
import re

import streamlit as st

from ektp import ui
from ektp.core import settings
from ektp.data import history, queries
from ektp.text.i18n import t

lg = ui.setup("page_data")
#: The data dictionary per language (the English one is the reference; tests keep every name
#: it gives in the Indonesian one).
DOCS = {"en": settings.ROOT / "docs" / "DATA_DICTIONARY.md", "id": settings.ROOT / "docs" / "DATA_DICTIONARY.id.md"}
HEADER_MAP = settings.ROOT / "data" / "header_map.csv"


#: A source that is a bare address ('radarjambi.co.id/…', 'https://…'): linked, as people cite it.
_ADDRESS = re.compile(r"(https?://)?([a-z0-9-]+\.)+[a-z]{2,}(/[^\s()\[\]<>]*)?", re.I)


def link(source: str) -> str:
    """A source through Markdown: its text never markup (ui.safe_text), linked only when it
    starts with a bare address (an office's SUMBER cell `[klik](http://…)` stays text)."""
    first = source.split(" ")[0]
    if _ADDRESS.fullmatch(first):
        url = first if first.lower().startswith("http") else "https://" + first
        return f"[{ui.safe_text(source)}](<{url}>)"
    return ui.safe_text(source)


def body() -> None:
    area = ui.page_header("data_title", lg)
    if area is None:
        return
    years = list(range(2011, dt.date.today().year + 1))
    start = ui.choice("from", years, 2013, t("period", lg) + " ≥", where=st.sidebar)
    end = ui.choice("to", years, years[-1], t("period", lg) + " ≤", where=st.sidebar)
    ui.show_invalid_notice(lg)
    st.header(t("tables", lg))
    for name in queries.EXPORTS:
        df = queries.export_table(name, area, dt.date(start, 1, 1), dt.date(end, 12, 31))
        with st.expander(t("table_rows", lg, table=name, n=df.height)):
            ui.table(df.head(200), hide_index=True, width="stretch")
            title = t("export_title", lg, table=name, area=ui.area_name(area, lg), start=start, end=end)
            lines = ui.report_lines(lg, t("export_source", lg))
            ui.table_downloads(df, f"{name}_{area}_{start}_{end}", lg, name, title, lines)
    st.header(t("sources", lg))
    src = queries.sources()
    for r in src.iter_rows(named=True):
        st.markdown(f"- {link(r['source'])} — {ui.source_use(r, lg)}")
    st.header(t("dictionary", lg))
    doc = DOCS.get(lg, DOCS["en"])
    if doc.exists():
        st.markdown(ui.doc_body(doc.read_text(encoding="utf-8")))
    ui.table(ui.header_map_table(HEADER_MAP), hide_index=True, width="stretch")
    if not settings.is_public():
        st.header(t("load_history", lg))
        ui.table(history.load_history(), hide_index=True, width="stretch")
        st.header(t("rejected_rows", lg))
        ui.table(history.rejected_rows(), hide_index=True, width="stretch")
    st.header(t("licence", lg))
    meta = queries.meta()
    st.markdown(ui.safe_text(meta.get("boundaries_license", "")))
    st.caption(t("codes_licence", lg))


ui.guarded(body)

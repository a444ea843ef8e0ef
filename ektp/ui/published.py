"""What the publishers said, beside what the app draws: the latest national release, the
figures of areas before a split (against the sum of today's successors), and the published
band counts beside a map's own.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from ektp.data import queries, releases
from ektp.text import fmt
from ektp.text.i18n import t
from ektp.ui.tables import data_text, marker, safe_text, table


def show_latest_release(lg: str) -> None:
    """One line under the Overview's title: the latest published national figure, its date,
    its base and source, whatever area the page shows (the reader's anchor)."""
    r = releases.latest_release()
    if r is None:
        return
    st.caption(
        t(
            "latest_release",
            lg,
            date=fmt.date(r["as_of"], lg),
            rate=fmt.pct(r["recording_rate"], lg, 2),
            eligible=fmt.num(r["eligible"], lg),
            source=safe_text(fmt.source(r["source"], lg)),
        )
        + (f" — {safe_text(data_text(r['note'], lg))}" if r.get("note") else "")
    )


def former_table(df: pl.DataFrame, lg: str) -> pl.DataFrame:
    """The former area's figures as a reader sees them: each beside the successors' sum."""
    return pl.DataFrame(
        {
            t("date", lg): df["as_of"],
            t("former_figure", lg): [fmt.pct(v, lg, 2) for v in df["recording_rate"].to_list()],
            t("successors_sum", lg): [
                f"{fmt.pct(v, lg, 2)} ({fmt.date(d, lg)}, {marker(s, lg)})" if v is not None else "–"
                for v, d, s in zip(
                    df["successors_rate"].to_list(),
                    df["successors_as_of"].to_list(),
                    df["successors_synthetic"].to_list(),
                    strict=True,
                )
            ],
            t("source", lg): [fmt.source(s, lg) for s in df["source"].to_list()],
            t("note", lg): [data_text(n, lg) or "" for n in df["note"].to_list()],
        }
    )


def show_former_areas(codes: list[str], lg: str) -> None:
    """Under areas that were split or split off (Papua 91 and 93, 94, 95; Papua Barat 92 and
    96): the figures of the area before the split, said to be of the old area, each beside
    the sum of today's successors; each former area once. Nothing for other areas."""
    df = releases.former_figures(codes)
    if not df.height:
        return
    names = dict(queries.province_names())
    for (former,), part in df.group_by("former_code", maintain_order=True):
        first = part.row(0, named=True)
        successors = ", ".join(f"{names.get(c, c)} ({c})" for c in first["successors"].split(", "))
        st.markdown(
            f"**{t('former_title', lg, name=safe_text(first['name']), date=fmt.date(first['effective'], lg))}**"
        )
        st.caption(
            t(
                "former_note",
                lg,
                name=safe_text(first["name"]),
                date=fmt.date(first["effective"], lg),
                successors=safe_text(successors),
                code=former,
            )
        )
        table(former_table(part, lg), hide_index=True, width="stretch")

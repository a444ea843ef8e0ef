"""How much of a file the loader reads before refusing it, and the refusal itself: what the
extract and the workbook measurement share (etl.extract, etl.workbooks)."""

from __future__ import annotations

from dataclasses import dataclass

from ektp.core import settings


class ExtractError(Exception):
    """The file as a whole cannot be read; the message says why."""


@dataclass(frozen=True)
class Limits:
    """How much of a file the loader reads before refusing it (settings max_*)."""

    rows: int
    columns: int
    cell_chars: int
    line_chars: int
    inflated: int  # bytes a workbook's parts may inflate to, all together
    sheet_cells: int  # rows × columns of one sheet's rectangle

    @classmethod
    def from_settings(cls) -> Limits:
        def n(name: str) -> int:
            return int(float(settings.get(name)))

        return cls(n("max_rows"), n("max_columns"), n("max_cell_chars"), n("max_line_chars"),
                   int(float(settings.get("max_inflated_mb")) * 2**20), n("max_sheet_cells"))  # fmt: skip


def check_columns(n: int, name: str, limits: Limits) -> None:
    if n > limits.columns:
        raise ExtractError(f"{name}: {n:,} columns, more than the limit of {limits.columns:,} (setting max_columns)")

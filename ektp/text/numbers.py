"""Numbers written the reader's way: 1.234.567 in Indonesian, 1,234,567 in English.

Its own module, below both `ektp.text.fmt` and `ektp.text.i18n` (t() writes a count with it), so neither
imports the other: the two had imported each other.
"""

from __future__ import annotations

import math


def missing(x: object) -> bool:
    """No figure: None or NaN."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def num(x: float | int | None, lang: str = "id", decimals: int = 0) -> str:
    """A number with the language's separators ('–' for no figure)."""
    if missing(x):
        return "–"
    s = f"{x:,.{decimals}f}"
    if lang == "id":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return s

"""UI strings live in id.toml and en.toml beside this file; `t(key, lang)` looks them up."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from ektp.text.numbers import num

LANGS = ("id", "en")
_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=2)
def strings(lang: str) -> dict[str, str]:
    with (_DIR / f"{lang}.toml").open("rb") as fh:
        return tomllib.load(fh)


def t(key: str, lang: str, **kw: object) -> str:
    """The string for key in lang (falls back to the key itself so a gap is visible, not fatal).
    With n=1, `<key>_one` when the language has it ('1 unit'; Indonesian needs no singular). A
    whole number n is written with the language's thousands separator ("2.541 wilayah")."""
    lang = lang if lang in LANGS else "id"
    table = strings(lang)
    n = kw.get("n")
    s = table.get(f"{key}_one", table.get(key, key)) if n in (1, "1") else table.get(key, key)
    if isinstance(n, int) and not isinstance(n, bool):
        kw["n"] = num(n, lang)
    return s.format(**kw) if kw else s

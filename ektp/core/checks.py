"""The notes the ETL stores on a row, as templates shared by the writer and the reader.

The ETL writes a row's check notes ("warnings") and a roll-up's source as English text: that
text is what exports, the data dictionary and the load history show, and it reads on its own.
The app shows the same notes in the reader's language. Both sides use the templates below, so a
note the ETL writes is always one the app can read back; a text that matches none (an older
build, a hand-edited file) is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: key → the English text stored in the database. Fields are numbers written as the ETL wrote
#: them (a percentage field is followed by "%"), except `level`, a level's name.
TEMPLATES: dict[str, str] = {
    "over_eligible": "recorded {recorded} > eligible {eligible} (over 100%; eligible may be from an older semester)",
    "printed_over_recorded": "printed {printed} > recorded {recorded}",
    "eligible_over_population": "eligible {eligible} > population {population}",
    "not_recorded_mismatch": "not_recorded {reported} disagrees with eligible - recorded = {computed}",
    "rate_mismatch": "reported {reported}% disagrees with recorded / eligible = {computed}%",
    "rate_mismatch_sum": "reported {reported}% disagrees with recorded / (recorded + not_recorded) = {computed}%",
    "rate_mismatch_unrecorded": "reported {reported}% disagrees with (eligible - not_recorded) / eligible = {computed}%",
    "shares_sum": "recorded share {recorded}% and unrecorded share {unrecorded}% do not add up to 100%",
    "history_jump": "rate {rate}% is {gap} points from this area's {previous}% of {when}: check the column or the row",
    "age_buckets": "age buckets sum to {total}, not awaiting_pickup {awaiting}",
    "reasons": "reason breakdown sums to {total}, not destroyed {destroyed}",
    "rollup": "sum of {n} {level} rows",
    "bps_code": "BPS code {code_bps} read as {name} ({code})",
    "name_unrecognised": "name '{typed}' not recognised; code {code} ({name}) used",
    "split_sum": "{measure} L {male} + P {female} = {sum}, not JUMLAH {total}",
    "province_sum": "province {measure} {own} disagrees with the sum of its {n} regencies in this file, {summed}",
    "pre_split": "dated before the {effective} split of {name} ({code}) into {successors}: kept as the former area {former}",
}
#: Fields that are text, not numbers: names as typed or official (any text up to the literal
#: that follows), region codes (kept as written), a measure's field name.
TEXT_FIELDS = {"name": r".+?", "typed": r".+?", "when": r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "code": r"[0-9][0-9.]*", "code_bps": r"[0-9][0-9.]*",
               "measure": r"[a-z_]+", "level": r"[a-z]+", "effective": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
               "successors": r"[0-9., ]+?", "former": r"[0-9.]+~[0-9]{4}"}  # fmt: skip
#: Notes are joined with this into one text per row.
SEP = "; "

_FIELD = re.compile(r"\{(\w+)\}")


def write(key: str, **values: object) -> str:
    """The stored text of one note: `write("printed_over_recorded", printed=5, recorded=4)`."""
    return TEMPLATES[key].format(**values)


def sql_format(key: str) -> str:
    """The template for DuckDB's format(): its fields as `{}`, in the order they appear."""
    return _FIELD.sub("{}", TEMPLATES[key])


def _pattern(template: str) -> re.Pattern[str]:
    parts = _FIELD.split(template)  # literal, field, literal, field, ..., literal
    rx = "".join(
        re.escape(p) if i % 2 == 0 else f"(?P<{p}>{TEXT_FIELDS.get(p, r'-?[0-9][0-9.]*')})" for i, p in enumerate(parts)
    )
    return re.compile(rx)


_PATTERNS = {key: _pattern(tpl) for key, tpl in TEMPLATES.items()}


def read(text: str | None) -> list[tuple[str | None, dict[str, str]]]:
    """A stored text split into its notes: (key, fields) for each note a template matches,
    (None, {"text": note}) for any other. A note may itself hold SEP ("over 100%; eligible…"),
    so the text is read note by note from the left, not split first."""
    out: list[tuple[str | None, dict[str, str]]] = []
    pos, end = 0, len(text or "")
    while text and pos < end:
        for key, rx in _PATTERNS.items():
            m = rx.match(text, pos)
            if m and (m.end() == end or text.startswith(SEP, m.end())):
                out.append((key, m.groupdict()))
                pos = m.end()
                break
        else:
            stop = text.find(SEP, pos)
            stop = end if stop < 0 else stop
            out.append((None, {"text": text[pos:stop]}))
            pos = stop
        pos += len(SEP) if text.startswith(SEP, pos) else 0
    return out


def render(text: str | None, say: Callable[[str | None, dict[str, str]], str]) -> str | None:
    """A stored text with each note said again by `say(key, fields)` and joined as stored."""
    if not text:
        return text
    return SEP.join(say(key, fields) for key, fields in read(text))

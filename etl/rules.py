"""The loader's consistency rules, said once for both lanes.

A rule loads the row but stores a note on it (real recaps carry such slips; the counts win):
recorded above eligible, printed above recorded, and so on. Each rule is written once, as an
expression that Python and DuckDB both read (field names, numbers, `+ - > !=`, `abs()`), with
the note's values likewise. The row lane (etl.validate) evaluates it on a row's record and
writes the note; the bulk lane (etl.bulk) turns the same expression into SQL over a row's
typed cells and sends any row it could fire on to the row lane, which words the note. A rule
applies only when every field it names has a value (SQL: a NULL makes the condition NULL,
which counts as false).

The rate rule (a reported % rekam against recorded / eligible) is not here: its tolerance
follows how many decimals the file wrote, which only the row lane sees (`coverage_warnings`);
the bulk lane sends every row where it could fire to the row lane.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import CodeType

from ektp.core import checks
from etl.headers import SPLIT_FIELDS

_NAME = re.compile(r"\b([a-z_][a-z0-9_]*)\b")
_FUNCTIONS = {"abs"}


def _fields(expr: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in _NAME.findall(expr) if n not in _FUNCTIONS))


@dataclass(frozen=True)
class Rule:
    """One consistency rule: when `when` holds, the note `key` (ektp/core/checks.py) is written with
    `note`'s values."""

    key: str
    kind: str
    when: str
    note: dict[str, str]
    _code: CodeType = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_code", compile(self.when, f"<rule {self.key}>", "eval"))

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field the rule reads (its condition and its note)."""
        return _fields(" ".join([self.when, *self.note.values()]))

    def check(self, rec: dict) -> str | None:
        """The note for a row's record, or None (the rule holds, or a field has no value)."""
        if any(rec.get(f) is None for f in self.fields):
            return None
        scope = {f: rec[f] for f in self.fields}
        if not eval(self._code, {"abs": abs, "__builtins__": {}}, scope):  # noqa: S307 - our own constant expressions
            return None
        values = {k: eval(v, {"abs": abs, "__builtins__": {}}, scope) for k, v in self.note.items()}  # noqa: S307
        return checks.write(self.key, **values)

    def sql(self, value_of: dict[str, str]) -> str:
        """The condition in SQL, each field replaced by its SQL value (`value_of`: field → SQL)."""
        return _NAME.sub(lambda m: m[1] if m[1] in _FUNCTIONS else f"({value_of.get(m[1], 'NULL')})", self.when)


RULES: tuple[Rule, ...] = (
    Rule("over_eligible", "coverage", "recorded > eligible", {"recorded": "recorded", "eligible": "eligible"}),
    Rule("printed_over_recorded", "coverage", "printed > recorded", {"printed": "printed", "recorded": "recorded"}),
    Rule(
        "eligible_over_population",
        "coverage",
        "eligible > population",
        {"eligible": "eligible", "population": "population"},
    ),  # fmt: skip
    Rule(
        "not_recorded_mismatch",
        "coverage",
        "abs((eligible - recorded) - not_recorded) > 1",
        {"reported": "not_recorded", "computed": "eligible - recorded"},
    ),  # fmt: skip
    Rule(
        "age_buckets",
        "backlog",
        "age_0_3m + age_3_6m + age_6_12m + age_12m_plus != awaiting_pickup",
        {"total": "age_0_3m + age_3_6m + age_6_12m + age_12m_plus", "awaiting": "awaiting_pickup"},
    ),  # fmt: skip
)


#: The most people (or cards) a count of one unit can mean, by the unit's level: two to four
#: times the largest such unit (Indonesia ~284 million in 2025; Jawa Barat ~50 million;
#: Kabupaten Bogor ~5.6 million; the largest kecamatan and kelurahan well under 1 million and
#: 200,000). A count above it is no reading of the column at all (10¹⁸ eligible residents, or a
#: sum past 2⁶³): the row is refused, naming the limit. The bulk lane inserts only rows whose
#: counts stay under the smallest ceiling and sends the others to the row lane, which decides.
CEILINGS = {"country": 400_000_000, "province": 100_000_000, "regency": 15_000_000,
            "district": 3_000_000, "village": 1_000_000}  # fmt: skip
BULK_CEILING = min(CEILINGS.values())


def ceiling_errors(rec: dict, fields: tuple[str, ...], level: str | None) -> list[str]:
    """Counts no unit of `level` can hold, each as the row's reason."""
    limit = CEILINGS.get(level or "", CEILINGS["country"])
    return [
        f"{f}: {rec[f]:,} is more than any {level or 'unit'} can hold (at most {limit:,}): not a reading of this column"
        for f in fields
        if isinstance(rec.get(f), int) and rec[f] > limit
    ]


def notes(kind: str, rec: dict) -> list[str]:
    """The notes the rules of a file kind write on a row's record, in the rules' order."""
    return [n for r in RULES if r.kind == kind and (n := r.check(rec)) is not None]


def sql_conditions(kind: str, value_of: dict[str, str]) -> list[str]:
    """Each rule of a file kind as an SQL condition that is true where the rule fires."""
    return [r.sql(value_of) for r in RULES if r.kind == kind]


def pct_tolerance(raw: object) -> float:
    """One unit of the last printed decimal: '98.22' → 0.01, '86' → 1 (counts win beyond)."""
    s = str(raw).strip().rstrip("%")
    for sep in (",", "."):
        if sep in s:
            return 10.0 ** -len(s.rsplit(sep, 1)[1]) + 1e-9
    return 1.0 + 1e-9


def coverage_warnings(r: dict, pct_raw: object = None) -> list[str]:
    """Consistency checks that load the row but flag it (the counts win): the shared rules
    (above), then the reported rate, whose tolerance follows the file's decimals."""
    w = notes("coverage", r)  # the rules both lanes share
    elig, rec, nrec, pct = r.get("eligible"), r.get("recorded"), r.get("not_recorded"), r.get("recorded_pct_reported")
    if pct is not None and rec is not None:
        base = elig if elig else (rec + nrec if nrec is not None else None)
        if base:
            computed = 100.0 * rec / base
            if abs(computed - pct) > pct_tolerance(pct_raw if pct_raw is not None else pct):
                key = "rate_mismatch" if elig else "rate_mismatch_sum"
                w.append(checks.write(key, reported=f"{pct:g}", computed=f"{computed:.2f}"))
    elif pct is not None and elig and nrec is not None:
        # no recorded count: the rate its own counts give. Kota Jambi's 13 Oct 2025 article printed
        # 99.8% beside 8,000 of 480,000 unrecorded (98.3%); such a row loaded with no note
        computed = 100.0 * (elig - nrec) / elig
        if abs(computed - pct) > pct_tolerance(pct_raw if pct_raw is not None else pct):
            w.append(checks.write("rate_mismatch_unrecorded", reported=f"{pct:g}", computed=f"{computed:.2f}"))
    return w


def split_warnings(r: dict) -> list[str]:
    """A split by sex (L + P) that does not add up to the file's own total (JUMLAH)."""
    out = []
    for f in SPLIT_FIELDS:
        male, female, total = r.get(f"{f}_male"), r.get(f"{f}_female"), r.get(f)
        if male is not None and female is not None and total is not None and male + female != total:
            out.append(checks.write("split_sum", measure=f, male=male, female=female, sum=male + female, total=total))
    return out

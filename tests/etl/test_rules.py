"""The consistency rules are said once (etl/rules.py) and both lanes read them: the row lane in
Python, the bulk lane in DuckDB. For any record the two agree on whether a rule fires."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import rules

counts = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({f: counts for r in rules.RULES for f in r.fields}))
def test_python_and_duckdb_read_each_rule_alike(rec: dict) -> None:
    con = duckdb.connect()
    for rule in rules.RULES:
        literal = {f: "NULL" if rec[f] is None else f"{rec[f]}::BIGINT" for f in rule.fields}
        in_sql = con.execute(f"SELECT coalesce({rule.sql(literal)}, FALSE)").fetchone()[0]  # noqa: S608
        assert in_sql == (rule.check(rec) is not None), (rule.key, rec)


def test_a_rule_writes_the_note_the_app_reads_back() -> None:
    from ektp.core import checks

    rec = {"recorded": 120, "eligible": 100, "printed": 90, "population": 150, "not_recorded": 0}
    notes = rules.notes("coverage", rec)
    assert notes == [
        "recorded 120 > eligible 100 (over 100%; eligible may be from an older semester)",
        "not_recorded 0 disagrees with eligible - recorded = -20",
    ]
    assert [key for n in notes for key, _ in checks.read(n)] == ["over_eligible", "not_recorded_mismatch"]
    assert rules.notes("coverage", {"recorded": 120, "eligible": None}) == []  # a missing field: no rule
    backlog = {"age_0_3m": 1, "age_3_6m": 2, "age_6_12m": 3, "age_12m_plus": 4, "awaiting_pickup": 11}
    assert rules.notes("backlog", backlog) == ["age buckets sum to 10, not awaiting_pickup 11"]

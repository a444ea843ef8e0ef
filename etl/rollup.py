"""Roll-up: `coverage_area`, each unit's displayed figures, built bottom-up after every load.

A unit shows its own best row when it has a rate, else the sum of its children's counts (never
an average of rates). Its own module, after the load's facts are in (etl.load.run calls it).
"""

from __future__ import annotations

import duckdb

from ektp.core import checks

LEVEL_ORDER = ("district", "regency", "province", "country")  # villages feed districts (best_counts)


#: A level's roll-up: the sum of its children's count rows (`{source}`: one of two fixed names,
#: never input).
ROLLUP_SQL = """
CREATE OR REPLACE TEMP TABLE rollup AS
SELECT c.parent_code AS region_code, p.parent_code, $level AS level, c.as_of,
       c.population, c.eligible, c.recorded, c.printed, c.print_ready, c.is_synthetic,
       CASE WHEN c.is_synthetic THEN 'synthetic' WHEN c.all_office THEN 'office' ELSE 'citation' END AS source_kind,
       format($rollup, c.n, $child) AS source,
       'rollup' AS origin, c.n::INTEGER AS children_reported,
       (SELECT COUNT(*) FROM regions k WHERE k.parent_code = c.parent_code
          AND NOT contains(k.code, '~'))::INTEGER AS children_total  -- today's units: a former area (91~2022) is not one more
FROM (
    SELECT parent_code, as_of, SUM(population) AS population, SUM(eligible) AS eligible,
           SUM(recorded) AS recorded, SUM(printed) AS printed, SUM(print_ready) AS print_ready,
           BOOL_OR(is_synthetic) AS is_synthetic, BOOL_AND(source_kind = 'office') AS all_office,
           COUNT(*) AS n
    FROM {source} WHERE level = $child GROUP BY parent_code, as_of
) c JOIN regions p ON p.code = c.parent_code
"""

#: A level's count rows: its own best counts, else the roll-up of its children.
COUNT_ROWS_SQL = """
INSERT INTO count_rows
SELECT b.region_code, b.parent_code, b.level, b.as_of, b.population, b.eligible, b.recorded,
       b.printed, b.print_ready, b.is_synthetic, b.source_kind, b.source, 'reported', NULL, NULL
FROM best_counts b WHERE b.level = $level
UNION ALL
SELECT r.region_code, r.parent_code, r.level, r.as_of, r.population, r.eligible, r.recorded,
       r.printed, r.print_ready, r.is_synthetic, r.source_kind, r.source, r.origin,
       r.children_reported, r.children_total
FROM rollup r
WHERE NOT EXISTS (
    SELECT 1 FROM best_counts b WHERE b.level = $level AND b.region_code = r.region_code AND b.as_of = r.as_of)
"""

#: A level's displayed rows: the unit's own best row when it has a rate (office > citation >
#: synthetic), else its count row (own counts or roll-up), else its own row without a rate.
AREA_SQL = """
INSERT INTO coverage_area
SELECT b.region_code, b.level, b.parent_code, b.as_of, b.population, b.eligible, b.recorded,
       b.printed, b.print_ready, b.unrecorded, b.recording_rate, b.print_gap, b.source,
       b.source_kind, b.is_synthetic, b.warnings, 'reported', NULL, NULL
FROM best b
WHERE b.level = $level AND b.recording_rate IS NOT NULL
UNION ALL
SELECT c.region_code, c.level, c.parent_code, c.as_of, c.population, c.eligible, c.recorded,
       c.printed, c.print_ready, GREATEST(c.eligible - c.recorded, 0),
       CASE WHEN c.eligible > 0 THEN c.recorded::DOUBLE / c.eligible END,
       c.recorded - c.printed, c.source, c.source_kind, c.is_synthetic,
       CASE WHEN c.children_total IS NOT NULL AND c.children_reported < c.children_total
            THEN 'partial sum: ' || c.children_reported || ' of ' || c.children_total || ' units' END,
       c.origin, c.children_reported, c.children_total
FROM count_rows c
WHERE c.level = $level AND NOT EXISTS (
    SELECT 1 FROM best b WHERE b.region_code = c.region_code AND b.as_of = c.as_of
      AND b.recording_rate IS NOT NULL)
UNION ALL
SELECT b.region_code, b.level, b.parent_code, b.as_of, b.population, b.eligible, b.recorded,
       b.printed, b.print_ready, b.unrecorded, NULL, b.print_gap, b.source,
       b.source_kind, b.is_synthetic, b.warnings, 'reported', NULL, NULL
FROM best b
WHERE b.level = $level AND b.recording_rate IS NULL AND NOT EXISTS (
    SELECT 1 FROM count_rows c WHERE c.region_code = b.region_code AND c.as_of = b.as_of)
"""


def _stage_best(con: duckdb.DuckDBPyConnection) -> None:
    """The best row per unit and date (the precedence rules live in coverage_best_rows,
    views.sql), evaluated once for all levels, and an empty table for the count rows."""
    con.execute("DELETE FROM coverage_area; DELETE FROM coverage_multi")
    con.execute("INSERT INTO coverage_multi SELECT region_code, as_of FROM coverage GROUP BY ALL HAVING COUNT(*) > 1")
    con.execute("CREATE OR REPLACE TEMP TABLE best AS SELECT * FROM v_coverage_best WHERE level <> 'village'")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW best_counts_all AS SELECT region_code, parent_code, level, as_of, population, "
        "eligible, recorded, printed, print_ready, is_synthetic, source_kind, source FROM coverage_best_rows(TRUE)"
    )
    # village rows (millions) are only summed into districts, streamed from the view;
    # the other levels' rows are few and read several times
    con.execute("CREATE OR REPLACE TEMP TABLE best_counts AS SELECT * FROM best_counts_all WHERE level <> 'village'")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE count_rows (region_code VARCHAR, parent_code VARCHAR, level VARCHAR, as_of DATE, population BIGINT, eligible BIGINT, recorded BIGINT, printed BIGINT, print_ready BIGINT, is_synthetic BOOLEAN, source_kind VARCHAR, source VARCHAR, origin VARCHAR, children_reported INTEGER, children_total INTEGER)"
    )


def refresh_coverage_area(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild coverage_area bottom-up: each unit's own best row, else the sum of its children.

    Roll-ups sum counts (never average rates), from each child's best row that has both
    eligible and recorded; children_reported / children_total say how complete a sum is.
    Village rows count towards their district but get no coverage_area row of their own.
    """
    _stage_best(con)
    child_of = {"district": "village", "regency": "district", "province": "regency", "country": "province"}
    for level in LEVEL_ORDER:
        if level in child_of:
            source = "best_counts_all" if level == "district" else "count_rows"  # fixed names, no user input
            params = {"level": level, "child": child_of[level], "rollup": checks.sql_format("rollup")}
            con.execute(ROLLUP_SQL.format(source=source), params)
        else:
            con.execute("CREATE OR REPLACE TEMP TABLE rollup AS SELECT * FROM count_rows WHERE FALSE")
        con.execute(COUNT_ROWS_SQL, {"level": level})
        con.execute(AREA_SQL, {"level": level})

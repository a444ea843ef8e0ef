-- Views of the public contract (docs/DATA_DICTIONARY.md). Recreated on every load.

-- A unit is inside a scope when its code is the scope or starts with the scope and a dot;
-- '00' (Indonesia) contains everything.
CREATE OR REPLACE MACRO in_scope(code, scope) AS (scope = '00' OR code = scope OR starts_with(code, scope || '.'));

-- Every coverage fact: the full rows, and the narrow rows of count-only files with the values
-- they would have had there (a day date, no source cell, an office file, not synthetic).
CREATE OR REPLACE VIEW coverage AS
SELECT * FROM coverage_rows
UNION ALL BY NAME
SELECT load_id, row_number, region_code, as_of, 'day' AS date_precision, eligible, recorded,
       'office' AS source_kind, FALSE AS is_synthetic
FROM coverage_counts;

-- A fact's source: its own source cell, else the file and row it was loaded from
-- ('coverage.csv row 12'; the tables keep NULL, see sql/tables.sql).
CREATE OR REPLACE MACRO row_source(source, file, row_number) AS
    coalesce(source, coalesce(file, '?') || ' row ' || row_number);

-- One row per coverage fact, with the derived measures. recording_rate is a fraction 0-1:
-- from the counts when eligible and recorded are both known, else the reported percentage,
-- else 1 - not_recorded / eligible. Rates above 1 are kept as reported.
CREATE OR REPLACE VIEW v_coverage AS
SELECT
    c.region_code, r.level, r.name AS region_name, r.parent_code, r.province_code,
    c.as_of, c.date_precision,
    c.population, c.eligible, c.recorded, c.printed, c.print_ready,
    c.not_recorded, c.recorded_pct_reported, c.blanko_on_hand,
    CASE
        WHEN c.eligible > 0 AND c.recorded IS NOT NULL THEN c.recorded::DOUBLE / c.eligible
        WHEN c.recorded_pct_reported IS NOT NULL THEN c.recorded_pct_reported / 100.0
        WHEN c.not_recorded IS NOT NULL AND c.eligible > 0 THEN 1 - c.not_recorded::DOUBLE / c.eligible
    END AS recording_rate,
    CASE
        WHEN c.eligible > 0 AND c.recorded IS NOT NULL THEN 'counts'
        WHEN c.recorded_pct_reported IS NOT NULL THEN 'reported_pct'
        WHEN c.not_recorded IS NOT NULL AND c.eligible > 0 THEN 'not_recorded'
    END AS rate_basis,
    CASE
        WHEN c.eligible IS NOT NULL AND c.recorded IS NOT NULL THEN GREATEST(c.eligible - c.recorded, 0)
        ELSE c.not_recorded
    END AS unrecorded,
    CASE WHEN c.recorded IS NOT NULL AND c.printed IS NOT NULL THEN c.recorded - c.printed END AS print_gap,
    row_source(c.source, l.file, c.row_number) AS source, c.source_kind, c.is_synthetic, c.warnings, c.note,
    c.load_id, c.row_number,
    CASE c.source_kind WHEN 'office' THEN 1 WHEN 'citation' THEN 2 ELSE 3 END AS precedence,
    c.basis, c.eligible_male, c.eligible_female, c.recorded_male, c.recorded_female,
    c.not_recorded_male, c.not_recorded_female
FROM coverage c
LEFT JOIN regions r ON r.code = c.region_code
LEFT JOIN loads l ON l.load_id = c.load_id;

-- One row per region and date: the preferred source, among the rows that pass `counts_only`
-- (TRUE: only rows with both eligible and recorded, what roll-ups sum). Precedence: a loaded
-- office file (1) over a published-report citation (2) over synthetic fill (3); then the
-- latest load. n_sources counts the rows considered for that region and date; rate_spread is
-- the largest difference between their non-synthetic recording rates (sources that disagree).
-- The one place the precedence is written: v_coverage_best and the roll-up (etl/load.py).
CREATE OR REPLACE MACRO coverage_best_rows(counts_only) AS TABLE
-- (v_coverage twice, not a CTE: DuckDB would materialise a CTE read twice, and no filter on
-- the result, such as level <> 'village', would reach the 10M rows underneath)
SELECT v.*, 1::BIGINT AS n_sources,  -- most pairs have one row, its own best: no window
       CASE WHEN NOT v.is_synthetic THEN v.recording_rate - v.recording_rate END AS rate_spread
FROM v_coverage v ANTI JOIN coverage_multi m USING (region_code, as_of)
WHERE NOT counts_only OR (v.eligible IS NOT NULL AND v.recorded IS NOT NULL)
UNION ALL BY NAME
SELECT * EXCLUDE (rn) FROM (
    SELECT
        v.*,
        COUNT(*) OVER w AS n_sources,
        MAX(CASE WHEN NOT v.is_synthetic THEN v.recording_rate END) OVER w
          - MIN(CASE WHEN NOT v.is_synthetic THEN v.recording_rate END) OVER w AS rate_spread,
        ROW_NUMBER() OVER (
            PARTITION BY v.region_code, v.as_of ORDER BY v.precedence, v.load_id DESC, v.row_number
        ) AS rn
    FROM v_coverage v SEMI JOIN coverage_multi m USING (region_code, as_of)
    WHERE NOT counts_only OR (v.eligible IS NOT NULL AND v.recorded IS NOT NULL)
    WINDOW w AS (PARTITION BY v.region_code, v.as_of)
) WHERE rn = 1;

-- Every row considered: what pages and the conflict view read.
CREATE OR REPLACE VIEW v_coverage_best AS SELECT * FROM coverage_best_rows(FALSE);

-- Region and date pairs whose non-synthetic sources disagree (e.g. Kota Probolinggo 2018-06-30).
CREATE OR REPLACE VIEW v_coverage_conflicts AS
SELECT * FROM v_coverage
WHERE (region_code, as_of) IN (
    SELECT (region_code, as_of) FROM v_coverage_best WHERE rate_spread > 0.0005 OR n_sources > 1 AND NOT is_synthetic
);

-- What maps and tiles draw: coverage_area (built at load, summed bottom-up) with names.
-- is_partial: a sum of fewer units than the area has (Jambi's 2013 figure as "Indonesia"):
-- never drawn or said as the area's own figure (queries leave it out; its note says "n of N").
CREATE OR REPLACE VIEW v_coverage_area AS
SELECT a.*, r.name AS region_name, r.province_code,
       CASE WHEN a.recording_rate IS NOT NULL THEN 1 - a.recording_rate END AS unrecorded_share,
       coalesce(a.children_reported < a.children_total, FALSE) AS is_partial
FROM coverage_area a JOIN regions r ON r.code = a.region_code;

-- Which office a backlog row is from, however its source spells it: lower case, punctuation
-- as spaces, the Dukcapil service's long and short names as one ('Dinas Kependudukan dan
-- Pencatatan Sipil', 'Dinas Dukcapil', 'Dispendukcapil' → 'disdukcapil'), and the region's own
-- name left out, with or without 'Kabupaten'/'Kab.'/'Kota'. An article's 'Dinas Dukcapil Kota
-- Kupang' and an office file's 'Disdukcapil Kota Kupang' are one office, whose latest figure
-- counts once; a row naming no office is the region's own office ('disdukcapil').
CREATE OR REPLACE MACRO office_words(s) AS
    trim(regexp_replace(regexp_replace(lower(coalesce(s, '')), '[^a-z0-9]+', ' ', 'g'), ' +', ' ', 'g'));
-- (The region's name is marked with '#' by a plain replace, then a fixed pattern drops it:
-- a pattern built from each row's name was compiled per row, 1.6 s for 43,000 rows.)
CREATE OR REPLACE MACRO office_key(office, region_name) AS
    coalesce(nullif(office_words(regexp_replace(
        replace(
            regexp_replace(
                ' ' || office_words(office) || ' ',
                ' (dinas kependudukan dan pencatatan sipil|dinas kependudukan dan catatan sipil|dinas dukcapil|dispendukcapil|disdukcapil|dukcapil) ',
                ' disdukcapil ', 'g'),
            ' ' || regexp_replace(office_words(region_name), '^(kabupaten|kota|provinsi) ', '') || ' ', ' # '),
        ' ((kabupaten|kab|kota|kotamadya|kodya) )?# ', ' ', 'g')), ''), 'disdukcapil');

-- Pickup backlog per office and date, with its region's names and the office's key (above).
CREATE OR REPLACE VIEW v_backlog AS
WITH keys AS (  -- once per office as spelled, not per row (43,000 rows: 190 ms → 10 ms)
    SELECT o.region_code, o.office, office_key(o.office, r.name) AS office_key
    FROM (SELECT DISTINCT region_code, office FROM pickup_backlog) o JOIN regions r ON r.code = o.region_code
)
SELECT b.* REPLACE (row_source(b.source, l.file, b.row_number) AS source), r.name AS region_name, r.level, r.province_code,
       k.office_key,
       CASE WHEN b.awaiting_pickup IS NOT NULL AND b.collected IS NOT NULL AND b.awaiting_pickup + b.collected > 0
            THEN b.collected::DOUBLE / (b.awaiting_pickup + b.collected) END AS pickup_share
FROM pickup_backlog b JOIN regions r ON r.code = b.region_code
JOIN keys k ON k.region_code = b.region_code AND k.office IS NOT DISTINCT FROM b.office
LEFT JOIN loads l ON l.load_id = b.load_id;

-- Blank-card stock and its runway: days of stock left at the average daily use of the
-- previous 90 days (NULL when no use was reported).
CREATE OR REPLACE VIEW v_blanko_runway AS
WITH s AS (
    SELECT b.* REPLACE (row_source(b.source, l.file, b.row_number) AS source),
           SUM(b.used) OVER (PARTITION BY b.region_code ORDER BY b.as_of
                             RANGE BETWEEN INTERVAL 89 DAY PRECEDING AND CURRENT ROW) / 90.0 AS daily_use_90d
    FROM blanko_stock b LEFT JOIN loads l ON l.load_id = b.load_id
)
SELECT s.*, r.name AS region_name, r.level, r.province_code,
       CASE WHEN s.daily_use_90d > 0 AND s.remaining IS NOT NULL THEN s.remaining / s.daily_use_90d END AS runway_days
FROM s JOIN regions r ON r.code = s.region_code;

-- Register of invalid-card destructions.
CREATE OR REPLACE VIEW v_destruction AS
SELECT d.* REPLACE (row_source(d.source, l.file, d.row_number) AS source),
       r.name AS region_name, r.level, r.province_code, YEAR(d.event_date) AS year
FROM card_destruction d JOIN regions r ON r.code = d.region_code
LEFT JOIN loads l ON l.load_id = d.load_id;

-- Targets, with their source named as in the other views.
CREATE OR REPLACE VIEW v_targets AS
SELECT t.* REPLACE (row_source(t.source, l.file, t.row_number) AS source)
FROM targets t LEFT JOIN loads l ON l.load_id = t.load_id;

-- Latest displayed figures per area (any level).
CREATE OR REPLACE VIEW v_coverage_latest AS
SELECT * FROM v_coverage_area
QUALIFY ROW_NUMBER() OVER (PARTITION BY region_code ORDER BY as_of DESC) = 1;

-- Every office's latest row on or before each day on which any office reported (offices
-- report on their own days; one office's row is not the area). `day` is the grid's day,
-- `as_of` the row's own. What the backlog line sums over a scope (ektp.data.queries.backlog_series)
-- and the area series below sums per region. Each count is the office's latest figure of that
-- count: a row that leaves one out (Kupang's article gives cards waiting, not cards collected)
-- keeps the office's previous figure, where it had dropped the office from that day's sum
-- (Nusa Tenggara Timur's collected fell by Kupang's 2,133 for one day).
CREATE OR REPLACE VIEW v_backlog_carried AS
WITH days AS (SELECT DISTINCT as_of AS day FROM pickup_backlog),
offices AS (SELECT region_code, office_key, MIN(as_of) AS first_as_of FROM v_backlog GROUP BY ALL),
grid AS (SELECT o.region_code, o.office_key, d.day FROM offices o JOIN days d ON d.day >= o.first_as_of),
latest AS (
    SELECT g.day, b.* FROM grid g ASOF JOIN v_backlog b
      ON g.region_code = b.region_code AND g.office_key = b.office_key AND g.day >= b.as_of
)
SELECT * REPLACE (
    LAST_VALUE(awaiting_pickup IGNORE NULLS) OVER office_days AS awaiting_pickup,
    LAST_VALUE(collected IGNORE NULLS) OVER office_days AS collected,
    LAST_VALUE(age_0_3m IGNORE NULLS) OVER office_days AS age_0_3m,
    LAST_VALUE(age_3_6m IGNORE NULLS) OVER office_days AS age_3_6m,
    LAST_VALUE(age_6_12m IGNORE NULLS) OVER office_days AS age_6_12m,
    LAST_VALUE(age_12m_plus IGNORE NULLS) OVER office_days AS age_12m_plus
)
FROM latest
WINDOW office_days AS (PARTITION BY region_code, office_key ORDER BY day ROWS UNBOUNDED PRECEDING);

-- Cards awaiting pickup per area and date, on the days the area's own offices reported.
CREATE OR REPLACE VIEW v_backlog_area_series AS
SELECT region_code, day AS as_of, SUM(awaiting_pickup) AS awaiting_pickup, BOOL_OR(is_synthetic) AS is_synthetic
FROM v_backlog_carried
GROUP BY region_code, day
HAVING BOOL_OR(as_of = day) AND SUM(awaiting_pickup) IS NOT NULL;

-- Every target metric as one long series: region, date, metric, value (rates as fractions).
-- A partial sum is not the area's figure (v_coverage_area.is_partial): the nation's 24 July 2022
-- "sum" of Jayawijaya alone (34.69%) had the Targets page say "met since 31 July 2022" beside a
-- trend above the target since 2018.
CREATE OR REPLACE VIEW v_metric_series AS
WITH whole AS (SELECT * FROM v_coverage_area WHERE NOT is_partial)
SELECT region_code, as_of, 'recording_rate' AS metric, recording_rate AS value, is_synthetic
FROM whole WHERE recording_rate IS NOT NULL
UNION ALL
SELECT region_code, as_of, 'unrecorded_count', unrecorded::DOUBLE, is_synthetic
FROM whole WHERE unrecorded IS NOT NULL
UNION ALL
SELECT region_code, as_of, 'recorded_count', recorded::DOUBLE, is_synthetic
FROM whole WHERE recorded IS NOT NULL
UNION ALL
SELECT region_code, as_of, 'pickup_backlog', awaiting_pickup::DOUBLE, is_synthetic
FROM v_backlog_area_series;

-- Each target with the metric's latest value on or before its deadline (or today), and the
-- share of the way from baseline to target. Status and projections: see ektp/analysis/metrics.py.
CREATE OR REPLACE VIEW v_target_progress AS
SELECT t.*, r.name AS region_name,
       s.as_of AS latest_as_of, s.value AS latest_value, s.is_synthetic AS latest_is_synthetic,
       CASE WHEN t.baseline_value IS NOT NULL AND t.baseline_value <> t.target_value
            THEN (s.value - t.baseline_value) / (t.target_value - t.baseline_value) END AS progress_share
FROM v_targets t
JOIN regions r ON r.code = t.region_code
LEFT JOIN v_metric_series s
  ON s.region_code = t.region_code AND s.metric = t.metric
 AND s.as_of <= COALESCE(t.deadline, current_date)
QUALIFY ROW_NUMBER() OVER (PARTITION BY t.load_id, t.row_number ORDER BY s.as_of DESC NULLS LAST) = 1;

-- Tables of the e-KTP coverage database. Public contract: see docs/DATA_DICTIONARY.md.
CREATE TABLE IF NOT EXISTS regions (
    code VARCHAR PRIMARY KEY,      -- Kemendagri code: '15', '15.03', '15.03.01', '15.03.01.2001'; '00' = Indonesia
    level VARCHAR NOT NULL,        -- country | province | regency | district | village | former (etl/splits.py)
    name VARCHAR NOT NULL,
    parent_code VARCHAR,
    province_code VARCHAR,
    kind VARCHAR                   -- provinsi | kabupaten | kota | kecamatan | desa | kelurahan
);

-- Region splits (pemekaran, data/sourced/region_splits.csv): one row per successor. A figure for
-- predecessor_code dated before `effective` is kept as the former area `former_code` (a regions
-- row of level 'former'), never as today's unit that kept the code.
CREATE TABLE IF NOT EXISTS region_splits (
    former_code VARCHAR NOT NULL, predecessor_code VARCHAR NOT NULL, name VARCHAR NOT NULL,
    successor_code VARCHAR NOT NULL, effective DATE NOT NULL, source VARCHAR NOT NULL
);

-- Published distributions of units over recording bands (data/sourced/dkb_bands.csv): how many
-- regencies Dukcapil counted in each band on a date, shown beside a map's own counts.
CREATE TABLE IF NOT EXISTS published_bands (
    release VARCHAR NOT NULL, as_of DATE NOT NULL, level VARCHAR NOT NULL, band VARCHAR NOT NULL,
    lower_pct DOUBLE, upper_pct DOUBLE,  -- the band is lower_pct <= rate < upper_pct (NULL: open)
    units INTEGER NOT NULL, source VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS boundaries (
    code VARCHAR PRIMARY KEY,
    level VARCHAR NOT NULL,
    name_in_file VARCHAR,
    centroid_lat DOUBLE,
    centroid_lng DOUBLE,
    repaired BOOLEAN,
    area_km2 DOUBLE,               -- on an equal-area projection (EPSG:6933)
    geom_wkb BLOB,                 -- full geometry, lng/lat (EPSG:4326), repaired with make_valid
    geom_simple_wkb BLOB           -- simplified for drawing (see etl/boundaries.py TOLERANCE)
);

CREATE TABLE IF NOT EXISTS loads (
    load_id INTEGER PRIMARY KEY,
    file VARCHAR,
    sha256 VARCHAR,
    kind VARCHAR,
    options VARCHAR,
    rows_read INTEGER,
    rows_accepted INTEGER,
    rows_rejected INTEGER,
    rows_skipped INTEGER,
    rows_warned INTEGER,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    status VARCHAR,                -- ok | partial | rejected | failed | interrupted | skipped | replaced
    message VARCHAR,
    columns VARCHAR,               -- JSON: the header rows read and each column → field, or ignored (why)
    operator VARCHAR,              -- who ran it: an operator's name (Load page) or 'command line'
    origin VARCHAR                 -- from where: the client address of the Load page, or this machine's name
);

-- An operator's answer to "what does this column mean?", kept per layout (the file's header
-- cells and kind, hashed) and applied to the next file of that layout, shown in its preview.
CREATE TABLE IF NOT EXISTS column_choices (
    fingerprint VARCHAR,           -- etl.headers.layout_fingerprint
    kind VARCHAR,
    header VARCHAR,                -- the column as the loader names it ('BELUM REKAM / %')
    field VARCHAR,                 -- a field of the data dictionary, or 'ignore'
    chosen_by VARCHAR,             -- the operator (or 'command line')
    chosen_at TIMESTAMP,
    load_id INTEGER                -- the load that first used it
);

CREATE TABLE IF NOT EXISTS rejected_rows (
    load_id INTEGER,
    file VARCHAR,
    row_number INTEGER,
    raw VARCHAR,
    reason VARCHAR
);

-- Fact tables (coverage_rows, pickup_backlog, blanko_stock, card_destruction, targets): `source` is
-- the row's own source cell, NULL when the file has no source column. The views (v_*) show
-- such rows as '<file> row <row_number>', the file's label taken from `loads`: storing that
-- text in every row cost ~2 s per 10M rows at load, a distinct string per row.
CREATE TABLE IF NOT EXISTS coverage_rows (  -- read through the view `coverage` (views.sql)
    load_id INTEGER, row_number INTEGER,
    region_code VARCHAR NOT NULL, as_of DATE NOT NULL, date_precision VARCHAR,
    population BIGINT, eligible BIGINT, recorded BIGINT, printed BIGINT, print_ready BIGINT,
    not_recorded BIGINT, recorded_pct_reported DOUBLE, blanko_on_hand BIGINT,
    region_name_in_source VARCHAR, note VARCHAR,
    source VARCHAR, source_kind VARCHAR NOT NULL, is_synthetic BOOLEAN NOT NULL,
    warnings VARCHAR,
    basis VARCHAR,                 -- how a figure was read when not as printed: 'eligible derived: …'
    eligible_male BIGINT, eligible_female BIGINT,      -- the split by sex (L / P) where a file gives it
    recorded_male BIGINT, recorded_female BIGINT,
    not_recorded_male BIGINT, not_recorded_female BIGINT
);

-- Clean rows of count-only files (code, day date, eligible, recorded): see etl/validate.py
-- COUNTS_TABLE. The view `coverage` adds the constants such a row has in coverage_rows.
CREATE TABLE IF NOT EXISTS coverage_counts (
    load_id INTEGER, row_number INTEGER,
    region_code VARCHAR NOT NULL, as_of DATE NOT NULL,
    eligible BIGINT, recorded BIGINT
);

CREATE TABLE IF NOT EXISTS pickup_backlog (
    load_id INTEGER, row_number INTEGER,
    region_code VARCHAR NOT NULL, office VARCHAR, as_of DATE NOT NULL, date_precision VARCHAR,
    awaiting_pickup BIGINT, collected BIGINT,
    age_0_3m BIGINT, age_3_6m BIGINT, age_6_12m BIGINT, age_12m_plus BIGINT,
    oldest_card_date DATE, oldest_card_precision VARCHAR,
    region_name_in_source VARCHAR, note VARCHAR,
    source VARCHAR, source_kind VARCHAR NOT NULL, is_synthetic BOOLEAN NOT NULL,
    warnings VARCHAR
);

CREATE TABLE IF NOT EXISTS blanko_stock (
    load_id INTEGER, row_number INTEGER,
    region_code VARCHAR NOT NULL, as_of DATE NOT NULL, date_precision VARCHAR,
    received BIGINT, used BIGINT, damaged BIGINT, remaining BIGINT,
    region_name_in_source VARCHAR, note VARCHAR,
    source VARCHAR, source_kind VARCHAR NOT NULL, is_synthetic BOOLEAN NOT NULL,
    warnings VARCHAR
);

CREATE TABLE IF NOT EXISTS card_destruction (
    load_id INTEGER, row_number INTEGER,
    region_code VARCHAR NOT NULL, event_date DATE NOT NULL, date_precision VARCHAR,
    destroyed BIGINT, period_from DATE, period_to DATE,
    period_from_precision VARCHAR, period_to_precision VARCHAR,  -- 'year' for "2012": day, month or year
    method VARCHAR,
    reason_damaged BIGINT, reason_changed_data BIGINT, reason_other BIGINT, witnesses VARCHAR,
    region_name_in_source VARCHAR, note VARCHAR,
    source VARCHAR, source_kind VARCHAR NOT NULL, is_synthetic BOOLEAN NOT NULL,
    warnings VARCHAR
);

CREATE TABLE IF NOT EXISTS targets (
    load_id INTEGER, row_number INTEGER,
    region_code VARCHAR NOT NULL, metric VARCHAR NOT NULL,
    target_value DOUBLE NOT NULL,   -- fraction 0-1 for recording_rate; a count otherwise
    minimum_value DOUBLE, baseline_value DOUBLE,
    start_date DATE NOT NULL, deadline DATE, date_precision VARCHAR, set_by VARCHAR,
    region_name_in_source VARCHAR, note VARCHAR,
    source VARCHAR, source_kind VARCHAR NOT NULL, is_synthetic BOOLEAN NOT NULL,
    warnings VARCHAR
);

-- Derived at every load (etl/load.py refresh_coverage_area): the (region, date) pairs with more
-- than one coverage row. Finding them means grouping every fact (~1.5 s for 10M village rows),
-- so it is done once per load, not in every query of v_coverage_best.
CREATE TABLE IF NOT EXISTS coverage_multi (region_code VARCHAR, as_of DATE);

CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
-- the curated files' free text (notes, a method) in another language: data/sourced/translations.csv
CREATE TABLE IF NOT EXISTS translations (lang VARCHAR, text VARCHAR, translated VARCHAR NOT NULL, PRIMARY KEY (lang, text));

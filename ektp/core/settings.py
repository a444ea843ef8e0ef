"""Every setting of the dashboard and the ETL in one table.

Each setting has a default, an environment variable that overrides it, and a line of help.
`python -m etl settings` prints the table with the values in force; the README documents it.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

#: Pinned upstream of the boundary files (MIT, Cahya DSN); see ../shared/geo/README.md.
GEO_UPSTREAM_COMMIT = "3c5a7960f4d227a38489094d84252bdbb3f978a5"
GEO_UPSTREAM_URL = "https://raw.githubusercontent.com/cahyadsn/wilayah_boundaries/" + GEO_UPSTREAM_COMMIT + "/"


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("db_path", "EKTP_DB", "data/ektp.duckdb", "DuckDB file the app reads and the ETL swaps."),
    Setting(
        "public",
        "EKTP_PUBLIC",
        "0",
        "1 = public read-only instance: no load history, paths or error details.",
    ),
    Setting("lang", "EKTP_LANG", "id", "Default UI language: id (Bahasa Indonesia) or en."),
    Setting(
        "geo_source",
        "EKTP_GEO_SOURCE",
        "mirror",
        "Where boundary files come from: 'mirror' (a local folder) or 'download' (pinned upstream).",
    ),
    Setting(
        "geo_mirror",
        "EKTP_GEO_MIRROR",
        "../shared/geo/wilayah_boundaries",
        "Local mirror folder of the boundary files (holds db/ and SHA256SUMS).",
    ),
    Setting(
        "geo_url",
        "EKTP_GEO_URL",
        GEO_UPSTREAM_URL,
        "Base URL of the pinned upstream boundary files, used when geo_source=download.",
    ),
    Setting(
        "geo_sums",
        "EKTP_GEO_SUMS",
        "etl/geo_SHA256SUMS",
        "sha256 list every downloaded boundary file is checked against.",
    ),
    Setting("geo_cache", "EKTP_GEO_CACHE", "data/geo_cache", "Cache of downloaded boundary files."),
    Setting(
        "static_dir",
        "EKTP_STATIC_DIR",
        "static/geo",
        "Simplified GeoJSON per level, served once as static files to the browser.",
    ),
    Setting(
        "translations",
        "EKTP_TRANSLATIONS",
        "data/sourced/translations.csv",
        "The curated files' notes in Indonesian, loaded into the DB at every load.",
    ),
    Setting(
        "public_url",
        "EKTP_PUBLIC_URL",
        "",
        "Address readers reach the app at (https://…), written into reader pages' links, embed code "
        "and citation (never the request's Host); empty = http://localhost:<port>, this machine.",
    ),
    Setting(
        "allowed_hosts",
        "EKTP_ALLOWED_HOSTS",
        "",
        "Host names the server answers to, comma-separated (a request for any other gets 400); "
        "this machine's names (localhost, 127.0.0.1, [::1]) and public_url's host always count; "
        "'*' = any.",
    ),
    Setting(
        "trusted_proxies",
        "EKTP_TRUSTED_PROXIES",
        "",
        "Addresses of your reverse proxies, comma-separated: the Load page's history then records "
        "the client they forward. Requests through any proxy always sign in.",
    ),
    Setting(
        "assets_dir",
        "EKTP_ASSETS_DIR",
        "build/assets",
        "Streamlit's JS, CSS and fonts compressed once by `make assets` (brotli, gzip), served by asgi.py.",
    ),
    Setting("etl_memory", "EKTP_ETL_MEMORY", "1GB", "DuckDB memory limit of a load (it spills to disk past it)."),
    Setting(
        "etl_bulk",
        "EKTP_ETL_BULK",
        "on",
        "on: check clean CSV/Parquet rows in DuckDB and only unusual rows in Python; off: every row in Python.",
    ),
    Setting(
        "address",
        "EKTP_ADDRESS",
        "127.0.0.1",
        "Address `make run` listens on: 127.0.0.1 (this machine only); 0.0.0.0 opens it to the network, "
        "and the Load page then asks an operator to sign in.",
    ),
    Setting(
        "operators",
        "EKTP_OPERATORS",
        "~/.config/ektp/operators",
        "File of operator names and argon2 password hashes (outside the repository); "
        "`python -m etl operator add NAME` writes it.",
    ),
    Setting(
        "session_minutes", "EKTP_SESSION_MINUTES", "30", "An operator's sign-in expires after this many idle minutes."
    ),
    Setting("max_upload_mb", "EKTP_MAX_UPLOAD_MB", "50", "Largest file the Load page accepts (MB)."),
    Setting("max_rows", "EKTP_MAX_ROWS", "20000000", "Most rows a loaded file may have (blank rows count)."),
    Setting("max_columns", "EKTP_MAX_COLUMNS", "1000", "Most columns a loaded file may have."),
    Setting(
        "max_cell_chars", "EKTP_MAX_CELL_CHARS", "32767", "Longest cell a loaded file may hold (Excel's own limit)."
    ),
    Setting("max_line_chars", "EKTP_MAX_LINE_CHARS", "200000", "Longest line a loaded CSV file may hold."),
    Setting(
        "max_inflated_mb",
        "EKTP_MAX_INFLATED_MB",
        "256",
        "Most a workbook's zipped parts (or a JSON file) may inflate to (MB): a zip bomb is refused unread.",
    ),
    Setting(
        "max_sheet_cells",
        "EKTP_MAX_SHEET_CELLS",
        "2000000",
        "Most cells (rows × columns) a workbook sheet may span; measured before the sheet is read.",
    ),
    Setting(
        "stale_days",
        "EKTP_STALE_DAYS",
        "45",
        "A unit whose latest figure is this many days older than the map's date is drawn as stale, "
        "with its date, not in a colour of the scale (a monthly report missed).",
    ),
    Setting(
        "site_dir",
        "EKTP_SITE_DIR",
        "build/site",
        "Where `make publish` writes the reader site as plain files (the latest release at its root, "
        "each kept release under r/<release>/); the live reader serves /v/r/<release>/ from it.",
    ),
    Setting(
        "site_url",
        "EKTP_SITE_URL",
        "",
        "Address the published site is served at (a CDN or object store), if any: its pages cite "
        "their release there; empty: they cite the live server's /v/r/<release>/ (public_url).",
    ),
    Setting("releases_kept", "EKTP_RELEASES_KEPT", "5", "How many published releases `make publish` keeps."),
    Setting(
        "publisher",
        "EKTP_PUBLISHER",
        "Dasbor Cakupan KTP-el",
        "Who publishes the reader pages, as their citation names it.",
    ),
    Setting(
        "lock_timeout",
        "EKTP_LOCK_TIMEOUT",
        "30",
        "Seconds a second concurrent load waits for the first before giving up.",
    ),
)


@functools.lru_cache(maxsize=64)
def _resolve(value: str) -> Path:
    """A setting's path, relative ones from the repository root (kept: asked for on every query)."""
    p = Path(value).expanduser()
    return p if p.is_absolute() else (ROOT / p).resolve()


def get(name: str) -> str:
    """The value in force: environment override, else default."""
    for s in SETTINGS:
        if s.name == name:
            return os.environ.get(s.env, s.default)
    raise KeyError(name)


def path(name: str) -> Path:
    """A path setting, relative values taken from the repository root."""
    return _resolve(get(name))


def items(name: str) -> list[str]:
    """A comma-separated setting as its items, stripped, empty ones dropped."""
    return [x.strip() for x in get(name).split(",") if x.strip()]


def is_public() -> bool:
    return get("public").strip().lower() in {"1", "true", "yes", "on"}


def default_lang() -> str:
    lang = get("lang").strip().lower()
    return lang if lang in {"id", "en"} else "id"


def table() -> list[dict[str, str]]:
    """Rows for the README / `etl settings`: name, env var, default, value in force, help."""
    return [
        {"name": s.name, "env": s.env, "default": s.default, "value": get(s.name), "help": s.help} for s in SETTINGS
    ]

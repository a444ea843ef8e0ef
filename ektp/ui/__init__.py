"""Shared page furniture, by role: `state` (URL and widget state, the page frame), `tables`
(tables and texts), `downloads`, `figures` (figure cache, geometry loader, chart
sentences), `svgmap` (a view's map, interactive). Every name is also here, as `ui.<name>`.
"""

from __future__ import annotations

from ektp.core import settings  # noqa: F401 - pages ask ui.settings
from ektp.core.spreadsheet import report_xlsx  # noqa: F401
from ektp.ui.downloads import (  # noqa: F401
    MIME,
    PLOTLY_CONFIG,
    _download_row,
    area_link,
    figure_downloads,
    figure_html,
    image_bytes,
    plotly_config,
    ranking_report,
    reader_link,
    report_lines,
    table_bytes,
    table_downloads,
)
from ektp.ui.figures import (  # noqa: F401
    SAID_LINKER,
    FigureSpec,
    _build_figure,
    _shared_figure,
    said,
)
from ektp.ui.published import former_table, show_former_areas, show_latest_release  # noqa: F401
from ektp.ui.state import (  # noqa: F401
    LOAD_PAGE,
    MAX_PARAM_LEN,
    PAGES,
    SAFE_PARAM,
    _adopt,
    _area_options,
    _follow_url,
    _invalid,
    _sync_url,
    area_choice,
    area_name,
    choice,
    date_choice,
    fragment,
    guarded,
    lang,
    multi_choice,
    page_header,
    page_links,
    raw_param,
    require_db,
    setup,
    show_invalid_notice,
)
from ektp.ui.svgmap import svg_map, svg_panels  # noqa: F401
from ektp.ui.tables import (  # noqa: F401
    DECIMAL_STEP,
    GAP,
    TRANSLATED,
    _as_text,
    _value_text,
    alternatives_table,
    check_note_lines,
    data_text,
    doc_body,
    header_map_table,
    labelled,
    laggards,
    marker,
    number_config,
    ranking_table,
    safe_text,
    search_rows,
    show_check_notes,
    small_table,
    source_use,
    sourced_table,
    table,
    table_formats,
    target_rows,
    targets_table,
    translated,
    with_period,
)

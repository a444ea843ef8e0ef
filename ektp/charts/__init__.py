"""Pure figure builders: frame in, plotly figure out. No Streamlit, no SQL.

Every figure carries its title and a source / as-of line inside it, so an exported chart stands
alone in a report. By kind: `series` (over time), `bars` (and the funnel), with the shared
styling in `style`; `maps` holds a map's classes only (maps are the view model's SVG,
ektp/mapview). Every name is also here, as `charts.<name>`.
"""

from __future__ import annotations

from ektp.charts.bars import (  # noqa: F401  # noqa: F401
    AGE_COLOURS,
    AGE_KEYS,
    DESTRUCTION_BAR_YEARS,
    TARGETS_BASE_PX,
    TARGETS_ROW_PX,
    backlog_offices,
    destruction_by_year,
    funnel_chart,
    targets_progress,
)
from ektp.charts.maps import (  # noqa: F401  # noqa: F401
    LABEL_UNITS,
    SCHEMES,
    classify,
    single_band,
)
from ektp.charts.series import (  # noqa: F401
    backlog_trend,
    blanko_stock,
    burndown,
    trend,
)
from ektp.charts.style import (  # noqa: F401
    AXIS_TITLE_PX,
    BAR_LABEL_PX,
    BAR_LABEL_WRAP,
    BAR_TWO_LINE_ROW_PX,
    BAR_WIDTH,
    FONT,
    FUNNEL_SOURCE_WRAP,
    ID_TICKFORMAT,
    LEGEND_CHAR_PX,
    LEGEND_ENTRY_PX,
    LEGEND_GAP_PX,
    LEGEND_PHONE_PX,
    LEGEND_ROW_PX,
    METRICS,
    PRINT_MAX_TICKS,
    PRINT_MONTH_STEPS,
    RATE_METRICS,
    SEPARATORS,
    SOURCE_GAP_PX,
    SOURCE_WRAP,
    SOURCED_MARKER,
    TARGET_LABEL_WRAP,
    TITLE_LINE_PX,
    TITLE_TOP_PX,
    TITLE_WRAP,
    Y_TICKS_WRAP,
    Y_TITLE_WRAP,
    _as_day,
    _finish,
    _label_bars,
    _legend_rows,
    _numeric_axes,
    _pieces,
    _top_margin,
    _wrap,
    _y_tick_chars,
    _y_ticks_left,
    bar_row_px,
    for_print,
    format_value,
    metric_value,
    print_month_ticks,
    with_sentence,
)

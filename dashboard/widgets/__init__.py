"""The pages' one import (``from dashboard import widgets as w``), split by concern:

- ``formatting``: numbers with units, statuses, method captions, tiles, pickers;
- ``tables``: tables on screen and their CSV/XLSX downloads;
- ``tiles``: a figure in a box (label, value, its change);
- ``charts``: the plotly figures and ``chart``, which draws them as static SVG first (``svg``).

Every page calls some thirty of these names through ``w.``; this module gathers them so the
pages need no list of which module holds what.
"""

from __future__ import annotations

from dashboard.widgets.charts import (
    FONT_FAMILY as FONT_FAMILY,
)
from dashboard.widgets.charts import (
    NO_AQI_COLOR as NO_AQI_COLOR,
)
from dashboard.widgets.charts import (
    PLOTLY_CONFIG as PLOTLY_CONFIG,
)
from dashboard.widgets.charts import (
    TILE_LABEL_CHARS as TILE_LABEL_CHARS,
)
from dashboard.widgets.charts import (
    bars_against_targets as bars_against_targets,
)
from dashboard.widgets.charts import (
    calendar_months as calendar_months,
)
from dashboard.widgets.charts import (
    category_days as category_days,
)
from dashboard.widgets.charts import (
    category_legend as category_legend,
)
from dashboard.widgets.charts import (
    chart as chart,
)
from dashboard.widgets.charts import (
    style as style,
)
from dashboard.widgets.charts import (
    tile_font_size as tile_font_size,
)
from dashboard.widgets.charts import (
    tile_map as tile_map,
)
from dashboard.widgets.formatting import (
    CAPTION_KEYS as CAPTION_KEYS,
)
from dashboard.widgets.formatting import (
    HISTORY_YEARS as HISTORY_YEARS,
)
from dashboard.widgets.formatting import (
    METHOD_ORDER as METHOD_ORDER,
)
from dashboard.widgets.formatting import (
    POLLUTANT_NAMES as POLLUTANT_NAMES,
)
from dashboard.widgets.formatting import (
    STATUS_STYLE as STATUS_STYLE,
)
from dashboard.widgets.formatting import (
    TREND_ARROW as TREND_ARROW,
)
from dashboard.widgets.formatting import (
    UG as UG,
)
from dashboard.widgets.formatting import (
    attribution as attribution,
)
from dashboard.widgets.formatting import (
    beijing_time_text as beijing_time_text,
)
from dashboard.widgets.formatting import (
    budget_row as budget_row,
)
from dashboard.widgets.formatting import (
    colon as colon,
)
from dashboard.widgets.formatting import (
    days_caption as days_caption,
)
from dashboard.widgets.formatting import (
    empty as empty,
)
from dashboard.widgets.formatting import (
    english_terms as english_terms,
)
from dashboard.widgets.formatting import (
    fmt as fmt,
)
from dashboard.widgets.formatting import (
    fmt_signed as fmt_signed,
)
from dashboard.widgets.formatting import (
    gap_color as gap_color,
)
from dashboard.widgets.formatting import (
    gap_text as gap_text,
)
from dashboard.widgets.formatting import (
    has_data as has_data,
)
from dashboard.widgets.formatting import (
    is_missing as is_missing,
)
from dashboard.widgets.formatting import (
    kept_choice as kept_choice,
)
from dashboard.widgets.formatting import (
    lazy_expander as lazy_expander,
)
from dashboard.widgets.formatting import (
    lazy_tabs as lazy_tabs,
)
from dashboard.widgets.formatting import (
    localise_subdistricts as localise_subdistricts,
)
from dashboard.widgets.formatting import (
    method_caption as method_caption,
)
from dashboard.widgets.formatting import (
    method_items as method_items,
)
from dashboard.widgets.formatting import (
    method_label as method_label,
)
from dashboard.widgets.formatting import (
    method_text as method_text,
)
from dashboard.widgets.formatting import (
    metric_tile as metric_tile,
)
from dashboard.widgets.formatting import (
    order_by_status as order_by_status,
)
from dashboard.widgets.formatting import (
    outlook_text as outlook_text,
)
from dashboard.widgets.formatting import (
    paren as paren,
)
from dashboard.widgets.formatting import (
    part as part,
)
from dashboard.widgets.formatting import (
    pinyin_map as pinyin_map,
)
from dashboard.widgets.formatting import (
    plain as plain,
)
from dashboard.widgets.formatting import (
    pollutant_list_text as pollutant_list_text,
)
from dashboard.widgets.formatting import (
    primary_text as primary_text,
)
from dashboard.widgets.formatting import (
    report_notes as report_notes,
)
from dashboard.widgets.formatting import (
    required_text as required_text,
)
from dashboard.widgets.formatting import (
    sep as sep,
)
from dashboard.widgets.formatting import (
    space as space,
)
from dashboard.widgets.formatting import (
    status_color as status_color,
)
from dashboard.widgets.formatting import (
    status_text as status_text,
)
from dashboard.widgets.formatting import (
    sub_name as sub_name,
)
from dashboard.widgets.formatting import (
    subdistrict_select as subdistrict_select,
)
from dashboard.widgets.formatting import (
    unit_decimals as unit_decimals,
)
from dashboard.widgets.formatting import (
    unit_of as unit_of,
)
from dashboard.widgets.formatting import (
    unit_text as unit_text,
)
from dashboard.widgets.formatting import (
    verdict_badges as verdict_badges,
)
from dashboard.widgets.tables import (
    COLUMNS as COLUMNS,
)
from dashboard.widgets.tables import (
    POLLUTANT_UNITS as POLLUTANT_UNITS,
)
from dashboard.widgets.tables import (
    STYLE_MAX_ROWS as STYLE_MAX_ROWS,
)
from dashboard.widgets.tables import (
    UNIT_COLUMNS as UNIT_COLUMNS,
)
from dashboard.widgets.tables import (
    columns_for as columns_for,
)
from dashboard.widgets.tables import (
    dataframe as dataframe,
)
from dashboard.widgets.tables import (
    display_frame as display_frame,
)
from dashboard.widgets.tables import (
    download_buttons as download_buttons,
)
from dashboard.widgets.tables import (
    method_lines as method_lines,
)
from dashboard.widgets.tables import (
    report_table as report_table,
)
from dashboard.widgets.tiles import (
    count_row as count_row,
)
from dashboard.widgets.tiles import (
    note_html as note_html,
)
from dashboard.widgets.tiles import (
    tile_html as tile_html,
)
from dashboard.widgets.tiles import (
    tile_row as tile_row,
)

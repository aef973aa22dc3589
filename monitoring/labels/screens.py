"""Labels of the screens reworked for issue 14 (calendar, trends, indicators, tasks, as-of date).

Kept in their own module so the other screen owners' label tables merge without conflicts.
"""

LABELS: dict[str, tuple[str, str]] = {
    # months (calendar rows)
    **{f"ui.month.{m}": (f"{m}月", en) for m, en in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)},
    "ui.as_of": ("数据截至 {day}（北京时间）", "Data as of {day} (Beijing time)"),
    # calendar
    "calendar.caption": (
        "每日 AQI 类别，颜色取当日执行的 AQI 标准；时段 {period}。点击日历中的一天，下方显示当天数值。",
        "Daily AQI category, coloured by the AQI standard in force that day; period {period}. Click a day in the "
        "calendar to see its values below.",
    ),
    "calendar.scope": ("范围", "Area"),
    "calendar.district": ("全区", "Whole district"),
    "calendar.months_title": ("{name} {year} 年每日 AQI 类别", "{name}: daily AQI category, {year}"),
    "calendar.legend": ("AQI 类别", "AQI category"),
    "calendar.no_aqi": ("无有效AQI", "No valid AQI"),
    "calendar.day_of_month": ("日", "Day of month"),
    "calendar.days_axis": ("天数", "Days"),
    "calendar.category_days_title": ("各街道 AQI 类别天数（{period}）", "Days per AQI category by subdistrict ({period})"),
    "calendar.click_hint": (
        "点击上方日历中的一天可切换日期，也可在此选择。", "Click a day in the calendar above to switch, or pick it here.",
    ),
    "calendar.day_values": ("{name} {day} 当日数值", "{name} on {day}"),
    "calendar.day_subdistricts": ("{day} 各街道数值", "Every subdistrict on {day}"),
    "calendar.no_period": (
        "{year} 年所选时段还没有数据（数据截至 {last}）。", "No data yet for the chosen period of {year} (data end on {last}).",
    ),
    "calendar.metric.aqi": ("AQI", "AQI"),
    "calendar.metric.category": ("类别", "Category"),
    "calendar.metric.primary": ("首要污染物", "Primary pollutant"),
    "calendar.no_primary": ("无（AQI ≤ 50）", "none (AQI ≤ 50)"),
    "calendar.value_col.pollutant": ("污染物", "Pollutant"),
    "calendar.value_col.value": ("日均值", "Daily value"),
    "calendar.value_col.unit": ("单位", "Unit"),
}

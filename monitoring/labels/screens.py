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
    # indicators page
    "indicators.caption2": (
        "2026年行动计划附4各项指标。PM2.5、优良天数比率、重污染天数、差等级道路比例由监测数据计算；其余由分析员录入（保留全部历史）。"
        "差距 = 当前值 − 目标。{as_of}",
        "The 2026 plan's Annex 4 indicators: PM2.5, the good-day ratio, heavy-pollution days and the poor-road share "
        "are computed from the readings; the others are entered by analysts (every entry kept). Gap = value − target. "
        "{as_of}",
    ),
    "indicators.tile.entered": ("已录入", "Entered"),
    "indicators.tile.entered_value": ("{n} / {total} 项", "{n} of {total}"),
    "indicators.tile.entered_help": (
        "有数值的指标：监测数据计算 {measured} 项，分析员录入 {entered} / {enterable} 项。",
        "Indicators with a value: {measured} computed from the readings, {entered} of {enterable} entered by analysts.",
    ),
    "indicators.tile.not_entered": ("尚未录入", "Not entered yet"),
    "indicators.tile.items": ("{n} 项", "{n}"),
    "indicators.col.state": ("累计状态", "So far"),
    "indicators.col.outlook": ("全年预判", "Year-end outlook"),
    "indicators.missing.title": ("尚未录入的指标（{n} 项）", "Indicators not entered yet ({n})"),
    "indicators.missing.help": (
        "尚未录入不是未达标：这些指标等待分析员填报。点击“录入”直接填写该项。",
        "Not entered is not failing: these indicators wait for an analyst. Click “Enter” to fill one in.",
    ),
    "indicators.missing.viewer": (
        "{n} 项指标尚未录入（不是未达标）：由分析员在本页填报，登录后点击“录入”即可。",
        "{n} indicators are not entered yet (which is not failing): analysts fill them in on this page after logging in.",
    ),
    "indicators.missing.button": ("录入", "Enter"),
    "indicators.dialog.title": ("录入指标值", "Enter a value"),
    "indicators.file": ("指标进展_{day}", "indicators_{day}"),
    "indicators.history.file": ("指标录入历史", "indicator_entries"),
    "plan.entry_source.page": ("页面录入", "page"),
    "plan.entry_source.csv": ("CSV 导入", "CSV import"),
    "plan.entry_source.cli": ("命令行", "command line"),
    "plan.target_text.达到市级要求": ("达到市级要求", "as the city requires"),
    "plan.target_text.同比降低": ("同比降低", "lower than last year"),
    "plan.target_text.-（计划未设数值）": ("—（计划未设数值）", "— (no number in the plan)"),
    "plan.target_text.29左右，争取更好结果": ("29左右，争取更好结果", "about 29, better if possible"),
    "plan.measured_by": ("监测数据", "readings"),
    # tasks page
    "tasks.caption2": (
        "2026年行动计划附1—附3的重点任务与工作措施（共 {tasks} 项任务、{measures} 条措施），状态由分析员填报并保留全部历史。{as_of}",
        "The key tasks and work measures of annexes 1–3 of the 2026 plan ({tasks} tasks, {measures} measures); analysts "
        "report each status, every change is kept. {as_of}",
    ),
    "tasks.tile.reported": ("已填报", "Reported"),
    "tasks.tile.reported_value": ("{n} / {total} 条", "{n} of {total}"),
    "tasks.tile.unreported": ("未填报", "Not reported yet"),
    "tasks.tile.done": ("已完成", "Done"),
    "tasks.tile.overdue": ("逾期或滞后", "Overdue or late"),
    "tasks.tile.count": ("{n} 条", "{n}"),
    "tasks.unreported.help": (
        "未填报不是未开始：这些措施尚无人填报状态。分析员可在下表选中一条措施，直接为它填报。",
        "Not reported is not “not started”: nobody has reported on these measures yet. Analysts select a measure in "
        "the table below to report on it.",
    ),
    "tasks.unreported.viewer": (
        "{n} 条措施尚未填报状态（不是未开始）：由分析员在本页填报。",
        "{n} measures have no status reported yet (not the same as not started): analysts report them on this page.",
    ),
    "tasks.select_hint": ("选中表格中的一行，即可为该措施填报状态。", "Select a row of the table to report on that measure."),
    "tasks.report_button": ("填报 {measure} 的状态", "Report on {measure}"),
    "tasks.dialog.title": ("填报措施状态", "Report a measure's status"),
    "tasks.file": ("重点任务_{day}", "key_tasks_{day}"),
    "tasks.file.overdue": ("逾期措施_{day}", "overdue_measures_{day}"),
    "tasks.file.summary": ("重点任务_按主责单位_{day}", "key_tasks_by_lead_unit_{day}"),
    "tasks.file.history": ("措施状态变更记录", "measure_status_changes"),
    "tasks.as_of": ("状态截至 {day}（北京时间）。", "Statuses as of {day} (Beijing time)."),
    "tasks.deadline.6-9月": ("6-9月", "Jun–Sep"),
    "tasks.deadline.年底前": ("年底前", "by year end"),
    "tasks.deadline.长期实施": ("长期实施", "ongoing"),
    "tasks.deadline.持续推进": ("持续推进", "continuous"),
}

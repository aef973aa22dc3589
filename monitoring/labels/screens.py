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
        "每日 AQI 类别，颜色取当日执行的 AQI 标准；时段 {period}。鼠标停在一天上显示其数值；在下方选择日期"
        "（或选“交互图表”后点击一天）查看当天各项数值。",
        "Daily AQI category, coloured by the AQI standard in force that day; period {period}. Rest the pointer on a "
        "day for its values; pick a day below (or choose “Interactive chart” and click one) for all of that day's values.",
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
        "在此选择日期；在上方日历下选“交互图表”后，也可点击日历中的一天切换。",
        "Pick the day here; with “Interactive chart” chosen under the calendar above, a click on a day also switches.",
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
        "尚未录入不是未达标：这些指标等待分析员填报。点击指标名称即可直接录入该项。",
        "Not entered is not failing: these indicators wait for an analyst. Click an indicator's name to enter its value.",
    ),
    "indicators.missing.viewer": (
        "{n} 项指标尚未录入（不是未达标）：由分析员在本页填报，登录后点击指标名称即可录入。",
        "{n} indicators are not entered yet (which is not failing): analysts fill them in on this page after logging in "
        "(a click on the indicator's name).",
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
        "未填报不是未开始：这些措施尚无人填报状态。分析员可展开下表的“全部”选中一条措施，直接为它填报。",
        "Not reported is not “not started”: nobody has reported on these measures yet. Analysts open “All” under "
        "the table below and select a measure to report on it.",
    ),
    "tasks.unreported.viewer": (
        "{n} 条措施尚未填报状态（不是未开始）：由分析员在本页填报。",
        "{n} measures have no status reported yet (not the same as not started): analysts report them on this page.",
    ),
    "tasks.select_hint": ("展开表格下方的“全部”并选中一行，即可为该措施填报状态。",
                          "Open “All” under the table and select a row to report on that measure."),
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
    # trends
    "trends.title": ("{first} 年以来的变化", "Since {first}"),
    "trends.subtitle2": (
        "{pollutant} 自 {first} 年以来的年度值：数据库中的监测年份、规划表1（2015–2020）、此后公开发布的数据（先列原始发布页）。"
        "不完整的年份画为空心点并注明时段，不计入趋势检验。",
        "{pollutant} each year since {first}: the years the database covers, the plan's table 1 (2015–2020) and later "
        "published figures (the publisher's own page first). Part-years are drawn hollow with their period and are "
        "not in the trend test.",
    ),
    "trends.headline.long": (
        "**{first}–{last} 年（西城区）**：每年 {slope}（95% 区间 {low} … {high}），Mann–Kendall 检验：{mk}。",
        "**{first}–{last} (Xicheng)**: {slope} a year (95% interval {low} … {high}); Mann–Kendall test: {mk}.",
    ),
    "trends.headline.long_refused": ("**{first}–{last} 年（西城区）**：{reason}", "**{first}–{last} (Xicheng)**: {reason}"),
    "trends.headline.recent": (
        "**近年完整年份 {first}–{last}（{scope}）**：由 {v0} 降至 {v1}，每年 {slope}（95% 区间 {low} … {high}）；"
        "仅 {n} 个年度值，不做显著性检验。",
        "**Recent complete years {first}–{last} ({scope})**: from {v0} to {v1}, {slope} a year (95% interval "
        "{low} … {high}); only {n} yearly values, so no significance test.",
    ),
    "trends.headline.recent_up": (
        "**近年完整年份 {first}–{last}（{scope}）**：由 {v0} 升至 {v1}，每年 {slope}（95% 区间 {low} … {high}）；"
        "仅 {n} 个年度值，不做显著性检验。",
        "**Recent complete years {first}–{last} ({scope})**: from {v0} to {v1}, {slope} a year (95% interval "
        "{low} … {high}); only {n} yearly values, so no significance test.",
    ),
    "trends.headline.no_recent": ("近年没有三个以上完整年份的数值。", "Fewer than three recent complete years have a value."),
    "trends.scope.beijing": ("北京市公开数据；西城区全年值未公开", "Beijing's published figures; Xicheng's are not published"),
    "trends.scope.xicheng": ("西城区", "Xicheng"),
    "trends.partial_to": ("截至{day}", "to {day}"),
    "trends.partial_months": ("{a}—{b}月", "{a}–{b}"),
    "trends.source.data": ("本系统数据库（监测数据）", "this monitor's database (measurements)"),
    "trends.source.demo": ("演示数据（生成，非监测）", "demo data (generated, not measurements)"),
    "trends.source.reprint": ("{source}（转载：{reprint}）", "{source} (reprint: {reprint})"),
    "trends.source.only_reprint": ("转载：{source}（原始发布页未找到）", "Reprint: {source} (the publisher's page not found)"),
    "ui.hour_convention": (
        "内置站点历史（UCI，2013–2017）的小时按“小时结束”读取：数据集的小时字段即发布时的时刻标签，13 表示 12:00–13:00 的均值，"
        "0 表示前一日 23:00–24:00，计入前一日（与全国监测网发布口径一致）。",
        "The built-in station history (UCI, 2013–2017) is read hour-ending: the dataset's hour column is the label the "
        "network published, so hour 13 is the mean of 12:00–13:00 and hour 0 is 23:00–24:00 of the day before, counted "
        "in that day (as the national network publishes).",
    ),
    "trends.plan_period.十三五": ("十三五", "13th Five-Year Plan"),
    "trends.plan_period.2026年行动计划": ("2026年行动计划", "2026 action plan"),
    # data quality: where the data come from
    "quality.runs_file": ("导入记录", "runs"),
    "quality.sources_title": ("数据来源", "Where the data come from"),
    "quality.sources_text": (
        "- **内置站点历史**：万寿西宫、官园两个国控站 2013-03-01 至 2017-02-28 的小时数据（UCI，CC BY 4.0），分别归入白纸坊、展览路。\n"
        "- **演示数据**：由站点历史生成的当年小时数据（来源“demo”），每页顶部有提示，可在本页删除。\n"
        "- **上传、命令行导入与自动拉取**：见上方导入记录，每次导入都可追溯到文件与执行人。",
        "- **Built-in station history**: hourly data of the national stations Wanshouxigong and Guanyuan, 2013-03-01 to "
        "2017-02-28 (UCI, CC BY 4.0), attributed to Baizhifang and Zhanlanlu.\n"
        "- **Demo data**: this year's hours generated from the station history (source 'demo'); a banner says so on "
        "every page, and it can be removed on this page.\n"
        "- **Uploads, command-line loads and pulls**: the runs above, each traceable to its file and who loaded it.",
    ),
    # tiles: a share's gap in percentage points; the road-dust share counts roads
    "ui.unit.pct_points": ("{value} 个百分点", "{value} pp"),
    "ui.tile.roads_graded": ("已定级 {valid} 条次道路", "{valid} graded road-months"),
    "ui.tile.roads_graded_of": ("已定级 {valid}/{days} 条次道路", "{valid} of {days} road-months graded"),
    "ui.config_ref": ("“目标设置”中", "the Targets page "),
    "coverage.col.subdistrict": ("街道", "Subdistrict"),
    "coverage.col.road": ("道路", "Road"),
    "coverage.col.poor_month": ("差等级月份", "Poor in"),
    "coverage.col.quarter": ("季度", "Quarter"),
    "coverage.file.recheck": ("未复测道路_{month}", "roads_not_rechecked_{month}"),
    "coverage.file.quarter": ("季度未监测道路_{month}", "roads_not_measured_in_quarter_{month}"),
    "coverage.file.streaks": ("连续清零月数_{month}", "months_without_poor_roads_{month}"),
    "ui.unit.tonnes": ("吨", "t"),
    "ui.unit.count": ("个", "sites"),
    "ui.unit.plots": ("块", "plots"),
    "ui.target_line": ("目标：{target}", "Target: {target}"),
    "calendar.file_values": ("日数值_{name}_{day}", "daily_values_{name}_{day}"),
    "trends.partial_days": ("有效天数不足", "too few valid days"),
}

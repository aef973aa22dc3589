"""Labels shared by every page: navigation, sidebar, units, common words."""

LABELS: dict[str, tuple[str, str]] = {
    "app.title": ("西城区空气质量目标监测", "Xicheng air-quality target monitor"),
    "app.subtitle": ("2026年各街道 PM2.5 目标进展", "Progress of the 15 subdistricts against their 2026 PM2.5 targets"),
    "nav.overview": ("总览", "Overview"),
    "nav.rankings": ("街道排名", "Rankings"),
    "nav.progress": ("月度进展", "Monthly progress"),
    "nav.trends": ("多年趋势", "Multi-year trends"),
    "nav.calendar": ("日历", "Calendar"),
    "nav.road_dust": ("道路尘负荷", "Road dust"),
    "nav.indicators": ("指标进展", "Indicators"),
    "nav.tasks": ("重点任务", "Key tasks"),
    "nav.upload": ("数据上传", "Upload"),
    "nav.quality": ("数据质量", "Data quality"),
    "nav.targets": ("目标设置", "Targets"),
    "sidebar.language": ("语言 / Language", "语言 / Language"),
    "sidebar.year": ("年份", "Year"),
    "sidebar.period": ("时段", "Period"),
    "sidebar.period.ytd": ("年初至今（累计）", "Year to date"),
    "sidebar.period.month": ("单月", "One month"),
    "sidebar.month": ("月份", "Month"),
    "sidebar.pollutant": ("污染物", "Pollutant"),
    "sidebar.filters": ("更改年份、时段、污染物", "Change year, period, pollutant"),
    "sidebar.filters.now": ("当前：{year} 年 · {period} · {pollutant}", "Showing: {year} · {period} · {pollutant}"),
    "sidebar.filters.ytd": ("年初至今", "year to date"),
    "sidebar.filters.month": ("{month} 月", "month {month}"),
    "demo.banner": (
        "演示数据：数据库中含有生成的 {year} 年演示数据，不是监测结果。分析员可在“数据质量”页一键删除。",
        "Demo data: the database holds a generated {year} demo year (source 'demo'), not measurements. "
        "An analyst can remove it on the Data quality page.",
    ),
    "attribution.uci": (
        "2013–2017 年万寿西宫、官园两站小时数据：UCI Beijing Multi-Site Air-Quality Data（CC BY 4.0），Zhang 等 (2017)。",
        "2013–2017 hourly data of Wanshouxigong and Guanyuan: UCI Beijing Multi-Site Air-Quality Data (CC BY 4.0), Zhang et al. (2017).",
    ),
    "unit.ugm3": ("微克/立方米", "µg/m³"),
    "unit.mgm3": ("毫克/立方米", "mg/m³"),
    "pollutant.pm25": ("PM2.5", "PM2.5"),
    "pollutant.pm10": ("PM10", "PM10"),
    "pollutant.so2": ("二氧化硫 SO2", "SO2"),
    "pollutant.no2": ("二氧化氮 NO2", "NO2"),
    "pollutant.o3": ("臭氧 O3", "O3"),
    "pollutant.co": ("一氧化碳 CO", "CO"),
    "error.hint": ("处理办法：{hint}", "What to do: {hint}"),
    "empty.no_data": (
        "所选条件下没有数据。请换一个年份或时段，或在“数据上传”页上传监测数据。",
        "No data for this selection. Choose another year or period, or upload readings on the Upload page.",
    ),
    # -- routing (ui-speed): a URL that names no page ---------------------------------
    "nav.not_found.title": ("找不到该页面", "Page not found"),
    "nav.not_found.body": (
        "地址“/{path}”不是本系统的页面，可能是书签过期或地址输入有误。请从左侧菜单选择页面，或返回总览。",
        "“/{path}” is not a page of this app: the bookmark may be out of date or the address mistyped. "
        "Choose a page in the menu on the left, or go back to the overview.",
    ),
    "nav.not_found.back": ("返回总览", "Back to the overview"),
}

"""Labels for HTTP pulls (sources.yaml, `pull`, `schedule`) where a page shows them:
the runs list, the data-quality page's "last pull" line."""

LABELS: dict[str, tuple[str, str]] = {
    "pull.title": ("自动拉取", "Scheduled pulls"),
    "pull.source": ("数据源", "Source"),
    "pull.kind": ("类型", "Kind"),
    "pull.kind.csv-url": ("CSV 文件地址", "CSV URL"),
    "pull.kind.cnemc-hourly": ("国控站点小时数据", "National network hourly feed"),
    "pull.kind.openaq-v3": ("OpenAQ 接口", "OpenAQ API"),
    "pull.window": ("时段（小时结束时刻）", "Window (hour-ending)"),
    "pull.last": ("最近一次拉取", "Last pull"),
    "pull.last_success": ("最近一次成功", "Last successful pull"),
    "pull.newest": ("最新数据时刻", "Newest reading"),
    "pull.none": ("尚未拉取过", "Never pulled"),
    "pull.status.succeeded": ("成功", "Succeeded"),
    "pull.status.failed": ("失败（未写入任何数据）", "Failed (nothing stored)"),
    "pull.status.up_to_date": ("已是最新", "Up to date"),
    "pull.status.running": ("进行中", "Running"),
    "pull.status.refused": ("被拒绝（未写入任何数据）", "Refused (nothing stored)"),
    "pull.status": ("状态", "Status"),
    "pull.reason": ("失败原因", "Failure reason"),
    "pull.not_configured": ("已不在 sources.yaml 中", "No longer in sources.yaml"),
    "pull.caption": (
        "拉取时间为北京时间；最新数据时刻为成功拉取收到的最新小时，按小时结束时刻标注（13:00 即 12:00–13:00）。",
        "Pull times are Beijing time; the newest reading is the latest hour successful pulls received, "
        "labelled by its end (13:00 is the hour 12:00–13:00).",
    ),
    "pull.not_published": ("{n} 个小时尚未发布", "{n} hour(s) not published"),
    "pull.failed_reason": ("失败原因：{reason}", "Reason: {reason}"),
    "pull.catch_up": (
        "下一次拉取会从最新已存数据之后的小时开始，自动补齐。",
        "The next pull resumes after the newest stored reading and catches up.",
    ),
    "pull.no_sources": (
        "未配置数据源：请在 sources.yaml 中添加（见 docs/PULLS.md）。",
        "No sources configured: add them to sources.yaml (see docs/PULLS.md).",
    ),
    "pull.how": (
        "运行 python -m monitoring pull 数据源名称，或用 schedule 命令定时拉取。",
        "Run python -m monitoring pull SOURCE, or the schedule command to pull on a timetable.",
    ),
}

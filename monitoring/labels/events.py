"""Exceptional events (例外事件): the Data quality page's panel and the side-by-side figures."""

LABELS: dict[str, tuple[str, str]] = {
    "events.title": ("例外事件（扣除天数）", "Exceptional events (deducted days)"),
    "events.caption": (
        "分析员可将沙尘等例外事件的日期段标记为扣除（{standard}）。各页面同时显示含与扣除例外事件的数值；"
        "删除只是停止扣除，记录保留。",
        "Analysts may flag a day range of an exceptional event such as sand and dust to be deducted ({standard}). "
        "The pages show figures with and without the deducted days side by side; removing an event stops the "
        "deduction and keeps the record.",
    ),
    "events.none": ("尚未标记例外事件", "No exceptional event flagged"),
    "events.show_removed": ("显示已删除的事件", "Show removed events"),
    "events.col.id": ("编号", "Id"),
    "events.col.first_day": ("开始日期", "First day"),
    "events.col.last_day": ("结束日期", "Last day"),
    "events.col.days": ("天数", "Days"),
    "events.col.kind": ("类型", "Kind"),
    "events.col.reason": ("原因及依据", "Reason and evidence"),
    "events.col.flagged_by": ("标记人", "Flagged by"),
    "events.col.flagged_at": ("标记时间（UTC）", "Flagged at (UTC)"),
    "events.col.removed_by": ("删除人", "Removed by"),
    "events.col.removed_at": ("删除时间（UTC）", "Removed at (UTC)"),
    "events.add": ("标记例外事件", "Flag an exceptional event"),
    "events.first_day": ("开始日期", "First day"),
    "events.last_day": ("结束日期（单日事件同开始日期）", "Last day (the first day for a one-day event)"),
    "events.kind": ("类型", "Kind"),
    "events.reason": ("原因及依据（必填）", "Reason and evidence (required)"),
    "events.submit": ("标记", "Flag"),
    "events.saved": ("已标记例外事件 #{id}：{kind} {first}—{last}", "Flagged event #{id}: {kind} {first}–{last}"),
    "events.remove": ("删除例外事件（停止扣除）", "Remove an event (stop deducting it)"),
    "events.remove_which": ("事件", "Event"),
    "events.remove_reason": ("删除原因", "Why it is removed"),
    "events.remove_submit": ("删除", "Remove"),
    "events.removed": ("已删除例外事件 #{id}（记录保留）", "Removed event #{id} (the record stays)"),
    "events.readonly": ("只有分析员可以标记或删除例外事件，请先登录。", "Only analysts may flag or remove events: log in first."),
    "events.provisional": ("（暂定类型）", " (provisional kind)"),
    "events.deducted_value": ("扣除例外事件：{value}", "Events deducted: {value}"),
    "events.side_note": ("标“扣除例外事件”的数值（表中一列、图中◆）扣除了 {what}，有效天数要求相应减少 {n} 天",
                         "Figures marked 'events deducted' (a table column, ◆ on the chart) leave out {what}; "
                         "the valid days required fall by {n}"),
    "events.side_note_plain": ("标“扣除例外事件”的数值扣除了 {what}，有效天数要求相应减少 {n} 天",
                               "Figures marked 'events deducted' leave out {what}; the valid days required fall by {n}"),
    "events.marker": ("扣除例外事件", "Events deducted"),
    "ui.col.mean_deducted": ("扣除例外事件", "Events deducted"),
    "ui.col.ytd_mean_deducted": ("累计均值（扣除例外事件）", "YTD mean (events deducted)"),
    "ui.col.monthly_mean_deducted": ("月均值（扣除例外事件）", "Monthly mean (events deducted)"),
}

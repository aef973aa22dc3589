"""Labels of the rule sets (issue 12 §1): the side-by-side comparison and the Targets page's
rule-set table."""

LABELS: dict[str, tuple[str, str]] = {
    # the side-by-side section (Overview, Monthly progress)
    "standards.compare.title": ("新旧标准对照（{year} 年）", "Old and new standards side by side ({year})"),
    "standards.compare.caption": (
        "{year} 年的计划目标是在 2012 年标准下制定的；自 2026-03-01 起按 GB 3095—2026、HJ 633—2026、HJ 663—2026 评价。"
        "同一组数据，分别按现行标准和 2012 标准计算：",
        "{year}'s plan targets were set under the 2012 standards; from 2026-03-01 GB 3095—2026, HJ 633—2026 and "
        "HJ 663—2026 apply. The same data under the rules in force and under the 2012 rules:",
    ),
    "standards.compare.in_force": ("现行标准", "Rules in force"),
    "standards.compare.rule2012": ("2012 标准", "2012 rules"),
    "standards.compare.col.indicator": ("指标", "Indicator"),
    "standards.compare.col.in_force_value": ("现行标准：数值", "In force: value"),
    "standards.compare.col.in_force_target": ("现行标准：目标/限值", "In force: target/limit"),
    "standards.compare.col.in_force_status": ("现行标准：累计", "In force: so far"),
    "standards.compare.col.in_force_rule": ("现行标准：依据", "In force: rule"),
    "standards.compare.col.rule2012_value": ("2012 标准：数值", "2012 rules: value"),
    "standards.compare.col.rule2012_target": ("2012 标准：目标/限值", "2012 rules: target/limit"),
    "standards.compare.col.rule2012_status": ("2012 标准：累计", "2012 rules: so far"),
    "standards.compare.col.rule2012_rule": ("2012 标准：依据", "2012 rules: rule"),
    "standards.compare.col.difference": ("差值（现行 − 2012）", "Difference (in force − 2012)"),
    "standards.compare.provisional": (
        "现行标准一栏含暂定数值（来自二手报道，尚未见标准原文）。",
        "The in-force column uses provisional values (from secondary reporting, not yet the standard's text).",
    ),
    "standards.compare.same": (
        "{year} 年全部日子都适用 2012 标准，两栏相同。",
        "Every day of {year} falls under the 2012 rules: both columns are the same.",
    ),
    "standards.compare.file": ("新旧标准对照_{year}", "standards_side_by_side_{year}"),
    "standards.provisional": ("暂定", "provisional"),
    "standards.confirmed": ("已确认", "confirmed"),
    # the Targets page: every rule set by date
    "standards.rule_sets.title": ("**标准体系与适用日期**", "**Rule sets and the dates they apply**"),
    "standards.rule_sets.caption": (
        "每一天按当日现行的标准判断；年度值按该年 12 月 31 日适用的评价规则（2026 年：HJ 663—2026）。"
        "标“暂定”的数值取自二手报道，确认后在 targets.yaml 中改一行（provisional: false）。",
        "Each day is judged by the standards in force that day; an annual figure by the evaluation rules in force on "
        "31 December of its year (2026: HJ 663—2026). Values marked provisional come from secondary reporting; "
        "confirming one is a one-line change in targets.yaml (provisional: false).",
    ),
    "standards.col.kind": ("类别", "Kind"),
    "standards.col.family": ("标准体系", "Rule set"),
    "standards.col.standard": ("标准", "Standard"),
    "standards.col.from": ("起始日", "From"),
    "standards.col.to": ("截止日", "To"),
    "standards.col.state": ("状态", "State"),
    "standards.col.source": ("来源", "Source"),
    "standards.col.note": ("说明", "Note"),
    "standards.kind.aqi": ("AQI 分级", "AQI table"),
    "standards.kind.limits": ("浓度限值", "Limits"),
    "standards.kind.validity": ("数据有效性", "Validity"),
    "standards.kind.evaluation": ("年度评价", "Annual evaluation"),
    "standards.open_ended": ("至今", "open-ended"),
    "standards.file": ("标准体系", "rule_sets"),
    # the HJ 663—2026 three-year moving average beside the annual value (Rankings, Overview tables)
    "ui.col.mean_3y": ("三年滑动平均", "3-year moving average"),
    "ui.col.value_3y": ("三年滑动平均", "3-year moving average"),
    # method keys of the reports
    "ui.method.standards": ("适用标准", "Standards"),
    "ui.method.standards_2012": ("2012 标准体系", "2012 rule set"),
    "ui.method.moving_average": ("三年滑动平均", "Three-year moving average"),
    "ui.method.difference": ("差值", "Difference"),
}

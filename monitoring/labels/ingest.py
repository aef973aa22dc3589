"""Labels of the 数据上传 (upload) and 数据质量 (data quality) pages."""

LABELS: dict[str, tuple[str, str]] = {
    # upload
    "upload.caption": (
        "上传 CSV 或 Excel（.xlsx）文件：监测数据（长表或宽表）或道路尘负荷。先预览将保存的内容，确认后才写入。"
        "时间为北京时间、按小时结束时刻标注（13:00 表示 12:00–13:00）；浓度单位 µg/m³，CO 为 mg/m³。",
        "Upload a CSV or Excel (.xlsx) file: readings (long or wide layout) or road-dust loads. You see a preview "
        "of what will be stored before anything is written. Times are Beijing time, labelled by the hour's end "
        "(13:00 = 12:00–13:00); µg/m³, CO in mg/m³.",
    ),
    "upload.templates": ("模板下载", "Templates"),
    "upload.template_long": ("长表模板（每行一个值）", "Long layout (one value per row)"),
    "upload.template_wide": ("宽表模板（每个污染物一列）", "Wide layout (one column per pollutant)"),
    "upload.template_road_dust": ("道路尘负荷模板", "Road-dust template"),
    "upload.login": (
        "上传数据需要分析员权限：请在左侧边栏以分析员身份登录。",
        "Uploading needs the analyst role: log in as an analyst in the sidebar.",
    ),
    "upload.file": ("选择或拖入文件（CSV / XLSX）", "Choose or drop a file (CSV / XLSX)"),
    "upload.options": ("选项", "Options"),
    "upload.strict": ("严格模式：有任何被拒绝的行则整个文件不保存", "Strict: refuse the whole file if any row is rejected"),
    "upload.replace": (
        "替换已有的不同数值（原值保留在审计记录中）",
        "Replace stored values that differ (the old values stay in the audit trail)",
    ),
    "upload.hour_beginning": (
        "文件按小时开始时刻标注（13:00 表示 13:00–14:00）",
        "The file labels an hour by its start (13:00 = 13:00–14:00)",
    ),
    "upload.checking": ("正在检查文件…", "Checking the file…"),
    "upload.writing": ("正在写入…", "Writing…"),
    "upload.preview": ("预览：将保存的内容", "Preview: what will be stored"),
    "upload.kind.readings": ("监测数据", "Readings"),
    "upload.kind.road_dust": ("道路尘负荷", "Road-dust loads"),
    "upload.kind": ("数据类型：{kind}；文件 SHA-256：{sha}", "Data: {kind}; file SHA-256: {sha}"),
    "upload.m.rows": ("读数", "Readings"),
    "upload.m.accepted": ("将保存", "To store"),
    "upload.m.stored": ("已保存", "Stored"),
    "upload.m.rejected": ("拒绝", "Rejected"),
    "upload.m.duplicates": ("重复（不再保存）", "Duplicates (skipped)"),
    "upload.m.conflicts": ("冲突", "Conflicts"),
    "upload.m.missing": ("缺测", "Missing"),
    "upload.span": ("时间范围：{first} … {last}", "Time span: {first} … {last}"),
    "upload.counts": ("按街道和污染物统计", "By subdistrict and pollutant"),
    # -- upload: the file's lines and readings reconciled (issue 14) --
    "upload.reconcile": (
        "文件 **{lines}** 行，含 **{readings}** 个读数 = {verb} {written} + 重复 {duplicates} + 冲突 {conflicts}"
        " + 缺测 {missing} + 拒绝 {rejected}（{rejected_lines} 行）",
        "The file has **{lines}** lines holding **{readings}** readings = {verb} {written} + duplicates {duplicates}"
        " + conflicts {conflicts} + missing {missing} + rejected {rejected} (on {rejected_lines} lines)",
    ),
    "upload.reconcile_note": (
        "行数不含表头和空行；宽表的一行含每个污染物列的一个读数。重复：已保存且数值相同（或文件中重复出现），不再写入；"
        "冲突：已保存但数值不同，保留原值；缺测：空白或 NA 单元格；拒绝：不合格的读数，整行无效（如街道或时间无法识别）时该行的读数全部计入。",
        "Lines exclude the header and blank lines; a wide line holds one reading per pollutant column. Duplicate: "
        "already stored with the same value (or repeated in the file), not written again; conflict: stored with "
        "another value, the stored value is kept; missing: empty or NA cells; rejected: readings refused; a line "
        "refused as a whole (unknown subdistrict or time) counts with all its readings.",
    ),
    "upload.replaced_note": ("另有 {n} 个冲突将覆盖原值，已计入写入数。", " {n} conflicts replace the stored value and are counted as written."),
    "upload.duplicates": ("重复的读数（{n} 个，不再写入）", "Duplicate readings ({n}, not written again)"),
    "upload.duplicates_road_dust": (
        "重复的道路尘负荷记录（{n} 行，不再写入）", "Duplicate road-dust rows ({n}, not written again)"
    ),
    "upload.col.road": ("道路", "Road"),
    "upload.col.day": ("日期", "Date"),
    "upload.col.load": ("尘负荷(g/m²)", "Load (g/m²)"),
    "upload.col.grade": ("等级", "Grade"),
    "upload.first_shown": ("仅显示前 {n} 个。", "Only the first {n} are shown."),
    "upload.col.value": ("数值", "Value"),
    "upload.rejected": ("被拒绝的行（{n} 行）", "Rejected rows ({n})"),
    "upload.rejected_download": ("下载被拒绝的行（CSV，可用 Excel 打开）", "Download the rejected rows (CSV for Excel)"),
    "upload.conflicts": (
        "与已保存数值不同的行（{n} 行）：默认保留原值",
        "Rows that differ from stored values ({n}): the stored values are kept unless you choose replace",
    ),
    "upload.dust_days": ("将标记为沙尘天：{days}", "Will be flagged as sand-and-dust days: {days}"),
    "upload.ignored": ("未使用的列：{cols}", "Columns not used: {cols}"),
    "upload.strict_refused": (
        "严格模式下该文件将被整体拒绝（有 {n} 行不合格）。请修改文件或取消严格模式。",
        "In strict mode this file would be refused ({n} rejected rows). Fix the file or turn strict mode off.",
    ),
    "upload.nothing": ("没有可保存的新数据。", "There is nothing new to store."),
    "upload.confirm": ("确认写入数据库", "Confirm and store"),
    "upload.done": (
        "已保存 {accepted:,} 行（共 {rows:,} 行；拒绝 {rejected}，重复 {duplicates}，冲突 {conflicts}）。运行编号 #{run_id}。",
        "Stored {accepted:,} of {rows:,} rows ({rejected} rejected, {duplicates} duplicates, {conflicts} conflicts). Run #{run_id}.",
    ),
    "upload.refused": ("文件被拒绝，未保存任何数据：{message}", "The file was refused, nothing stored: {message}"),
    "upload.see_run": ("在“数据质量”页查看运行 #{run_id}", "See run #{run_id} on the Data quality page"),
    "upload.col.subdistrict": ("街道", "Subdistrict"),
    "upload.col.pollutant": ("污染物", "Pollutant"),
    "upload.col.rows": ("合格读数", "Valid readings"),
    "upload.col.first": ("最早", "First"),
    "upload.col.last": ("最晚", "Last"),
    "upload.col.line": ("行号", "Line"),
    "upload.col.raw": ("原始内容", "As written"),
    "upload.col.reason": ("原因", "Reason"),
    "upload.col.time": ("时间", "Time"),
    "upload.col.station": ("站点", "Station"),
    "upload.col.old": ("已保存的值", "Stored value"),
    "upload.col.new": ("文件中的值", "Value in the file"),
    "upload.col.action": ("处理", "Action"),
    # -- issue 13: hostile files and values --
    "upload.ignored_columns": (
        "以下列未被使用（不会导入）：{cols}",
        "These columns are not used (nothing in them is stored): {cols}",
    ),
    "upload.conversions": ("已做的换算：{text}", "Conversions made: {text}"),
    "upload.warnings": ("合理性提示（数据照常保存，请核对）：{text}", "Plausibility warning (the rows are stored; please check): {text}"),
    "upload.sheet": ("选择要导入的工作表", "Choose the sheet to read"),
    "quality.plausibility": ("合理性提示：PM2.5 高于 PM10（{n} 处）", "Plausibility: PM2.5 above PM10 ({n})"),
    "quality.plausibility_caption": (
        "同一时间、同一地点 PM2.5 不应高于 PM10（PM2.5 是 PM10 的一部分）。这些值已保存，请核对原始数据或列是否颠倒。",
        "PM2.5 is part of PM10, so it should not be higher in the same hour and place. These values are stored; "
        "check the source data or whether the two columns were swapped.",
    ),
    "quality.col.pm25": ("PM2.5", "PM2.5"),
    "quality.col.pm10": ("PM10", "PM10"),
    # data quality
    "quality.caption": (
        "每次导入（上传、命令行、自动拉取、初始化）都有记录：谁、何时、哪个文件（SHA-256）、各类行数和被拒绝的行及原因。",
        "Every load (upload, command line, pull, init) is recorded: who, when, which file (SHA-256), the counts, "
        "and each rejected row with its reason.",
    ),
    "quality.runs": ("导入记录", "Runs"),
    "quality.no_runs": ("还没有导入记录。", "No runs yet."),
    "quality.pick": ("查看运行", "Show run"),
    "quality.pick_other": ("查看其他运行的详情", "Show another run's details"),
    "quality.run_title": ("运行 #{id}：{source}", "Run #{id}: {source}"),
    "quality.run_meta": (
        "{kind}，{data_kind}，由 {user} 于 {started}（北京时间）执行；状态：{status}",
        "{kind} of {data_kind} by {user} at {started} (Beijing); status: {status}",
    ),
    "quality.sha": ("文件 SHA-256：{sha}", "File SHA-256: {sha}"),
    "quality.message": ("说明：{message}", "Message: {message}"),
    "quality.stored_now": ("该运行目前仍保存的监测值：{n:,}", "Readings of this run still stored: {n:,}"),
    "quality.no_rejected": ("该运行没有被拒绝的行。", "This run has no rejected rows."),
    "quality.coverage": ("{year} 年各街道有数据的小时占比（PM2.5）", "Share of hours with data in {year}, by subdistrict (PM2.5)"),
    "quality.coverage_caption": (
        "有数据的小时数 ÷ 截至当前已过去的小时数（{elapsed:,} 小时）。小时值按站点取平均；直接给出的日均值不计入小时数。",
        "Hours with a value ÷ hours elapsed so far ({elapsed:,}). An hour counts once however many stations report; "
        "daily values given directly are not hours.",
    ),
    "quality.col.hours": ("有数据小时", "Hours with data"),
    "quality.col.share": ("占比", "Share"),
    "quality.demo": ("演示数据", "Demo data"),
    "quality.demo_present": (
        "数据库中有 {runs} 次演示数据导入（来源 demo）。删除后，各页面只显示真实数据。",
        "The database holds {runs} demo run(s) (source 'demo'). After removing them, every page shows real data only.",
    ),
    "quality.demo_none": ("数据库中没有演示数据。", "There is no demo data in the database."),
    "quality.demo_remove": ("删除演示数据", "Remove the demo data"),
    "quality.demo_confirm": ("我确认删除全部演示数据", "I confirm: remove all demo data"),
    "quality.demo_removed": ("已删除演示数据：{rows:,} 行（{runs} 次导入）。", "Removed the demo data: {rows:,} rows ({runs} runs)."),
    "quality.col.id": ("编号", "Run"),
    "quality.col.started": ("开始时间", "Started"),
    "quality.col.finished": ("结束时间", "Finished"),
    "quality.col.kind": ("方式", "Kind"),
    "quality.col.data_kind": ("数据", "Data"),
    "quality.col.source": ("来源/文件", "Source / file"),
    "quality.col.user": ("执行人", "User"),
    "quality.col.status": ("状态", "Status"),
    "quality.col.rows": ("行数", "Rows"),
    "quality.col.accepted": ("保存", "Stored"),
    "quality.col.rejected": ("拒绝", "Rejected"),
    "quality.col.duplicates": ("重复", "Duplicates"),
    "quality.col.conflicts": ("冲突", "Conflicts"),
    "quality.col.sha256": ("SHA-256", "SHA-256"),
    "quality.kind.upload": ("页面上传", "upload"),
    "quality.kind.ingest": ("命令行", "command line"),
    "quality.kind.pull": ("自动拉取", "pull"),
    "quality.kind.init": ("初始化（真实历史数据）", "init (real history)"),
    "quality.kind.demo": ("演示数据", "demo"),
    "quality.kind.manual": ("手工录入", "manual"),
    "quality.status.succeeded": ("成功", "succeeded"),
    "quality.status.refused": ("被拒绝", "refused"),
    "quality.status.failed": ("失败", "failed"),
    "quality.status.running": ("进行中", "running"),
    "quality.status.interrupted": ("已中断（未保存）", "interrupted (nothing stored)"),
    "quality.status.removed": ("已删除", "removed"),
    "quality.status.dry_run": ("试运行", "dry run"),
}

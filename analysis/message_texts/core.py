"""The texts of the core messages (reading files, columns, rows, steps, reports), English and Chinese.

One module per area keeps each table short; ``analysis.texts`` merges them into the one ``TEXTS`` table.
"""

CORE: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------------------------------- what a file is
    "file.too_big": {
        "en": "the file is {mb:.0f} MB, over the {limit} MB limit; split it, or raise REVIEW_INSIGHTS_MAX_UPLOAD_MB "
              "(the CLI handles big files in chunks).",
        "zh": "文件大小为 {mb:.0f} MB，超过了 {limit} MB 的上限；请拆分文件，或调高 REVIEW_INSIGHTS_MAX_UPLOAD_MB"
              "（命令行可以分块处理大文件）。"},
    "file.empty": {
        "en": "the file is empty; export the reviews again and upload the file with its header row.",
        "zh": "文件是空的；请重新导出评论，并上传带表头行的文件。"},
    "file.xls": {
        "en": "this is an old Excel 97-2003 (.xls) workbook; open it in Excel or WPS and save it as .xlsx or CSV UTF-8, "
              "then upload that file.",
        "zh": "这是旧版 Excel 97-2003（.xls）工作簿；请用 Excel 或 WPS 打开，另存为 .xlsx 或 CSV UTF-8 后再上传。"},
    "file.gzip": {
        "en": "this is a gzip archive; unzip it and upload the file inside.",
        "zh": "这是 gzip 压缩包；请解压后上传里面的文件。"},
    "file.zip": {
        "en": "this is a ZIP archive, not a review export (nor an Excel workbook); unzip it and upload the CSV, Excel "
              "or JSON file inside.",
        "zh": "这是 ZIP 压缩包，不是评论导出文件（也不是 Excel 工作簿）；请解压后上传里面的 CSV、Excel 或 JSON 文件。"},
    "file.pdf": {
        "en": "this is a PDF document, not a review export; export the reviews from your shop system as CSV or Excel "
              "and upload that file.",
        "zh": "这是 PDF 文档，不是评论导出文件；请从店铺后台把评论导出为 CSV 或 Excel 后上传。"},
    "file.binary": {
        "en": "this looks like a binary file, not a review export; upload a CSV, TSV, Excel (.xlsx), JSON, JSONL or "
              "Parquet file.",
        "zh": "这看起来是二进制文件，不是评论导出文件；请上传 CSV、TSV、Excel（.xlsx）、JSON、JSONL 或 Parquet 文件。"},
    "file.misnamed": {
        "en": "the file name ends in .{ext} but the content is {actual}; it was read as {actual}.",
        "zh": "文件扩展名是 .{ext}，但内容是 {actual}；已按 {actual} 读取。"},
    "file.unopenable": {
        "en": "the {kind} file could not be opened ({error}); it may be damaged or password-protected. Re-save it and "
              "upload again.",
        "zh": "无法打开这个 {kind} 文件（{error}）；文件可能已损坏或设置了密码。请重新保存后再上传。"},
    "path.missing": {"en": "no such file: {path}; check the path.", "zh": "找不到文件：{path}；请检查路径。"},
    "path.folder": {"en": "{path} is a folder; give the export file inside it.",
                    "zh": "{path} 是文件夹；请指定文件夹里的导出文件。"},
    # ---------------------------------------------------------------------------------------- encodings
    "encoding.mixed": {
        "en": "the file mixes encodings: {count} lines (e.g. lines {lines}) are not UTF-8 and were decoded as "
              "GB18030; check those rows, or re-save the file as UTF-8.",
        "zh": "文件混用了多种编码：{count} 行（例如第 {lines} 行）不是 UTF-8，已按 GB18030 解码；请检查这些行，"
              "或把文件另存为 UTF-8。"},
    "encoding.replaced": {
        "en": "some characters could not be decoded and show as '\ufffd'; re-save the file as UTF-8 if text looks "
              "wrong.",
        "zh": "有些字符无法解码，显示为“\ufffd”；如果文字看起来不对，请把文件另存为 UTF-8。"},
    # ---------------------------------------------------------------------------------------- the header and columns
    "header.repeated": {
        "en": "column '{name}' appears more than once; occurrence {occurrence} is read as '{new}'.",
        "zh": "列“{name}”出现了不止一次；第 {occurrence} 次出现按“{new}”读取。"},
    "header.broken_quote": {
        "en": "the header line is broken (a quote is not closed on line {line}); fix the header or export the file "
              "again.",
        "zh": "表头行有误（第 {line} 行的引号没有闭合）；请修正表头或重新导出文件。"},
    "header.too_wide": {
        "en": "the file has {columns:,} columns, more than the {limit:,} a review export can have; check the delimiter "
              "(it was read as {delimiter}) or export only the columns you need.",
        "zh": "文件有 {columns:,} 列，超过评论导出文件最多 {limit:,} 列的限制；请检查分隔符（按 {delimiter} 读取），"
              "或只导出需要的列。"},
    "file.one_line": {
        "en": "the file is one line of {mb:.1f} MB without a line break, so it has no review rows; export it again as "
              "CSV with one review per line.",
        "zh": "文件只有一行（{mb:.1f} MB），没有换行，因此没有评论行；请重新导出为每行一条评论的 CSV。"},
    "rows.none": {
        "en": "no review rows were found under the header; check that the file holds data rows.",
        "zh": "表头下面没有找到评论行；请确认文件里有数据行。"},
    "column.missing": {
        "en": "column '{column}' does not exist; the columns are: {columns}.",
        "zh": "列“{column}”不存在；现有的列是：{columns}。"},
    "column.no_text": {
        "en": "no column looks like review text (columns: {columns}); choose the text column in the Upload page or "
              "pass --text-column.",
        "zh": "没有哪一列像评论文本（列：{columns}）；请在上传页选择文本列，或使用 --text-column。"},
    "column.text_is_numbers": {
        "en": "the text column '{column}' holds only numbers, not review text; choose the column with the reviews "
              "(Upload page, or --text-column).",
        "zh": "文本列“{column}”里只有数字，不是评论文字；请选择评论所在的列（上传页，或 --text-column）。"},
    # ---------------------------------------------------------------------------------------- workbooks and JSON
    "xlsx.no_cells": {
        "en": "the workbook has no filled cells; put the reviews on the first sheet.",
        "zh": "工作簿里没有填写内容的单元格；请把评论放在第一个工作表。"},
    "xlsx.several_sheets": {
        "en": "the workbook has {count} sheets with data ({sheets}); sheet '{sheet}' was read. Pick another sheet on "
              "the Upload page (or with --sheet).",
        "zh": "工作簿有 {count} 个含数据的工作表（{sheets}）；已读取工作表“{sheet}”。可在上传页（或用 --sheet）选择其他工作表。"},
    "xlsx.no_such_sheet": {
        "en": "the workbook has no sheet with data called '{sheet}'; its sheets with data are: {sheets}.",
        "zh": "工作簿里没有名为“{sheet}”的含数据工作表；含数据的工作表有：{sheets}。"},
    "json.empty": {"en": "the file is empty; export the reviews again.", "zh": "文件是空的；请重新导出评论。"},
    "json.invalid": {
        "en": "not valid JSON: {error} at line {at_line}, column {column}; fix the file or export it again.",
        "zh": "不是有效的 JSON：第 {at_line} 行第 {column} 列（{error}）；请修正文件或重新导出。"},
    "json.no_list": {
        "en": 'the JSON is one object without a list of reviews; give an array of objects, e.g. '
              '[{{"review": "...", "rating": 5}}].',
        "zh": '这个 JSON 是单个对象，里面没有评论列表；请提供对象数组，例如 [{{"review": "...", "rating": 5}}]。'},
    "json.not_array": {"en": "the JSON must be an array of review objects.", "zh": "JSON 必须是由评论对象组成的数组。"},
    # ---------------------------------------------------------------------------------------- rejected rows
    "row.broken_quote": {
        "en": "broken quoting: a quote opened on line {line} is never closed properly; fix that line's quotes and "
              "upload again",
        "zh": "引号不完整：第 {line} 行的引号没有正确闭合；请修正该行的引号后重新上传"},
    "row.too_many_values": {
        "en": "has {values} values but the header has {columns} (line {line}); a delimiter inside unquoted text? quote "
              "that field and upload again",
        "zh": "有 {values} 个值，但表头只有 {columns} 列（第 {line} 行）；可能是未加引号的文本里含有分隔符，请给该字段"
              "加上引号后重新上传"},
    "row.bad_json": {"en": "not valid JSON ({error} at column {column})", "zh": "不是有效的 JSON（第 {column} 列：{error}）"},
    "row.not_object": {"en": "is a {kind}, not an object with named fields", "zh": "是 {kind}，不是带字段名的对象"},
    "row.beyond_limit": {
        "en": "beyond the row limit of {limit:,}; split the file or raise REVIEW_INSIGHTS_MAX_ROWS",
        "zh": "超出 {limit:,} 行的上限；请拆分文件或调高 REVIEW_INSIGHTS_MAX_ROWS"},
    "row.empty_text": {"en": "the review text ('{column}') is empty", "zh": "评论文本（“{column}”）为空"},
    "row.no_letters": {"en": "the review text has no letters or digits, only punctuation",
                       "zh": "评论文本只有标点，没有文字或数字"},
    "row.duplicate": {"en": "exact duplicate of row {first}", "zh": "与第 {first} 行完全重复"},
    # ---------------------------------------------------------------------------------------- kept rows
    "text.repeated": {
        "en": "{count} kept reviews repeat the text of another review (e.g. rows {rows}); they are kept because other "
              "columns differ.",
        "zh": "{count} 条保留的评论与另一条评论文字相同（例如第 {rows} 行）；因为其他列不同，所以仍然保留。"},
    "text.cut": {
        "en": "row {row}: the review text has {chars:,} characters; only the first {limit:,} are analysed.",
        "zh": "第 {row} 行：评论文本有 {chars:,} 个字符；只分析前 {limit:,} 个。"},
    "text.cut_more": {"en": "{count} more rows were cut to {limit:,} characters.",
                      "zh": "另有 {count} 行被截断为 {limit:,} 个字符。"},
    "text.markup": {
        "en": "{count} reviews contain HTML markup (e.g. rows {rows}); tags are removed for analysis and review text is "
              "always shown as plain text.",
        "zh": "{count} 条评论含有 HTML 标记（例如第 {rows} 行）；分析时会去掉标签，评论文字始终按纯文本显示。"},
    "text.formulas": {
        "en": "{count} reviews start with =, +, - or @ (e.g. rows {rows}), which spreadsheets run as formulas; exports "
              "prefix them with ' so they stay text.",
        "zh": "{count} 条评论以 =、+、- 或 @ 开头（例如第 {rows} 行），电子表格会把它们当作公式执行；导出时会加上前缀 '，"
              "让它们保持为文本。"},
    "rating.rescaled": {
        "en": "rating column '{column}': {scale}-point scale rescaled to 1-5.",
        "zh": "评分列“{column}”：{scale} 分制已换算为 1-5 星。"},
    "rating.unreadable": {
        "en": "{count} values in rating column '{column}' are not a 1-5 star rating and are treated as missing: "
              "{examples}.",
        "zh": "评分列“{column}”中有 {count} 个值不是 1-5 星评分，按缺失处理：{examples}。"},
    "date.unreadable": {
        "en": "{count} values in date column '{column}' are not a date and are treated as missing: {examples}.",
        "zh": "日期列“{column}”中有 {count} 个值不是日期，按缺失处理：{examples}。"},
    "example.value": {"en": "row {row} ({value})", "zh": "第 {row} 行（{value}）"},
    # ---------------------------------------------------------------------------------------- column roles
    "role.user": {"en": "chosen by the user", "zh": "由用户指定"},
    "role.off": {"en": "turned off by the user", "zh": "已被用户关闭"},
    "role.header_is": {"en": "header '{column}' is a {role} name", "zh": "表头“{column}”是{role}列的名称"},
    "role.header_contains": {"en": "header '{column}' contains a {role} name", "zh": "表头“{column}”含有{role}列的名称"},
    "role.ratings": {"en": "values of '{column}' look like star ratings", "zh": "“{column}”的值看起来像星级评分"},
    "role.dates": {"en": "values of '{column}' parse as dates", "zh": "“{column}”的值可以解析为日期"},
    "role.longest_text": {
        "en": "'{column}' holds the longest free text (about {chars:.0f} characters)",
        "zh": "“{column}”的自由文本最长（约 {chars:.0f} 个字符）"},
    # ---------------------------------------------------------------------------------------- files read in pieces
    "batch.header_empty": {
        "en": "{path}: the first line is empty; the file needs its header row first.",
        "zh": "{path}：第一行是空的；文件的第一行必须是表头。"},
    "batch.utf16": {
        "en": "{path} is UTF-16, which can only be read whole; re-save it as UTF-8 (or CSV UTF-8 in Excel) to analyse "
              "it in chunks.",
        "zh": "{path} 是 UTF-16 编码，只能整体读取；请另存为 UTF-8（或在 Excel 中另存为 CSV UTF-8）后再分块分析。"},
    "batch.no_rows": {
        "en": "{path}: no row could be used; run `python -m analysis ingest {path}` to see why.",
        "zh": "{path}：没有可用的行；运行 `python -m analysis ingest {path}` 查看原因。"},
    # ---------------------------------------------------------------------------------------- the workspace
    "workspace.busy": {
        "en": "the workspace {path} is in use by another program ({error}); wait for it to finish or set "
              "REVIEW_INSIGHTS_WORKSPACE_PATH to another file.",
        "zh": "工作区 {path} 正被另一个程序使用（{error}）；请等它完成，或把 REVIEW_INSIGHTS_WORKSPACE_PATH 设为另一个文件。"},
    "workspace.newer": {
        "en": "{path} was written by a newer Review Insights (schema {version}); upgrade the app or point "
              "REVIEW_INSIGHTS_WORKSPACE_PATH at another file.",
        "zh": "{path} 由更新版本的 Review Insights 写入（结构版本 {version}）；请升级应用，或把 "
              "REVIEW_INSIGHTS_WORKSPACE_PATH 指向另一个文件。"},
    "workspace.unknown": {
        "en": "no saved analysis called '{name}'; saved ones: {names}.",
        "zh": "没有名为“{name}”的已保存分析；已保存的有：{names}。"},
    "workspace.no_name": {"en": "give the analysis a name.", "zh": "请给分析起个名字。"},
    "workspace.name_taken": {
        "en": "an analysis called '{name}' exists already; pick another name.",
        "zh": "已经有名为“{name}”的分析；请换一个名字。"},
    # ---------------------------------------------------------------------------------------- steps of a run
    "step.embed": {"en": "Embedding reviews", "zh": "计算评论向量"},
    "step.sentiment": {"en": "Scoring sentiment", "zh": "判断情感"},
    "step.themes": {"en": "Finding themes", "zh": "归纳主题"},
    "step.trends": {"en": "Detecting trends and emerging issues", "zh": "检测趋势与新问题"},
    "step.read + embed + sentiment": {"en": "Reading, embedding and scoring", "zh": "读取、计算向量并判断情感"},
    "step.sentiment: transformer": {"en": "Reading the unsure reviews with the transformer",
                                    "zh": "用 Transformer 复核模型没把握的评论"},
    "step.themes: fit": {"en": "Fitting themes on a sample", "zh": "在样本上归纳主题"},
    "step.themes: assign + write": {"en": "Assigning themes and writing", "zh": "分配主题并写出结果"},
    # ---------------------------------------------------------------------------------------- the sentiment model
    "train.epoch": {"en": "epoch {epoch}: validation loss {loss:.4f}, accuracy {accuracy:.4f}",
                    "zh": "第 {epoch} 轮：验证集损失 {loss:.4f}，准确率 {accuracy:.4f}"},
    "finetune.too_few": {
        "en": "only {rated} reviews have a star rating; fine-tuning needs at least {needed}. Map the rating column on "
              "the Upload page, or use a larger export.",
        "zh": "只有 {rated} 条评论带星级评分；微调至少需要 {needed} 条。请在上传页指定评分列，或使用更大的导出文件。"},
    # ---------------------------------------------------------------------------------------- the command line
    "cli.error": {"en": "error: {text}", "zh": "错误：{text}"},
    "cli.in_file": {"en": "{path}: {text}", "zh": "{path}：{text}"},
    "cli.no_rows_above": {"en": "{path}: no row could be used; see the rejected rows above.",
                          "zh": "{path}：没有可用的行；请看上面被拒绝的行。"},
    "cli.failed": {
        "en": "{path}: the analysis failed ({error}); check the column options, or report this message.",
        "zh": "{path}：分析失败（{error}）；请检查列选项，或反馈这条信息。"},
    "cli.analysed": {
        "en": "{kept} reviews analysed ({rejected} rejected), {themes} themes, {alerts} alerts -> {out}",
        "zh": "已分析 {kept} 条评论（拒绝 {rejected} 条），{themes} 个主题，{alerts} 条预警 -> {out}"},
    "cli.analysed_pieces": {
        "en": "{kept} reviews analysed ({rejected} rejected) in {pieces} pieces, {themes} themes, {alerts} alerts -> "
              "{out}",
        "zh": "已分 {pieces} 块分析 {kept} 条评论（拒绝 {rejected} 条），{themes} 个主题，{alerts} 条预警 -> {out}"},
    "cli.saved_as": {"en": "; saved as '{name}'", "zh": "；已保存为“{name}”"},
    "cli.progress": {"en": "{step}: {fraction:.0%}", "zh": "{step}：{fraction:.0%}"},
    "cli.eta": {"en": ", about {eta:.0f} s left", "zh": "，约剩 {eta:.0f} 秒"},
    # ---------------------------------------------------------------------------------------- the ingest report
    "summary.file": {"en": "file: {source} ({kind}, encoding {encoding}{delimiter})",
                     "zh": "文件：{source}（{kind}，编码 {encoding}{delimiter}）"},
    "summary.delimiter": {"en": ", delimiter {delimiter}", "zh": "，分隔符 {delimiter}"},
    "summary.rows": {"en": "rows: {read} read, {kept} kept, {rejected} rejected",
                     "zh": "行数：读取 {read}，保留 {kept}，拒绝 {rejected}"},
    "summary.columns": {"en": "columns:", "zh": "列："},
    "summary.languages": {"en": "languages: {languages}", "zh": "语言：{languages}"},
    "summary.rejected": {"en": "rejected rows:", "zh": "被拒绝的行："},
    "summary.rejected_row": {"en": "row {row}: {reason}", "zh": "第 {row} 行：{reason}"},
    "summary.more": {"en": "... and {count} more (use --json for all)", "zh": "……另有 {count} 行（用 --json 查看全部）"},
    "summary.warnings": {"en": "warnings:", "zh": "警告："},
    "summary.none": {"en": "none", "zh": "无"},
}

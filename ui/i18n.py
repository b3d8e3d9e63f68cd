"""The interface's one translation table (Chinese and English) and the ``t()`` lookup every page uses.

Theme names and review text are data and are never translated; everything the interface itself says is here.
"""

from __future__ import annotations

import streamlit as st

from analysis.messages import Message, render
from ui.texts_actions import ACTIONS_TEXT
from ui.texts_explain import TEXT as EXPLAIN_TEXT
from ui.texts_model import TEXT as MODEL_TEXT
from ui.texts_report import REPORT_TEXT

LANG_KEY = "ri_lang"
LANGUAGES = {"zh": "中文", "en": "English"}

TEXT: dict[str, dict[str, str]] = {
    # app
    "app.title": {"en": "Review Insights", "zh": "评论洞察"},
    "app.tagline": {
        "en": "Turn review exports into sentiment, complaint and praise themes, and emerging issues — offline.",
        "zh": "把评论导出文件变成情感分析、差评与好评主题和新出现的问题——全程离线。",
    },
    "home.line1": {
        "en": "1. **Upload** a CSV, Excel or JSON export (Chinese, English or both; GBK is fine).",
        "zh": "1. **上传** CSV、Excel 或 JSON 评论导出文件（中文、英文或混合；GBK 编码也可以）。",
    },
    "home.line2": {
        "en": "2. Every review gets a **sentiment** from a model that runs on this machine, and reviews are grouped "
              "into **themes**.",
        "zh": "2. 本机运行的模型给每条评论判断**情感**，并把评论归入**主题**。",
    },
    "home.line3": {
        "en": "3. Browse satisfaction **trends**, complaint themes with real quotes, product comparisons and "
              "**emerging issues**.",
        "zh": "3. 浏览满意度**趋势**、带原文引用的差评主题、商品对比和**新出现的问题**。",
    },
    "home.pages": {"en": "Pages", "zh": "页面"},
    "home.sample_kpis": {"en": "The bundled sample at a glance", "zh": "示例数据一览"},
    "home.sample_note": {
        "en": "Authored demo data: 2,000 bilingual reviews of 10 products over 14 months.",
        "zh": "作者编写的演示数据：10 个商品、14 个月、2,000 条中英文评论。",
    },
    "nav.home": {"en": "Home", "zh": "首页"},
    "nav.upload": {"en": "Upload", "zh": "上传"},
    "sidebar.language": {"en": "Interface language", "zh": "界面语言"},
    # navigation and shared
    "nav.overview": {"en": "Overview", "zh": "总览"},
    "nav.trends": {"en": "Trends", "zh": "趋势"},
    "nav.themes": {"en": "Themes", "zh": "主题"},
    "nav.products": {"en": "Products", "zh": "商品"},
    "nav.explorer": {"en": "Explorer", "zh": "评论浏览"},
    "nav.model": {"en": "Model", "zh": "模型"},
    "common.showing": {"en": "Showing: {name} ({n:,} reviews)", "zh": "当前分析：{name}（{n:,} 条评论）"},
    "common.sample_name": {"en": "Sample data (demo)", "zh": "示例数据（演示）"},
    "common.computing_sample": {"en": "Analysing the bundled sample once; later visits open it instantly…",
                                "zh": "首次分析内置示例数据，之后会直接打开……"},
    "common.no_rows": {"en": "No reviews match the filters; widen them in the sidebar.",
                       "zh": "没有符合筛选条件的评论，请在侧边栏放宽筛选。"},
    "filter.title": {"en": "Filters", "zh": "筛选"},
    "filter.products": {"en": "Products", "zh": "商品"},
    "filter.dates": {"en": "Date range", "zh": "日期范围"},
    "filter.languages": {"en": "Review language", "zh": "评论语言"},
    "filter.all": {"en": "All", "zh": "全部"},
    "lang.zh": {"en": "Chinese", "zh": "中文"},
    "lang.en": {"en": "English", "zh": "英文"},
    "lang.mixed": {"en": "Mixed", "zh": "中英混合"},
    "lang.other": {"en": "Other", "zh": "其他"},
    "sentiment.negative": {"en": "Negative", "zh": "负面"},
    "sentiment.neutral": {"en": "Neutral", "zh": "中性"},
    "sentiment.positive": {"en": "Positive", "zh": "正面"},
    # run
    "run.button": {"en": "Run analysis", "zh": "开始分析"},
    "run.mode": {"en": "What to do with this file", "zh": "如何处理此文件"},
    "run.new": {"en": "New analysis", "zh": "新建分析"},
    "run.add": {"en": "Add to a saved analysis", "zh": "追加到已保存的分析"},
    "run.add_to": {"en": "Saved analysis to extend", "zh": "要追加的分析"},
    "run.add_help": {"en": "Only the new reviews are embedded; themes keep their ids and names.",
                     "zh": "只计算新评论的向量；主题保留原有编号和名称。"},
    "run.status": {"en": "Analysing {n:,} reviews…", "zh": "正在分析 {n:,} 条评论……"},
    "run.failed": {"en": "The analysis failed ({error}). Nothing was saved; check the column roles above and run again, "
                          "or report this message.",
                   "zh": "分析失败（{error}）。没有保存任何内容；请检查上面的列设置后重试，或反馈此信息。"},
    "run.done": {"en": "Analysis finished in {s:.1f} s", "zh": "分析完成，用时 {s:.1f} 秒"},
    "run.eta": {"en": "{step}: {pct:.0%} · about {eta:.0f} s left", "zh": "{step}：{pct:.0%} · 约剩 {eta:.0f} 秒"},
    "run.progress": {"en": "{step}: {pct:.0%}", "zh": "{step}：{pct:.0%}"},
    "run.result": {"en": "Sentiment of this file", "zh": "本文件的情感分布"},
    "run.next": {"en": "Open the other pages to see themes, trends and products.",
                 "zh": "打开其他页面查看主题、趋势和商品对比。"},
    "save.name": {"en": "Name for the saved analysis", "zh": "保存名称"},
    "save.button": {"en": "Save for the team", "zh": "保存并共享"},
    "save.done": {"en": "Saved as “{name}”.", "zh": "已保存为“{name}”。"},
    "save.error": {"en": "Could not save: {message}", "zh": "保存失败：{message}"},
    # home
    "home.saved": {"en": "Saved analyses", "zh": "已保存的分析"},
    "home.no_saved": {"en": "Nothing saved yet: run an analysis on the Upload page and save it.",
                      "zh": "还没有保存的分析：在“上传”页面运行分析后保存。"},
    "home.open": {"en": "Open", "zh": "打开"},
    "home.opened": {"en": "Opened “{name}”; every page now shows it.", "zh": "已打开“{name}”，各页面将显示它。"},
    "home.use_sample": {"en": "Back to the sample data", "zh": "回到示例数据"},
    "home.rename": {"en": "Rename", "zh": "重命名"},
    "home.delete": {"en": "Delete", "zh": "删除"},
    "home.new_name": {"en": "New name", "zh": "新名称"},
    "home.col_name": {"en": "Name", "zh": "名称"},
    "home.col_created": {"en": "Saved", "zh": "保存时间"},
    "home.col_source": {"en": "Source file", "zh": "源文件"},
    "home.col_rows": {"en": "Reviews", "zh": "评论数"},
    # KPIs and overview
    "kpi.satisfaction": {"en": "Satisfaction index", "zh": "满意度指数"},
    "kpi.negative": {"en": "Negative", "zh": "负面占比"},
    "kpi.delta_help": {"en": "Change against the previous {period}", "zh": "与上一{period}相比"},
    "overview.title": {"en": "Overview", "zh": "总览"},
    "overview.top_complaints": {"en": "Top complaint themes", "zh": "主要差评主题"},
    "overview.products": {"en": "By product", "zh": "按商品"},
    "overview.trend": {"en": "Satisfaction trend", "zh": "满意度走势"},
    "col.product": {"en": "Product", "zh": "商品"},
    "col.reviews": {"en": "Reviews", "zh": "评论数"},
    "col.satisfaction": {"en": "Satisfaction", "zh": "满意度"},
    "col.negative_share": {"en": "% negative", "zh": "负面占比"},
    "col.avg_stars": {"en": "Avg stars", "zh": "平均星级"},
    "col.trend": {"en": "Monthly satisfaction", "zh": "月度满意度"},
    "col.theme": {"en": "Theme", "zh": "主题"},
    "col.keywords": {"en": "Keywords", "zh": "关键词"},
    "col.mentions": {"en": "Reviews", "zh": "评论数"},
    "col.share": {"en": "Share", "zh": "占比"},
    "col.sentiment": {"en": "Mean sentiment", "zh": "平均情感"},
    "col.quote": {"en": "Example quote", "zh": "原文示例"},
    "col.text": {"en": "Review", "zh": "评论"},
    "col.date": {"en": "Date", "zh": "日期"},
    "col.stars": {"en": "Stars", "zh": "星级"},
    "col.label": {"en": "Sentiment", "zh": "情感"},
    "col.score": {"en": "Score", "zh": "得分"},
    "col.language": {"en": "Language", "zh": "语言"},
    "col.similarity": {"en": "Similarity", "zh": "相似度"},
    # charts
    "chart.reviews": {"en": "Reviews", "zh": "评论数"},
    "chart.reviews_unit": {"en": "reviews", "zh": "条评论"},
    "chart.sentiment": {"en": "Sentiment", "zh": "情感"},
    "chart.sentiment_distribution": {"en": "Sentiment of the reviews", "zh": "评论情感分布"},
    "chart.stars_vs_sentiment": {"en": "Star rating against text sentiment", "zh": "星级与文本情感对照"},
    "chart.stars": {"en": "Star rating", "zh": "星级"},
    "chart.share_percent": {"en": "Share of reviews (%)", "zh": "评论占比（%）"},
    "chart.product_satisfaction": {"en": "Satisfaction index by product", "zh": "各商品满意度指数"},
    "chart.satisfaction_index": {"en": "Satisfaction index (0-100)", "zh": "满意度指数（0-100）"},
    "chart.product": {"en": "Product", "zh": "商品"},
    "chart.satisfaction_over_time": {"en": "Satisfaction over time", "zh": "满意度随时间变化"},
    "chart.period": {"en": "Period", "zh": "时间"},
    "chart.emerging_issue": {"en": "Emerging issue", "zh": "新出现的问题"},
    "chart.theme_volume": {"en": "Reviews per theme over time", "zh": "各主题评论量随时间变化"},
    "chart.mean_sentiment": {"en": "Mean sentiment", "zh": "平均情感"},
    "chart.theme": {"en": "Theme", "zh": "主题"},
    "chart.complaint_themes": {"en": "Complaint themes", "zh": "差评主题"},
    "chart.praise_themes": {"en": "Praise themes", "zh": "好评主题"},
    "chart.product_theme_heatmap": {"en": "Share of each product's reviews per theme",
                                    "zh": "各商品评论中各主题的占比"},
    "chart.confusion_matrix": {"en": "Confusion matrix (stars as truth)", "zh": "混淆矩阵（以星级为准）"},
    "chart.predicted": {"en": "Predicted from text", "zh": "文本预测"},
    "chart.actual": {"en": "From stars", "zh": "星级"},
    "chart.drivers": {"en": "Themes that go with 1-2 star ratings", "zh": "与 1-2 星差评相关的主题"},
    "chart.low_rating_lift": {"en": "Extra share of 1-2 star ratings (percentage points)",
                              "zh": "1-2 星比例的提升（百分点）"},
    # themes page
    "themes.title": {"en": "Themes", "zh": "主题"},
    "themes.pick": {"en": "Theme to read", "zh": "查看主题"},
    "themes.keywords": {"en": "Keywords", "zh": "关键词"},
    "themes.mix": {"en": "Sentiment of its mentions", "zh": "提及的情感构成"},
    "themes.complaint_quotes": {"en": "What complainers say", "zh": "差评原话"},
    "themes.praise_quotes": {"en": "What fans say", "zh": "好评原话"},
    "themes.quotes": {"en": "Representative quotes", "zh": "代表性原话"},
    "themes.reviews": {"en": "Reviews in this theme ({n:,})", "zh": "该主题的评论（{n:,} 条）"},
    "themes.unthemed": {"en": "{share:.0%} of reviews fit no theme.", "zh": "{share:.0%} 的评论未归入任何主题。"},
    "themes.feeling": {"en": "General feeling: {n:,} reviews ({share:.1%}) only say how the customer feels, naming "
                             "nothing to fix or keep; they are not a theme",
                       "zh": "整体感受：{n:,} 条评论（{share:.1%}）只表达感受，没有提到要改进或保持的具体方面，不计为主题"},
    "themes.edit": {"en": "Rename or merge themes", "zh": "重命名或合并主题"},
    "themes.rename_to": {"en": "New name for the selected theme", "zh": "所选主题的新名称"},
    "themes.rename": {"en": "Rename", "zh": "重命名"},
    "themes.merge_pick": {"en": "Themes to merge (two or more)", "zh": "要合并的主题（两个或以上）"},
    "themes.merge_label": {"en": "Name of the merged theme", "zh": "合并后的名称"},
    "themes.merge": {"en": "Merge", "zh": "合并"},
    "themes.changed": {"en": "Themes updated; every page shows the change. Save again on the Upload page to keep it.",
                       "zh": "主题已更新，所有页面同步显示。如需保留，请在“上传”页面再次保存。"},
    "themes.none": {"en": "No themes were found in these reviews.", "zh": "这些评论中没有找到主题。"},
    "themes.kind": {"en": "Kind", "zh": "类型"},
    "kind.complaint": {"en": "Complaint", "zh": "差评"},
    "kind.praise": {"en": "Praise", "zh": "好评"},
    "kind.mixed": {"en": "Mixed", "zh": "褒贬不一"},
    # explorer
    "explorer.title": {"en": "Explore reviews", "zh": "浏览评论"},
    "explorer.keyword": {"en": "Keyword search", "zh": "关键词搜索"},
    "explorer.semantic": {"en": "Search by meaning (any language)", "zh": "按语义搜索（任意语言）"},
    "explorer.semantic_help": {"en": "e.g. “battery dies quickly” also finds 电池不耐用",
                               "zh": "例如“电池不耐用”也能找到 battery dies quickly"},
    "explorer.sentiment": {"en": "Sentiment", "zh": "情感"},
    "explorer.theme": {"en": "Theme", "zh": "主题"},
    "explorer.general_feeling": {"en": "General feeling (no specific aspect)", "zh": "整体感受（未提具体方面）"},
    "explorer.stars": {"en": "Stars", "zh": "星级"},
    "explorer.count": {"en": "{n:,} reviews match", "zh": "共 {n:,} 条评论符合条件"},
    "explorer.selected": {"en": "Full text of the selected review", "zh": "所选评论全文"},
    "explorer.select_hint": {"en": "Select a row to read the whole review.", "zh": "选中一行可阅读完整评论。"},
    "explorer.export_csv": {"en": "Download CSV (opens in Excel)", "zh": "下载 CSV（可用 Excel 打开）"},
    "explorer.export_xlsx": {"en": "Download Excel", "zh": "下载 Excel"},
    "explorer.export_themes": {"en": "Download themes table", "zh": "下载主题表"},
    "explorer.no_embeddings": {"en": "This analysis has no stored embeddings; semantic search is off.",
                               "zh": "该分析没有保存向量，无法按语义搜索。"},
    "period.D": {"en": "day", "zh": "天"},
    "period.W": {"en": "week", "zh": "周"},
    "period.M": {"en": "month", "zh": "月"},
    "period.Q": {"en": "quarter", "zh": "季度"},
    "overview.no_ratings": {"en": "This file has no star ratings, so stars cannot be compared with the text. Map a "
                                  "rating column on the Upload page.",
                            "zh": "该文件没有星级评分，无法与文本情感对照。请在“上传”页面指定评分列。"},
    # trends
    "trends.title": {"en": "Trends", "zh": "趋势"},
    "trends.no_dates": {"en": "This file has no date column, so there is nothing to draw over time. On the Upload "
                              "page, set the Date role to the column that holds the review date and run again.",
                        "zh": "该文件没有日期列，无法显示随时间的变化。"
                              "请在“上传”页面把“日期”指定为评论日期所在的列，然后重新分析。"},
    "trends.group_by": {"en": "Lines per", "zh": "分组方式"},
    "trends.by_product": {"en": "Product", "zh": "商品"},
    "trends.by_category": {"en": "Category", "zh": "类目"},
    "trends.overall": {"en": "All reviews", "zh": "全部评论"},
    "trends.lines": {"en": "Lines shown", "zh": "显示的曲线"},
    "trends.emerging": {"en": "Emerging issues", "zh": "新出现的问题"},
    "trends.no_emerging": {"en": "No complaint theme rose significantly in the latest period.",
                           "zh": "最近一期没有显著上升的差评主题。"},
    "trends.alert_line": {"en": "{share:.0%} of this product's reviews in the latest period ({n} of {total}) against "
                                "{base:.1%} before: {lift:.1f}× (q = {q:.3g}); rising since {since}.",
                          "zh": "最近一期该商品 {share:.0%} 的评论提到此问题（{total} 条中 {n} 条），此前为 {base:.1%}："
                                "{lift:.1f} 倍（q = {q:.3g}）；自 {since} 起上升。"},
    "trends.new_words": {"en": "What the rising reviews say: {words}", "zh": "上升的评论在说：{words}"},
    "trends.theme_volume": {"en": "Theme volume over time", "zh": "主题评论量变化"},
    # products
    "products.title": {"en": "Products", "zh": "商品"},
    "products.no_products": {"en": "This file has no product column. On the Upload page, set the Product role to the "
                                    "column naming the product (name, SKU or ASIN) and run again.",
                             "zh": "该文件没有商品列。请在“上传”页面把“商品”指定为商品名称、SKU 或 ASIN 所在的列，然后重新分析。"},
    "products.compare": {"en": "Two products side by side", "zh": "两个商品对比"},
    "products.first": {"en": "First product", "zh": "商品一"},
    "products.second": {"en": "Second product", "zh": "商品二"},
    "products.drivers": {"en": "Drivers of low ratings", "zh": "差评驱动因素"},
    "products.no_drivers": {"en": "No theme goes with 1-2 star ratings more than others (or there are no ratings).",
                            "zh": "没有主题与 1-2 星差评显著相关（或没有星级数据）。"},
    "products.low_with": {"en": "% 1-2 stars when mentioned", "zh": "提及时 1-2 星占比"},
    "products.low_without": {"en": "% 1-2 stars otherwise", "zh": "未提及时 1-2 星占比"},
    # model
    "model.title": {"en": "Sentiment model", "zh": "情感模型"},
    "model.which": {"en": "Sentiment model: `{model}` · embeddings: `{embedder}`",
                    "zh": "情感模型：`{model}` · 向量模型：`{embedder}`"},
    "model.no_ratings": {"en": "This file has no star ratings to check the model against. Map a rating column on the "
                                "Upload page and run again.",
                         "zh": "该文件没有星级评分，无法检验模型。请在“上传”页面指定评分列后重新分析。"},
    "model.quality": {"en": "Agreement with the star ratings", "zh": "与星级评分的一致性"},
    "model.accuracy": {"en": "Accuracy", "zh": "准确率"},
    "model.macro_f1": {"en": "Macro-F1", "zh": "宏平均 F1"},
    "model.n": {"en": "Reviews compared", "zh": "参与比较的评论"},
    "model.polarity_note": {"en": "Polarity: 1-2 stars as negative, 4-5 as positive; 3-star reviews are left out. "
                                  "Stars are weak labels: a 5-star review can hold a complaint.",
                            "zh": "正负判断：1-2 星为负面，4-5 星为正面，3 星不计入。星级只是弱标签：五星评论也可能含有抱怨。"},
    "model.three_class": {"en": "Three classes (3 stars as neutral): accuracy {acc:.3f}, macro-F1 {f1:.3f}.",
                          "zh": "三分类（3 星为中性）：准确率 {acc:.3f}，宏平均 F1 {f1:.3f}。"},
    "model.disagreements": {"en": "Where text and stars disagree", "zh": "文本与星级不一致的评论"},
    "model.disagreements_help": {"en": "5-star reviews with negative text and low-star reviews with positive text, "
                                       "largest gap first.",
                                 "zh": "五星却是负面文本、低星却是正面文本的评论，差距最大的排在前面。"},
    "model.no_disagreements": {"en": "Text and stars agree everywhere.", "zh": "文本与星级全部一致。"},
    "model.finetune": {"en": "Fine-tune on this data's ratings", "zh": "用本数据的星级微调模型"},
    "model.finetune_help": {"en": "Trains on 80% of the rated reviews (cross-entropy, Adam, early stopping) and "
                                  "compares old and new model on the other 20%, which training never sees.",
                            "zh": "用 80% 有星级的评论训练（交叉熵、Adam、提前停止），并在训练从未见过的另外 20% 上比较新旧模型。"},
    "model.finetune_button": {"en": "Fine-tune now", "zh": "开始微调"},
    "model.finetuning": {"en": "Fine-tuning…", "zh": "正在微调……"},
    "model.finetuned": {"en": "Trained on {n:,} reviews, compared on {m:,} held-out reviews.",
                        "zh": "用 {n:,} 条评论训练，在 {m:,} 条留出评论上比较。"},
    "model.before": {"en": "Current model", "zh": "当前模型"},
    "model.after": {"en": "Fine-tuned model", "zh": "微调后模型"},
    "model.before_after_note": {"en": "Both measured on the same {m:,} held-out reviews (polarity: 1-2 vs 4-5 stars).",
                                "zh": "两者都在同样的 {m:,} 条留出评论上测量（正负：1-2 星对 4-5 星）。"},
    "model.apply": {"en": "Use the fine-tuned model for this analysis", "zh": "用微调后的模型重新分析"},
    "common.download_charts": {"en": "Download this page's charts (HTML, works offline)",
                               "zh": "下载本页图表（HTML，可离线打开）"},
    "common.png_hint": {"en": "For a PNG of one chart, use the camera icon in the chart's toolbar.",
                        "zh": "如需单个图表的 PNG，请点击图表工具栏中的相机图标。"},
    # KPIs
    "kpi.reviews": {"en": "Reviews", "zh": "评论数"},
    "kpi.products": {"en": "Products", "zh": "商品数"},
    "kpi.avg_stars": {"en": "Average stars", "zh": "平均星级"},
    "kpi.date_span": {"en": "Date range", "zh": "日期范围"},
    # upload
    "upload.title": {"en": "Upload reviews", "zh": "上传评论"},
    "upload.source": {"en": "Data source", "zh": "数据来源"},
    "upload.source_sample": {"en": "Bundled sample data", "zh": "内置示例数据"},
    "upload.source_file": {"en": "Upload a file", "zh": "上传文件"},
    "upload.file": {"en": "Review export (CSV, TSV, Excel, JSON, JSONL, Parquet)",
                    "zh": "评论导出文件（CSV、TSV、Excel、JSON、JSONL、Parquet）"},
    "upload.waiting": {"en": "Choose a file to see how it is read.", "zh": "请选择文件，查看识别结果。"},
    "upload.error": {"en": "{name} cannot be used: {message}", "zh": "{name} 无法使用：{message}"},
    "upload.detected": {"en": "How the file was read", "zh": "文件识别结果"},
    "upload.format": {"en": "Format", "zh": "格式"},
    "upload.encoding": {"en": "Encoding", "zh": "编码"},
    "upload.delimiter": {"en": "Delimiter", "zh": "分隔符"},
    "upload.columns": {"en": "Column roles (change any that are wrong)", "zh": "列的含义（识别错误可修改）"},
    "upload.none": {"en": "(not used)", "zh": "（不使用）"},
    "upload.report": {"en": "Ingest report", "zh": "导入报告"},
    "upload.sheet": {"en": "Sheet of the workbook", "zh": "工作簿的工作表"},
    "upload.sheet_help": {"en": "The workbook has several sheets with data; the reviews of the one picked here are read.",
                          "zh": "这个工作簿有多个含数据的工作表；读取这里选中的工作表里的评论。"},
    "upload.rows_read": {"en": "Rows read", "zh": "读取行数"},
    "upload.rows_kept": {"en": "Rows kept", "zh": "保留行数"},
    "upload.rows_rejected": {"en": "Rows rejected", "zh": "拒绝行数"},
    "upload.rejected_table": {"en": "Rejected rows and why", "zh": "被拒绝的行及原因"},
    "upload.row": {"en": "Row", "zh": "行号"},
    "upload.reason": {"en": "Reason", "zh": "原因"},
    "upload.warnings": {"en": "Warnings", "zh": "警告"},
    "upload.no_warnings": {"en": "No warnings.", "zh": "没有警告。"},
    "upload.languages": {"en": "Languages of the reviews", "zh": "评论语言"},
    "upload.preview": {"en": "Preview of kept rows", "zh": "保留行预览"},
    "upload.row_note": {"en": "Row numbers count data rows from 1; the header row is not counted.",
                        "zh": "行号从第一条数据开始计为 1，不含表头。"},
    "role.text": {"en": "Review text", "zh": "评论内容"},
    "role.rating": {"en": "Rating", "zh": "评分"},
    "role.date": {"en": "Date", "zh": "日期"},
    "role.product": {"en": "Product", "zh": "商品"},
    "role.review_id": {"en": "Review ID", "zh": "评论编号"},
    "role.title": {"en": "Title", "zh": "标题"},
    "role.category": {"en": "Category", "zh": "类目"},
    "role.language": {"en": "Language", "zh": "语言"},
}


def _merge(extra: dict[str, dict[str, str]]) -> None:
    """Add a page's own table (``ui/texts_*.py``) to ``TEXT``; a key defined twice fails here, not silently."""
    clash = TEXT.keys() & extra.keys()
    if clash:
        raise ValueError(f"interface text keys defined twice: {sorted(clash)}")
    TEXT.update(extra)


_merge(EXPLAIN_TEXT)
_merge(REPORT_TEXT)
_merge(MODEL_TEXT)
_merge(ACTIONS_TEXT)


def current_language() -> str:
    return st.session_state.get(LANG_KEY, "zh")


def say(value: Message | str) -> str:
    """A message from ``analysis`` (a warning, a rejection reason, an error) in the interface language."""
    return render(value, current_language())


def as_markdown_text(text: str) -> str:
    """Text that Streamlit's Markdown (st.warning, st.error, st.info) shows as it is: a message may quote a cell of
    the user's file, which must never become a link, emphasis or markup."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)


_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~$")


def step_name(step: str) -> str:
    """A run's step (``analysis.runs`` progress) by its name in the interface language."""
    from analysis.messages import TEXTS, message

    return message(f"step.{step}").render(current_language()) if f"step.{step}" in TEXTS else step


def t(key: str, **values: object) -> str:
    """The interface text for ``key`` in the chosen language (English when a translation is missing)."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    text = entry.get(current_language()) or entry["en"]
    return text.format(**values) if values else text

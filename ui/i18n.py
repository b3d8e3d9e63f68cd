"""The interface's one translation table (Chinese and English) and the ``t()`` lookup every page uses.

Theme names and review text are data and are never translated; everything the interface itself says is here.
"""

from __future__ import annotations

import streamlit as st

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


def current_language() -> str:
    return st.session_state.get(LANG_KEY, "zh")


def t(key: str, **values: object) -> str:
    """The interface text for ``key`` in the chosen language (English when a translation is missing)."""
    entry = TEXT.get(key)
    if entry is None:
        return key
    text = entry.get(current_language()) or entry["en"]
    return text.format(**values) if values else text

"""The interface texts of the Report page (English and Chinese), merged into ``ui.i18n.TEXT``; the report's own
headings and sentences are message codes of ``analysis.message_texts.report``, shared with the HTML and the CLI."""

REPORT_TEXT: dict[str, dict[str, str]] = {
    "nav.report": {"en": "Report", "zh": "报告"},
    "report_page.title": {"en": "Period report", "zh": "周期报告"},
    "report_page.intro": {
        "en": "One page for a manager: the period against the previous one, complaints with quotes, emerging issues, "
              "products at risk, praise for campaigns and price perception. Download it as HTML (opens offline) or "
              "PDF.",
        "zh": "给管理者的一页报告：本期与上期对比、带原话的差评、新出现的问题、风险商品、可用于营销的好评和价格感知。"
              "可下载为 HTML（离线打开）或 PDF。"},
    "report_page.kind": {"en": "Period", "zh": "时间段"},
    "report_page.kind_month": {"en": "A calendar month", "zh": "自然月"},
    "report_page.kind_days": {"en": "Chosen days", "zh": "自选日期"},
    "report_page.month": {"en": "Month (compared with the month before)", "zh": "月份（与上个月对比）"},
    "report_page.days": {"en": "From – to (compared with as many days before)", "zh": "起止日期（与之前同样天数对比）"},
    "report_page.pick_both": {"en": "Pick the first and the last day of the period.",
                              "zh": "请选择时间段的第一天和最后一天。"},
    "report_page.preview": {"en": "Preview", "zh": "预览"},
    "report_page.download_html": {"en": "Download HTML report", "zh": "下载 HTML 报告"},
    "report_page.make_pdf": {"en": "Make PDF", "zh": "生成 PDF"},
    "report_page.making_pdf": {"en": "Printing the PDF…", "zh": "正在生成 PDF……"},
    "report_page.download_pdf": {"en": "Download PDF report", "zh": "下载 PDF 报告"},
    "report_page.language": {"en": "The report is written in the interface language ({language}).",
                             "zh": "报告使用界面语言（{language}）。"},
    "report_page.change": {"en": "vs {previous}", "zh": "对比{previous}"},
    "report_page.count": {"en": "{reviews} reviews, {share:.1f}% of the period's",
                          "zh": "{reviews} 条评论，占本期 {share:.1f}%"},
}

"""The texts of the period report (analysis.report): headings, columns, rules, opening sentences and notices, and
the errors of a bad period or a missing renderer, English and Chinese."""

REPORT: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------------------------------- the period asked
    "report.bad_date": {"en": "{option} {value}: give a day as YYYY-MM-DD, e.g. 2026-10-01.",
                        "zh": "{option} {value}：请按 YYYY-MM-DD 填写日期，例如 2026-10-01。"},
    "report.no_dates_for_period": {
        "en": "the reviews of this analysis have no dates, so no period can be chosen; leave out --start and --end "
              "for a report over all reviews, or analyse the file again with its date column (--date-column).",
        "zh": "这份分析的评论没有日期，无法选择时间段；去掉 --start 和 --end 可生成覆盖全部评论的报告，"
              "或用日期列（--date-column）重新分析文件。"},
    "report.end_before_start": {"en": "the period ends ({end}) before it starts ({start}); swap the two dates.",
                                "zh": "时间段的结束日期（{end}）早于开始日期（{start}）；请交换两个日期。"},
    "report.empty_period": {
        "en": "no review is dated from {start} to {end}; the reviews run from {first} to {last}: pick days in that "
              "range.",
        "zh": "{start} 至 {end} 之间没有评论；评论日期从 {first} 到 {last}，请在这个范围内选择日期。"},
    # ---------------------------------------------------------------------------------------- notices
    "report.no_dates": {
        "en": "The reviews have no dates, so this report covers all {reviews} reviews without a comparison with an "
              "earlier period, and emerging issues (which need dates) are left out. Map a date column when "
              "uploading to compare periods.",
        "zh": "评论没有日期，因此本报告覆盖全部 {reviews} 条评论，不与之前的时间段对比，也不含需要日期的新问题。"
              "上传时指定日期列即可按时间段对比。"},
    "report.no_previous": {
        "en": "No review is dated in the previous period ({start} to {end}), so changes cannot be shown.",
        "zh": "上一时间段（{start} 至 {end}）没有评论，因此无法显示变化。"},
    "report.no_themes": {"en": "This analysis has no themes, so complaint and praise themes are left out.",
                         "zh": "这份分析没有主题，因此不含差评和好评主题。"},
    "report.no_kaleido": {
        "en": "Charts are left out: drawing them as images needs kaleido (pip install kaleido) and Chrome or "
              "Chromium; the tables hold the same numbers.",
        "zh": "未包含图表：把图表画成图片需要 kaleido（pip install kaleido）和 Chrome 或 Chromium；表格里有同样的数字。"},
    "report.no_chart_browser": {
        "en": "Charts are left out: kaleido could not draw them ({error}); install Chromium (apt-get install "
              "chromium) or set BROWSER_PATH to a Chrome binary. The tables hold the same numbers.",
        "zh": "未包含图表：kaleido 无法绘制（{error}）；请安装 Chromium（apt-get install chromium）或把 BROWSER_PATH "
              "设为 Chrome 程序路径。表格里有同样的数字。"},
    "report.narrative_template": {
        "en": "The summary is written from the report's own templates; with a language model set up it can be "
              "written by the model.",
        "zh": "摘要由报告自带的模板生成；配置语言模型后可由模型撰写。"},
    "report.narrative_no_answer": {
        "en": "The language model gave no answer, so the summary is written from the report's own templates.",
        "zh": "语言模型没有给出回答，因此摘要由报告自带的模板生成。"},
    "report.narrative_failed": {
        "en": "The language model failed ({error}), so the summary is written from the report's own templates.",
        "zh": "语言模型出错（{error}），因此摘要由报告自带的模板生成。"},
    # ---------------------------------------------------------------------------------------- PDF
    "report.no_pdf_browser": {
        "en": "a PDF needs Chrome or Chromium to print the page, and none was found: install it (apt-get install "
              "chromium) or set BROWSER_PATH to its binary; the HTML report needs neither.",
        "zh": "生成 PDF 需要用 Chrome 或 Chromium 打印页面，但没有找到：请安装（apt-get install chromium）或把 "
              "BROWSER_PATH 设为其程序路径；HTML 报告不需要它们。"},
    "report.pdf_failed": {
        "en": "{browser} could not print the PDF ({error}); download the HTML report and print it from a browser, "
              "or report this message.",
        "zh": "{browser} 无法打印 PDF（{error}）；请下载 HTML 报告并在浏览器中打印，或反馈此消息。"},
    # ---------------------------------------------------------------------------------------- the CLI
    "report.bad_out": {"en": "{out}: give a file ending in .html or .pdf.",
                       "zh": "{out}：请指定以 .html 或 .pdf 结尾的文件。"},
    "report.bad_language": {"en": "--lang {value}: give en or zh.", "zh": "--lang {value}：请填写 en 或 zh。"},
    "report.failed": {"en": "the report of '{name}' could not be made ({error}); report this message.",
                      "zh": "无法生成“{name}”的报告（{error}）；请反馈此消息。"},
    "report.written": {"en": "report of '{name}' for {period} -> {out}",
                       "zh": "“{name}”的报告（{period}）-> {out}"},
    # ---------------------------------------------------------------------------------------- the page
    "report.title": {"en": "Review report: {name}", "zh": "评论报告：{name}"},
    "report.period_line": {"en": "{period}, compared with {previous}", "zh": "{period}，对比{previous}"},
    "report.all_reviews": {"en": "All reviews", "zh": "全部评论"},
    "report.all_products": {"en": "All products", "zh": "全部商品"},
    "report.generated": {
        "en": "Made on {day} by Review Insights, offline. Quotes are customers' own words, as written.",
        "zh": "由评论洞察于 {day} 离线生成。引用为顾客原话。"},
    "report.h_summary": {"en": "Summary", "zh": "摘要"},
    "report.h_numbers": {"en": "The period in numbers", "zh": "本期数据"},
    "report.h_complaints": {"en": "Top complaints", "zh": "主要差评"},
    "report.h_emerging": {"en": "Emerging issues", "zh": "新出现的问题"},
    "report.h_at_risk": {"en": "Products at risk", "zh": "风险商品"},
    "report.h_praise": {"en": "Praise worth using in marketing", "zh": "可用于营销的好评"},
    "report.h_price": {"en": "Price perception", "zh": "价格感知"},
    "report.kpi_reviews": {"en": "Reviews", "zh": "评论数"},
    "report.kpi_satisfaction": {"en": "Satisfaction index", "zh": "满意度指数"},
    "report.kpi_negative": {"en": "Negative", "zh": "负面占比"},
    "report.kpi_stars": {"en": "Average stars", "zh": "平均星级"},
    "report.col_metric": {"en": "Measure", "zh": "指标"},
    "report.col_this": {"en": "This period", "zh": "本期"},
    "report.col_previous": {"en": "Previous period", "zh": "上期"},
    "report.col_change": {"en": "Change", "zh": "变化"},
    "report.col_theme": {"en": "Theme", "zh": "主题"},
    "report.col_reviews": {"en": "Reviews", "zh": "评论数"},
    "report.col_share": {"en": "Share of reviews", "zh": "评论占比"},
    "report.col_change_pp": {"en": "Change (points)", "zh": "变化（百分点）"},
    "report.col_quote": {"en": "What a customer wrote", "zh": "顾客原话"},
    "report.col_product": {"en": "Product", "zh": "商品"},
    "report.col_before": {"en": "Share before", "zh": "此前占比"},
    "report.col_since": {"en": "Rising since", "zh": "上升起始"},
    "report.col_reasons": {"en": "Why", "zh": "原因"},
    "report.col_price_reviews": {"en": "Mention price", "zh": "提到价格"},
    "report.price_positive": {"en": "Price said well", "zh": "价格正面"},
    "report.price_negative": {"en": "Price said badly", "zh": "价格负面"},
    "report.praise_count": {"en": "{reviews} reviews, {share}% of the period's",
                            "zh": "{reviews} 条评论，占本期 {share}%"},
    "report.none_complaints": {"en": "No complaint theme in this period.", "zh": "本期没有差评主题。"},
    "report.none_emerging": {"en": "No complaint rose significantly in this period.", "zh": "本期没有显著上升的差评。"},
    "report.emerging_needs_dates": {"en": "Emerging issues need review dates.", "zh": "新出现的问题需要评论日期。"},
    "report.none_at_risk": {"en": "No product meets the rule in this period.", "zh": "本期没有商品符合风险规则。"},
    "report.none_praise": {"en": "No praise theme in this period.", "zh": "本期没有好评主题。"},
    "report.none_price": {"en": "No review of this period mentions price or value.",
                          "zh": "本期没有评论提到价格或性价比。"},
    "report.emerging_rule": {
        "en": "A theme's share of a product's negative reviews in this period against its own share in all earlier "
              "months: at least doubled, significant after correcting for the many pairs tested, 5 mentions or more.",
        "zh": "商品在本期差评中某主题的占比与其此前各月的占比对比：至少翻倍、经多重检验校正后显著，且至少 5 次提及。"},
    "report.risk_rule": {
        "en": "Rule: a product with {reviews} reviews or more in the period that has an emerging issue, or whose "
              "satisfaction index fell {drop:.0f} points or more against the previous period, or whose share of "
              "negative reviews is {gap:.0f} points or more above all products'.",
        "zh": "规则：本期至少有 {reviews} 条评论，且出现新问题、或满意度指数比上期下降 {drop:.0f} 分及以上、"
              "或负面占比比全部商品高 {gap:.0f} 个百分点及以上的商品。"},
    "report.risk_emerging": {"en": "emerging issue", "zh": "出现新问题"},
    "report.risk_falling": {"en": "satisfaction falling", "zh": "满意度下降"},
    "report.risk_negative": {"en": "many negative reviews", "zh": "负面评论偏多"},
    "report.praise_rule": {
        "en": "What customers praise most this period, with their words: positive reviews (4-5 stars when rated) "
              "that praise the theme, short and typical first. Ask before quoting a customer by name.",
        "zh": "本期顾客最常称赞的方面及其原话：称赞该主题的正面评论（有评分时为 4-5 星），优先选择简短典型的。"
              "署名引用前请征得顾客同意。"},
    "report.price_rule": {
        "en": "Reviews that mention price or value (words such as {words}); whether price is said well or badly "
              "is the polarity of the clause that mentions it.",
        "zh": "提到价格或性价比的评论（如 {words} 等词）；价格正面或负面取决于提到价格的那一小句的情感。"},
    "report.chart_trend": {"en": "Reviews and satisfaction per month", "zh": "每月评论数与满意度"},
    "report.chart_reviews": {"en": "Reviews", "zh": "评论数"},
    "report.chart_satisfaction": {"en": "Satisfaction index", "zh": "满意度指数"},
    "report.chart_complaints": {"en": "Top complaints: share of reviews", "zh": "主要差评：评论占比"},
    "report.chart_share": {"en": "% of reviews", "zh": "评论占比（%）"},
    "report.chart_price": {"en": "Price perception per product", "zh": "各商品的价格感知"},
    "report.chart_price_axis": {"en": "% of reviews that mention price", "zh": "占提到价格的评论（%）"},
    # ---------------------------------------------------------------------------------------- opening sentences
    "report.says_period": {
        "en": "{period}: {reviews} reviews ({volume} against the period before), satisfaction index {satisfaction} "
              "({satisfaction_change}), {negative}% negative ({negative_change} points).",
        "zh": "{period}：共 {reviews} 条评论（较上期 {volume}），满意度指数 {satisfaction}（{satisfaction_change}），"
              "负面占比 {negative}%（{negative_change} 个百分点）。"},
    "report.says_all": {
        "en": "All {reviews} reviews: satisfaction index {satisfaction}, {negative}% negative.",
        "zh": "全部 {reviews} 条评论：满意度指数 {satisfaction}，负面占比 {negative}%。"},
    "report.says_complaint": {
        "en": "The most common complaint is “{theme}”: {reviews} reviews, {share}% of the period's ({change} "
              "points).",
        "zh": "最常见的差评是“{theme}”：{reviews} 条评论，占本期 {share}%（{change} 个百分点）。"},
    "report.says_emerging": {
        "en": "New or growing: “{theme}” at {product}, {share}% of its reviews against {baseline}% before.",
        "zh": "新出现或在增长的问题：{product} 的“{theme}”，占其评论 {share}%，此前为 {baseline}%。"},
    "report.says_at_risk": {"en": "Products at risk: {products}.", "zh": "风险商品：{products}。"},
    "report.says_praise": {"en": "Customers praise “{theme}” most.", "zh": "顾客最常称赞“{theme}”。"},
    "report.says_price": {
        "en": "{share}% of reviews mention price or value; {positive}% of those speak of it well, {negative}% badly.",
        "zh": "{share}% 的评论提到价格或性价比，其中 {positive}% 为正面，{negative}% 为负面。"},
}

"""Interface texts of the Actions page (reply queue), the Products page's recommendations and the LLM setting,
Chinese and English; merged into ``ui.i18n.TEXT``."""

ACTIONS_TEXT: dict[str, dict[str, str]] = {
    "nav.actions": {"en": "Actions", "zh": "行动"},
    "actions.title": {"en": "Actions: reply queue", "zh": "行动：待回复队列"},
    "actions.intro": {
        "en": "Reviews that need an answer (negative text or 1-2 stars), most urgent first, each with a draft reply in "
              "the review's own language. Edit a draft, then mark it sent or skip it; statuses and edits are kept "
              "in the workspace.",
        "zh": "需要回复的评论（文字负面或 1-2 星），最紧急的排在前面，每条都附有与评论同语言的回复草稿。修改草稿后标记为"
              "已发送或跳过；状态和修改都保存在工作区中。"},
    "actions.formula": {
        "en": "Priority = 100 × (0.40 × severity + 0.25 × low rating + 0.20 × recency + 0.15 × emerging issue). "
              "Severity: the model's probability that the text is negative. Low rating: (5 − stars) / 4. Recency: "
              "halves every 30 days before the newest review. Emerging issue: 1 when the review complains about an "
              "emerging issue of its product (Trends page), else 0.",
        "zh": "优先级 = 100 × (0.40 × 严重度 + 0.25 × 低分 + 0.20 × 新近度 + 0.15 × 新问题)。严重度：模型判断文字为负面的"
              "概率。低分：(5 − 星级) / 4。新近度：比最新一条评论每早 30 天减半。新问题：评论抱怨的是该商品新出现的问题"
              "（见趋势页）时为 1，否则为 0。"},
    "actions.not_saved": {
        "en": "This analysis is not saved, so edits and statuses last only for this session. Save it on the Upload "
              "page to keep them for the team.",
        "zh": "这个分析尚未保存，修改和状态只在本次会话中有效。请在上传页保存分析，以便团队共享。"},
    "actions.none": {"en": "No review needs an answer: none reads negative or gives 1-2 stars.",
                     "zh": "没有需要回复的评论：没有文字负面或 1-2 星的评论。"},
    "actions.none_shown": {"en": "No reply matches these filters.", "zh": "没有符合这些筛选条件的回复。"},
    "actions.open": {"en": "Open", "zh": "待处理"},
    "actions.sent": {"en": "Sent", "zh": "已发送"},
    "actions.skipped": {"en": "Skipped", "zh": "已跳过"},
    "actions.status_filter": {"en": "Status", "zh": "状态"},
    "actions.problem_filter": {"en": "Problem", "zh": "问题类型"},
    "actions.queue": {"en": "The queue", "zh": "队列"},
    "actions.work": {"en": "Work through the queue", "zh": "逐条处理"},
    "actions.page": {"en": "Page (10 reviews each)", "zh": "页码（每页 10 条）"},
    "actions.card": {"en": "#{rank} · priority {priority:.1f} · {product} · {stars}",
                     "zh": "#{rank} · 优先级 {priority:.1f} · {product} · {stars}"},
    "actions.stars": {"en": "{n:.0f} stars", "zh": "{n:.0f} 星"},
    "actions.no_stars": {"en": "no stars", "zh": "无星级"},
    "actions.parts": {
        "en": "severity {severity:.2f} · low rating {low_rating:.2f} · recency {recency:.2f} · emerging {emerging:.0f}",
        "zh": "严重度 {severity:.2f} · 低分 {low_rating:.2f} · 新近度 {recency:.2f} · 新问题 {emerging:.0f}"},
    "actions.themes": {"en": "Themes: {themes}", "zh": "主题：{themes}"},
    "actions.problems": {"en": "Problems: {problems}", "zh": "问题类型：{problems}"},
    "actions.draft": {"en": "Draft reply ({language})", "zh": "回复草稿（{language}）"},
    "actions.save": {"en": "Save draft", "zh": "保存草稿"},
    "actions.mark_sent": {"en": "Mark sent", "zh": "标记为已发送"},
    "actions.mark_skipped": {"en": "Skip", "zh": "跳过"},
    "actions.reopen": {"en": "Reopen", "zh": "重新打开"},
    "actions.recommended": {"en": "The draft offers an alternative: {product}", "zh": "草稿中推荐了替代商品：{product}"},
    "actions.by.template": {"en": "Draft from the templates", "zh": "草稿来自模板"},
    "actions.by.llm": {"en": "Draft written by the LLM", "zh": "草稿由大模型撰写"},
    "actions.by.edited": {"en": "Draft edited by you", "zh": "草稿已人工修改"},
    "actions.status_now": {"en": "Status: {status}", "zh": "状态：{status}"},
    "actions.export_csv": {"en": "Download replies (CSV)", "zh": "下载回复（CSV）"},
    "actions.export_xlsx": {"en": "Download replies (Excel)", "zh": "下载回复（Excel）"},
    "actions.use_llm": {"en": "Draft this page with the LLM", "zh": "用大模型撰写本页草稿"},
    "actions.col.priority": {"en": "Priority", "zh": "优先级"},
    "actions.col.severity": {"en": "Severity", "zh": "严重度"},
    "actions.col.low_rating": {"en": "Low rating", "zh": "低分"},
    "actions.col.recency": {"en": "Recency", "zh": "新近度"},
    "actions.col.emerging": {"en": "Emerging issue", "zh": "新问题"},
    "actions.col.themes": {"en": "Themes", "zh": "主题"},
    "actions.col.problems": {"en": "Problems", "zh": "问题类型"},
    "actions.col.status": {"en": "Status", "zh": "状态"},
    "themes.llm_name": {"en": "Name from the LLM; the theme's label is “{label}”. Rename it below to keep this name.",
                        "zh": "名称由大模型给出；主题标签为“{label}”。如需保留这个名称，请在下方重命名。"},
    "problem.size": {"en": "Size / fit", "zh": "尺码"},
    "problem.quality": {"en": "Quality / broken", "zh": "质量 / 损坏"},
    "problem.battery": {"en": "Battery", "zh": "电池"},
    "problem.packaging": {"en": "Packaging", "zh": "包装"},
    "problem.delivery": {"en": "Delivery", "zh": "物流"},
    "problem.service": {"en": "Customer service", "zh": "客服"},
    "problem.returns": {"en": "Returns / refunds", "zh": "退换货"},
    "problem.price": {"en": "Price / value", "zh": "价格 / 性价比"},
    "problem.skin": {"en": "Skin reaction", "zh": "皮肤不适"},
    "problem.other": {"en": "Other", "zh": "其他"},
    # ------------------------------------------------------------------------------ Products: recommendations
    "products.recommend": {"en": "Where another product of the category does better",
                           "zh": "同类商品中做得更好的地方"},
    "products.recommend_rule": {
        "en": "For each product's top complaints: products of the same category whose reviewers praise that same "
              "aspect. Never a product with fewer than {min_reviews} reviews, or fewer than {min_mentions} reviews "
              "that mention the aspect; at least 60% of those positive, more than the complaining product's. "
              "Delivery, packaging, service and returns are the shop's doing and are left out.",
        "zh": "针对每个商品最主要的问题：同类目中买家在同一方面给出好评的商品。评论少于 {min_reviews} 条、或提及该方面的"
              "评论少于 {min_mentions} 条的商品一律不推荐；这些评论中至少 60% 为好评，且高于被抱怨商品。物流、包装、"
              "客服和退换货取决于店铺而非商品，不在此列。"},
    "products.no_recommend": {
        "en": "No recommendation: no product of the same category with enough reviews is praised for what another "
              "is criticised for.",
        "zh": "暂无推荐：同类目中没有评论足够多、且在其他商品被批评的方面获得好评的商品。"},
    "products.rec_product": {"en": "Product", "zh": "商品"},
    "products.rec_complaint": {"en": "Complaint", "zh": "问题"},
    "products.rec_complaints": {"en": "Complaining reviews", "zh": "差评数"},
    "products.rec_other": {"en": "Praised alternative", "zh": "获好评的同类商品"},
    "products.rec_mentions": {"en": "Its reviews that mention it", "zh": "其提及该方面的评论数"},
    "products.rec_share": {"en": "Share of its reviews", "zh": "占其评论比例"},
    "products.rec_positive": {"en": "Positive", "zh": "好评比例"},
    "products.rec_negative": {"en": "Negative", "zh": "差评比例"},
    "products.rec_polarity": {"en": "Mean clause polarity", "zh": "平均情感"},
    "products.rec_quote1": {"en": "Quote 1", "zh": "原文 1"},
    "products.rec_quote2": {"en": "Quote 2", "zh": "原文 2"},
}

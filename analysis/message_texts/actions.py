"""The texts of the reply queue, the recommendations and the optional LLM endpoint (``analysis.actions``), English and
Chinese."""

ACTIONS: dict[str, dict[str, str]] = {
    "replies.bad_status": {
        "en": "'{status}' is not a reply status; use one of {statuses}.",
        "zh": "“{status}”不是回复状态；请使用 {statuses} 之一。"},
    "replies.bad_format": {
        "en": "--out must end in .csv or .xlsx, not '{suffix}'; for example --out replies.csv.",
        "zh": "--out 的文件名必须以 .csv 或 .xlsx 结尾，而不是“{suffix}”；例如 --out replies.csv。"},
    "replies.written": {
        "en": "{n} reviews need an answer ({open} open, {sent} sent, {skipped} skipped); written to {out}.",
        "zh": "{n} 条评论需要回复（待处理 {open}、已发送 {sent}、已跳过 {skipped}）；已写入 {out}。"},
    "replies.drafting": {"en": "Drafting with the LLM: {done}/{total}", "zh": "大模型撰写草稿：{done}/{total}"},
    "replies.notice": {"en": "note: {text}", "zh": "提示：{text}"},
    "replies.drafted_by": {
        "en": "Drafts: {llm} from the LLM, {template} from the templates.",
        "zh": "回复草稿：{llm} 条由大模型撰写，{template} 条来自模板。"},
    # ------------------------------------------------------------------------------------------- the LLM endpoint
    "llm.off": {
        "en": "No LLM endpoint is set (REVIEW_INSIGHTS_LLM_BASE_URL), so nothing is sent anywhere: drafts and names "
              "come from the built-in templates.",
        "zh": "未设置大模型接口（REVIEW_INSIGHTS_LLM_BASE_URL），不会向任何地方发送数据：回复草稿和名称来自内置模板。"},
    "llm.no_model": {
        "en": "REVIEW_INSIGHTS_LLM_BASE_URL is set but REVIEW_INSIGHTS_LLM_MODEL is not; set the model's name (for "
              "example qwen2.5:7b) to use the endpoint. Until then the templates are used and nothing is sent.",
        "zh": "已设置 REVIEW_INSIGHTS_LLM_BASE_URL，但没有设置 REVIEW_INSIGHTS_LLM_MODEL；请填写模型名称"
              "（例如 qwen2.5:7b）后才会使用该接口。在此之前使用模板，不发送任何数据。"},
    "llm.local": {
        "en": "LLM: {model} at {host}, on this machine; review text stays here.",
        "zh": "大模型：{model}，地址 {host}，运行在本机；评论内容不会离开这台机器。"},
    "llm.remote_blocked": {
        "en": "The LLM endpoint {host} is not on this machine: using it would send review text off this machine, so "
              "nothing is sent. To allow it, set REVIEW_INSIGHTS_LLM_ALLOW_REMOTE=1; until then the templates are "
              "used.",
        "zh": "大模型接口 {host} 不在本机：使用它会把评论内容发送到这台机器之外，因此不发送任何数据。如需允许，请设置 "
              "REVIEW_INSIGHTS_LLM_ALLOW_REMOTE=1；在此之前使用模板。"},
    "llm.remote_allowed": {
        "en": "Review text WILL LEAVE THIS MACHINE: it is sent to {host} ({model}), because "
              "REVIEW_INSIGHTS_LLM_ALLOW_REMOTE=1 allows it. Unset it to keep review text here.",
        "zh": "评论内容将离开这台机器：它会被发送到 {host}（{model}），因为 REVIEW_INSIGHTS_LLM_ALLOW_REMOTE=1 "
              "允许这样做。取消该设置即可让评论内容留在本机。"},
    "llm.failed": {
        "en": "The LLM at {host} did not answer ({error}); the template version is used instead.",
        "zh": "{host} 上的大模型没有应答（{error}）；已改用模板版本。"},
    "llm.unusable": {
        "en": "The LLM at {host} gave an answer that cannot be used ({reason}); the template version is used "
              "instead.",
        "zh": "{host} 上的大模型给出的回答无法使用（{reason}）；已改用模板版本。"},
    "llm.stopped": {
        "en": "The LLM at {host} failed {n} times in a row; nothing more is sent to it in this run, and the templates "
              "are used.",
        "zh": "{host} 上的大模型连续 {n} 次失败；本次不再向它发送请求，改用模板。"},
    "llm.no_client": {
        "en": "The openai package is not installed, so the LLM endpoint cannot be used; install it with "
              "pip install -r requirements.txt. The templates are used.",
        "zh": "未安装 openai 包，无法使用大模型接口；请运行 pip install -r requirements.txt 安装。已改用模板。"},
}

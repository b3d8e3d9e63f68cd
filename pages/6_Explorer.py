"""Explorer: filter and search reviews (by keyword or by meaning, across languages), read them whole, export them."""

from __future__ import annotations

import numpy as np
import streamlit as st

from analysis.encoders import same_vectors
from analysis.insights import semantic_scores
from analysis.io import to_csv_bytes, to_xlsx_bytes
from ui.common import active_result, models, setup_page, shown_values, sidebar_filters
from ui.explain import explain_clauses
from ui.i18n import t

FEELING = "general_feeling"  # the theme filter's key for reviews that only vent or praise in general

setup_page("explorer.title")
result, name = active_result()
st.caption(t("common.showing", name=name, n=len(result.reviews)))
reviews = sidebar_filters(result.reviews)

cols = st.columns(3)
sentiments = {t(f"sentiment.{s}"): s for s in ("negative", "neutral", "positive")}
picked_sentiments = cols[0].multiselect(t("explorer.sentiment"), list(sentiments), placeholder=t("filter.all"))
theme_names = {f"{r.label} ({r.theme_id})": int(r.theme_id) for r in result.themes.itertuples()}
if "general_feeling" in reviews and reviews["general_feeling"].fillna(False).astype(bool).any():
    # venting and generic praise: no theme by design, yet findable
    theme_names[t("explorer.general_feeling")] = FEELING
picked_themes = cols[1].multiselect(t("explorer.theme"), list(theme_names), placeholder=t("filter.all"))
picked_stars = cols[2].multiselect(t("explorer.stars"), [1, 2, 3, 4, 5], placeholder=t("filter.all"))

if picked_sentiments:
    reviews = reviews[reviews["sentiment_label"].isin([sentiments[s] for s in picked_sentiments])]
if picked_themes:
    wanted = {str(theme_names[n]) for n in picked_themes}
    keep = reviews["theme_ids"].str.split(";").map(lambda ids: bool(wanted & set(ids)))
    if str(FEELING) in wanted:
        keep |= reviews["general_feeling"].fillna(False).astype(bool)
    reviews = reviews[keep]
if picked_stars:
    reviews = reviews[reviews["rating"].round().isin(picked_stars)]

search = st.columns(2)
keyword = search[0].text_input(t("explorer.keyword"), key="ri_keyword")
query = search[1].text_input(t("explorer.semantic"), help=t("explorer.semantic_help"), key="ri_semantic")
if keyword:
    reviews = reviews[reviews["text"].str.contains(keyword, case=False, regex=False)]
reviews = reviews.assign(similarity=np.nan)
if query:
    embedder, _ = models()
    if result.embeddings is None or not same_vectors(result.models.get("embedding", ""), embedder.model_id):
        st.warning(t("explorer.no_embeddings"))
    else:
        scores = semantic_scores(embedder, query, result.embeddings[reviews.index.to_numpy()])
        reviews = reviews.assign(similarity=scores.round(3))
        reviews = reviews[reviews["similarity"] >= 0.3].sort_values("similarity", ascending=False)

st.markdown("**" + t("explorer.count", n=len(reviews)) + "**")
shown = reviews[["text", "product", "date", "rating", "sentiment_label", "sentiment_score", "theme_label",
                 "language", "similarity"]]
headers = {"text": t("col.text"), "product": t("col.product"), "date": t("col.date"), "rating": t("col.stars"),
           "sentiment_label": t("col.label"), "sentiment_score": t("col.score"), "theme_label": t("col.theme"),
           "language": t("col.language"), "similarity": t("col.similarity")}
if not query:
    shown = shown.drop(columns=["similarity"])
if "general_feeling" in reviews:  # a blank theme that is general feeling says so
    shown = shown.assign(theme_label=shown["theme_label"].where(~reviews["general_feeling"].fillna(False).astype(bool),
                                                                t("explorer.general_feeling")))
event = st.dataframe(shown_values(shown).rename(columns=headers), hide_index=True, width="stretch", on_select="rerun",
                     selection_mode="single-row", key="ri_explorer_table",
                     column_config={t("col.text"): st.column_config.TextColumn(width="large")})
selected = event.selection.rows if event is not None else []
if selected:
    st.markdown("**" + t("explorer.selected") + "**")
    picked = str(shown.iloc[selected[0]]["text"])
    st.text(picked)
    explain_clauses(picked)
else:
    st.caption(t("explorer.select_hint"))

export = result.output_frame().loc[reviews.index]
stem = name.rsplit(".", 1)[0] or "reviews"
downloads = st.columns(3)
# Files are built only when clicked (callables), not on every rerun; a click does not rerun the page: that rerun
# raced the deferred file, and the button could stay on its spinner.
downloads[0].download_button(t("explorer.export_csv"), lambda: to_csv_bytes(export), f"{stem}-reviews.csv",
                             "text/csv", key="ri_dl_csv", on_click="ignore")
downloads[1].download_button(t("explorer.export_xlsx"),
                             lambda: to_xlsx_bytes({"reviews": export, "themes": result.themes}),
                             f"{stem}-reviews.xlsx", key="ri_dl_xlsx", on_click="ignore",
                             mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
downloads[2].download_button(t("explorer.export_themes"), lambda: to_csv_bytes(result.themes), f"{stem}-themes.csv",
                             "text/csv", key="ri_dl_themes", on_click="ignore")

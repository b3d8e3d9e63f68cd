"""Themes: complaint and praise themes with their words and quotes; drill into one; rename and merge in place."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.insights.charts import theme_bars
from analysis.runs import with_themes
from ui.common import charts_download, open_analysis_page, plot, show_result, shown_values
from ui.i18n import as_markdown_text, t
from ui.llm import endpoint, human_names, show_notices, show_status

# The review list follows the sidebar filters; the themes describe the whole analysis.
result, name, view = open_analysis_page("themes.title")
themes = result.themes
theme_result = result.theme_result
if themes is None or themes.empty or theme_result is None:
    st.info(t("themes.none"))
    st.stop()
st.caption(t("themes.unthemed", share=theme_result.unthemed_share))
feeling = theme_result.general_feeling
if len(feeling):  # venting and generic praise, shown apart: never a complaint theme
    with st.expander(t("themes.feeling", n=len(feeling), share=len(feeling) / max(len(theme_result.assignments), 1))):
        for text in theme_result.texts.iloc[feeling[:5]]:
            st.text("“" + " ".join(str(text).split())[:200] + "”")  # review text as plain text, never markup

complaints = theme_result.complaint_themes()
praises = theme_result.praise_themes()
left, right = st.columns(2)
with left:
    if len(complaints):
        plot(theme_bars(complaints, "negative_mentions", "chart.complaint_themes", t), "complaint_chart")
with right:
    if len(praises):
        plot(theme_bars(praises, "positive_mentions", "chart.praise_themes", t), "praise_chart")

llm = endpoint()
names = human_names(llm, result)  # a short human name per theme from the LLM endpoint, when one is set
if llm.base_url:
    show_status(llm)
show_notices(llm)
labels = {int(r.theme_id): (f"{names[int(r.theme_id)]} ({r.label})" if int(r.theme_id) in names else str(r.label))
          + f"  ·  {t('kind.' + r.kind)}  ·  {int(r.size)}" for r in themes.itertuples()}
ordered = themes.sort_values("size", ascending=False)["theme_id"].astype(int).tolist()
picked = st.selectbox(t("themes.pick"), ordered, format_func=labels.get, key="ri_theme_pick")
theme = themes.set_index("theme_id").loc[picked]

st.subheader(as_markdown_text(names[picked]) if picked in names else str(theme["label"]))
if picked in names:
    st.caption(as_markdown_text(t("themes.llm_name", label=str(theme["label"]))))
st.markdown("**" + t("themes.keywords") + ":** " + ", ".join(map(str, theme["keywords"])))
mix = pd.DataFrame([{t("sentiment.negative"): f"{theme['negative_share']:.0%}",
                     t("sentiment.positive"): f"{theme['positive_share']:.0%}",
                     t("col.mentions"): int(theme["size"]), t("col.share"): f"{theme['share']:.1%}"}])
st.markdown("**" + t("themes.mix") + "**")
st.dataframe(mix, hide_index=True)
quote_sets = [("themes.complaint_quotes", theme.get("complaint_quotes")), ("themes.praise_quotes",
                                                                            theme.get("praise_quotes"))]
for key, quotes in quote_sets:
    if quotes is not None and len(quotes):
        st.markdown("**" + t(key) + "**")
        for quote in quotes:
            st.text("“" + str(quote) + "”")

in_theme = view.reviews[view.reviews["theme_ids"].str.split(";").map(lambda ids: str(picked) in ids)]
st.markdown("**" + t("themes.reviews", n=len(in_theme)) + "**")
st.dataframe(
    shown_values(in_theme[["text", "product", "date", "rating", "sentiment_label"]]).rename(columns={
        "text": t("col.text"), "product": t("col.product"), "date": t("col.date"), "rating": t("col.stars"),
        "sentiment_label": t("col.label")}),
    hide_index=True, width="stretch", key="ri_theme_reviews",
)

with st.expander(t("themes.edit")):
    # the LLM's name is offered as the new label; renaming keeps the theme's id
    new_label = st.text_input(t("themes.rename_to"), value=names.get(picked, str(theme["label"])),
                              key="ri_rename_label")
    if st.button(t("themes.rename"), key="ri_rename"):
        show_result(with_themes(result, theme_result.rename(picked, new_label)), name)
        st.success(t("themes.changed"))
        st.rerun()
    to_merge = st.multiselect(t("themes.merge_pick"), ordered, format_func=labels.get, key="ri_merge_ids")
    merged_label = st.text_input(t("themes.merge_label"), key="ri_merge_label")
    if st.button(t("themes.merge"), key="ri_merge", disabled=len(to_merge) < 2):
        show_result(with_themes(result, theme_result.merge(to_merge, merged_label or None)), name)
        st.success(t("themes.changed"))
        st.rerun()

charts_download("Themes")

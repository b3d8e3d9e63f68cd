"""Report: the period in one page for a manager, previewed here and downloaded as offline HTML or PDF."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from analysis.messages import message
from analysis.report import (
    ReportError,
    make_report,
    pdf_browser,
    report_charts,
    report_facts,
    report_months,
    write_narrative,
)
from analysis.report.facts import MIN_PRODUCT_REVIEWS, NEGATIVE_GAP, SATISFACTION_DROP
from analysis.report.period import default_period, month_period
from analysis.report.price import price_words_shown
from ui.common import active_result, plot, setup_page
from ui.i18n import LANGUAGES, as_markdown_text, current_language, say, t
from ui.llm import endpoint, show_status

setup_page("report_page.title")
result, name = active_result()
st.caption(t("common.showing", name=name, n=len(result.reviews)))
st.caption(t("report_page.intro"))
language = current_language()
st.caption(t("report_page.language", language=LANGUAGES[language]))

# ------------------------------------------------------------------------------------------------ the period
dates = result.reviews["date"]
default = default_period(dates)
start = end = None
if default is not None:  # without dates the report covers every review, and its notice says so
    kinds = {t("report_page.kind_month"): "month", t("report_page.kind_days"): "days"}
    kind = kinds[st.radio(t("report_page.kind"), list(kinds), horizontal=True, key=f"ri_report_kind_{language}")]
    if kind == "month":
        # options are the months' names (AppTest formats options outside the session), mapped back to the months
        months = {month_period(m).label(language): m for m in report_months(dates)}
        names = list(months)
        default_name = default.label(language)
        picked = months[st.selectbox(t("report_page.month"), names, key=f"ri_report_month_{language}",
                                     index=names.index(default_name) if default_name in names else 0)]
        start, end = picked, picked + pd.offsets.MonthEnd(0)
    else:
        low, high = dates.min().date(), dates.max().date()
        chosen = st.date_input(t("report_page.days"), value=(default.start.date(), min(default.end.date(), high)),
                               min_value=low, max_value=high, key="ri_report_days")
        if not isinstance(chosen, (tuple, list)) or len(chosen) != 2:
            st.info(t("report_page.pick_both"))
            st.stop()
        start, end = pd.Timestamp(chosen[0]), pd.Timestamp(chosen[1])

_CACHE = "_ri_report_facts"
key = (id(result), name, str(start), str(end))
cached = st.session_state.get(_CACHE)
if cached is None or cached[0] != key:
    try:
        facts = report_facts(result, name, start, end)
    except ReportError as exc:
        st.error(as_markdown_text(say(exc.message)))
        st.stop()
    st.session_state[_CACHE] = cached = (key, facts)
facts = cached[1]

# ------------------------------------------------------------------------------------------------ downloads
file_stem = f"report-{(facts.period.start.strftime('%Y-%m-%d') if facts.period is not None else 'all')}-{language}"


llm = endpoint()
if llm.configured:  # the opening paragraph is asked of the endpoint: say first where the report's numbers go
    show_status(llm)
writer = (lambda prompt: llm.write("report.narrative", prompt)) if llm.configured else None


def _html() -> bytes:
    return make_report(result, name, start, end, language, facts=facts, writer=writer).html.encode("utf-8")


left, right = st.columns(2)
left.download_button(t("report_page.download_html"), _html, f"{file_stem}.html", "text/html", key="ri_report_html",
                     on_click="ignore",
                     icon="📄")
with right:
    if pdf_browser() is None:
        st.info(as_markdown_text(say(message("report.no_pdf_browser"))))
    elif st.button(t("report_page.make_pdf"), key="ri_report_make_pdf"):
        with st.spinner(t("report_page.making_pdf")):
            try:
                st.session_state["_ri_report_pdf"] = (key, language, make_report(
                    result, name, start, end, language, facts=facts, writer=writer).pdf())
            except ReportError as exc:
                st.error(as_markdown_text(say(exc.message)))
    made = st.session_state.get("_ri_report_pdf")
    if made is not None and made[:2] == (key, language):
        st.download_button(t("report_page.download_pdf"), made[2], f"{file_stem}.pdf", "application/pdf",
                           key="ri_report_pdf", icon="🖨️")

# ------------------------------------------------------------------------------------------------ the preview
st.divider()
st.subheader(t("report_page.preview"))
period_line = say(message("report.period_line", period=facts.period.label(language),
                          previous=facts.period.previous_label(language))) if facts.period is not None \
    else say(message("report.all_reviews"))
st.caption(period_line)
for notice in facts.notices:
    st.info(as_markdown_text(say(notice)))

narrative = write_narrative(facts, language)
st.markdown("#### " + as_markdown_text(say(message("report.h_summary"))))
st.markdown(as_markdown_text(narrative.text))
if narrative.notice is not None:
    st.caption(as_markdown_text(say(narrative.notice)))


def _value(x: float, digits: int, unit: str = "") -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{digits}f}{unit}"


st.markdown("#### " + as_markdown_text(say(message("report.h_numbers"))))
k = facts.kpis
columns = st.columns(4)
shown = {"reviews": ("report.kpi_reviews", 0, "", "normal"), "satisfaction": ("report.kpi_satisfaction", 1, "", "normal"),
         "negative": ("report.kpi_negative", 1, "%", "inverse"), "stars": ("report.kpi_stars", 2, "", "normal")}
labels = {"report.kpi_reviews": message("report.kpi_reviews"), "report.kpi_satisfaction":
          message("report.kpi_satisfaction"), "report.kpi_negative": message("report.kpi_negative"),
          "report.kpi_stars": message("report.kpi_stars")}
for column, (metric, (code, digits, unit, colour)) in zip(columns, shown.items()):
    change = k.at[metric, "change"]
    delta = None if math.isnan(change) else f"{change:+,.{digits}f}{' pp' if metric == 'negative' else ''}"
    column.metric(say(labels[code]), _value(k.at[metric, "current"], digits, unit), delta, delta_color=colour,
                  help=t("report_page.change", previous=facts.period.previous_label(language))
                  if facts.period is not None else None)
charts = report_charts(facts, language)
if "trend" in charts:
    plot(charts["trend"], "report_trend")

st.markdown("#### " + as_markdown_text(say(message("report.h_complaints"))))
if facts.complaints.empty:
    st.caption(say(message("report.none_complaints")))
else:
    st.dataframe(pd.DataFrame({
        say(message("report.col_theme")): facts.complaints["label"].astype(str),
        say(message("report.col_reviews")): facts.complaints["reviews"].astype(int),
        say(message("report.col_share")): facts.complaints["share"].round(1),
        say(message("report.col_change_pp")): facts.complaints["change"].round(1),
        say(message("report.col_quote")): facts.complaints["quote"].astype(str),
    }), hide_index=True, width="stretch")
    if "complaints" in charts:
        plot(charts["complaints"], "report_complaints")

st.markdown("#### " + as_markdown_text(say(message("report.h_emerging"))))
st.caption(say(message("report.emerging_rule")))
if facts.emerging.empty:
    st.caption(say(message("report.none_emerging" if facts.period is not None else "report.emerging_needs_dates")))
for issue in facts.emerging.itertuples():
    with st.container(border=True):
        st.text(f"⚠ {issue.label} · {issue.product}: {issue.share:.1f}% ← {issue.baseline_share:.1f}%")
        for quote in list(issue.quotes)[:2]:
            st.text("“" + str(quote) + "”")

st.markdown("#### " + as_markdown_text(say(message("report.h_at_risk"))))
st.caption(say(message("report.risk_rule", reviews=MIN_PRODUCT_REVIEWS, drop=SATISFACTION_DROP, gap=NEGATIVE_GAP)))
reasons = {"emerging": message("report.risk_emerging"), "falling": message("report.risk_falling"),
           "negative": message("report.risk_negative")}
if facts.at_risk.empty:
    st.caption(say(message("report.none_at_risk")))
else:
    st.dataframe(pd.DataFrame({
        say(message("report.col_product")): facts.at_risk["product"],
        say(message("report.col_reviews")): facts.at_risk["reviews"],
        say(message("report.kpi_satisfaction")): facts.at_risk["satisfaction"].round(1),
        say(message("report.col_previous")): facts.at_risk["previous_satisfaction"].round(1),
        say(message("report.kpi_negative")): facts.at_risk["negative"].round(1),
        say(message("report.col_reasons")): facts.at_risk["reasons"].map(lambda r: "; ".join(say(reasons[x]) for x in r)),
    }), hide_index=True, width="stretch")

st.markdown("#### " + as_markdown_text(say(message("report.h_praise"))))
st.caption(say(message("report.praise_rule")))
if facts.praise.empty:
    st.caption(say(message("report.none_praise")))
for praise in facts.praise.itertuples():
    with st.container(border=True):
        st.text(f"{praise.label} · " + t("report_page.count", reviews=int(praise.reviews), share=praise.share))
        for quote in praise.quotes:
            st.text("“" + str(quote) + "”")

st.markdown("#### " + as_markdown_text(say(message("report.h_price"))))
st.caption(say(message("report.price_rule", words=price_words_shown(language))))
if facts.price.empty or not facts.price.iloc[0]["price_reviews"]:
    st.caption(say(message("report.none_price")))
else:
    everyone = say(message("report.all_products"))
    st.dataframe(pd.DataFrame({
        say(message("report.col_product")): facts.price["product"].map(lambda p: p or everyone),
        say(message("report.col_reviews")): facts.price["reviews"],
        say(message("report.col_price_reviews")): facts.price["price_reviews"],
        say(message("report.col_share")): facts.price["share"].round(1),
        say(message("report.price_positive")): facts.price["positive_share"].round(0),
        say(message("report.price_negative")): facts.price["negative_share"].round(0),
    }), hide_index=True, width="stretch")
    if "price" in charts:
        plot(charts["price"], "report_price")

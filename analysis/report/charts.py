"""The report's charts as pure functions from its facts to Plotly figures (the page draws them, the HTML embeds them
as images); titles in the reader's language, colours and fonts those of the dashboard's charts."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.insights.charts import FONT, SENTIMENT_COLORS
from analysis.messages import message
from analysis.report.facts import ReportFacts

HIGHLIGHT, MUTED = "#0072B2", "#A6CBE3"


def _layout(fig: go.Figure, title: str, height: int = 340) -> go.Figure:
    fig.update_layout(title=title, height=height, width=760, font_family=FONT, template="plotly_white",
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, legend_title_text="",
                      legend={"orientation": "h", "y": -0.18})
    return fig


def _short(label: object, length: int = 28) -> str:
    text = str(label)
    return text if len(text) <= length else text[:length - 1] + "…"


def trend_chart(facts: ReportFacts, language: str = "en") -> go.Figure | None:
    """Reviews per month (the period's month darker) and the satisfaction index as a line."""
    trend = facts.trend
    if trend.empty:
        return None
    months = pd.to_datetime(trend["period"])
    inside = facts.period.contains(months) if facts.period is not None else pd.Series(False, index=trend.index)
    fig = go.Figure()
    reviews = message("report.chart_reviews").render(language)
    satisfaction = message("report.chart_satisfaction").render(language)
    fig.add_bar(x=months, y=trend["reviews"], name=reviews, marker_color=[HIGHLIGHT if x else MUTED for x in inside],
                hovertemplate="%{x|%Y-%m}: %{y}<extra></extra>")
    fig.add_scatter(x=months, y=trend["satisfaction"].round(1), mode="lines+markers", name=satisfaction, yaxis="y2",
                    line={"color": "#D55E00"}, hovertemplate="%{x|%Y-%m}: %{y}<extra></extra>")
    fig.update_layout(yaxis={"title": reviews, "rangemode": "tozero", "tickformat": ",d"},
                      yaxis2={"title": satisfaction, "overlaying": "y", "side": "right", "range": [0, 100],
                              "showgrid": False, "tickmode": "auto"},
                      xaxis={"tickformat": "%Y-%m"})
    return _layout(fig, message("report.chart_trend").render(language))


def complaints_chart(facts: ReportFacts, language: str = "en") -> go.Figure | None:
    """Share of the period's reviews mentioning each top complaint, against the previous period's."""
    table = facts.complaints
    if table.empty:
        return None
    labels = [_short(x) for x in table["label"]][::-1]
    fig = go.Figure()
    if facts.period is not None:
        fig.add_bar(y=labels, x=table["previous_share"].round(1)[::-1], orientation="h", marker_color=MUTED,
                    name=facts.period.previous_label(language), hovertemplate="%{y}: %{x}%<extra></extra>")
    name = facts.period.label(language) if facts.period is not None else message("report.all_reviews").render(language)
    fig.add_bar(y=labels, x=table["share"].round(1)[::-1], orientation="h", marker_color=SENTIMENT_COLORS["negative"],
                name=name, hovertemplate="%{y}: %{x}%<extra></extra>")
    fig.update_layout(barmode="group", xaxis_title=message("report.chart_share").render(language))
    return _layout(fig, message("report.chart_complaints").render(language), height=120 + 46 * len(table))


def price_chart(facts: ReportFacts, language: str = "en") -> go.Figure | None:
    """Per product: of the reviews that mention price or value, the share that speak of it well and badly."""
    table = facts.price.iloc[1:]
    if table.empty:
        return None
    labels = [_short(x) for x in table["product"]][::-1]
    fig = go.Figure()
    for column, color, code in (("positive_share", SENTIMENT_COLORS["positive"], "report.price_positive"),
                                ("negative_share", SENTIMENT_COLORS["negative"], "report.price_negative")):
        fig.add_bar(y=labels, x=table[column].round(1)[::-1], orientation="h", marker_color=color,
                    name=message(code).render(language), hovertemplate="%{y}: %{x}%<extra></extra>")
    fig.update_layout(barmode="group", xaxis={"title": message("report.chart_price_axis").render(language),
                                              "range": [0, 100]})
    return _layout(fig, message("report.chart_price").render(language), height=120 + 40 * len(table))


def report_charts(facts: ReportFacts, language: str = "en") -> dict[str, go.Figure]:
    """The charts that have data, by section: trend, complaints, price."""
    made = {"trend": trend_chart(facts, language), "complaints": complaints_chart(facts, language),
            "price": price_chart(facts, language)}
    return {key: fig for key, fig in made.items() if fig is not None}

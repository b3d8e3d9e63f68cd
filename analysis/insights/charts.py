"""Pure functions from result tables to Plotly figures; the pages only place them.

Every figure has a title, axis titles and hover text with counts. Text comes through ``tr`` (the interface's
translation lookup) so this module needs no UI import; colours follow the Okabe-Ito palette, which colour-blind
readers can tell apart: negative vermillion, neutral grey, positive blue.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.insights.trends import satisfaction_index

SENTIMENT_COLORS = {"negative": "#D55E00", "neutral": "#999999", "positive": "#0072B2"}
SENTIMENTS = ("negative", "neutral", "positive")
QUALITATIVE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
DIVERGING = [[0.0, "#D55E00"], [0.5, "#F7F7F7"], [1.0, "#0072B2"]]
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, Arial, sans-serif"

Translate = Callable[[str], str]


def _default_tr(key: str) -> str:
    return key.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = 380) -> go.Figure:
    fig.update_layout(title=title, xaxis_title=x, yaxis_title=y, height=height, font_family=FONT,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, legend_title_text="", template="plotly_white")
    return fig


def sentiment_distribution(reviews: pd.DataFrame, tr: Translate = _default_tr) -> go.Figure:
    counts = reviews["sentiment_label"].value_counts().reindex(SENTIMENTS, fill_value=0)
    total = max(int(counts.sum()), 1)
    fig = go.Figure(go.Bar(
        x=[tr(f"sentiment.{s}") for s in SENTIMENTS], y=counts.to_numpy(),
        marker_color=[SENTIMENT_COLORS[s] for s in SENTIMENTS],
        customdata=(counts / total * 100).round(1).to_numpy(),
        hovertemplate="%{x}: %{y} " + tr("chart.reviews_unit") + " (%{customdata}%)<extra></extra>",
    ))
    return _layout(fig, tr("chart.sentiment_distribution"), tr("chart.sentiment"), tr("chart.reviews"))


def stars_vs_sentiment(reviews: pd.DataFrame, tr: Translate = _default_tr) -> go.Figure:
    """Share of each text sentiment per star rating: where stars and words disagree shows at a glance."""
    rated = reviews.dropna(subset=["rating"]).assign(stars=lambda f: f["rating"].round().astype(int))
    table = pd.crosstab(rated["stars"], rated["sentiment_label"]).reindex(index=range(1, 6), columns=SENTIMENTS,
                                                                          fill_value=0)
    shares = table.div(table.sum(axis=1).replace(0, 1), axis=0) * 100
    fig = go.Figure()
    for s in SENTIMENTS:
        fig.add_bar(x=[f"{i}★" for i in table.index], y=shares[s].round(1), name=tr(f"sentiment.{s}"),
                    marker_color=SENTIMENT_COLORS[s], customdata=table[s].to_numpy(),
                    hovertemplate="%{x} · " + tr(f"sentiment.{s}") + ": %{customdata} " + tr("chart.reviews_unit")
                    + " (%{y}%)<extra></extra>")
    fig.update_layout(barmode="stack")
    return _layout(fig, tr("chart.stars_vs_sentiment"), tr("chart.stars"), tr("chart.share_percent"))


def product_satisfaction(reviews: pd.DataFrame, tr: Translate = _default_tr) -> go.Figure:
    groups = reviews.dropna(subset=["product"]).groupby("product")
    table = pd.DataFrame({"index": groups["sentiment_score"].apply(satisfaction_index),
                          "reviews": groups.size()}).sort_values("index")
    fig = go.Figure(go.Bar(
        x=table["index"].round(1), y=table.index, orientation="h", customdata=table["reviews"],
        marker={"color": table["index"], "colorscale": DIVERGING, "cmin": 0, "cmax": 100},
        hovertemplate="%{y}: %{x} (%{customdata} " + tr("chart.reviews_unit") + ")<extra></extra>",
    ))
    return _layout(fig, tr("chart.product_satisfaction"), tr("chart.satisfaction_index"), tr("chart.product"),
                   height=max(300, 40 * len(table) + 80))


def satisfaction_lines(trend: pd.DataFrame, tr: Translate = _default_tr, markers: pd.DataFrame | None = None
                       ) -> go.Figure:
    """One line per group over time. ``trend``: period (timestamp), group, satisfaction, reviews."""
    fig = go.Figure()
    for i, (group, part) in enumerate(trend.groupby("group", sort=True)):
        part = part.sort_values("period")
        fig.add_scatter(x=part["period"], y=part["satisfaction"].round(1), mode="lines+markers", name=str(group),
                        line_color=QUALITATIVE[i % len(QUALITATIVE)], customdata=part["reviews"],
                        hovertemplate=f"{group}<br>%{{x|%Y-%m-%d}}: %{{y}} (%{{customdata}} "
                        + tr("chart.reviews_unit") + ")<extra></extra>")
    if markers is not None and len(markers):
        fig.add_scatter(x=markers["period"], y=markers["y"], mode="markers", name=tr("chart.emerging_issue"),
                        marker={"symbol": "triangle-up", "size": 14, "color": "#D55E00"},
                        text=markers["label"], hovertemplate="%{text}<extra></extra>")
    fig.update_yaxes(range=[0, 100])
    return _layout(fig, tr("chart.satisfaction_over_time"), tr("chart.period"), tr("chart.satisfaction_index"))


def theme_volume(volume: pd.DataFrame, tr: Translate = _default_tr) -> go.Figure:
    """Stacked areas of mentions per theme over time. ``volume``: period, label, reviews."""
    fig = go.Figure()
    for i, (label, part) in enumerate(volume.groupby("label", sort=False)):
        part = part.sort_values("period")
        fig.add_scatter(x=part["period"], y=part["reviews"], name=str(label), stackgroup="one", mode="lines",
                        line_color=QUALITATIVE[i % len(QUALITATIVE)],
                        hovertemplate=f"{label}<br>%{{x|%Y-%m-%d}}: %{{y}} " + tr("chart.reviews_unit")
                        + "<extra></extra>")
    return _layout(fig, tr("chart.theme_volume"), tr("chart.period"), tr("chart.reviews"))


def theme_bars(themes: pd.DataFrame, count_column: str, title_key: str, tr: Translate = _default_tr) -> go.Figure:
    """Themes by how many reviews mention them, coloured by their mean sentiment."""
    table = themes.sort_values(count_column).tail(15)
    fig = go.Figure(go.Bar(
        x=table[count_column], y=table["label"].astype(str), orientation="h",
        marker={"color": table["mean_sentiment"], "colorscale": DIVERGING, "cmin": -1, "cmax": 1,
                "colorbar": {"title": tr("chart.mean_sentiment")}},
        customdata=np.stack([table["mean_sentiment"].round(2), table["keywords"].map(_join_words)], axis=1),
        hovertemplate="%{y}: %{x} " + tr("chart.reviews_unit") + "<br>" + tr("chart.mean_sentiment")
        + ": %{customdata[0]}<br>%{customdata[1]}<extra></extra>",
    ))
    return _layout(fig, tr(title_key), tr("chart.reviews"), tr("chart.theme"), height=max(300, 32 * len(table) + 90))


def product_theme_heatmap(matrix: pd.DataFrame, counts: pd.DataFrame, tr: Translate = _default_tr) -> go.Figure:
    """Share (%) of each product's reviews that mention each theme; ``counts`` gives the numbers behind it."""
    fig = go.Figure(go.Heatmap(
        z=matrix.to_numpy(), x=[str(c) for c in matrix.columns], y=[str(i) for i in matrix.index],
        customdata=counts.to_numpy(), colorscale="Blues", colorbar={"title": "%"},
        hovertemplate="%{y} · %{x}: %{z:.1f}% (%{customdata} " + tr("chart.reviews_unit") + ")<extra></extra>",
    ))
    return _layout(fig, tr("chart.product_theme_heatmap"), tr("chart.theme"), tr("chart.product"),
                   height=max(320, 36 * len(matrix) + 160))


def confusion_matrix_figure(matrix: pd.DataFrame, tr: Translate = _default_tr) -> go.Figure:
    fig = go.Figure(go.Heatmap(
        z=matrix.to_numpy(), x=[tr(f"sentiment.{c}") for c in matrix.columns],
        y=[tr(f"sentiment.{c}") for c in matrix.index], colorscale="Blues", texttemplate="%{z}",
        hovertemplate=tr("chart.actual") + " %{y} · " + tr("chart.predicted") + " %{x}: %{z}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, tr("chart.confusion_matrix"), tr("chart.predicted"), tr("chart.actual"))


def drivers_bars(drivers: pd.DataFrame, tr: Translate = _default_tr) -> go.Figure:
    """Themes that go with 1-2 star ratings: ``drivers`` has label, effect (percentage points), reviews."""
    table = drivers.sort_values("effect").tail(12)
    fig = go.Figure(go.Bar(
        x=table["effect"].round(1), y=table["label"].astype(str), orientation="h", marker_color="#D55E00",
        customdata=table["reviews"],
        hovertemplate="%{y}: +%{x} pp (%{customdata} " + tr("chart.reviews_unit") + ")<extra></extra>",
    ))
    return _layout(fig, tr("chart.drivers"), tr("chart.low_rating_lift"), tr("chart.theme"),
                   height=max(300, 32 * len(table) + 90))


def _join_words(words: object) -> str:
    if isinstance(words, (list, tuple, np.ndarray)):
        return ", ".join(map(str, words))
    return str(words)


def figures_html(figures: list[go.Figure], title: str) -> bytes:
    """Several figures in one offline HTML page: Plotly's JavaScript is inlined once, nothing is fetched."""
    from html import escape

    parts = [fig.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, fig in enumerate(figures)]
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head><body>"
            + "".join(parts) + "</body></html>")
    return page.encode("utf-8")

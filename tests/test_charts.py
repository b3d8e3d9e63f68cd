"""Chart functions on real analysis output: titles, axis labels, hover counts, colours, offline HTML."""

from __future__ import annotations

import re

import pytest

from analysis.insights import charts, satisfaction_over_time
from ui.i18n import TEXT


def english(key: str) -> str:
    return TEXT[key]["en"]


@pytest.fixture(scope="module")
def figures(small_result):
    reviews = small_result.reviews
    theme_result = small_result.theme_result
    return [
        charts.sentiment_distribution(reviews, english),
        charts.stars_vs_sentiment(reviews, english),
        charts.product_satisfaction(reviews, english),
        charts.satisfaction_lines(satisfaction_over_time(reviews, by="product"), english),
        charts.theme_bars(theme_result.complaint_themes(), "negative_mentions", "chart.complaint_themes", english),
    ]


def test_every_chart_has_title_axis_titles_and_hover_counts(figures):
    for fig in figures:
        layout = fig.layout
        assert layout.title.text and layout.xaxis.title.text and layout.yaxis.title.text
        for trace in fig.data:
            assert "reviews" in (trace.hovertemplate or ""), trace.hovertemplate


def test_sentiment_colours_are_the_colour_blind_safe_scheme(figures):
    assert list(figures[0].data[0].marker.color) == ["#D55E00", "#999999", "#0072B2"]
    assert [t.marker.color for t in figures[1].data] == ["#D55E00", "#999999", "#0072B2"]


def test_translations_reach_titles_and_axes(small_result):
    texts = {"chart.sentiment_distribution": "评论情感分布", "chart.sentiment": "情感", "chart.reviews": "评论数"}
    fig = charts.sentiment_distribution(small_result.reviews, lambda key: texts.get(key, key))
    assert fig.layout.title.text == "评论情感分布" and fig.layout.yaxis.title.text == "评论数"


def test_html_export_is_self_contained(figures):
    html = charts.figures_html(figures, "Overview").decode("utf-8")
    assert html.count("<div id=") >= len(figures)
    assert not re.search(r"<script[^>]+src=[\"']https?:", html)  # nothing fetched from the internet
    assert html.count("Plotly.newPlot") == len(figures)

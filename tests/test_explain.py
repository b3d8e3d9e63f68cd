"""Clause occlusion with the real fast model: the praise clause of a mixed review pushes up, the complaint down."""

from __future__ import annotations

import pytest

from analysis.insights import explain_review
from analysis.insights.explain import clause_spans
from analysis.sentiment import load_sentiment_model


@pytest.fixture(scope="module")
def model():
    return load_sentiment_model("default")


@pytest.mark.parametrize("text, up, down", [
    ("The fabric is soft and the colour is lovely, but the zip broke after two days and support never answered.",
     "The fabric is soft and the colour is lovely", "but the zip broke after two days and support never answered."),
    ("物流很快，包装也不错，但是用了三天就坏了，客服也不理人。", "包装也不错", "客服也不理人。"),
])
def test_each_clause_pushes_the_score_its_own_way(model, text, up, down):
    explanation = explain_review(model, text)
    pushes = {c.text: c.push for c in explanation.clauses}
    assert pushes[up] > 0.1 and pushes[down] < -0.1
    # the review is scored in one call with its variants: on a CPU with AMX the call's size moves the last bits of
    # the bfloat16 encoder (measured 6e-8 on an Intel Xeon), nothing a reader sees
    assert explanation.score == pytest.approx(float(model.predict([text]).scores[0]), abs=1e-6)
    assert all(text[c.start:c.end] == c.text for c in explanation.clauses)


def test_a_one_clause_review_has_no_pushes(model):
    explanation = explain_review(model, "Love it")
    assert explanation.clauses == () and explanation.label == "positive"


def test_clause_spans_cover_the_text_in_order():
    text = "<b>Great</b> value.  But =HYPERLINK(\"x\") arrived late!"
    spans = clause_spans(text)
    assert len(spans) >= 2 and all(a < b for a, b in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))

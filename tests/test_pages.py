"""AppTest runs of every page: each renders without an exception and shows what it promises."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def run_page(relative: str, language: str = "en", **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / relative), default_timeout=120)
    at.session_state["ri_lang"] = language
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_home_describes_the_app_and_shows_sample_kpis():
    at = run_page("app.py")
    assert not at.exception
    assert metrics(at)["Reviews"] == "2,000"
    assert metrics(at)["Products"] == "10"
    assert any("Upload" in m.value for m in at.markdown)


def test_home_speaks_chinese():
    at = run_page("app.py", language="zh")
    assert not at.exception
    assert at.title[0].value == "评论洞察"
    assert metrics(at)["评论数"] == "2,000"


def test_upload_reads_the_sample_by_default():
    at = run_page("pages/1_Upload.py")
    assert not at.exception
    m = metrics(at)
    assert (m["Rows read"], m["Rows kept"], m["Rows rejected"]) == ("2,000", "2,000", "0")
    roles = {s.label: s.value for s in at.selectbox}
    assert roles["Review text"] == "review" and roles["Rating"] == "rating" and roles["Date"] == "date"


def test_upload_role_override_rereads_the_file():
    at = run_page("pages/1_Upload.py")
    at.selectbox(key="role_text").select("product").run()
    assert not at.exception
    assert at.selectbox(key="role_text").value == "product"
    assert at.session_state["ri_table"].reviews["text"].iloc[0] in {
        p for p in at.session_state["ri_table"].data["product"]
    }


@pytest.mark.parametrize("language", ["en", "zh"])
def test_upload_waits_for_a_file(language):
    at = run_page("pages/1_Upload.py", language=language)
    at.radio(key="ri_source_choice").set_value(at.radio(key="ri_source_choice").options[1]).run()
    assert not at.exception
    assert at.info  # says what to do


# ------------------------------------------------------------------------------------------------- analysis pages
import json


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def values(data) -> list:
    """Plotly 7 writes numeric arrays as base64 typed arrays; turn either form into a list."""
    import base64

    import numpy as np

    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def main_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [x.value for x in at.text]
    return "\n".join(map(str, parts))


def test_overview_kpis_charts_and_tables():
    at = run_page("pages/2_Overview.py")
    assert not at.exception
    assert metrics(at)["Reviews"] == "2,000"
    sentiment, stars = figures(at)[:2]
    assert sentiment["layout"]["title"]["text"] == "Sentiment of the reviews"
    assert sum(values(sentiment["data"][0]["y"])) == 2000
    assert [trace["name"] for trace in stars["data"]] == ["Negative", "Neutral", "Positive"]
    complaints, products = at.dataframe[0].value, at.dataframe[1].value
    planted = json.loads((ROOT / "sample_data" / "sample_truth.json").read_text(encoding="utf-8"))["complaint_themes"]
    planted_words = "|".join(word for theme in planted for word in theme["keywords"])
    assert len(complaints) == 5 and complaints["Keywords"].str.contains(planted_words).all()  # the planted ones
    assert len(products) == 10


def test_overview_speaks_chinese_in_charts():
    at = run_page("pages/2_Overview.py", language="zh")
    assert not at.exception
    assert figures(at)[0]["layout"]["title"]["text"] == "评论情感分布"
    assert "满意度指数" in metrics(at)


def test_trends_show_lines_and_the_planted_emerging_issue():
    at = run_page("pages/3_Trends.py")
    assert not at.exception
    satisfaction = figures(at)[0]
    names = [trace["name"] for trace in satisfaction["data"]]
    assert "SmartFit Watch S3" in names and "Emerging issue" in names
    assert "SmartFit Watch S3" in main_text(at)
    assert "strap" in main_text(at) or "表带" in main_text(at)  # the alert says what the rising reviews are about


def test_themes_page_lists_complaints_and_drills_down():
    at = run_page("pages/4_Themes.py")
    assert not at.exception
    complaint_chart = figures(at)[0]
    assert complaint_chart["layout"]["title"]["text"] == "Complaint themes"
    labels = " ".join(values(complaint_chart["data"][0]["y"]))
    assert any(word in labels for word in ("包装", "package", "box"))
    theme_ids = at.selectbox(key="ri_theme_pick").options
    at.selectbox(key="ri_theme_pick").set_value(at.selectbox(key="ri_theme_pick").value).run()
    assert "Reviews in this theme" in main_text(at) and len(theme_ids) >= 5


def test_themes_rename_changes_every_page():
    at = run_page("pages/4_Themes.py")
    picked = at.selectbox(key="ri_theme_pick").value
    at.text_input(key="ri_rename_label").input("Late parcels").run()
    at.button(key="ri_rename").click().run()
    assert not at.exception
    result = at.session_state["ri_result"]
    assert result.themes.set_index("theme_id").loc[picked, "label"] == "Late parcels"
    assert (result.reviews.loc[result.reviews["theme_id"] == picked, "theme_label"] == "Late parcels").all()


def test_products_heatmap_comparison_and_drivers():
    at = run_page("pages/5_Products.py")
    assert not at.exception
    kinds = [fig["data"][0]["type"] for fig in figures(at)]
    assert "heatmap" in kinds
    heatmap = figures(at)[kinds.index("heatmap")]
    assert len(values(heatmap["data"][0]["y"])) == 10
    assert len([m for m in at.metric if m.label == "Satisfaction index"]) == 2


def test_explorer_semantic_search_crosses_languages():
    at = run_page("pages/6_Explorer.py")
    at.text_input(key="ri_semantic").input("battery dies quickly").run()
    assert not at.exception
    table = at.dataframe[0].value
    top = table.head(10)["Review"].tolist()
    assert any("电" in text for text in top), top  # Chinese battery complaints found by an English query
    assert table["Similarity"].is_monotonic_decreasing


def test_explorer_keyword_filter():
    at = run_page("pages/6_Explorer.py")
    at.text_input(key="ri_keyword").input("物流").run()
    table = at.dataframe[0].value
    assert len(table) > 10 and table["Review"].str.contains("物流").all()


@pytest.mark.parametrize(("language", "option"), [("en", "General feeling (no specific aspect)"),
                                                  ("zh", "整体感受（未提具体方面）")])
def test_explorer_finds_the_general_feeling_reviews_and_names_their_theme(language, option):
    """Venting and bare praise have no theme by design: the Explorer lists them under their own filter and says so in
    the theme column instead of leaving it blank like a review nothing fits."""
    at = run_page("pages/6_Explorer.py", language=language)
    from analysis.text import split_sentences, tokenize

    theme_filter = next(m for m in at.multiselect if option in m.options)
    theme_filter.select(option).run()
    assert not at.exception
    table = at.dataframe[0].value
    theme, text = ("Theme", "Review") if language == "en" else ("主题", "评论")
    assert 5 <= len(table) <= 100 and (table[theme] == option).all(), table.head()
    assert all(not tokenize(s) for review in table[text] for s in split_sentences(review))  # they name nothing


def test_model_page_quality_against_stars():
    at = run_page("pages/7_Model.py")
    assert not at.exception
    m = metrics(at)
    assert 0.5 < float(m["Accuracy"]) <= 1.0 and "AUC-ROC" in m
    assert figures(at)[0]["data"][0]["type"] == "heatmap"


@pytest.mark.parametrize(
    ("page", "message"),
    [("pages/3_Trends.py", "no date column"), ("pages/5_Products.py", "no product column"),
     ("pages/7_Model.py", "no star ratings")],
)
def test_empty_states_say_what_to_do(bare_result, page, message):
    at = run_page(page, ri_result=bare_result, ri_result_name="bare.csv")
    assert not at.exception
    assert any(message in i.value and "Upload page" in i.value for i in at.info)


def test_upload_run_save_then_open_from_home():
    at = run_page("pages/1_Upload.py")
    at.button(key="ri_run").click().run()
    assert not at.exception
    assert figures(at)[0]["layout"]["title"]["text"] == "Sentiment of the reviews"
    at.text_input[0].input("Sample run for the team")
    at.button[-1].click().run()  # the save form's submit button
    assert not at.exception
    assert any("Saved as" in s.value for s in at.success)
    computed = at.session_state["ri_result"]

    home = run_page("app.py")
    assert "Sample run for the team" in home.dataframe[0].value.iloc[:, 0].tolist()
    home.selectbox(key="ri_saved_pick").set_value("Sample run for the team")
    home.button(key="ri_open").click().run()
    assert not home.exception
    opened = home.session_state["ri_result"]
    assert opened.timings == computed.timings  # reopened as saved, not recomputed
    assert opened.reviews["sentiment_label"].tolist() == computed.reviews["sentiment_label"].tolist()


def test_upload_role_can_be_set_to_not_used():
    at = run_page("pages/1_Upload.py")
    at.selectbox(key="role_date").select("(not used)").run()
    assert not at.exception
    assert at.selectbox(key="role_date").value == "(not used)"
    assert at.session_state["ri_table"].reviews["date"].isna().all()


def test_explorer_table_values_follow_the_interface_language():
    """Under 中文 the sentiment and language columns read 负面/正面, 中文/英文, and a date without a time of day
    shows no 00:00:00."""
    at = run_page("pages/6_Explorer.py", language="zh")
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["情感"]) <= {"负面", "中性", "正面"} and {"负面", "正面"} <= set(table["情感"])
    assert set(table["语言"]) <= {"中文", "英文", "中英混合", "其他"}
    dates = table["日期"].astype(str)
    assert dates.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()

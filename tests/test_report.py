"""The period report: its facts on the shipped sample analysis (the planted complaints and the planted emerging
issue appear), the period rules, price words, the narrative's writer fallback, the offline HTML (Chinese, escaped
review text, embedded charts), the PDF (text read back), a real dated file through the pipeline, and the CLI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from analysis.config import SAMPLE_ANALYSIS, SAMPLE_ANALYSIS_NAME
from analysis.report import (
    ReportError,
    choose_period,
    default_period,
    make_report,
    mentions_price,
    narrative_prompt,
    pdf_browser,
    report_facts,
    write_narrative,
)
from analysis.store import Workspace

ROOT = Path(__file__).resolve().parents[1]
TRUTH = json.loads((ROOT / "sample_data" / "sample_truth.json").read_text(encoding="utf-8"))
SCRIPT = "<script>alert('review')</script>"
# pypdf reads some glyphs back as the radical that shares them: Kangxi radicals NFKC-normalise, the simplified ones not
SIMPLIFIED_RADICALS = str.maketrans({"\u2ec5": "见", "\u2ed3": "长", "\u2edb": "风", "\u2ed4": "门", "\u2ee2": "马",
                                     "\u2ec9": "贝", "\u2ed0": "钅", "\u2ee0": "饣"})
needs_browser = pytest.mark.skipif(pdf_browser() is None, reason="no Chrome/Chromium to print PDFs or draw charts")


@pytest.fixture(scope="module")
def workspace_file(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("report") / "workspace.duckdb"
    shutil.copyfile(SAMPLE_ANALYSIS, copy)
    return copy


@pytest.fixture(scope="module")
def sample(workspace_file):
    return Workspace(workspace_file).open(SAMPLE_ANALYSIS_NAME)


@pytest.fixture(scope="module")
def facts(sample):
    return report_facts(sample, "sample")


def test_the_default_period_is_the_last_full_month_against_the_one_before(sample, facts):
    assert sample.reviews["date"].max() == pd.Timestamp("2026-11-24")  # November is not over in the data
    assert (facts.period.start, facts.period.end) == (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31"))
    assert facts.period.label("en") == "October 2026" and facts.period.label("zh") == "2026年10月"
    months = sample.reviews["date"].dt.to_period("M").astype(str).value_counts()
    k = facts.kpis
    assert (k.at["reviews", "current"], k.at["reviews", "previous"]) == (months["2026-10"], months["2026-09"])
    october = sample.reviews[sample.reviews["date"].dt.to_period("M").astype(str) == "2026-10"]
    assert k.at["negative", "current"] == pytest.approx((october["sentiment_label"] == "negative").mean() * 100)
    assert k.at["stars", "current"] == pytest.approx(october["rating"].mean())
    assert k.at["satisfaction", "change"] == pytest.approx(k.at["satisfaction", "current"]
                                                           - k.at["satisfaction", "previous"])


def test_the_planted_complaints_lead_with_their_change_and_a_quote_of_the_period(sample, facts):
    planted = "|".join(word for theme in TRUTH["complaint_themes"] for word in theme["keywords"])
    complaints = facts.complaints
    assert len(complaints) == 5
    assert complaints["keywords"].map(" ".join).str.contains(planted).all()
    october = set(sample.reviews.loc[facts.period.contains(sample.reviews["date"]), "text"].map(
        lambda t: " ".join(t.split())))
    assert complaints["quote"].isin(october).all()  # each quote is a review of the period, as written
    assert complaints["change"].round(6).equals((complaints["share"] - complaints["previous_share"]).round(6))


def test_the_planted_emerging_issue_makes_its_product_at_risk(facts):
    planted = TRUTH["emerging_issue"]
    issues = facts.emerging
    assert planted["product"] in set(issues["product"])
    quotes = " ".join(q for qs in issues["quotes"] for q in qs)
    assert any(word in quotes for word in ("表带", "strap", "band"))
    assert pd.Timestamp(planted["start_month"]) in set(issues["first_period"])  # the onset found
    at_risk = facts.at_risk.set_index("product")
    assert "emerging" in at_risk.loc[planted["product"], "reasons"]
    assert (facts.at_risk["reviews"] >= 10).all()


def test_praise_quotes_are_positive_reviews_of_the_period_and_price_is_perceived_well(sample, facts):
    positive = sample.reviews[(sample.reviews["sentiment_label"] == "positive")
                              & facts.period.contains(sample.reviews["date"])]
    assert len(facts.praise) >= 3 and all(len(q) >= 1 for q in facts.praise["quotes"])
    assert {q for qs in facts.praise["quotes"] for q in qs} <= set(positive["text"].map(lambda t: " ".join(t.split())))
    everyone = facts.price.iloc[0]
    assert everyone["product"] == "" and everyone["reviews"] == facts.reviews
    assert 10 < everyone["share"] < 60  # the planted "great value" praise
    assert everyone["positive_share"] > everyone["negative_share"]


def test_price_words_in_both_languages():
    said = pd.Series(["Great value for the price", "太贵了", "性价比很高", "便宜又好用", "priceless moments",
                      "nice costume", "Worth every penny", "音质很好"])
    assert mentions_price(said).tolist() == [True, True, True, True, False, False, True, False]


def test_period_rules_and_errors():
    days = pd.Series(pd.to_datetime(["2026-01-05", "2026-02-10", "2026-03-31"]))
    assert default_period(days).start == pd.Timestamp("2026-03-01")  # March is complete
    assert default_period(pd.Series(pd.to_datetime(["2026-03-02", "2026-03-20"]))).start == pd.Timestamp("2026-03-01")
    assert default_period(pd.Series([pd.NaT, pd.NaT])) is None
    chosen = choose_period(days, "2026-02-01", "2026-02-14")
    assert (chosen.previous_start, chosen.previous_end) == (pd.Timestamp("2026-01-18"), pd.Timestamp("2026-01-31"))
    assert choose_period(days, "2026-02-01", "2026-02-28").calendar_month
    for start, end, code in (("2026-02-31", None, "report.bad_date"), ("2026-03-01", "2026-02-01",
                                                                        "report.end_before_start"),
                             ("2025-01-01", "2025-01-31", "report.empty_period")):
        with pytest.raises(ReportError) as raised:
            choose_period(days, start, end)
        assert raised.value.message.code == code and raised.value.message.render("zh") != str(raised.value)
    with pytest.raises(ReportError, match="no dates"):
        choose_period(pd.Series([pd.NaT]), "2026-01-01")


def test_the_narrative_falls_back_to_the_template_and_says_so(facts):
    template = write_narrative(facts, "en")
    assert template.source == "template" and template.notice.code == "report.narrative_template"
    assert template.text.startswith("October 2026: 175 reviews") and facts.complaints["label"].iloc[0] in template.text
    assert write_narrative(facts, "zh").text.startswith("2026年10月：共 175 条评论")
    asked: list[str] = []
    written = write_narrative(facts, "zh", lambda prompt: asked.append(prompt) or "本月评论稳定。")
    assert (written.text, written.source, written.notice) == ("本月评论稳定。", "writer", None)
    assert "Simplified Chinese" in asked[0] and "175" in asked[0]
    assert not any(quote in asked[0] for quote in facts.complaints["quote"])  # no review text leaves in a prompt
    assert write_narrative(facts, "en", lambda prompt: None).notice.code == "report.narrative_no_answer"
    failed = write_narrative(facts, "en", lambda prompt: 1 / 0)
    assert failed.notice.code == "report.narrative_failed" and failed.text == template.text
    assert narrative_prompt(facts, "en").count("\n- ") >= 4


def test_the_report_of_data_without_dates_covers_all_reviews(sample):
    undated = replace(sample, reviews=sample.reviews.assign(date=pd.NaT))
    facts = report_facts(undated, "undated")
    assert facts.period is None and facts.reviews == len(sample.reviews)
    assert [n.code for n in facts.notices] == ["report.no_dates"] and facts.emerging.empty
    assert "2,000" in make_report(undated, "undated", charts=False, facts=facts).html


def test_an_analysis_without_themes_still_reports_numbers_and_price(sample, facts):
    plain = report_facts(replace(sample, theme_result=None), "plain")
    assert [n.code for n in plain.notices] == ["report.no_themes"]
    assert plain.complaints.empty and plain.praise.empty and plain.emerging.empty
    assert plain.kpis.equals(facts.kpis)
    assert plain.price.iloc[0]["price_reviews"] > 0  # from the review texts and their sentiment


def test_charts_without_a_browser_leave_the_tables_and_say_what_to_install(facts, monkeypatch, tmp_path):
    from analysis.report import report_charts
    from analysis.report.images import chart_images

    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chrome"))
    images, notice = chart_images(report_charts(facts, "zh"))
    assert images == {} and notice.code == "report.no_chart_browser"
    assert "apt-get install chromium" in notice.render("zh")


class _Text(HTMLParser):
    """The text a browser shows, and every tag it would build."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.add(tag)

    def handle_data(self, data) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def hostile_report(sample):
    """The Chinese report of the sample where every review and one theme name carry markup."""
    reviews = sample.reviews.assign(text=SCRIPT + " " + sample.reviews["text"])
    top = report_facts(sample).complaints["theme_id"].iloc[0]
    theme_result = sample.theme_result.rename(int(top), "<img src=x onerror=alert(1)> 坏了")
    return make_report(replace(sample, reviews=reviews, theme_result=theme_result), "样例 <b>demo</b>",
                       language="zh")


@needs_browser
def test_the_html_opens_offline_in_chinese_with_review_text_escaped(hostile_report):
    page = hostile_report.html
    parsed = _Text()
    parsed.feed(page)
    shown = "".join(parsed.text)
    assert "评论报告：样例 <b>demo</b>" in shown and "主要差评" in shown and "可用于营销的好评" in shown
    assert SCRIPT in shown and "<img src=x onerror=alert(1)> 坏了" in shown  # shown as text...
    assert "script" not in parsed.tags and parsed.tags.isdisjoint({"b", "iframe", "link"})  # ...never as markup
    assert len(re.findall(r"<img class='chart'[^>]+src='data:image/png;base64,", page)) == 3
    assert not re.search(r"(?:src|href)\s*=\s*['\"]?(?:https?:)?//", page)  # nothing to fetch
    assert "Noto Sans CJK SC" in page


@needs_browser
def test_the_pdf_holds_the_chinese_text_and_the_quotes(hostile_report):
    from pypdf import PdfReader

    pdf = hostile_report.pdf()
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(__import__("io").BytesIO(pdf))
    text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in reader.pages)).translate(
        SIMPLIFIED_RADICALS)
    flat = re.sub(r"\s+", "", text)
    assert "评论报告" in flat and "主要差评" in flat and "风险商品" in flat and "价格感知" in flat
    assert "SmartFitWatchS3" in flat and "<script>alert('review')</script>" in flat
    assert len(reader.pages) >= 2


@pytest.mark.slow
def test_a_real_dated_file_gets_its_period_comparison(shared_data, tmp_path):
    """300 real Amazon Alexa reviews (June and July 2018) through the pipeline, then their report."""
    from analysis.config import Settings
    from analysis.io import read_reviews
    from analysis.runs import analyze

    reviews = pd.read_csv(shared_data / "en_amazon_alexa.csv.gz")
    month = pd.to_datetime(reviews["date"]).dt.to_period("M").astype(str)
    part = pd.concat([reviews[month == "2018-06"].head(120), reviews[month == "2018-07"].head(180)])
    path = tmp_path / "alexa-300.csv"
    part[["review_id", "product_name", "date", "rating", "text"]].to_csv(path, index=False)
    settings = replace(Settings.from_env(), embedding_cache_dir=str(tmp_path / "cache"))
    result = analyze(read_reviews(path), settings)
    made = make_report(result, "alexa", language="en", charts=False)
    facts = made.facts
    assert facts.period.label("en") == "July 2018" and facts.period.previous_label("en") == "June 2018"
    kept = result.reviews["date"].dt.to_period("M").astype(str).value_counts()  # rows the ingest kept
    assert kept["2018-07"] >= 170 and kept["2018-06"] >= 110
    now, before = kept["2018-07"], kept["2018-06"]
    assert (facts.kpis.at["reviews", "current"], facts.kpis.at["reviews", "previous"]) == (now, before)
    volume = round((now - before) / before * 100)
    assert f"July 2018: {now} reviews ({volume:+d}% against the period before)" in made.narrative.text
    assert len(facts.complaints) >= 1 and facts.price.iloc[0]["reviews"] == now
    assert "compared with June 2018" in made.html


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "report", *args], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=env)


def test_cli_writes_a_report_for_chosen_days(workspace_file, tmp_path):
    import os

    env = {**os.environ, "REVIEW_INSIGHTS_WORKSPACE_PATH": str(workspace_file)}
    out = tmp_path / "report.html"
    done = run_cli(SAMPLE_ANALYSIS_NAME, "--out", str(out), "--start", "2026-10-05", "--end", "2026-10-20",
                   "--lang", "zh", env=env)
    assert done.returncode == 0, done.stderr
    assert "2026-10-05 至 2026-10-20" in out.read_text(encoding="utf-8") and str(out) in done.stdout
    failures = [
        ((SAMPLE_ANALYSIS_NAME, "--out", str(tmp_path / "r.html"), "--start", "2026-10-20", "--end", "2026-10-01"),
         {}, "ends (2026-10-01) before it starts"),
        ((SAMPLE_ANALYSIS_NAME, "--out", str(tmp_path / "r.html"), "--start", "2020-01-01", "--end", "2020-01-31"),
         {}, "the reviews run from 2025-10-01 to 2026-11-24"),
        (("no-such-analysis", "--out", str(tmp_path / "r.html")), {}, "no saved analysis called 'no-such-analysis'"),
        ((SAMPLE_ANALYSIS_NAME, "--out", str(tmp_path / "r.docx")), {}, "give a file ending in .html or .pdf"),
        ((SAMPLE_ANALYSIS_NAME, "--out", str(tmp_path / "r.pdf")), {"BROWSER_PATH": str(tmp_path / "no-browser")},
         "install it (apt-get install chromium)"),
    ]
    for args, extra, said in failures:
        done = run_cli(*args, env={**env, **extra})
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert said in done.stderr and "Traceback" not in done.stderr + done.stdout

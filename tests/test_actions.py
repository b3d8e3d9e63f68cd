"""The reply queue, its template drafts and the recommendations, on the shipped sample analysis and on a real file;
the workspace keeping edits and statuses; the `replies` command's export."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.actions import (
    EXPORT_COLUMNS,
    MIN_MENTIONS,
    MIN_REVIEWS,
    draft_table,
    recommendations,
    reply_queue,
    reply_table,
    template_reply,
)
from analysis.actions.templates import KIND_TEXTS
from analysis.config import SAMPLE_ANALYSIS, SAMPLE_ANALYSIS_NAME, SAMPLE_TRUTH
from analysis.store import Workspace, WorkspaceError

ROOT = Path(__file__).resolve().parents[1]
PLANTED_KINDS = {"battery_drain": "battery", "slow_delivery": "delivery", "size_small": "size",
                 "packaging_damaged": "packaging", "service_unresponsive": "service", "breaks_quickly": "quality",
                 "skin_irritation": "skin", "strap_breaks": "quality"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _copy_sample(folder: Path) -> Workspace:
    path = folder / "workspace.duckdb"
    shutil.copy(SAMPLE_ANALYSIS, path)  # never write to the shipped file
    return Workspace(path)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return _copy_sample(tmp_path_factory.mktemp("sample")).open(SAMPLE_ANALYSIS_NAME)


def test_the_queue_holds_negative_or_low_star_reviews_in_the_stated_priority(sample):
    queue = reply_queue(sample)
    reviews = sample.reviews
    needing = reviews[reviews["sentiment_label"].eq("negative") | reviews["rating"].le(2)]
    assert len(queue) == len(needing) and set(queue["review_id"]) == set(needing["review_id"])
    assert queue["priority"].is_monotonic_decreasing
    by_id = reviews.set_index("review_id")
    rows = by_id.loc[queue["review_id"]]
    np.testing.assert_allclose(queue["severity"], rows["p_negative"], atol=1e-4)
    np.testing.assert_allclose(queue["low_rating"], (5 - rows["rating"]) / 4, atol=1e-4)
    age = (reviews["date"].max() - rows["date"]).dt.days.to_numpy()
    np.testing.assert_allclose(queue["recency"], 0.5 ** (age / 30), atol=1e-3)
    formula = 100 * (0.40 * queue["severity"] + 0.25 * queue["low_rating"] + 0.20 * queue["recency"]
                     + 0.15 * queue["emerging"])
    np.testing.assert_allclose(queue["priority"], formula, atol=0.06)
    # the planted emerging issue: SmartFit Watch S3 straps breaking from July 2026, theme of the alert
    alert = sample.alerts.iloc[0]
    emerging = queue[queue["emerging"] == 1]
    assert len(emerging) >= 10
    assert (emerging["product"] == "SmartFit Watch S3").all()
    assert (emerging["date"] >= pd.Timestamp(alert["first_period"])).all()
    assert emerging["theme_ids"].map(lambda ids: int(alert["theme_id"]) in ids).all()
    assert queue.head(20)["emerging"].sum() >= 5  # an emerging issue moves its reviews up


def test_template_drafts_acknowledge_the_planted_complaints_in_the_reviews_language(sample):
    table = draft_table(sample)
    truth = json.loads(SAMPLE_TRUTH.read_text(encoding="utf-8"))["review_themes"]
    named = total = 0
    for row in table.itertuples():
        planted = [PLANTED_KINDS[p] for p in truth.get(row.review_id, []) if p in PLANTED_KINDS]
        total += len(planted)
        named += sum(kind in row.kinds for kind in planted)
        texts = KIND_TEXTS[row.kinds[0]][row.reply_language]
        if row.kinds[0] != "other":
            told = texts["sorry"] if len(row.kinds) == 1 else (texts["short"],)
            assert any(sentence in row.draft_reply for sentence in told), (row.text, row.draft_reply)
        assert row.product in row.draft_reply
        if row.reply_language == "zh":
            assert CJK.search(row.draft_reply) and "sorry" not in row.draft_reply.lower()
        else:
            assert "sorry" in row.draft_reply.lower() and not CJK.search(row.draft_reply.replace(row.product, ""))
    assert total > 500 and named / total >= 0.95  # measured 99.7% (648 of 650)
    assert set(table.loc[table["review_id"].isin(["R00100"]), "reply_language"]) <= {"zh"}
    # 50 drafts do not read alike, and the same review always gets the same draft
    assert table.head(50)["draft_reply"].nunique() >= 45
    sizes = table[table["kinds"].map(lambda k: k == ["size"])]
    assert sizes["draft_reply"].map(lambda d: d.split("。")[0].split(".")[0]).nunique() >= 5
    assert draft_table(sample)["draft_reply"].tolist() == table["draft_reply"].tolist()


def test_a_draft_names_the_problems_and_one_next_step():
    item = {"review_key": "k1", "product": "UrbanLite 羽绒服", "reply_language": "en", "kinds": ["size", "delivery"],
            "clauses": ["Way too tight", "Delivery took forever"]}
    draft = template_reply(item)
    assert "the size not being right and the long wait for delivery" in draft
    assert any(step in draft for step in KIND_TEXTS["size"]["en"]["next"])
    assert not any(step in draft for step in KIND_TEXTS["delivery"]["en"]["next"])
    other = template_reply({**item, "kinds": ["other"], "clauses": ["=cmd| the zipper jams all the time!!"]})
    assert "\u201c=cmd| the zipper jams all the time\u201d" in other  # quoted back as text, end punctuation trimmed
    offer = {"kind": "size", "other": "CozyKnit Sweater", "mentions": 30, "positive": 27}
    offered = template_reply({**item, "kinds": ["size"]}, offer)
    assert "praise the fit of the CozyKnit Sweater: 27 of 30 reviews that mention it are positive" in offered
    chinese = template_reply({**item, "reply_language": "zh", "kinds": ["size"]}, offer)
    assert "CozyKnit Sweater的尺码" in chinese and "30 条评价里有 27 条好评" in chinese


def moved_to(sample, new_product: str, texts: pd.Series, count: int):
    """The sample with ``count`` of the given reviews sold as a new product of the same category."""
    from dataclasses import replace

    reviews = sample.reviews.copy()
    chosen = texts.index[:count]
    reviews.loc[chosen, "product"] = new_product
    return replace(sample, reviews=reviews), chosen


def skin_praise(sample) -> pd.Series:
    """Beauty reviews whose clauses praise the skin theme ("干皮救星，一点都不油", "My skin feels so smooth") and say
    nothing negative at all, by the analysis's own clause polarities: each is one positive mention of the skin
    aspect."""
    reviews = sample.reviews
    beauty = reviews[reviews["category"].str.startswith("Beauty")]
    mentions = sample.theme_result.mentions[~sample.theme_result.mentions["context"]]
    skin_theme = int(sample.themes.loc[sample.themes["label"].str.contains("干皮"), "theme_id"].iloc[0])
    praised = set(mentions.loc[(mentions["theme_id"] == skin_theme) & (mentions["polarity"] == "positive"), "review"])
    unhappy = set(mentions.loc[mentions["polarity"].eq("negative") | (
        mentions["sentence"].str.contains("皮|skin|红|痒|肤", regex=True) & mentions["polarity"].ne("positive")),
        "review"])
    return beauty["text"].loc[sorted((praised - unhappy) & set(beauty.index))]


def test_recommendations_show_the_evidence_and_never_go_below_the_minimum(sample):
    assert recommendations(sample).empty  # in the sample no product of a category is praised for another's complaint
    beauty = sample.reviews[sample.reviews["category"].str.startswith("Beauty")]
    praise = skin_praise(sample)
    assert len(praise) >= MIN_REVIEWS + 5
    moved, chosen = moved_to(sample, "HydraCalm 保湿霜", praise, MIN_REVIEWS)
    found = recommendations(moved)
    skin = found[(found["product"] == "GlowSerum 精华液") & (found["kind"] == "skin")]
    assert skin["other"].tolist() == ["HydraCalm 保湿霜"]
    row = skin.iloc[0]
    assert row["other_reviews"] == MIN_REVIEWS and row["mentions"] == MIN_REVIEWS and row["positive"] == MIN_REVIEWS
    assert row["share"] == 1.0 and row["positive_share"] == 1.0 and row["negative_share"] == 0.0
    assert row["mean_polarity"] > 0.3
    own = moved.reviews.loc[moved.reviews["product"] == "GlowSerum 精华液", "text"]
    assert row["complaints"] >= 40 and row["product_positive_share"] < 0.6
    assert row["complaint_share"] == pytest.approx(row["complaints"] / len(own))
    quotes = {row["quote_1"], row["quote_2"]}
    assert len(quotes) == 2 and quotes <= set(sample.reviews.loc[chosen, "text"].map(lambda t: " ".join(t.split())))
    # the drafts to GlowSerum's skin complaints offer it
    table = draft_table(moved)
    offered = table[(table["product"] == "GlowSerum 精华液") & table["kinds"].map(lambda k: k[0] == "skin")]
    assert len(offered) and (offered["recommended"] == "HydraCalm 保湿霜").all()
    assert offered["draft_reply"].str.contains("HydraCalm 保湿霜").all()
    # one review short of the minimum: never recommended
    fewer, _ = moved_to(sample, "HydraCalm 保湿霜", praise, MIN_REVIEWS - 1)
    assert "HydraCalm 保湿霜" not in set(recommendations(fewer)["other"])
    # enough reviews, too few that mention the aspect: never recommended either
    plain = beauty["text"][~beauty["text"].str.contains("皮|skin|红|痒|刺激|痘|itchy|red|Broke|dry|干", regex=True)]
    mixed = pd.concat([praise.iloc[: MIN_MENTIONS - 1], plain.iloc[:30]])
    sparse, _ = moved_to(sample, "HydraCalm 保湿霜", mixed, len(mixed))
    assert "HydraCalm 保湿霜" not in set(recommendations(sparse)["other"])


@pytest.fixture(scope="module")
def real_fashion(tmp_path_factory, shared_data):
    """The real pipeline on 300 real Amazon fashion reviews (../shared/data), analysed once for this module."""
    from dataclasses import replace

    from analysis.config import Settings
    from analysis.io import read_reviews
    from analysis.runs import analyze

    frame = pd.read_csv(shared_data / "en_amazon2018_fashion.csv.gz").head(300)
    table = read_reviews(frame.to_csv(index=False).encode(), "fashion-300.csv")
    cache = tmp_path_factory.mktemp("fashion-cache")
    return analyze(table, replace(Settings.from_env(), embedding_cache_dir=str(cache)))


@pytest.mark.slow
def test_template_replies_on_a_real_file(real_fashion):
    table = draft_table(real_fashion)
    reviews = real_fashion.reviews
    assert len(table) == int((reviews["sentiment_label"].eq("negative") | reviews["rating"].le(2)).sum()) > 20
    assert (table["reply_language"] == "en").all() and table["draft_reply"].str.contains("sorry", case=False).all()
    sizing = table[table["text"].str.contains(r"\b(?:too small|wrong size|runs small|size)\b", case=False)]
    assert len(sizing) >= 3
    assert (sizing["kinds"].map(lambda k: "size" in k)).all()
    assert sizing["draft_reply"].str.contains("size", case=False).all()
    assert table["draft_reply"].nunique() >= 0.9 * len(table)
    found = recommendations(real_fashion)
    assert (found["other_reviews"] >= MIN_REVIEWS).all() and (found["mentions"] >= MIN_MENTIONS).all()
    per_product = reviews["product"].value_counts()
    assert not set(found["other"]) & set(per_product[per_product < MIN_REVIEWS].index)


def test_the_workspace_keeps_edits_and_statuses(tmp_path, sample):
    workspace = _copy_sample(tmp_path)
    first, second = draft_table(sample).head(2).itertuples()
    workspace.set_reply(SAMPLE_ANALYSIS_NAME, first.review_key, "Edited by a person.", "sent", True)
    workspace.set_reply(SAMPLE_ANALYSIS_NAME, second.review_key, second.draft_reply, "skipped", False)
    again = Workspace(workspace.path)  # another session
    table = reply_table(sample, again.replies(SAMPLE_ANALYSIS_NAME)).set_index("review_key")
    assert table.loc[first.review_key, ["draft_reply", "status", "drafted_by"]].tolist() == [
        "Edited by a person.", "sent", "edited"]
    assert table.loc[second.review_key, ["draft_reply", "status", "drafted_by"]].tolist() == [
        second.draft_reply, "skipped", "template"]
    assert (table.drop(index=[first.review_key, second.review_key])["status"] == "open").all()
    # saving the analysis again (a new id) keeps its replies; deleting it drops them
    again.save(sample, SAMPLE_ANALYSIS_NAME)
    assert len(again.replies(SAMPLE_ANALYSIS_NAME)) == 2
    with pytest.raises(WorkspaceError, match="not a reply status"):
        again.set_reply(SAMPLE_ANALYSIS_NAME, first.review_key, "x", "done", False)
    again.delete(SAMPLE_ANALYSIS_NAME)
    again.save(sample, SAMPLE_ANALYSIS_NAME)
    assert again.replies(SAMPLE_ANALYSIS_NAME).empty


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "replies", *args], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env={**os.environ, **env})


def test_the_replies_command_exports_csv_and_xlsx_with_formulas_neutralised(tmp_path, sample):
    from dataclasses import replace

    workspace = _copy_sample(tmp_path)
    queue = reply_queue(sample)
    reviews = sample.reviews.copy()
    target = reviews.index[reviews["review_id"] == queue["review_id"].iloc[0]][0]
    reviews.loc[target, "text"] = '=HYPERLINK("http://x","电池不耐用") ' + reviews.loc[target, "text"]
    workspace.save(replace(sample, reviews=reviews), "Formulas")
    key = reply_queue(replace(sample, reviews=reviews))["review_key"].iloc[3]
    workspace.set_reply("Formulas", key, "=1+1 a reply someone typed", "sent", True)
    env = {"REVIEW_INSIGHTS_WORKSPACE_PATH": str(workspace.path)}

    done = _cli(env, "Formulas", "--out", str(tmp_path / "replies.csv"))
    assert done.returncode == 0, done.stderr
    assert f"{len(queue)} reviews need an answer ({len(queue) - 1} open, 1 sent, 0 skipped)" in done.stdout
    exported = pd.read_csv(tmp_path / "replies.csv", encoding="utf-8-sig")
    assert exported.columns.tolist() == EXPORT_COLUMNS
    assert {"review_id", "text", "product", "rating", "priority", "themes", "draft_reply", "status"} <= set(
        exported.columns)
    assert len(exported) == len(queue) and exported["priority"].is_monotonic_decreasing
    assert exported["text"].iloc[0].startswith("'=HYPERLINK(")
    assert exported.loc[exported["status"] == "sent", "draft_reply"].tolist() == ["'=1+1 a reply someone typed"]
    assert not exported.astype(str).apply(lambda c: c.str.match(r"^[=+\-@]")).any().any()

    done = _cli(env, "Formulas", "--out", str(tmp_path / "sent.xlsx"), "--status", "sent")
    assert done.returncode == 0, done.stderr
    sheet = pd.read_excel(tmp_path / "sent.xlsx", sheet_name="replies")
    assert sheet["status"].tolist() == ["sent"] and sheet["draft_reply"].iloc[0].startswith("'=1+1")

    bad = _cli({**env, "REVIEW_INSIGHTS_CLI_LANGUAGE": "zh"}, "Formulas", "--out", str(tmp_path / "r.txt"))
    assert bad.returncode == 2 and "必须以 .csv 或 .xlsx 结尾" in bad.stderr and "Traceback" not in bad.stderr
    missing = _cli(env, "April", "--out", str(tmp_path / "a.csv"))
    assert missing.returncode == 2 and "no saved analysis called 'April'" in missing.stderr

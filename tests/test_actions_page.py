"""AppTest runs of the Actions page (the reply queue) and of the Products page's recommendations, in English and
Chinese."""

from __future__ import annotations

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from analysis.actions import MIN_REVIEWS, reply_queue
from analysis.config import SAMPLE_ANALYSIS, SAMPLE_ANALYSIS_NAME
from analysis.store import Workspace
from tests.test_actions import moved_to, skin_praise
from tests.test_pages import metrics, run_page


def download_labels(at: AppTest) -> list[str]:
    """AppTest has no download-button accessor: walk the element tree."""
    found: list[str] = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else []):
            if getattr(child, "type", None) == "download_button":
                found.append(child.proto.label)
            walk(child)

    walk(at._tree)
    return found


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("page-sample") / "workspace.duckdb"
    shutil.copy(SAMPLE_ANALYSIS, path)
    return Workspace(path).open(SAMPLE_ANALYSIS_NAME)


def test_the_queue_edits_and_statuses_are_kept_in_the_workspace(sample):
    from analysis.config import Settings

    at = run_page("pages/8_Actions.py")
    assert not at.exception
    queued = len(reply_queue(sample))
    before = metrics(at)
    assert sum(int(v.replace(",", "")) for v in before.values()) == queued
    assert any("Priority = 100 × (0.40 × severity" in c.value for c in at.caption)
    assert any("severity" in c.value and "recency" in c.value and "emerging" in c.value for c in at.caption)
    assert len(at.text_area) == 10 and at.text_area[0].value
    assert download_labels(at) == ["Download replies (CSV)", "Download replies (Excel)"]  # the browser test downloads
    first_key = at.text_area[0].key.removeprefix("ri_draft_")
    at.text_area[0].set_value("=SUM(1) Our own reply, written by hand.").run()
    at.button(key=f"ri_sent_{first_key}").click().run()
    assert not at.exception
    after = metrics(at)
    assert int(after["Sent"]) == int(before["Sent"]) + 1 and int(after["Open"]) == int(before["Open"]) - 1
    saved = Workspace(Settings.from_env().workspace_file).replies(SAMPLE_ANALYSIS_NAME).set_index("review_key")
    assert saved.loc[first_key, ["draft", "status", "edited"]].tolist() == [
        "=SUM(1) Our own reply, written by hand.", "sent", True]
    # the sent reply leaves the open queue and shows under "Sent", as edited
    assert first_key not in [a.key.removeprefix("ri_draft_") for a in at.text_area]
    at.multiselect(key="ri_actions_status").set_value(["Sent"]).run()
    assert at.text_area(key=f"ri_draft_{first_key}").value == "=SUM(1) Our own reply, written by hand."
    assert any("edited by you" in c.value for c in at.caption)
    at.button(key=f"ri_open_{first_key}").click().run()  # back to open, leaving the shared workspace as it was
    assert metrics(at)["Sent"] == before["Sent"]
    assert any("No reply matches these filters" in i.value for i in at.info)
    Workspace(Settings.from_env().workspace_file).set_reply(SAMPLE_ANALYSIS_NAME, first_key, None, "open", False)


def test_the_queue_speaks_chinese():
    at = run_page("pages/8_Actions.py", language="zh")
    assert not at.exception
    assert at.title[0].value == "行动：待回复队列"
    assert {"待处理", "已发送", "已跳过"} <= set(metrics(at))
    assert {"标记为已发送", "跳过", "保存草稿"} <= {b.label for b in at.button}
    assert any(c.value.startswith("优先级 = 100 ×") for c in at.caption)
    assert any(a.label.startswith("回复草稿（") for a in at.text_area)


def test_a_file_without_products_dates_or_stars_gets_drafts_for_this_session(bare_result):
    at = run_page("pages/8_Actions.py", ri_result=bare_result, ri_result_name="bare.csv")
    assert not at.exception
    assert any("not saved" in i.value for i in at.info)
    drafts = [a.value for a in at.text_area]
    assert drafts and all(("your order" in d or "您购买的商品" in d) for d in drafts)
    key = at.text_area[0].key.removeprefix("ri_draft_")
    at.button(key=f"ri_skip_{key}").click().run()
    assert not at.exception and metrics(at)["Skipped"] == "1"


def test_products_page_shows_recommendations_with_their_evidence(sample):
    at = run_page("pages/5_Products.py")
    assert not at.exception
    assert any("No recommendation" in i.value for i in at.info)
    moved, _ = moved_to(sample, "HydraCalm 保湿霜", skin_praise(sample), MIN_REVIEWS)
    at = run_page("pages/5_Products.py", language="zh", ri_result=moved, ri_result_name="moved")
    assert not at.exception
    table = next(d.value for d in at.dataframe if "获好评的同类商品" in d.value.columns)
    row = table[table["商品"] == "GlowSerum 精华液"].iloc[0]
    assert row["获好评的同类商品"] == "HydraCalm 保湿霜" and row["问题"] == "皮肤不适"
    assert row["好评比例"] == "100%" and row["其提及该方面的评论数"] == MIN_REVIEWS and row["原文 1"]


@pytest.fixture()
def llm_env(monkeypatch):
    """Point the app's settings at a local chat-completions server for one test, and back afterwards."""
    from pytest_httpserver import HTTPServer

    from ui.common import settings

    with HTTPServer(host="127.0.0.1", threaded=True) as server:
        def use(url: str, **extra: str) -> None:
            monkeypatch.setenv("REVIEW_INSIGHTS_LLM_BASE_URL", url)
            monkeypatch.setenv("REVIEW_INSIGHTS_LLM_RETRIES", "0")
            for key, value in {"REVIEW_INSIGHTS_LLM_MODEL": "qwen-test", **extra}.items():
                monkeypatch.setenv(key, value)
            settings.clear()

        yield server, use
    monkeypatch.undo()
    settings.clear()


def _answer(request):
    from werkzeug import Response

    body = request.get_json()
    asks_name = "Keywords:" in body["messages"][-1]["content"]
    content = "Slow strap support / 表带售后慢" if asks_name else "A reply the local model wrote."
    return Response(json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": "qwen-test",
                                "choices": [{"index": 0, "finish_reason": "stop",
                                             "message": {"role": "assistant", "content": content}}]}),
                    content_type="application/json")


def test_with_a_local_endpoint_drafts_and_theme_names_come_from_it(llm_env):
    server, use = llm_env
    server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(_answer)
    use(server.url_for("/v1"))
    at = run_page("pages/8_Actions.py")
    assert not at.exception
    assert any("on this machine; review text stays here" in c.value for c in at.caption)
    assert all(a.value == "A reply the local model wrote." for a in at.text_area)
    assert any("Draft written by the LLM" in c.value for c in at.caption)
    assert any("Slow strap support / 表带售后慢" in x.value for x in at.text)  # the theme's human name
    themes = run_page("pages/4_Themes.py")
    assert not themes.exception
    assert themes.subheader[0].value.startswith("Slow strap support")  # ids and labels stay, the name shows
    assert themes.text_input(key="ri_rename_label").value == "Slow strap support / 表带售后慢"
    asked = len(server.log)
    run_page("pages/8_Actions.py")
    assert len(server.log) == asked  # a second visit is answered from the workspace cache


def test_a_remote_endpoint_is_named_and_blocked_and_a_failure_is_shown(llm_env):
    import socket

    server, use = llm_env
    server.expect_request("/v1/chat/completions", method="POST").respond_with_data("no", status=500)
    use(f"http://{socket.gethostname()}:{server.port}/v1")
    at = run_page("pages/8_Actions.py", language="zh")
    assert not at.exception and server.log == []
    assert any("不在本机" in i.value and "REVIEW\\_INSIGHTS\\_LLM\\_ALLOW\\_REMOTE=1" in i.value for i in at.info)
    # another model: answers cached for the local one do not count (the cache key holds the model)
    use(f"http://{socket.gethostname()}:{server.port}/v1", REVIEW_INSIGHTS_LLM_ALLOW_REMOTE="1",
        REVIEW_INSIGHTS_LLM_MODEL="another-model")
    at = run_page("pages/8_Actions.py")
    assert not at.exception
    assert any("WILL LEAVE THIS MACHINE" in w.value for w in at.warning)
    assert any("did not answer" in w.value and "template version is used" in w.value for w in at.warning)
    assert any("Draft from the templates" in c.value for c in at.caption)

"""The optional LLM endpoint against a real local HTTP server that speaks chat completions (pytest-httpserver): the
request's shape, the privacy switch, the answer cache, the timeout fallback, theme names and the report's ``write``."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from analysis.actions import LLM, draft_table, is_local, reply_queue, theme_names, with_llm
from analysis.config import SAMPLE_ANALYSIS, SAMPLE_ANALYSIS_NAME, Settings
from analysis.store import Workspace

ROOT = Path(__file__).resolve().parents[1]
PATH = "/v1/chat/completions"
ANSWER = "Thank you for telling us. We are sorry about this and will send a replacement today."


def completion(content: str) -> dict:
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "qwen-test",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}}


@pytest.fixture()
def server():
    with HTTPServer(host="127.0.0.1", threaded=True) as httpd:
        yield httpd


@pytest.fixture()
def workspace(tmp_path) -> Workspace:
    path = tmp_path / "workspace.duckdb"
    shutil.copy(SAMPLE_ANALYSIS, path)
    return Workspace(path)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("llm-sample") / "workspace.duckdb"
    shutil.copy(SAMPLE_ANALYSIS, path)
    return Workspace(path).open(SAMPLE_ANALYSIS_NAME)


def llm_for(url: str, workspace: Workspace, **env: str) -> LLM:
    settings = Settings.from_env({"REVIEW_INSIGHTS_LLM_BASE_URL": url, "REVIEW_INSIGHTS_LLM_MODEL": "qwen-test",
                                  "REVIEW_INSIGHTS_LLM_RETRIES": "0", "REVIEW_INSIGHTS_LLM_TIMEOUT_S": "5", **env})
    return LLM.from_settings(settings, workspace, environ={"OPENAI_API_KEY": "sk-local-test"})


def sent(server: HTTPServer) -> list[dict]:
    return [json.loads(request.get_data()) for request, _ in server.log]


def test_only_loopback_addresses_count_as_this_machine():
    assert all(is_local(u) for u in ("http://localhost:11434/v1", "http://127.0.0.1:8000/v1", "http://[::1]:8080/v1",
                                     "http://127.5.0.1/v1", "http://api.localhost/v1"))
    assert not any(is_local(u) for u in ("https://api.openai.com/v1", "http://192.168.1.20:11434/v1",
                                         "http://localhost.example.com/v1", "http://10.0.0.1/v1", "not a url"))


def test_drafts_come_from_the_endpoint_with_one_review_per_request_and_are_cached(server, workspace, sample):
    server.expect_request(PATH, method="POST").respond_with_json(completion(ANSWER))
    table = draft_table(sample).head(3)
    llm = llm_for(server.url_for("/v1"), workspace)
    assert llm.status().code == "llm.local"
    drafted = with_llm(table, llm)
    assert (drafted["draft_reply"] == ANSWER).all() and (drafted["drafted_by"] == "llm").all()
    requests = sent(server)
    assert len(requests) == 3
    for body, (request, _), row in zip(requests, server.log, table.itertuples()):
        assert body["model"] == "qwen-test"
        assert [m["role"] for m in body["messages"]] == ["system", "user"]
        user = body["messages"][1]["content"]
        assert row.text in user and str(row.product) in user and row.template_reply in user
        assert not any(other in user for other in table["text"] if other != row.text)  # one review, no other
        assert "Simplified Chinese" in body["messages"][0]["content"] if row.reply_language == "zh" else True
        assert request.headers["Authorization"] == "Bearer sk-local-test"
    # a second run (another session, the same workspace) sends nothing
    again = with_llm(table, llm_for(server.url_for("/v1"), Workspace(workspace.path)))
    assert len(server.log) == 3 and again["draft_reply"].tolist() == drafted["draft_reply"].tolist()
    # the export of a longer queue takes the drafts already written from the cache and sends nothing
    longer = draft_table(sample).head(6)
    exported = with_llm(longer, llm_for(server.url_for("/v1"), workspace).cache_only())
    assert exported["drafted_by"].tolist() == ["llm"] * 3 + ["template"] * 3 and len(server.log) == 3
    # a draft the user edited is never sent nor replaced
    edited = table.assign(edited=True)
    assert with_llm(edited, llm_for(server.url_for("/v1"), workspace))["drafted_by"].eq("template").all()


def test_nothing_is_sent_to_a_remote_address_unless_allowed(server, workspace, sample):
    server.expect_request(PATH, method="POST").respond_with_json(completion(ANSWER))
    # this machine under its host name: reachable, but not a loopback literal, so it counts as remote
    remote = f"http://{socket.gethostname()}:{server.port}/v1"
    table = draft_table(sample).head(2)
    blocked = llm_for(remote, workspace)
    drafted = with_llm(table, blocked)
    assert server.log == []  # no request at all
    assert drafted["draft_reply"].tolist() == table["template_reply"].tolist()
    assert [n.code for n in blocked.notices] == ["llm.remote_blocked"]
    assert "REVIEW_INSIGHTS_LLM_ALLOW_REMOTE=1" in blocked.status().render("en")
    assert theme_names(blocked, sample.themes) == {} and blocked.write("report.narrative", "x") is None
    assert server.log == []
    off = LLM.from_settings(Settings.from_env({}), workspace, environ={})
    assert off.status().code == "llm.off" and with_llm(table, off)["drafted_by"].eq("template").all()
    try:
        socket.gethostbyname(socket.gethostname())
    except OSError:
        pytest.skip("this machine's host name does not resolve; the allowed path is not reachable here")
    allowed = llm_for(remote, workspace, REVIEW_INSIGHTS_LLM_ALLOW_REMOTE="1")
    assert "WILL LEAVE THIS MACHINE" in allowed.status().render("en") and "将离开这台机器" in allowed.status().render("zh")
    assert with_llm(table, allowed)["drafted_by"].eq("llm").all() and len(server.log) == 2


def test_a_slow_endpoint_falls_back_to_the_template_with_a_notice(server, workspace, sample):
    def slow(request: Request) -> Response:
        time.sleep(2.0)
        return Response(json.dumps(completion(ANSWER)), content_type="application/json")

    server.expect_request(PATH, method="POST").respond_with_handler(slow)
    table = draft_table(sample).head(5)
    llm = llm_for(server.url_for("/v1"), workspace, REVIEW_INSIGHTS_LLM_TIMEOUT_S="0.5")
    drafted = with_llm(table, llm)
    assert drafted["draft_reply"].tolist() == table["template_reply"].tolist()
    assert drafted["drafted_by"].eq("template").all()
    codes = [n.code for n in llm.notices]
    assert codes[0] == "llm.failed" and "APITimeoutError" in llm.notices[0].render("en") and "llm.stopped" in codes
    assert len(server.log) <= 2  # bounded: two failures in a row and it stops sending


def test_theme_names_and_the_reports_paragraph(server, workspace, sample):
    server.expect_request(PATH, method="POST").respond_with_json(completion("Battery dies fast / 电池不耐用"))
    themes = sample.themes.copy()
    themes.loc[themes.index[0], ["label", "renamed"]] = ["Our own name", True]
    llm = llm_for(server.url_for("/v1"), workspace)
    names = theme_names(llm, themes)
    assert int(themes["theme_id"].iloc[0]) not in names  # a name a user gave stays
    assert len(names) == len(themes) - 1 and set(names.values()) == {"Battery dies fast / 电池不耐用"}
    first = sent(server)[0]["messages"][1]["content"]
    row = themes.iloc[1]
    assert "Keywords: " + ", ".join(row["keywords"]) in first and row["quotes"][0][:50] in first
    # names show where theme names show; theme ids stay
    queue = reply_queue(sample, names)
    assert set(queue["theme_ids"].explode().dropna().astype(int)) <= set(themes["theme_id"])
    assert "Battery dies fast / 电池不耐用" in set(queue["themes"].explode().dropna())
    before = len(server.log)
    assert llm.write("report.narrative", "Summarise: satisfaction 71, negative 18%.") == "Battery dies fast / 电池不耐用"
    assert llm.write("report.narrative", "Summarise: satisfaction 71, negative 18%.") is not None
    assert len(server.log) == before + 1  # the second time from the cache


def test_the_replies_command_says_where_review_text_would_go(server, workspace, tmp_path):
    server.expect_request(PATH, method="POST").respond_with_json(completion(ANSWER))
    env = {**os.environ, "REVIEW_INSIGHTS_WORKSPACE_PATH": str(workspace.path), "REVIEW_INSIGHTS_LLM_MODEL": "m",
           "REVIEW_INSIGHTS_LLM_BASE_URL": f"http://{socket.gethostname()}:{server.port}/v1"}
    done = subprocess.run([sys.executable, "-m", "analysis", "replies", SAMPLE_ANALYSIS_NAME, "--out",
                           str(tmp_path / "r.csv")], check=False, cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert "would send review text off this machine, so nothing is sent" in done.stderr
    assert "Drafts: 0 from the LLM" in done.stdout and server.log == []


def test_the_replies_command_drafts_with_a_local_endpoint(server, tmp_path, bare_result):
    server.expect_request(PATH, method="POST").respond_with_json(completion(ANSWER))
    workspace = Workspace(tmp_path / "ws.duckdb")
    workspace.save(bare_result, "bare")
    queued = len(reply_queue(bare_result))
    env = {**os.environ, "REVIEW_INSIGHTS_WORKSPACE_PATH": str(workspace.path), "REVIEW_INSIGHTS_LLM_MODEL": "m",
           "REVIEW_INSIGHTS_LLM_BASE_URL": server.url_for("/v1")}
    done = subprocess.run([sys.executable, "-m", "analysis", "replies", "bare", "--out", str(tmp_path / "r.csv")],
                          check=False, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert "on this machine; review text stays here" in done.stderr and f"{queued}/{queued}" in done.stderr
    assert f"Drafts: {queued} from the LLM, 0 from the templates." in done.stdout and len(server.log) == queued
    exported = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig")
    assert (exported["draft_reply"] == ANSWER).all() and (exported["drafted_by"] == "llm").all()

"""Saved analyses in DuckDB: round trips, atomic saves, readers during a save, schema versions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import analysis.store.workspace as workspace_module
from analysis.store import Workspace, WorkspaceError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def workspace(tmp_path) -> Workspace:
    return Workspace(tmp_path / "ws.duckdb")


def test_save_list_open_round_trip(workspace, small_result):
    workspace.save(small_result, "March export", source_file="march.csv")
    listed = workspace.list()
    assert listed["name"].tolist() == ["March export"]
    assert listed["rows_kept"].tolist() == [len(small_result.reviews)]

    opened = workspace.open("March export")
    pd.testing.assert_frame_equal(
        opened.reviews[["row", "text", "sentiment_label", "theme_id", "theme_ids"]],
        small_result.reviews[["row", "text", "sentiment_label", "theme_id", "theme_ids"]],
        check_dtype=False,
    )
    np.testing.assert_allclose(opened.reviews["sentiment_score"], small_result.reviews["sentiment_score"], atol=1e-6)
    assert opened.reviews["date"].equals(small_result.reviews["date"])
    np.testing.assert_array_equal(opened.embeddings, small_result.embeddings)
    assert opened.themes["label"].tolist() == small_result.themes["label"].tolist()
    assert opened.themes["keywords"].tolist() == small_result.themes["keywords"].tolist()
    assert opened.report == small_result.report
    assert opened.models == small_result.models
    # the reopened themes still support in-place edits
    first = int(opened.themes["theme_id"].iloc[0])
    assert opened.theme_result.rename(first, "Renamed").themes["label"].iloc[0] == "Renamed"


def test_rename_delete_and_clear_errors(workspace, small_result):
    workspace.save(small_result, "a")
    workspace.save(small_result, "b")
    with pytest.raises(WorkspaceError, match="exists already"):
        workspace.rename("a", "b")
    workspace.rename("a", "c")
    assert sorted(workspace.list()["name"]) == ["b", "c"]
    workspace.delete("b")
    assert workspace.list()["name"].tolist() == ["c"]
    with pytest.raises(WorkspaceError, match="no saved analysis called 'b'; saved ones: c"):
        workspace.open("b")
    with duckdb.connect(str(workspace.path)) as db:  # no orphaned tables of the deleted analysis
        tables = {r[0] for r in db.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert len([t for t in tables if t.startswith("a_")]) == len(workspace_module.PARTS)


def test_a_save_that_fails_half_way_leaves_the_previous_state(workspace, small_result, monkeypatch):
    workspace.save(small_result, "stable")

    def crash() -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(workspace_module, "_before_commit", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        workspace.save(small_result, "stable")  # replacing it
    with pytest.raises(RuntimeError):
        workspace.save(small_result, "new one")
    monkeypatch.setattr(workspace_module, "_before_commit", None)
    assert workspace.list()["name"].tolist() == ["stable"]
    assert len(workspace.open("stable").reviews) == len(small_result.reviews)


def test_a_killed_writer_process_leaves_the_previous_state(tmp_path, small_result):
    path = tmp_path / "ws.duckdb"
    Workspace(path).save(small_result, "kept")
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        import analysis.store.workspace as w
        from analysis.store import AnalysisResult
        ws = w.Workspace({str(path)!r})
        result = ws.open("kept")
        def hang():
            print("saving", flush=True)
            time.sleep(60)
        w._before_commit = hang
        ws.save(result, "half-saved")
    """)
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "saving"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    reopened = Workspace(path)
    assert reopened.list()["name"].tolist() == ["kept"]
    assert len(reopened.open("kept").reviews) == len(small_result.reviews)


def test_readers_keep_working_while_a_writer_saves(workspace, small_result, monkeypatch):
    workspace.save(small_result, "old")
    in_save = threading.Event()

    def slow_commit() -> None:
        in_save.set()
        time.sleep(1.5)

    monkeypatch.setattr(workspace_module, "_before_commit", slow_commit)
    writer = threading.Thread(target=workspace.save, args=(small_result, "new"))
    writer.start()
    assert in_save.wait(timeout=60)
    seen = workspace.list()["name"].tolist()  # while the writer's transaction is open
    opened = workspace.open("old")
    writer.join(timeout=60)
    assert seen == ["old"]
    assert len(opened.reviews) == len(small_result.reviews)
    assert sorted(workspace.list()["name"]) == ["new", "old"]


def test_schema_version_is_recorded_and_a_newer_file_is_refused(workspace):
    with duckdb.connect(str(workspace.path)) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(workspace_module.SCHEMA_VERSION)
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(WorkspaceError, match="newer Review Insights"):
        Workspace(workspace.path)


def test_default_path_is_outside_the_repository():
    from analysis.config import Settings

    path = Settings().workspace_file
    assert ROOT not in path.parents


def test_the_embedding_cache_lives_in_the_workspace_and_returns_exact_vectors(tmp_path):
    from analysis.encoders import load_embedder
    from analysis.store import vector_cache

    path = tmp_path / "ws.duckdb"
    texts = ["电池不耐用，一天要充两次", "Fast delivery, well packed", "电池不耐用，一天要充两次"]
    first = load_embedder("use-m", vector_cache(path))
    vectors = first.embed(texts)
    assert first.misses == 2  # the repeated text is embedded once

    second = load_embedder("use-m", vector_cache(path))  # a new process would start like this: empty memory, warm workspace
    again = second.embed(texts)
    assert second.misses == 0
    np.testing.assert_array_equal(again, vectors)  # float32 bytes, so warm and cold runs agree exactly
    with duckdb.connect(str(path)) as db:
        keys = [r[0] for r in db.execute("SELECT key FROM embedding_cache").fetchall()]
    assert len(keys) == 2 and not any("电池" in k or "delivery" in k for k in keys)  # hashes, never review text


def test_a_version_1_workspace_is_migrated_and_keeps_its_analyses(tmp_path, small_result, monkeypatch):
    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(workspace_module, "SCHEMA_VERSION", 1)
    Workspace(path).save(small_result, "saved before the upgrade")
    with duckdb.connect(str(path)) as db:
        assert "embedding_cache" not in {r[0] for r in db.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    monkeypatch.undo()

    upgraded = Workspace(path)
    assert upgraded.list()["name"].tolist() == ["saved before the upgrade"]
    upgraded.put({"k": b"\x00" * 8})
    assert upgraded.get(["k", "missing"]) == {"k": b"\x00" * 8}
    with duckdb.connect(str(path)) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(workspace_module.SCHEMA_VERSION)


def test_an_analysis_without_dates_saves_and_opens(workspace, bare_result):
    """A file with text only has no alerts (emerging issues need dates): the save keeps the rest."""
    assert bare_result.alerts.empty
    workspace.save(bare_result, "text only")
    opened = workspace.open("text only")
    assert opened.alerts.empty and len(opened.reviews) == len(bare_result.reviews)
    assert opened.themes["label"].tolist() == bare_result.themes["label"].tolist()

"""The command line as a user runs it: a real subprocess, real files, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_ingest_gbk_sample_as_json():
    done = run_cli("ingest", "sample_data/reviews_gbk.csv", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) >= {"encoding", "delimiter", "columns", "rows_read", "rows_kept", "rows_rejected",
                           "warnings", "languages"}
    assert report["encoding"] in {"gb18030", "gbk", "gb2312"}
    assert report["columns"]["text"] == "评价内容" and report["columns"]["rating"] == "评分"
    assert report["rows_read"] == report["rows_kept"] + len(report["rows_rejected"])


def test_ingest_column_override_and_human_summary():
    done = run_cli("ingest", "sample_data/reviews.csv", "--product-column", "category")
    assert done.returncode == 0, done.stderr
    assert "product    <- 'category'  (chosen by the user)" in done.stdout


def test_unusable_file_exits_2_with_reason_and_no_traceback(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    done = run_cli("ingest", str(empty))
    assert done.returncode == 2
    assert "empty.csv: the file is empty" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout

    done = run_cli("ingest", "sample_data/reviews.csv", "--text-column", "nope")
    assert done.returncode == 2
    assert "'nope' does not exist" in done.stderr


def test_help_lists_commands():
    done = run_cli("--help")
    assert done.returncode == 0
    assert "ingest" in done.stdout

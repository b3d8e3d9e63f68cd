"""The command line as a user runs it: a real subprocess, real files, exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], check=False, cwd=ROOT, capture_output=True, text=True,
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


def _sample_slice(tmp_path: Path, start: int, stop: int, name: str) -> Path:
    lines = (ROOT / "sample_data" / "reviews.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / name
    path.write_text(lines[0] + "".join(lines[1 + start : 1 + stop]) + '"=HYPERLINK(""x"")",P,C,2026-11-20,1,ok\n'
                    + "R9,AuraBuds Pro 无线耳机,C,2026-11-21,2,\"=1+1 电池不耐用\"\n", encoding="utf-8")
    return path


def test_analyze_writes_every_kept_row_saves_lists_and_exports(tmp_path):
    source = _sample_slice(tmp_path, 0, 300, "march.csv")
    env_workspace = tmp_path / "ws.duckdb"
    done = subprocess.run([sys.executable, "-m", "analysis", "analyze", str(source), "--out", str(tmp_path / "out"),
                           "--save", "March"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "REVIEW_INSIGHTS_WORKSPACE_PATH": str(env_workspace)})
    assert done.returncode == 0, done.stderr
    assert "Embedding reviews: 100%" in done.stderr and "Finding themes: 100%" in done.stderr  # progress on stderr

    reviews = pd.read_csv(tmp_path / "out" / "reviews.csv", encoding="utf-8-sig")
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    ingest = report["ingest"]
    assert len(reviews) == ingest["rows_kept"] == ingest["rows_read"] - len(ingest["rows_rejected"])
    assert {"review_id", "product", "review", "language", "sentiment_label", "sentiment_score", "p_negative",
            "p_neutral", "p_positive", "theme_id", "theme_label"} <= set(reviews.columns)
    assert reviews["sentiment_label"].isin(["negative", "neutral", "positive"]).all()
    assert reviews["sentiment_score"].between(-1, 1).all()
    assert (reviews["p_negative"] + reviews["p_neutral"] + reviews["p_positive"]).round(4).eq(1).all()
    # formulas from the input are neutralised in the export
    assert not reviews["review_id"].astype(str).str.startswith("=").any()
    assert reviews["review"].astype(str).str.startswith("'=1+1").any()
    assert set(report["timings_s"]) == {"embed", "sentiment", "themes", "trends"}
    themes = pd.read_csv(tmp_path / "out" / "themes.csv", encoding="utf-8-sig")
    assert {"theme_id", "label", "keywords", "size", "share", "mean_sentiment", "quotes"} <= set(themes.columns)

    env = {**os.environ, "REVIEW_INSIGHTS_WORKSPACE_PATH": str(env_workspace)}
    listed = subprocess.run([sys.executable, "-m", "analysis", "list"], check=False, cwd=ROOT, capture_output=True, text=True,
                            env=env, timeout=120)
    assert listed.returncode == 0 and "March\t302 reviews" in listed.stdout
    exported = subprocess.run([sys.executable, "-m", "analysis", "export", "March", "--out", str(tmp_path / "m.xlsx")],
                              check=False, cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert exported.returncode == 0, exported.stderr
    assert len(pd.read_excel(tmp_path / "m.xlsx", sheet_name="reviews")) == 302
    missing = subprocess.run([sys.executable, "-m", "analysis", "export", "April", "--out", str(tmp_path / "a.csv")],
                             check=False, cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert missing.returncode == 2 and "no saved analysis called 'April'; saved ones: March" in missing.stderr


def test_bench_without_bertopic_says_what_to_install():
    """BERTopic is a benchmark extra (requirements-bench.txt), not a requirement; without it the command says so."""
    hide = "import sys; sys.modules['bertopic'] = None; from analysis.cli import main; sys.argv[0] = 'analysis'; main()"
    done = subprocess.run([sys.executable, "-c", hide, "bench", "--sizes", "100"], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "pip install -r requirements-bench.txt" in done.stderr and "--no-bertopic" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_cli_speaks_chinese_with_a_setting(tmp_path):
    """English by default; REVIEW_INSIGHTS_CLI_LANGUAGE=zh renders the same messages and report in Chinese."""
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    chinese = {**os.environ, "REVIEW_INSIGHTS_CLI_LANGUAGE": "zh"}
    done = subprocess.run([sys.executable, "-m", "analysis", "ingest", str(empty)], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=chinese)
    assert done.returncode == 2
    assert "错误：" in done.stderr and "文件是空的" in done.stderr and "the file is empty" not in done.stderr
    done = subprocess.run([sys.executable, "-m", "analysis", "ingest", "sample_data/reviews_gbk.csv"], check=False,
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env=chinese)
    assert done.returncode == 0
    assert "行数：读取" in done.stdout and "rows:" not in done.stdout


def test_bench_measures_in_fresh_processes_from_the_repository_root():
    """Each measured run is a child process that imports the package: it must start where the package is."""
    done = subprocess.run([sys.executable, "-m", "analysis", "bench", "--sizes", "60", "--no-bertopic", "--json"],
                          check=False, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = json.loads(done.stdout[done.stdout.index("["):])
    assert rows[0]["reviews"] == 60 and rows[0]["cold"]["seconds"] > 0 and rows[0]["warm"]["seconds"] > 0, rows

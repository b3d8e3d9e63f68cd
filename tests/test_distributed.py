"""The batch analysis on Ray (analysis.runs.distributed): the in-process results, every row accounted for, faults.

The Ray runs use a real local Ray instance (the CLI's own, or a ``ray start --head`` cluster joined with
``--address``), the packaged encoder and sentiment model, and real reviews from ../shared/data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "reviews.csv"


def _cli(*args: str, env: dict[str, str] | None = None, timeout: int = 1200) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, check=False)


def _assert_same_numbers(got: pd.Series, expected: pd.Series) -> None:
    """Scores as written (strings) agree to 1e-6. On an AMD EPYC they are the same bits (measured). On an Intel Xeon
    with AMX they moved by up to 6e-8 between the two runs, from MKL's shape-dependent float32 kernels in the sentiment
    head, which now runs in float64 and rounds to float32 so they should agree there too; unconfirmed on that CPU,
    hence the tolerance, far below any difference a reader could see."""
    np.testing.assert_allclose(got.astype(float), expected.astype(float), rtol=0, atol=1e-6)


def _assert_same_table(got: Path, expected: Path) -> None:
    """The same CSV: text and integer columns equal, float columns to 1e-6 (see ``_assert_same_numbers``)."""
    a, b = pd.read_csv(got), pd.read_csv(expected)
    assert list(a.columns) == list(b.columns) and len(a) == len(b), got.name
    floats = [column for column in b.columns if b[column].dtype.kind == "f"]
    assert a.drop(columns=floats).equals(b.drop(columns=floats)), got.name
    for column in floats:
        np.testing.assert_allclose(a[column], b[column], rtol=0, atol=1e-6, err_msg=f"{got.name}: {column}")


def _real_reviews(shared_data: Path, *names: str) -> pd.DataFrame:
    return pd.concat([pd.read_csv(shared_data / f"{name}.csv.gz", dtype=str, keep_default_na=False)
                      for name in names], ignore_index=True)


def test_shard_summaries_pick_the_fit_sample_of_the_in_process_path(tmp_path):
    """Each shard hands back only its smallest keys; merged, they are the sample ``fit_sample`` picks over the file."""
    import heapq

    from analysis.config import Settings
    from analysis.io import read_reviews
    from analysis.runs.shards import ingest_shard, list_shards, settled_roles, shard_tables
    from analysis.themes import fit_sample

    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    source = tmp_path / "export.csv"
    source.write_text("".join(lines + [lines[7], "C1,AuraBuds Pro 无线耳机,Electronics 数码,2026-01-01,5,\n"]),
                      encoding="utf-8")
    settings = Settings.from_env()
    first = next(iter(shard_tables(source, None, settings, 40_000)))
    summary = ingest_shard(0, str(source), settled_roles(first), list(first.data.columns), settings, 40_000,
                           str(tmp_path / "work"), str(tmp_path / "out"), 300)
    whole = read_reviews(source)
    assert len(summary["pieces"]) > 5 and "error" not in summary
    assert summary["rows_read"] == 2002 == whole.report.rows_read
    assert summary["rows_kept"] == whole.report.rows_kept == 2000
    rejected = pd.read_parquet(tmp_path / "out" / "rejected" / "s00000.parquet")
    assert rejected["row"].tolist() == [2001, 2002] and rejected["file"].eq(str(source)).all()
    assert "duplicate of row 7" in rejected["reason"].iloc[0]
    chosen = sorted(row for _, _, row, _ in heapq.nsmallest(300, summary["smallest"]))
    expected = whole.reviews["row"].to_numpy()[fit_sample(whole.reviews["row"].to_numpy(),
                                                          whole.reviews["text"].astype(str).tolist(), 300)]
    assert chosen == expected.tolist()
    assert list_shards(str(tmp_path / "*.csv")) == [source] == list_shards(tmp_path)


def test_engine_ray_without_ray_says_what_to_install(tmp_path):
    code = ("import sys; sys.modules['ray'] = None; from analysis.cli import main; "
            f"sys.argv = ['analysis', 'analyze', {str(SAMPLE)!r}, '--out', {str(tmp_path)!r}, '--engine', 'ray']; "
            "main()")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 2
    assert "pip install -r requirements-ray.txt" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_ray_gives_the_local_results_on_20k_real_reviews(tmp_path, shared_data):
    """20,131 real reviews (Chinese shopping + English Alexa, seeded shuffle): ``--engine ray`` on a local Ray
    instance (2 CPUs, 2 actors) against ``--engine local`` (the in-memory path). Themes are fitted on a sample of
    5,000 so that most reviews are scored and assigned by the actor pool, not by the fit."""
    frame = _real_reviews(shared_data, "zh_online_shopping_books_computers_hotel", "en_amazon_alexa")
    frame = frame.sample(frac=1.0, random_state=7).reset_index(drop=True)
    source = tmp_path / "reviews-20k.csv"
    frame.to_csv(source, index=False)
    assert len(frame) == 20_131
    env = {"REVIEW_INSIGHTS_THEME_FIT_REVIEWS": "5000",
           "REVIEW_INSIGHTS_EMBEDDING_CACHE_DIR": str(tmp_path / "cache")}  # the local run starts cold too

    local = _cli("analyze", str(source), "--out", str(tmp_path / "local"), "--engine", "local", env=env)
    assert local.returncode == 0, local.stderr[-2000:]
    ray = _cli("analyze", str(source), "--out", str(tmp_path / "ray"), "--engine", "ray", "--actors", "2",
               "--chunk-mb", "1", env=env)
    assert ray.returncode == 0, ray.stderr[-3000:]
    assert "about" in ray.stderr and "s left" in ray.stderr  # progress with an ETA

    report = json.loads((tmp_path / "ray" / "report.json").read_text(encoding="utf-8"))
    whole = json.loads((tmp_path / "local" / "report.json").read_text(encoding="utf-8"))
    assert report["pieces"] >= 4 and report["actors"] == 2
    for key in ("rows_read", "rows_kept", "columns", "languages"):
        assert report["ingest"][key] == whole["ingest"][key], key
    assert report["ingest"]["rows_rejected"] == len(whole["ingest"]["rows_rejected"])

    expected = pd.read_csv(tmp_path / "local" / "reviews.csv", dtype=str, keep_default_na=False)
    got = pd.read_parquet(tmp_path / "ray" / "reviews").sort_values("source_row").reset_index(drop=True)
    assert len(got) == len(expected) == report["ingest"]["rows_kept"] > 20_000
    for column in ("language", "sentiment_label", "theme_id", "theme_label", "theme_ids", "theme_labels"):
        assert got[column].astype(str).tolist() == expected[column].tolist(), column
    for column in ("sentiment_score", "p_negative", "p_neutral", "p_positive"):
        _assert_same_numbers(got[column], expected[column])

    assert len(pd.read_csv(tmp_path / "local" / "themes.csv")) >= 5
    for name in ("themes.csv", "alerts.csv"):
        _assert_same_table(tmp_path / "ray" / name, tmp_path / "local" / name)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _analyser_pids() -> list[int]:
    """Processes of the analysing actors (Ray names them after their class)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if proc.name.isdigit() and cmdline.startswith("ray::") and "MapBatches(Analyser)" in cmdline:
            found.append(int(proc.name))
    return found


@pytest.mark.slow
def test_a_killed_actor_and_bad_shards_leave_every_row_accounted_for_and_the_local_results(tmp_path, shared_data):
    """A cluster started with ``ray start --head``, joined with ``--address``: one analysing actor is killed once the
    first pieces are written; an empty shard and a JSONL shard of real reviews with other columns are reported by
    name. The good shard is the bundled sample (its planted emerging issue gives an alert to compare: the real 20k
    file above has none), and its results still equal ``--engine local``'s, alert quotes and words included."""
    shards = tmp_path / "shards"
    shards.mkdir()
    (shards / "a_sample.csv").write_bytes(SAMPLE.read_bytes())
    (shards / "b_broken.csv").write_bytes(b"")
    _real_reviews(shared_data, "en_amazon2018_appliances").to_json(shards / "c_other_columns.jsonl",
                                                                    orient="records", lines=True, force_ascii=False)
    env = {"REVIEW_INSIGHTS_THEME_FIT_REVIEWS": "700", "REVIEW_INSIGHTS_EMBEDDING_CACHE_DIR": str(tmp_path / "cache")}
    local = _cli("analyze", str(SAMPLE), "--out", str(tmp_path / "local"), env=env)
    assert local.returncode == 0, local.stderr[-2000:]
    port = _free_port()
    log = tmp_path / "head.log"
    with log.open("wb") as sink:
        head = subprocess.Popen(["ray", "start", "--head", "--block", "--num-cpus", "2", "--port", str(port),
                                 "--include-dashboard", "false", "--disable-usage-stats"],
                                stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while b"Ray runtime started" not in log.read_bytes() and head.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert b"Ray runtime started" in log.read_bytes(), log.read_text(errors="replace")[-2000:]
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_one_actor_midway() -> None:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline and not killed:
            pids = _analyser_pids()
            if pids and len(list((out / "reviews").glob("*.parquet"))) >= 2:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
            time.sleep(0.5)

    try:
        watcher = threading.Thread(target=kill_one_actor_midway, daemon=True)
        watcher.start()
        done = _cli("analyze", str(shards), "--out", str(out), "--engine", "ray", "--address", "auto",
                    "--actors", "2", "--chunk-mb", "0.02", env=env)
        watcher.join(timeout=5)
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        head.wait(timeout=180)

    assert killed, "no analysing actor was seen to kill"
    assert done.returncode == 3, done.stderr[-3000:]  # some shards failed; the others' results are written
    assert "b_broken.csv" in done.stderr and "c_other_columns.jsonl" in done.stderr and "Traceback" not in done.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert sorted(Path(f["file"]).name for f in report["shards_failed"]) == ["b_broken.csv", "c_other_columns.jsonl"]
    assert "columns differ" in next(f["reason"] for f in report["shards_failed"] if "c_other" in f["file"])
    assert report["pieces_by_restarted_actors"] >= 1  # Ray restarted the killed actor and it went on working
    assert report["pieces"] >= 8

    reviews = pd.read_parquet(out / "reviews").sort_values("source_row").reset_index(drop=True)
    assert not reviews.duplicated(["source_file", "source_row"]).any()
    assert reviews["source_row"].tolist() == list(range(1, 2001)) == list(range(1, report["ingest"]["rows_read"] + 1))
    assert report["ingest"]["rows_kept"] == 2000 and report["ingest"]["rows_rejected"] == 0
    expected = pd.read_csv(tmp_path / "local" / "reviews.csv", dtype=str, keep_default_na=False)
    for column in ("sentiment_label", "theme_ids", "theme_labels"):
        assert reviews[column].astype(str).tolist() == expected[column].tolist(), column
    _assert_same_numbers(reviews["sentiment_score"], expected["sentiment_score"])
    for name in ("themes.csv", "alerts.csv"):
        _assert_same_table(out / name, tmp_path / "local" / name)
    assert "SmartFit Watch S3" in (out / "alerts.csv").read_text(encoding="utf-8-sig")


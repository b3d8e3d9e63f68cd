"""The batch analysis on Ray: shards read, validated, embedded, scored and themed by Ray Data, same results as in-process.

``analyze_distributed(INPUT, out)`` runs four Ray Data stages over a file, a folder of shards or a glob:

1. read + validate: one task per shard (``analysis.runs.shards.ingest_shard``) parks its kept rows as Parquet pieces
   and its rejected rows (file, row, reason) under ``out/rejected``; a shard that cannot be read, or whose columns
   differ from the first shard's, is reported by name and the others go on;
2. theme-fit sample: the seeded sample ``analysis.themes.fit_sample`` would pick over all reviews (each shard hands
   back only its ``THEME_FIT_REVIEWS`` smallest keys) is embedded and scored by an actor pool (``SampleEncoder``);
   themes are fitted once, on the driver, from those vectors (no encoder on the driver);
3. analyse: an actor pool (``Analyser``: models loaded once per actor; CPU actors, or GPU actors with
   ``gpus_per_actor``) embeds, scores and assigns every other review piece by piece, writes each piece's rows as
   ``out/reviews/<piece>.parquet`` and hands back only counts (``PieceCounts``), summed on the driver into the
   themes, emerging issues, drivers and trends;
4. alert details: the few alerts' quotes and words are read back from the written pieces.

No stage brings reviews to the driver: it holds the fit sample (``THEME_FIT_REVIEWS`` reviews, as the in-process
path does) and counts per theme x product x period. Ray Data's actors run with ``max_restarts=-1`` and
``max_task_retries=-1`` (its defaults for actor pools): a killed actor is restarted and its piece done again; pieces are written under fixed names, so a piece done twice is
written once. On one machine with the same settings the outputs equal ``--engine local``'s: themes (ids, labels,
keywords, sizes), every review's sentiment and themes, and the alerts (a theme's mean sentiment is summed in another
order: equal to about 1e-15).
"""

from __future__ import annotations

import heapq
import json
import logging
import os
import pickle
import shutil
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis.config import Settings
from analysis.runs.actors import MENTION_FIELDS, Analyser, LookupEmbedder, PieceCounts, SampleEncoder, alert_details
from analysis.runs.pipeline import Progress, _StepClock
from analysis.runs.shards import ShardError, ingest_shard, list_shards, settled_roles, shard_tables

INSTALL_HINT = "pip install -r requirements-ray.txt"
PACKAGE = Path(__file__).resolve().parents[1]


class RayMissing(RuntimeError):
    """Ray is an optional extra; the message says what to install."""


def require_ray():
    """The ``ray`` module, or ``RayMissing`` saying how to install it."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise RayMissing(f"--engine ray needs Ray, which is not installed ({exc.name} is missing): run "
                         f"`{INSTALL_HINT}`.") from None
    return ray


def connect(address: str | None, num_cpus: int | None = None) -> bool:
    """Join the cluster at ``address`` (``auto``, ``host:6379``, ``ray://host:10001``) or start a local instance;
    True when this call started Ray (and so should stop it). The ``analysis`` package travels to the workers."""
    ray = require_ray()
    if ray.is_initialized():
        return False
    env = {k: v for k, v in os.environ.items() if k.startswith("REVIEW_INSIGHTS_")}
    runtime_env = {"py_modules": [str(PACKAGE)], "env_vars": env}
    quiet = {"log_to_driver": False, "logging_level": logging.WARNING, "runtime_env": runtime_env}
    if address:
        ray.init(address=address, **quiet)
    else:
        ray.init(address="local", num_cpus=num_cpus or os.cpu_count(), include_dashboard=False, **quiet)
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    ray.data.DataContext.get_current().enable_progress_bars = False
    return True


def _payloads(dataset, clock: _StepClock, step: str, total: int):
    """The pickled results of a stage, one per input item, with progress and ETA."""
    clock.tick(step, 0.0)
    for done, row in enumerate(dataset.iter_rows(), start=1):
        clock.tick(step, done / max(total, 1))
        yield pickle.loads(row["payload"])
    clock.done(step)


def analyze_distributed(source: str | Path, out: Path, settings: Settings | None = None,
                        overrides: dict[str, str] | None = None, address: str | None = None,
                        actors: int | None = None, cpus_per_actor: float = 1.0, gpus_per_actor: float = 0.0,
                        piece_bytes: int = 4 << 20, n_themes: int | None = None,
                        progress: Progress | None = None) -> dict:
    """Analyse INPUT on Ray into ``out``: reviews/*.parquet, rejected/*.parquet, themes.csv, alerts.csv,
    drivers.csv, trends.csv, report.json. Returns the report. Raises ``ShardError`` when no shard is usable and
    ``RayMissing`` without Ray."""
    ray = require_ray()
    settings = settings or Settings.from_env()
    out = Path(out)
    shards = list_shards(source)
    for stale in ("reviews", "rejected"):
        shutil.rmtree(out / stale, ignore_errors=True)
    work = out / "_work"
    shutil.rmtree(work, ignore_errors=True)
    started = connect(address, actors)
    clock = _StepClock(progress)
    try:
        n_actors = actors or max(1, int(ray.cluster_resources().get("CPU", 1) // cpus_per_actor))
        roles, columns, first = _first_shard(shards, overrides, settings, piece_bytes)
        limit = max(int(settings.theme_fit_reviews), 1)
        summaries = _ingest(ray, shards, roles, columns, settings, piece_bytes, work, out, limit, clock)
        failed = [{"file": s["file"], "reason": s["error"]} for s in summaries if "error" in s]
        kept = sum(s["rows_kept"] for s in summaries)
        if not kept:
            reasons = "; ".join(f["reason"] for f in failed) or "every row was rejected (see rejected/)"
            raise ShardError(f"{source}: no row could be used: {reasons}")
        pieces = [{"path": p["path"], "shard": s["index"], "file": s["file"], "rows": p["rows"]}
                  for s in summaries for p in s["pieces"]]
        sample = heapq.nsmallest(limit, (item for s in summaries for item in s["smallest"]))  # (key, shard, row, piece)
        dated = [d for s in summaries for d in (s["date_min"], s["date_max"]) if d is not None]
        from analysis.insights import choose_bucket

        bucket = choose_bucket(pd.Series(dated)) if dated else None
        pool = {"compute": ray.data.ActorPoolStrategy(size=n_actors), "num_cpus": cpus_per_actor,
                "num_gpus": gpus_per_actor or None,
                "batch_size": 1, "threads": max(1, int(cpus_per_actor))}

        fit, shared, models = _fit_themes(ray, sample, pieces, settings, pool, n_themes, clock)
        shared.update(bucket=bucket)
        totals, restarted = _analyse(ray, pieces, shared, settings, out, pool, clock)
        if totals.rows != kept:
            raise RuntimeError(f"{totals.rows} reviews were written but {kept} were kept; rerun the command.")
        themes, alerts, drivers, trends = _tables(ray, fit, totals, kept, bucket, out, clock)
        for name, table in (("themes", themes), ("alerts", alerts), ("drivers", drivers), ("trends", trends)):
            _write_csv(table, out / f"{name}.csv")
        report = _report(source, first, summaries, failed, clock, models, pieces, themes, alerts, restarted, n_actors)
        (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str),
                                         encoding="utf-8")
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if started:
            ray.shutdown()


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    from analysis.io import write_csv

    write_csv(frame, path)


def _first_shard(shards: list[Path], overrides, settings: Settings, piece_bytes: int):
    """Roles and columns from the first shard that can be read (the ingest stage reports the others)."""
    reasons = []
    for path in shards:
        try:
            table = next(iter(shard_tables(path, overrides, settings, piece_bytes)))
        except (OSError, UnicodeError, ValueError, StopIteration) as exc:  # IngestError is a ValueError
            reasons.append(f"{path.name}: {exc}")
            continue
        return settled_roles(table), list(table.data.columns), table.report
    raise ShardError("no shard could be read: " + "; ".join(str(r) for r in reasons))


def _ingest(ray, shards, roles, columns, settings, piece_bytes, work, out, limit, clock) -> list[dict]:
    """Stage 1 on Ray Data: one task per shard, each its own shard's summary."""
    def read(batch: dict) -> dict:
        return {"payload": [pickle.dumps(ingest_shard(int(i), str(p), roles, columns, settings, piece_bytes,
                                                      str(work), str(out), limit))
                            for i, p in zip(batch["index"], batch["path"], strict=True)]}

    items = [{"index": i, "path": str(p)} for i, p in enumerate(shards)]
    dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(read, batch_size=1,
                                                                                     num_cpus=1)
    summaries = list(_payloads(dataset, clock, "read + validate", len(items)))
    return sorted(summaries, key=lambda s: s["index"])


def _fit_themes(ray, sample, pieces, settings, pool, n_themes, clock):
    """Stage 2: the sample embedded and scored by actors, themes fitted here, and what the analysers need."""
    from analysis.themes import find_themes

    members = [(shard, row) for _, shard, row, _ in sample]
    wanted = sorted({(shard, piece) for _, shard, _, piece in sample})
    paths = {(p["shard"], int(Path(p["path"]).stem.split("-p")[1])): p["path"] for p in pieces}
    items = [{"path": paths[key], "shard": key[0]} for key in wanted]
    options = {k: v for k, v in pool.items() if k != "threads"}
    dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
        SampleEncoder, fn_constructor_kwargs={"settings": settings, "sample": [ray.put(members)],
                                              "threads": pool["threads"]},
        **options)
    frames, vectors, clause_texts, clause_vectors = [], [], [], []
    for shard, reviews, embeddings, clauses, clause_vecs in _payloads(dataset, clock, "themes: sample", len(items)):
        frames.append(reviews.assign(_shard=shard))
        vectors.append(embeddings)
        clause_texts += clauses
        clause_vectors.append(clause_vecs)
    reviews = pd.concat(frames, ignore_index=True)
    order = np.lexsort((reviews["row"].to_numpy(), reviews["_shard"].to_numpy()))  # file order, as in-process
    reviews = reviews.iloc[order].reset_index(drop=True)
    embeddings = np.vstack(vectors)[order]
    from analysis.encoders import load_embedder  # only its model id: no model is loaded here

    model_id = load_embedder(settings.embedding_model, processes=1).model_id
    lookup = LookupEmbedder(model_id, clause_texts, np.vstack(clause_vectors))
    clock.tick("themes: fit", 0.0)
    # the clauses' polarity is read by the sentiment model when the reviews carry no stars (find_themes): the fast
    # default is small enough to load here; the fit's clauses are the sample's, embedded by the actors
    from analysis.runs.pipeline import clause_sentiment
    from analysis.sentiment import load_sentiment_model
    from analysis.themes.polarity import rated

    reader = None if rated(reviews) else clause_sentiment(load_sentiment_model(settings.sentiment_model), lookup)
    fit = find_themes(reviews.drop(columns=["_shard"]), lookup, n_themes=n_themes, seed=settings.seed,
                      embeddings=embeddings, clause_sentiment=reader)
    clock.done("themes: fit")
    predicted = [c for c in frames[0].columns if c not in (*_canonical_columns(), "_shard")]
    by_review = [[] for _ in range(len(reviews))]
    for record in fit.mentions[["review", *MENTION_FIELDS]].to_dict("records"):
        by_review[int(record.pop("review"))].append(record)
    results = pd.concat([reviews[predicted], fit.assignments.drop(columns=["row", "theme_label"], errors="ignore")],
                        axis=1)
    results["mentions"] = by_review
    results.index = pd.MultiIndex.from_arrays([reviews["_shard"].to_numpy(), reviews["row"].to_numpy()])
    width = int(fit.themes["theme_id"].max()) + 1 if len(fit.themes) else 1
    n_topics = 1 + int(max(fit.assignments["topic_id"].max() if len(fit.assignments) else -1,
                           fit.topics["topic_id"].max() if len(fit.topics) else -1))
    shared = {"model": fit.model, "labels": dict(zip(fit.themes["theme_id"], fit.themes["label"])),
              "themes": fit.themes, "sample": results, "predicted": predicted, "width": width, "n_topics": n_topics}
    from analysis.runs.pipeline import model_signature

    models = model_signature(SimpleNamespace(model_id=model_id), _sentiment_signature(settings))
    return SimpleNamespace(result=fit, fitted=len(reviews)), shared, models


def _canonical_columns():
    from analysis.io import CANONICAL_COLUMNS

    return CANONICAL_COLUMNS


def _sentiment_signature(settings: Settings):
    from analysis.sentiment import load_sentiment_model

    return load_sentiment_model(settings.sentiment_model)


def _analyse(ray, pieces, shared, settings, out, pool, clock) -> tuple[PieceCounts, int]:
    """Stage 3: every piece through the analysers; their counts summed as they arrive."""
    reference = [ray.put(shared)]  # one copy in the object store, fetched once per actor
    options = {k: v for k, v in pool.items() if k != "threads"}
    items = [{"path": p["path"], "shard": p["shard"], "file": p["file"]} for p in pieces]
    dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
        Analyser, fn_constructor_kwargs={"settings": settings, "shared": reference, "out": str(out),
                                         "threads": pool["threads"]}, **options)
    totals, restarted = PieceCounts(), 0
    for result in _payloads(dataset, clock, "encode + sentiment + themes", len(items)):
        totals = totals.add(result["counts"])
        restarted += bool(result["reconstructed"])
    return totals, restarted


def _tables(ray, fit, totals: PieceCounts, n_reviews: int, bucket, out: Path, clock):
    """Stage 4: themes, alerts, drivers and trends from the summed counts (and the alerts' own reviews)."""
    from analysis.insights import IssueCounts, drivers_from_counts, issues_from_counts
    from analysis.themes import restated_themes

    clock.tick("trends + alerts", 0.0)
    result = fit.result
    themes = result.themes if n_reviews == fit.fitted else restated_themes(result.themes, totals.themes, n_reviews)
    drivers = drivers_from_counts(themes, totals.drivers)
    if bucket is None or not totals.issues:
        clock.done("trends + alerts")
        return themes, pd.DataFrame(), drivers, pd.DataFrame()
    counts = IssueCounts(by="product", bucket=bucket, **totals.issues)
    negative_only = counts.negative.sum() > 0

    def details(found: pd.DataFrame, latest) -> tuple[list, list]:
        from analysis.themes import keywords_from_token_counts

        alerts = [{"theme_id": int(r.theme_id), "product": r.product} for r in found.itertuples()]
        parts = sorted(str(p) for p in (out / "reviews").glob("*.parquet"))
        dataset = ray.data.from_items([{"path": p} for p in parts], override_num_blocks=len(parts)).map_batches(
            alert_details, batch_size=1, num_cpus=1,
            fn_kwargs={"alerts": alerts, "latest": latest, "bucket": bucket, "negative_only": negative_only})
        quotes = [[] for _ in alerts]
        tokens = [{} for _ in alerts]
        docs = [Counter() for _ in alerts]
        for found_in_part in (pickle.loads(row["payload"]) for row in dataset.iter_rows()):
            for i, part in enumerate(found_in_part):
                quotes[i] = heapq.nsmallest(3, quotes[i] + [(-s, r, t) for s, r, t in part["quotes"]])
                docs[i].update(part["docs"])
                for c, counter in part["tokens"].items():
                    tokens[i].setdefault(c, Counter()).update(counter)
        words = [keywords_from_token_counts(t).get(1, [])[:4] if d[0] and d[1] else [] for t, d in zip(tokens, docs)]
        return [[" ".join(t.split())[:200] for _, _, t in q] for q in quotes], words

    alerts = issues_from_counts(counts, themes, details)
    trends = totals.trends.reset_index()
    trends["satisfaction"] = 50.0 * (1.0 + trends["score_sum"] / trends["reviews"])
    trends["negative_share"] = trends["negative"] / trends["reviews"]
    trends["mean_rating"] = trends["rating_sum"] / trends["rated"].where(trends["rated"] > 0)
    trends = trends[["period", "product", "satisfaction", "reviews", "negative_share", "mean_rating"]]
    clock.done("trends + alerts")
    return themes, alerts, drivers, trends


def _report(source, first, summaries, failed, clock, models, pieces, themes, alerts, restarted, n_actors) -> dict:
    """report.json: the ingest counts (every row kept, rejected or in a failed shard), timings, models, faults."""
    languages: Counter = Counter()
    warnings: list[str] = []
    for s in summaries:
        languages.update(s["languages"])
        warnings += [w for w in s["warnings"] if w not in warnings]
    ingest = {"source": str(source), "file_format": first.file_format, "encoding": first.encoding,
              "delimiter": first.delimiter, "columns": first.columns,
              "rows_read": sum(s["rows_read"] for s in summaries), "rows_kept": sum(s["rows_kept"] for s in summaries),
              "rows_rejected": sum(s["rows_rejected"] for s in summaries), "rejected_rows_in": "rejected/*.parquet",
              "languages": dict(languages), "warnings": warnings}
    shards = [{"file": s["file"], "rows_read": s["rows_read"], "rows_kept": s["rows_kept"],
               "rows_rejected": s["rows_rejected"]} for s in summaries if "error" not in s]
    return {"engine": "ray", "ingest": ingest, "shards": shards, "shards_failed": failed,
            "timings_s": clock.timings, "models": models, "pieces": len(pieces), "actors": n_actors,
            "pieces_by_restarted_actors": restarted, "themes": len(themes), "alerts": len(alerts)}

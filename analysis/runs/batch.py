"""Exports larger than memory: read, analyse and write a CSV chunk by chunk, with the results of the in-memory path.

``analyze_file`` makes two passes over a delimited file cut into pieces of whole records:

1. each piece is read like a small file (``read_reviews``, with the column roles the first piece settled), its rows
   renumbered to their place in the whole file and checked for duplicates of earlier pieces; its reviews are
   embedded (through the workspace cache) and scored for sentiment, and the piece is parked in a private temporary
   folder;
2. themes are fitted on the same seeded sample the in-memory path uses (``analysis.themes.fit_sample``: a property
   of each review, not of the piece it came in), every other review is assigned to them piece by piece, and each
   piece's rows go straight to ``reviews.csv``.

Memory then holds the models, one piece and a few compact columns per review (for theme counts and emerging
issues), not every embedding or original column. Per-review steps do not depend on their neighbours, so the output
files equal those of ``analysis.runs.pipeline.analyze`` on the same file. Limits: the file must be CSV/TSV (a workbook or
JSON is read whole), and a column's format (a 10-point rating scale, day-first dates) is settled per piece, which
matters only for a file that mixes formats within one column.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis.config import Settings
from analysis.io import ROLES, IngestError, IngestReport, RejectedRow, ReviewTable, read_reviews
from analysis.messages import message, shifted

logger = logging.getLogger(__name__)

Progress = Callable[[str, float, "float | None"], None]
_ALERT_COLUMNS = ["date", "product", "category", "rating"]  # what emerging issues read per review
_ASSIGNMENT_KEPT = ["row", "theme_id", "similarity", "topic_id", "topic_label"]


def record_pieces(path: Path, piece_bytes: int) -> Iterator[bytes]:
    """The file in pieces of about ``piece_bytes``, each the header line plus whole records.

    A piece ends at a line break outside quotes (an even number of quote characters so far). Quote and line-break
    bytes never occur inside a multi-byte character in UTF-8 or GB18030, so this works on the raw bytes."""
    with path.open("rb") as handle:
        header = handle.readline()
        if not header.strip():
            raise IngestError(message("batch.header_empty", path=str(path)))
        if header.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise IngestError(message("batch.utf16", path=str(path)))
        carry = b""
        while block := handle.read(piece_bytes):
            data = carry + block  # starts at a record boundary, outside quotes
            cut, count, start = -1, 0, 0
            for index in _newlines(data):  # the last line break with an even number of quotes before it
                count += data.count(b'"', start, index)
                start = index
                if count % 2 == 0:
                    cut = index
            if cut < 0:  # one record longer than a piece: read on
                carry = data
                continue
            yield header + data[: cut + 1]
            carry = data[cut + 1 :]
        if carry.strip():
            yield header + carry


def _newlines(data: bytes) -> Iterator[int]:
    position = data.find(b"\n")
    while position >= 0:
        yield position
        position = data.find(b"\n", position + 1)


def read_pieces(path: Path, overrides: dict[str, str] | None = None, settings: Settings | None = None,
                piece_bytes: int = 4 << 20) -> Iterator[ReviewTable]:
    """Review tables of consecutive pieces, rows numbered as in the whole file, duplicates of earlier pieces
    rejected as the whole-file reader would; ``rows_read == rows_kept + rejected`` holds for each piece."""
    settings = replace(settings or Settings.from_env(), max_rows=1 << 62, max_upload_mb=1 << 30)
    offset, lines_before = 0, 0
    seen: dict[int, int] = {}  # hash of a kept row's original values -> its row number
    roles: dict[str, str] | None = None
    for data in record_pieces(Path(path), piece_bytes):
        table = read_reviews(data, Path(path).name, overrides=roles if roles is not None else overrides,
                             settings=settings)
        if roles is None:  # later pieces use the roles the first one settled, unused ones switched off
            roles = {role: table.report.columns.get(role, "") for role in ROLES}
        rows = table.reviews["row"].to_numpy() + offset
        hashes = pd.util.hash_pandas_object(table.data.astype(str), index=False).to_numpy()
        keep = np.ones(len(rows), dtype=bool)
        rejected = [RejectedRow(r.row + offset, shifted(r.reason, offset, lines_before))
                    for r in table.report.rows_rejected]
        for i, (h, row) in enumerate(zip(hashes.tolist(), rows.tolist(), strict=True)):
            first = seen.setdefault(h, row)
            if first != row:
                keep[i] = False
                rejected.append(RejectedRow(int(row), message("row.duplicate", first=int(first))))
        kept_languages = table.reviews.loc[keep, "language"].value_counts()
        report = replace(table.report, rows_kept=int(keep.sum()), rows_rejected=sorted(rejected, key=lambda r: r.row),
                         warnings=[shifted(w, offset, lines_before) for w in table.report.warnings],
                         languages={str(k): int(v) for k, v in kept_languages.items()})
        offset += table.report.rows_read
        lines_before += data.count(b"\n") - 1  # the repeated header line
        yield ReviewTable(data=table.data[keep].reset_index(drop=True),
                          reviews=table.reviews[keep].assign(row=rows[keep]).reset_index(drop=True), report=report)


def _slim(mentions: pd.DataFrame) -> pd.DataFrame:
    """The columns theme counts and alerts read, in small types: a million reviews' clauses fit in memory."""
    return pd.DataFrame({
        "review": mentions["review"].to_numpy(dtype=np.int64),
        "sentence_no": mentions["sentence_no"].to_numpy(dtype=np.int16),
        "theme_id": mentions["theme_id"].to_numpy(dtype=np.int32),
        "similarity": mentions["similarity"].to_numpy(dtype=np.float32),
        "sentiment_score": mentions["sentiment_score"].to_numpy(dtype=np.float32),
        "polarity": pd.Categorical(mentions["polarity"], categories=["negative", "neutral", "positive"]),
        # which reviews only vent or praise in general (``ThemeResult.general_feeling``): a byte per clause
        "context": mentions["context"].to_numpy(dtype=bool) if "context" in mentions
        else np.zeros(len(mentions), dtype=bool),
    })


def _second_opinions(model, pieces: list[Path], unsure: list[np.ndarray], clock) -> None:
    """The cascade's transformer reads each parked piece's unsure reviews, in place; then it is freed again.

    A review's label and score follow from its own probabilities, so this gives what the cascade gives in one call."""
    step = "sentiment: transformer"
    clock.tick(step, 0.0)
    total = max(1, sum(len(u) for u in unsure))
    read = 0
    for piece, rows in zip(pieces, unsure, strict=True):
        if len(rows):
            data, reviews = pd.read_pickle(piece)
            second = model.second_opinion(reviews["text"].astype(str).iloc[rows].tolist()).to_frame()
            for column in second.columns:
                reviews.iloc[rows, reviews.columns.get_loc(column)] = second[column].to_numpy()
            pd.to_pickle((data, reviews), piece)
            read += len(rows)
            clock.tick(step, read / total)
    model.release_slow()
    clock.done(step)


def _merge_reports(total: IngestReport | None, piece: IngestReport) -> IngestReport:
    """The whole file's report: counts added, rejected rows joined, a warning that every piece gives said once."""
    warnings = piece.warnings
    if total is None:
        return piece
    known = set(total.warnings)
    return replace(
        total,
        rows_read=total.rows_read + piece.rows_read,
        rows_kept=total.rows_kept + piece.rows_kept,
        rows_rejected=total.rows_rejected + piece.rows_rejected,
        warnings=total.warnings + [w for w in warnings if w not in known],
        duplicates=total.duplicates + piece.duplicates,
        languages={k: total.languages.get(k, 0) + piece.languages.get(k, 0)
                   for k in {*total.languages, *piece.languages}},
    )


def analyze_file(path: Path, out: Path, settings: Settings | None = None, overrides: dict[str, str] | None = None,
                 piece_bytes: int = 4 << 20, n_themes: int | None = None, progress: Progress | None = None,
                 embedder=None, sentiment_model=None) -> dict:
    """Analyse a CSV/TSV of any size into ``out`` (reviews.csv, themes.csv, alerts.csv, report.json).

    Returns the report written to report.json."""
    from analysis.encoders import is_use_m
    from analysis.io import spreadsheet_safe, write_csv
    from analysis.runs.pipeline import (
        _alerts,
        _StepClock,
        clause_sentiment,
        model_signature,
        score_sentiment,
        theme_columns,
    )
    from analysis.sentiment import load_sentiment_model
    from analysis.store import AnalysisResult, embedder_for
    from analysis.themes import assign_reviews, clauses_to_embed, combine_parts, find_themes, review_keys, smallest_keys

    settings = settings or Settings.from_env()
    clock = _StepClock(progress)  # progress with an ETA per step, and the step timings
    embedder = embedder or embedder_for(replace(settings, encoder_processes=settings.batch_encoder_processes))
    if hasattr(embedder, "memory_limit"):  # one piece at a time: the workspace cache serves repeats
        embedder.memory_limit = min(embedder.memory_limit, 50_000)
    model = sentiment_model or load_sentiment_model(settings.sentiment_model)
    # a cascade's transformer reads its unsure reviews after the first pass, once the encoder is freed: the two are
    # never held together (with both, a cold 100k-review run peaked at 2,449 MB against the 2.5 GB bar)
    deferred = hasattr(model, "second_opinion")
    first_model = model.fast if deferred else model
    unsure: list[np.ndarray] = []
    same_encoder = getattr(model, "uses_embedder", None) == "use-m" and is_use_m(embedder)
    size = max(Path(path).stat().st_size, 1)
    scratch = Path(tempfile.mkdtemp(prefix="review-insights-batch-"))
    try:
        # pass 1: read, embed, score sentiment; park each piece
        clock.tick("read + embed + sentiment", 0.0)
        report: IngestReport | None = None
        pieces: list[Path] = []
        keys, offsets = [], [0]
        for table in read_pieces(Path(path), overrides, settings, piece_bytes):
            report = _merge_reports(report, table.report)
            reviews = table.reviews
            texts = reviews["text"].astype(str).tolist()
            if hasattr(embedder, "preload"):
                embedder.preload(texts)
            # new texts' clauses are encoded now, into the cache, so theming reads every vector from it
            new = embedder.uncached(texts) if getattr(embedder, "has_disk_cache", False) else []
            embeddings = embedder.embed(texts) if texts else np.zeros((0, 512), dtype=np.float32)
            if new:
                embedder.embed(clauses_to_embed(new))
            predictions = score_sentiment(first_model, texts, embeddings if same_encoder else None)
            if deferred:
                unsure.append(model.unsure(texts, predictions[["p_negative", "p_neutral", "p_positive"]].to_numpy()))
            reviews = pd.concat([reviews, predictions.set_index(reviews.index)], axis=1)
            keys.append(review_keys(reviews["row"].to_numpy(), texts, settings.seed))
            pieces.append(scratch / f"piece-{len(pieces):05d}.pkl")
            pd.to_pickle((table.data, reviews), pieces[-1])
            offsets.append(offsets[-1] + len(reviews))
            clock.tick("read + embed + sentiment", min(0.99, len(pieces) * piece_bytes / size))
        if report is None or report.rows_kept == 0:
            raise IngestError(message("batch.no_rows", path=str(path)))
        clock.done("read + embed + sentiment")
        if hasattr(embedder, "release_encoder"):  # every vector is cached: the theme fit is the next memory peak
            embedder.release_encoder()
        if deferred:
            _second_opinions(model, pieces, unsure, clock)

        # themes: fitted on the seeded sample, as the in-memory path does
        clock.tick("themes: fit", 0.0)
        all_keys = np.concatenate(keys)
        limit = max(int(settings.theme_fit_reviews), 1)
        sample = smallest_keys(all_keys, limit)
        in_sample = np.zeros(len(all_keys), dtype=bool)
        in_sample[sample] = True
        sample_reviews = pd.concat([pd.read_pickle(p)[1].iloc[in_sample[offsets[i]:offsets[i + 1]]]
                                    for i, p in enumerate(pieces)], ignore_index=True)
        sample_embeddings = embedder.embed(sample_reviews["text"].astype(str).tolist())
        reader = clause_sentiment(model, embedder)
        fit = find_themes(sample_reviews, embedder, n_themes=n_themes, seed=settings.seed,
                          embeddings=sample_embeddings, clause_sentiment=reader)
        del sample_reviews, sample_embeddings
        clock.done("themes: fit")

        # pass 2: assign every other review, write each piece's rows
        clock.tick("themes: assign + write", 0.0)
        out.mkdir(parents=True, exist_ok=True)
        label_of = dict(zip(fit.themes["theme_id"], fit.themes["label"]))
        fitted = fit.assignments.drop(columns=["theme_label"]).set_axis(sample)  # indexed by position in the file
        parts, compact = [], []
        with (out / "reviews.csv").open("wb") as handle:
            for i, piece in enumerate(pieces):
                data, reviews = pd.read_pickle(piece)
                positions = np.arange(offsets[i], offsets[i + 1])
                others = ~in_sample[positions]
                rows = [fitted.loc[positions[~others]]]
                if others.any():
                    texts = reviews.loc[others, "text"].astype(str).tolist()
                    mentions, assignments = assign_reviews(fit.model, reviews[others], embedder.embed(texts),
                                                           embedder, reader)
                    # the per-review theme lists and polarities are written below; counts and alerts need only
                    # these columns; a theme's clauses are read back from disk for its alert's words
                    pd.to_pickle(mentions.assign(review=positions[others][mentions["review"].to_numpy()])[
                        ["review", "theme_id", "sentence"]], scratch / f"mentions-{i:05d}.pkl")
                    parts.append((positions[others], _slim(mentions), assignments[_ASSIGNMENT_KEPT]))
                    rows.append(assignments.set_axis(positions[others]))
                assigned = pd.concat(rows).sort_index().reset_index(drop=True)
                assigned["theme_label"] = [label_of.get(t, "") for t in assigned["theme_id"]]
                piece_themes = SimpleNamespace(assignments=assigned, themes=fit.themes)
                reviews = pd.concat([reviews, theme_columns(piece_themes, reviews.index)], axis=1)
                frame = AnalysisResult(reviews=reviews, data=data, report=report).output_frame()
                text = spreadsheet_safe(frame).to_csv(index=False, header=i == 0)
                handle.write(text.encode("utf-8-sig" if i == 0 else "utf-8"))
                compact.append(reviews[[c for c in _ALERT_COLUMNS if c in reviews]])
                clock.tick("themes: assign + write", (i + 1) / len(pieces))
        reviews_all = pd.concat(compact, ignore_index=True)
        del compact
        themes = combine_parts(fit, sample, parts, pd.Series([], dtype=str)) if parts else fit  # else: one fit on all
        has_parts = bool(parts)
        del parts  # combined into ``themes``; the alerts below are the last memory peak
        clock.done("themes: assign + write")

        clock.tick("trends", 0.0)

        def text_of(positions: list[int]) -> list[str]:
            """Review texts by position, from the parked pieces (only alert quotes need them)."""
            found = {}
            for i in sorted({int(np.searchsorted(offsets, p, side="right")) - 1 for p in positions}):
                texts = pd.read_pickle(pieces[i])[1]["text"].to_numpy()
                found.update({p: str(texts[p - offsets[i]]) for p in positions if offsets[i] <= p < offsets[i + 1]})
            return [found[p] for p in positions]

        def sentences_of(theme_id: int) -> pd.DataFrame:
            """A theme's clauses over the whole file (sample and pieces), for the words an alert adds."""
            fitted_clauses = fit.mentions.assign(review=sample[fit.mentions["review"].to_numpy()])
            frames = [fitted_clauses[["review", "theme_id", "sentence"]]]
            frames += [pd.read_pickle(p) for p in sorted(scratch.glob("mentions-*.pkl"))]
            clauses = pd.concat([f[f["theme_id"] == theme_id] for f in frames], ignore_index=True)
            return clauses.sort_values("review", kind="stable")

        alerts = _alerts(reviews_all, themes, text_of=text_of, sentences_of=sentences_of if has_parts else None)
        write_csv(themes.themes, out / "themes.csv")
        write_csv(alerts, out / "alerts.csv")
        clock.done("trends")
        summary = {"ingest": report.to_dict(), "timings_s": clock.timings, "models": model_signature(embedder, model),
                   "pieces": len(pieces), "themes": len(themes.themes), "alerts": len(alerts)}
        (out / "report.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str),
                                         encoding="utf-8")
        return summary
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

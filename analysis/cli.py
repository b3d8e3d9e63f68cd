"""``python -m analysis``: analyse, train and evaluate headless, with the same functions the dashboard calls.

Heavy imports (pandas, torch, models) live inside the commands so ``--help`` answers instantly.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Review Insights: sentiment and themes of e-commerce reviews, offline.",
)

EXIT_UNUSABLE = 2


@app.callback()
def _commands() -> None:
    """Review Insights: sentiment and themes of e-commerce reviews, offline."""


TextColumn = Annotated[str | None, typer.Option("--text-column", help="Column holding the review text.")]
RatingColumn = Annotated[str | None, typer.Option("--rating-column", help="Column holding the star rating.")]
DateColumn = Annotated[str | None, typer.Option("--date-column", help="Column holding the review date.")]
ProductColumn = Annotated[str | None, typer.Option("--product-column", help="Column naming the product.")]
Sheet = Annotated[str | None, typer.Option("--sheet", help="Sheet of an Excel workbook to read (default: the first "
                                                           "with data).")]


def language() -> str:
    """The CLI's language: English, or Chinese with REVIEW_INSIGHTS_CLI_LANGUAGE=zh."""
    from analysis.config import Settings

    return Settings.from_env().cli_language


def say(code_or_message, **params: object) -> str:
    """A message (or a message code with its parameters) in the CLI's language."""
    from analysis.messages import Message, message

    found = code_or_message if isinstance(code_or_message, Message) else message(code_or_message, **params)
    return found.render(language())


def fail(reason, code: int = EXIT_UNUSABLE) -> typer.Exit:
    """Print a user-facing reason (text or ``Message``) on stderr and return the exit to raise."""
    from analysis.messages import render

    typer.echo(say("cli.error", text=render(reason, language())), err=True)
    return typer.Exit(code=code)


def in_file(path: Path, error) -> str:
    """An error's message prefixed with the file it is about, in the CLI's language."""
    return say("cli.in_file", path=str(path), text=say(error.message))


def role_overrides(text: str | None, rating: str | None, date: str | None, product: str | None) -> dict[str, str]:
    """Only the roles the user named, so inference fills the rest."""
    given = {"text": text, "rating": rating, "date": date, "product": product}
    return {role: column for role, column in given.items() if column}


def read_or_exit(path: Path, overrides: dict[str, str], sheet: str | None = None):
    """Ingest a file for a command, turning an unusable file into exit code 2 with the reason."""
    from analysis.io import IngestError, read_reviews

    try:
        return read_reviews(path, overrides=overrides, sheet=sheet)
    except IngestError as exc:
        raise fail(in_file(path, exc)) from None


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="Review export: CSV, TSV, XLSX, JSON, JSONL or Parquet.")],
    text_column: TextColumn = None,
    rating_column: RatingColumn = None,
    date_column: DateColumn = None,
    product_column: ProductColumn = None,
    sheet: Sheet = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as one JSON object.")] = False,
) -> None:
    """Read a review export and report how it was understood: encoding, columns, kept and rejected rows."""
    table = read_or_exit(file, role_overrides(text_column, rating_column, date_column, product_column), sheet)
    report = table.report
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(report.summary(language()))
    if report.rows_kept == 0:
        raise fail(say("cli.no_rows_above", path=str(file)))


def _stderr_progress():
    """A one-line progress display with ETA on stderr, so stdout stays clean for data."""
    from analysis.messages import TEXTS

    def show(step: str, fraction: float, eta: float | None) -> None:
        end = "\n" if fraction >= 1.0 else ""
        name = say(f"step.{step}") if f"step.{step}" in TEXTS else step
        message = say("cli.progress", step=name, fraction=fraction) + (say("cli.eta", eta=eta) if eta is not None
                                                                         else "")
        sys.stderr.write(f"\r{message:<60}{end}")
        sys.stderr.flush()

    return show


@app.command()
def analyze(
    file: Annotated[Path, typer.Argument(help="Review export: CSV, TSV, XLSX, JSON, JSONL or Parquet.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for reviews.csv, themes.csv, alerts.csv, report.json.")],
    text_column: TextColumn = None,
    rating_column: RatingColumn = None,
    date_column: DateColumn = None,
    product_column: ProductColumn = None,
    sheet: Sheet = None,
    themes: Annotated[int | None, typer.Option("--themes", min=2, help="Number of themes (default: from the data).")
                      ] = None,
    save: Annotated[str | None, typer.Option("--save", help="Also save the analysis in the workspace as NAME.")] = None,
    add_to: Annotated[str | None, typer.Option(
        "--add-to", help="Add this file to the saved analysis NAME: only new reviews are embedded, theme ids kept.")
    ] = None,
    chunk_mb: Annotated[float | None, typer.Option(
        "--chunk-mb", min=0.01, help="Read a CSV/TSV in pieces of this many MB, with flat memory and the same results "
                                  "(the default for files over REVIEW_INSIGHTS_MAX_UPLOAD_MB).")] = None,
    engine: Annotated[str, typer.Option(
        "--engine", help="local: in this process (default); ray: on Ray Data, on this machine or the cluster at "
                         "--address; INPUT may then be a folder of CSV/TSV/JSONL/Parquet shards or a glob.")] = "local",
    address: Annotated[str | None, typer.Option(
        "--address", help="With --engine ray: the cluster to join (auto, host:6379, ray://host:10001); default: "
                          "start Ray on this machine.")] = None,
    actors: Annotated[int | None, typer.Option(
        "--actors", min=1, help="With --engine ray: analysing actors (default: one per CPU).")] = None,
    gpus_per_actor: Annotated[float, typer.Option(
        "--gpus-per-actor", min=0.0, help="With --engine ray: GPUs each actor reserves (0: CPU actors).")] = 0.0,
) -> None:
    """Analyse a file headless: sentiment and themes for every kept row, written as CSV and JSON."""
    from analysis.config import Settings
    from analysis.io import write_csv
    from analysis.runs import analyze as run_analysis
    from analysis.runs import extend

    settings = Settings.from_env()
    overrides = role_overrides(text_column, rating_column, date_column, product_column)
    if engine != "local":
        _analyze_on_ray(str(file), out, settings, overrides, engine, address, actors, gpus_per_actor, chunk_mb or 4,
                        themes, bool(save or add_to))
        return
    if file.is_file() and (chunk_mb or file.stat().st_size > settings.max_upload_mb * 1024 * 1024):
        _analyze_in_pieces(file, out, settings, overrides, chunk_mb or 4, themes, bool(save or add_to))
        return
    table = read_or_exit(file, overrides, sheet)
    if table.report.rows_kept == 0:
        raise fail(say("batch.no_rows", path=str(file)))
    previous = _open_saved(settings, add_to) if add_to else None
    try:
        if previous is not None:
            result = extend(previous, table, settings, progress=_stderr_progress())
        else:
            result = run_analysis(table, settings, progress=_stderr_progress(), n_themes=themes)
    except Exception as exc:  # noqa: BLE001  a clear line, not a traceback; the file itself was readable
        raise fail(say("cli.failed", path=str(file), error=f"{type(exc).__name__}: {exc}"), code=1) from None
    out.mkdir(parents=True, exist_ok=True)
    write_csv(result.output_frame(), out / "reviews.csv")
    write_csv(result.themes, out / "themes.csv")
    write_csv(result.alerts, out / "alerts.csv")
    report = {"ingest": result.report.to_dict(), "timings_s": result.timings, "models": result.models}
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    if save or add_to:
        _workspace(settings).save(result, save or add_to, source_file=str(file))
    typer.echo(say("cli.analysed", kept=result.report.rows_kept, rejected=len(result.report.rows_rejected),
                   themes=len(result.themes), alerts=len(result.alerts), out=str(out))
               + (say("cli.saved_as", name=save or add_to) if save or add_to else ""))


def _analyze_in_pieces(file: Path, out: Path, settings, overrides: dict[str, str], chunk_mb: float,
                       themes: int | None, saving: bool) -> None:
    """``analyze`` for a file read in pieces (analysis.runs.batch): flat memory, the same output files."""
    from analysis.io import IngestError
    from analysis.runs import analyze_file

    if saving:
        raise fail(f"{file}: --save and --add-to keep a whole analysis in the workspace, which a file read in pieces "
                   "does not fit; analyse it without them (the output folder holds every row), or split the file.")
    if file.suffix.lower() not in (".csv", ".tsv", ".txt"):
        raise fail(f"{file}: only CSV/TSV files are read in pieces; export the reviews as CSV, or analyse a smaller "
                   "file without --chunk-mb.")
    try:
        summary = analyze_file(file, out, settings, overrides, piece_bytes=int(chunk_mb * (1 << 20)), n_themes=themes,
                               progress=_stderr_progress())
    except IngestError as exc:
        raise fail(in_file(file, exc)) from None
    except Exception as exc:  # noqa: BLE001  a clear line, not a traceback
        raise fail(say("cli.failed", path=str(file), error=f"{type(exc).__name__}: {exc}"), code=1) from None
    ingest = summary["ingest"]
    typer.echo(say("cli.analysed_pieces", kept=ingest["rows_kept"], rejected=len(ingest["rows_rejected"]),
                   pieces=summary["pieces"], themes=summary["themes"], alerts=summary["alerts"], out=str(out)))


EXIT_PARTIAL = 3  # --engine ray: some shards could not be read; the others' results are written


def _analyze_on_ray(source: str, out: Path, settings, overrides: dict[str, str], engine: str, address: str | None,
                    actors: int | None, gpus_per_actor: float, chunk_mb: float, themes: int | None,
                    saving: bool) -> None:
    """``analyze --engine ray`` (analysis.runs.distributed): shards on Ray Data, the in-process results."""
    from analysis.io import IngestError
    from analysis.runs import RayMissing, ShardError, analyze_distributed

    if engine != "ray":
        raise fail(f"--engine {engine}: give local or ray.")
    if saving:
        raise fail("--save and --add-to keep a whole analysis in the workspace, which a run on Ray does not build; "
                   "analyse without them (the output folder holds every row as Parquet), or use --engine local.")
    try:
        report = analyze_distributed(source, out, settings, overrides, address=address, actors=actors,
                                     gpus_per_actor=gpus_per_actor, piece_bytes=int(chunk_mb * (1 << 20)),
                                     n_themes=themes, progress=_stderr_progress())
    except RayMissing as exc:
        raise fail(str(exc)) from None
    except (IngestError, ShardError) as exc:
        raise fail(getattr(exc, "message", str(exc))) from None
    except ConnectionError as exc:
        raise fail(f"--address {address}: no Ray cluster answered ({exc}); start one with `ray start --head`, or "
                   "leave --address out to run on this machine.") from None
    except Exception as exc:  # noqa: BLE001  a clear line, not a traceback
        raise fail(f"{source}: the analysis on Ray failed ({type(exc).__name__}: {str(exc)[:500]}); check the "
                   "column options, or report this message.", code=1) from None
    ingest = report["ingest"]
    typer.echo(f"{ingest['rows_kept']} reviews analysed ({ingest['rows_rejected']} rejected, listed in "
               f"{out / 'rejected'}) from {len(report['shards'])} shard(s) in {report['pieces']} pieces on "
               f"{report['actors']} actors, {report['themes']} themes, {report['alerts']} alerts -> {out}")
    if report["shards_failed"]:
        for failed in report["shards_failed"]:
            typer.echo(f"error: shard not analysed: {failed['reason']}", err=True)
        raise typer.Exit(code=EXIT_PARTIAL)


def _workspace(settings):
    from analysis.store import Workspace, WorkspaceError

    try:
        return Workspace(settings.workspace_file)
    except WorkspaceError as exc:
        raise fail(exc.message) from None


def _open_saved(settings, name: str):
    from analysis.store import WorkspaceError

    try:
        return _workspace(settings).open(name)
    except WorkspaceError as exc:
        raise fail(exc.message) from None


@app.command("list")
def list_saved() -> None:
    """List the analyses saved in the workspace."""
    from analysis.config import Settings

    settings = Settings.from_env()
    saved = _workspace(settings).list()
    typer.echo(f"workspace: {settings.workspace_file}")
    if saved.empty:
        typer.echo("no saved analyses yet; save one with `python -m analysis analyze FILE --out DIR --save NAME`.")
        return
    for row in saved.itertuples():
        typer.echo(f"{row.name}\t{row.rows_kept} reviews\tsaved {row.updated:%Y-%m-%d %H:%M}\tfrom {row.source_file}")


@app.command()
def export(
    name: Annotated[str, typer.Argument(help="Name of a saved analysis (see `list`).")],
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv (UTF-8 with BOM) or .xlsx (reviews + themes).")],
) -> None:
    """Export a saved analysis's reviews with their results, ready for Excel."""
    from analysis.config import Settings
    from analysis.io import to_csv_bytes, to_xlsx_bytes

    result = _open_saved(Settings.from_env(), name)
    frame = result.output_frame()
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(to_xlsx_bytes({"reviews": frame, "themes": result.themes, "alerts": result.alerts}))
    elif out.suffix.lower() == ".csv":
        out.write_bytes(to_csv_bytes(frame))
    else:
        raise fail(f"{out}: give a file ending in .csv or .xlsx.")
    typer.echo(f"{len(frame)} reviews of {name!r} -> {out}")


@app.command()
def report(
    name: Annotated[str, typer.Argument(help="Name of a saved analysis (see `list`).")],
    out: Annotated[Path, typer.Option("--out", help="Output file: .html (opens offline) or .pdf.")],
    start: Annotated[str | None, typer.Option("--start", help="First day of the period, YYYY-MM-DD (default: the "
                                                              "last full calendar month in the data).")] = None,
    end: Annotated[str | None, typer.Option("--end", help="Last day of the period, YYYY-MM-DD.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the report: en or zh (default: the CLI's, "
                                                            "REVIEW_INSIGHTS_CLI_LANGUAGE).")] = None,
) -> None:
    """Write the period report of a saved analysis for a manager: the period against the previous one, complaints
    with quotes, emerging issues, products at risk, praise for campaigns, price perception."""
    from analysis.config import Settings
    from analysis.messages import message
    from analysis.report import ReportError, make_report, pdf_browser

    language_ = lang or language()
    if language_ not in ("en", "zh"):
        raise fail(say("report.bad_language", value=language_))
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise fail(say("report.bad_out", out=str(out)))
    if suffix == ".pdf" and pdf_browser() is None:
        raise fail(message("report.no_pdf_browser"))
    settings = Settings.from_env()
    result = _open_saved(settings, name)
    from analysis.actions import LLM

    llm = LLM.from_settings(settings, _workspace(settings) if settings.llm_base_url.strip() else None)
    if llm.configured:
        typer.echo(say(llm.status()), err=True)  # before anything is sent: where the report's numbers would go
    writer = (lambda prompt: llm.write("report.narrative", prompt)) if llm.configured else None
    try:
        made = make_report(result, name, start, end, language_, writer=writer)
        content = made.pdf() if suffix == ".pdf" else made.html.encode("utf-8")
    except ReportError as exc:
        raise fail(exc.message) from None
    except Exception as exc:  # noqa: BLE001  a clear line, not a traceback
        raise fail(say("report.failed", name=name, error=f"{type(exc).__name__}: {str(exc)[:300]}"), code=1) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    period = made.facts.period
    shown = period.label(language_) if period is not None else say("report.all_reviews")
    for notice in made.facts.notices:
        typer.echo(say(notice), err=True)
    typer.echo(say("report.written", name=name, period=shown, out=str(out)))


@app.command()
def replies(
    name: Annotated[str, typer.Argument(help="Name of a saved analysis (see `list`).")],
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv (UTF-8 with BOM) or .xlsx.")],
    status: Annotated[str | None, typer.Option("--status", help="Only replies with this status: open, sent or "
                                                                "skipped (default: all).")] = None,
    use_llm: Annotated[bool, typer.Option("--llm/--no-llm", help="Draft with the LLM endpoint when one is set "
                                                                 "(REVIEW_INSIGHTS_LLM_*; off by default).")] = True,
) -> None:
    """The reply queue of a saved analysis: reviews that need an answer, by priority, with drafts and statuses."""
    from analysis.actions import LLM, STATUSES, export_frame, reply_table, status_counts
    from analysis.config import Settings
    from analysis.io import to_csv_bytes, to_xlsx_bytes
    from analysis.store import WorkspaceError

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise fail(say("replies.bad_format", suffix=out.suffix or out.name))
    if status is not None and status not in STATUSES:
        raise fail(say("replies.bad_status", status=status, statuses=list(STATUSES)))
    settings = Settings.from_env()
    workspace = _workspace(settings)
    result = _open_saved(settings, name)
    llm = LLM.from_settings(settings, workspace) if use_llm else None
    if llm is not None and llm.base_url:
        typer.echo(say(llm.status()), err=True)  # before anything is sent: where review text would go
    try:
        stored = workspace.replies(name)
    except WorkspaceError as exc:
        raise fail(exc.message) from None
    def drafting(done: int, total: int) -> None:
        sys.stderr.write(f"\r{say('replies.drafting', done=done, total=total):<60}" + ("\n" if done == total else ""))

    table = reply_table(result, stored, llm=llm, progress=drafting if llm is not None and llm.may_send else None)
    if status is not None:
        table = table[table["status"] == status]
    frame = export_frame(table)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(to_xlsx_bytes({"replies": frame}) if suffix == ".xlsx" else to_csv_bytes(frame))
    for note in (llm.notices if llm is not None else []):
        typer.echo(say("replies.notice", text=say(note)), err=True)
    counts = status_counts(table)
    typer.echo(say("replies.written", n=len(table), out=str(out), **counts))
    if llm is not None and llm.configured:
        by = table["drafted_by"].value_counts()
        typer.echo(say("replies.drafted_by", llm=int(by.get("llm", 0)), template=int(by.get("template", 0))))


@app.command("train-sentiment")
def train_sentiment(
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Labelled review folder (default ../shared/data).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", help="Where the weights go (default: the shipped model's folder).")] = None,
    embedding_cache: Annotated[Path | None, typer.Option("--embedding-cache", help="SQLite file caching USE-m embeddings between runs (fast model).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same weights.")] = 42,
    model: Annotated[str, typer.Option("--model", help="fast (USE-m + n-grams, minutes) | e5 (fine-tuned e5-small delta, 20-40 minutes on 2 cores).")] = "fast",
) -> None:
    """Rebuild a shipped sentiment model from the shared labelled reviews (held-out sources excluded), seeded."""
    import logging
    from dataclasses import asdict

    from analysis.messages import render
    from analysis.sentiment import TrainingConfig, train_default_model
    from analysis.sentiment.training import DATA_DIR

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    source = data_dir or DATA_DIR
    if not Path(source).is_dir():
        raise fail(f"no labelled data at {source}; pass --data-dir pointing at the shared data folder.")
    if model not in ("fast", "default", "e5"):
        raise fail(f"--model {model!r}: use fast or e5.")
    show = lambda line: typer.echo(render(line, language()), err=True)
    try:
        if model == "e5":
            from dataclasses import replace

            from analysis.sentiment.transformer_recipe import SHIPPED_RECIPE, train_e5_delta

            path, report, counts = train_e5_delta(source, out_dir, replace(SHIPPED_RECIPE, seed=seed), log=show)
            typer.echo(json.dumps({"delta": str(path), "rows": counts, **asdict(report)}, ensure_ascii=False, indent=2))
            return
        report = train_default_model(source, out_dir, TrainingConfig(seed=seed), embedding_cache, log=show)
    except (FileNotFoundError, ImportError) as exc:
        raise fail(str(exc)) from None
    typer.echo(json.dumps({k: v for k, v in report.__dict__.items()}, ensure_ascii=False, indent=2))


@app.command("evaluate-sentiment")
def evaluate_sentiment(
    file: Annotated[Path, typer.Argument(help="Review file with a label or star-rating column.")],
    label_column: Annotated[str | None, typer.Option("--label-column", help="Column with 0/1 or negative/neutral/positive.")] = None,
    rating_column: RatingColumn = None,
    text_column: TextColumn = None,
    model: Annotated[str, typer.Option("--model", help="default (= fast) | e5 | e5:<delta file> | hf:<id or path> | st:<model>+<head file>.")] = "default",
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as one JSON object.")] = False,
) -> None:
    """Measure a sentiment model against labels or stars: accuracy, macro-F1, AUC-ROC, confusion, per language."""
    from analysis.io import IngestError
    from analysis.sentiment import evaluate_model, load_sentiment_model, read_labelled_file

    if label_column and rating_column:
        raise fail("give --label-column or --rating-column, not both.")
    try:
        texts, targets = read_labelled_file(file, text_column, label_column, rating_column)
    except IngestError as exc:
        raise fail(in_file(file, exc)) from None
    except ValueError as exc:
        raise fail(f"{file}: {exc}") from None
    if not (targets >= 0).any():
        raise fail(f"{file}: no row has a usable label or rating; check --label-column / --rating-column.")
    try:
        sentiment_model = load_sentiment_model(model)
    except (OSError, ValueError) as exc:
        raise fail(str(exc)) from None
    report = evaluate_model(sentiment_model, texts, targets)
    typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if as_json else report.summary())


@app.command("sample-analysis")
def sample_analysis() -> None:
    """Rewrite sample_data/sample_analysis.duckdb: the bundled sample analysed by the current code, shipped ready."""
    from analysis.config import SAMPLE_ANALYSIS
    from analysis.runs import write_sample_analysis

    result = write_sample_analysis()
    typer.echo(say("cli.analysed", kept=result.report.rows_kept, rejected=len(result.report.rows_rejected),
                   themes=len(result.themes), alerts=len(result.alerts), out=str(SAMPLE_ANALYSIS)))


@app.command()
def bench(
    sizes: Annotated[str, typer.Option("--sizes", help="Comma-separated review counts, e.g. 10000,100000.")] = "10000",
    bertopic: Annotated[bool, typer.Option("--bertopic/--no-bertopic", help="Also time BERTopic (smallest size).")
                        ] = True,
    peer: Annotated[bool, typer.Option("--peer", help="Time BERTopic plus a BERT-base sentiment classifier (the "
                                                      "pipeline a user would build instead), not BERTopic alone.")
                    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw measurements as JSON.")] = False,
) -> None:
    """End-to-end speed on real reviews from ../shared/data: cold and warm cache, peak memory, against BERTopic."""
    from analysis.runs.bench import DATA_DIR, benchmark, format_rows

    if not DATA_DIR.exists():
        raise fail(f"the benchmark resamples real reviews from {DATA_DIR}, which is not here.")
    if bertopic and importlib.util.find_spec("bertopic") is None:
        raise fail("the benchmark times BERTopic, which is not installed: run `pip install -r requirements-bench.txt` "
                   "(or add --no-bertopic to time only this product).")
    try:
        counts = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError:
        raise fail(f"--sizes {sizes!r}: give numbers separated by commas, e.g. 10000,100000.") from None
    rows = benchmark(counts, bertopic=bertopic, log=lambda m: typer.echo(m, err=True), peer=peer)
    typer.echo(json.dumps(rows, indent=2) if as_json else format_rows(rows))


def main() -> None:
    """Entry point for ``python -m analysis``."""
    app(prog_name="python -m analysis")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

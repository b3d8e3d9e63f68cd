"""``python -m analysis``: analyse, train and evaluate headless, with the same functions the dashboard calls.

Heavy imports (pandas, torch, models) live inside the commands so ``--help`` answers instantly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

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

TextColumn = Annotated[Optional[str], typer.Option("--text-column", help="Column holding the review text.")]
RatingColumn = Annotated[Optional[str], typer.Option("--rating-column", help="Column holding the star rating.")]
DateColumn = Annotated[Optional[str], typer.Option("--date-column", help="Column holding the review date.")]
ProductColumn = Annotated[Optional[str], typer.Option("--product-column", help="Column naming the product.")]


def fail(message: str, code: int = EXIT_UNUSABLE) -> typer.Exit:
    """Print a user-facing reason on stderr and return the exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=code)


def role_overrides(text: str | None, rating: str | None, date: str | None, product: str | None) -> dict[str, str]:
    """Only the roles the user named, so inference fills the rest."""
    given = {"text": text, "rating": rating, "date": date, "product": product}
    return {role: column for role, column in given.items() if column}


def read_or_exit(path: Path, overrides: dict[str, str]):
    """Ingest a file for a command, turning an unusable file into exit code 2 with the reason."""
    from analysis.ingest import IngestError, read_reviews

    try:
        return read_reviews(path, overrides=overrides)
    except IngestError as exc:
        raise fail(f"{path}: {exc}") from None


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="Review export: CSV, TSV, XLSX, JSON, JSONL or Parquet.")],
    text_column: TextColumn = None,
    rating_column: RatingColumn = None,
    date_column: DateColumn = None,
    product_column: ProductColumn = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as one JSON object.")] = False,
) -> None:
    """Read a review export and report how it was understood: encoding, columns, kept and rejected rows."""
    table = read_or_exit(file, role_overrides(text_column, rating_column, date_column, product_column))
    report = table.report
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(report.summary())
    if report.rows_kept == 0:
        raise fail(f"{file}: no row could be used; see the rejected rows above.")


def main() -> None:
    """Entry point for ``python -m analysis``."""
    app(prog_name="python -m analysis")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

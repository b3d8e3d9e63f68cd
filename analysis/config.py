"""Settings for the whole product, read once from environment variables prefixed ``REVIEW_INSIGHTS_``.

One place for limits, model choices and paths, so the UI, the CLI and the tests agree on them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

ENV_PREFIX = "REVIEW_INSIGHTS_"


def _default_workspace() -> Path:
    """The user's data directory, never the repository: saved analyses hold customer data."""
    from platformdirs import user_data_path

    return user_data_path("review-insights") / "workspace.duckdb"


@dataclass(frozen=True)
class Settings:
    """Every tunable of the product; override any field with ``REVIEW_INSIGHTS_<FIELD>``."""

    max_upload_mb: int = 200
    max_rows: int = 500_000
    max_cell_chars: int = 20_000
    embedding_model: str = "use-m"
    sentiment_model: str = "default"
    embedding_batch_size: int = 256
    embedding_cache_dir: str = ""
    workspace_path: str = ""
    ui_language: str = "zh"
    cli_language: str = "en"  # the language of the CLI's messages: en or zh
    warm_up_sample: int = 1  # 1: Home analyses the bundled sample in the background on first visit; 0: on demand
    shipped_sample: int = 1  # 1: the sample's analysis shipped in sample_data is used while its models run; 0: never
    seed: int = 42
    theme_fit_reviews: int = 20_000  # above this, themes are fitted on a seeded sample and the rest assigned to them
    # worker processes for large USE-m encoder calls (1 thread each); 0 or 1: encode in-process
    encoder_processes: int = min(2, os.cpu_count() or 1)
    # USE-m's per-token products: auto (bfloat16 where the CPU has it natively: 2.4x in-process, see README), bfloat16
    # or float32 (the wheel's pass exactly)
    encoder_precision: str = "auto"
    # the same for files analysed in pieces (`analyze --chunk-mb`, files over MAX_UPLOAD_MB), whose bound is memory:
    # a worker holds ~0.5 GB at bfloat16 (two, kept through the theme fit, took a cold 100k-review run to 3.2 GB;
    # the encoder is now freed after the first pass, and in-process encoding keeps a cold 1M run at 2.2 GB)
    batch_encoder_processes: int = 1
    # The optional LLM endpoint (analysis.actions.llm), off while llm_base_url is empty: any OpenAI-compatible
    # chat-completions server. A URL that is not localhost / 127.x / ::1 gets nothing unless llm_allow_remote is 1.
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""  # else OPENAI_API_KEY
    llm_allow_remote: int = 0
    llm_timeout_s: float = 20.0
    llm_retries: int = 1

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read overrides from the environment, converting each to the field's type."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for field in fields(cls):
            raw = environ.get(ENV_PREFIX + field.name.upper())
            if raw is None:
                continue
            default = field.default
            try:
                values[field.name] = type(default)(raw) if not isinstance(default, str) else raw
            except ValueError as exc:
                raise ValueError(
                    f"{ENV_PREFIX}{field.name.upper()}={raw!r} is not a valid {type(default).__name__}; "
                    f"unset it or give a number like {default!r}."
                ) from exc
        return cls(**values)

    @property
    def workspace_file(self) -> Path:
        return Path(self.workspace_path) if self.workspace_path else _default_workspace()

    @property
    def embedding_cache_file(self) -> Path:
        """Where embeddings are cached: the workspace itself, unless a separate cache directory is set.

        A separate directory holds a standalone SQLite cache (benchmarks and training runs share one that way)."""
        if self.embedding_cache_dir:
            return Path(self.embedding_cache_dir) / "cache.sqlite"
        return self.workspace_file


SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
# Real labelled reviews for training and benchmarks, beside the project (never shipped with it).
SHARED_DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
SAMPLE_REVIEWS = SAMPLE_DIR / "reviews.csv"
SAMPLE_ANALYSIS = SAMPLE_DIR / "sample_analysis.duckdb"  # the sample's analysis, shipped ready (analysis.runs.sample)
SAMPLE_ANALYSIS_NAME = "sample-demo"
SAMPLE_TRUTH = SAMPLE_DIR / "sample_truth.json"

"""Shared fixtures: paths to the bundled sample and to the real labelled data beside the project."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Tests never touch the user's real workspace or embedding cache.
_SCRATCH = Path(tempfile.mkdtemp(prefix="review-insights-tests-"))
os.environ.setdefault("REVIEW_INSIGHTS_WORKSPACE_PATH", str(_SCRATCH / "workspace.duckdb"))
# In-process AppTests must not leave a background analysis running when pytest exits.
os.environ.setdefault("REVIEW_INSIGHTS_WARM_UP_SAMPLE", "0")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"  # analysis.config.SHARED_DATA_DIR, without importing the package


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_table():
    from analysis.io import read_reviews

    return read_reviews(ROOT / "sample_data" / "reviews.csv")


@pytest.fixture(scope="session")
def small_result(tmp_path_factory):
    """The real pipeline (packaged encoder, trained sentiment model, themes) on 400 sample reviews, run once."""
    from dataclasses import replace

    from analysis.config import Settings
    from analysis.io import read_reviews
    from analysis.runs import analyze

    lines = (ROOT / "sample_data" / "reviews.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    small = read_reviews("".join(lines[:401]).encode(), "sample-400.csv")
    settings = replace(Settings.from_env(), embedding_cache_dir=str(tmp_path_factory.mktemp("embedding-cache")))
    return analyze(small, settings)


@pytest.fixture(scope="session")
def bare_result():
    """A real analysis of a file with text only: no dates, products or ratings."""
    import pandas as pd

    from analysis.io import read_reviews
    from analysis.runs import analyze

    texts = [f"{t} ({i})" for i in range(12) for t in ("电池不耐用，很快没电", "Delivery was slow", "质量很好，很满意",
                                                       "Great value for money", "客服不回复")]
    table = read_reviews(pd.DataFrame({"review": texts}).to_csv(index=False).encode(), "bare.csv")
    return analyze(table)

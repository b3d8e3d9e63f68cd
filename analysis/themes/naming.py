"""Theme names: class-based TF-IDF keywords without near duplicates, a phrase label (``labels``), quotes and the
sentiment mix of each theme."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.text.tokenizers import CJK_CHAR, content_word, tokenize
from analysis.themes.clustering import UNTHEMED
from analysis.themes.labels import theme_label
from analysis.themes.polarity import theme_kind


def _near_duplicate(word: str, chosen: Sequence[str]) -> bool:
    for other in chosen:
        if word in other or other in word:
            return True
        if word.isascii() and other.isascii():
            a, b = word.split()[-1], other.split()[-1]
            if len(a) >= 4 and len(b) >= 4 and a[:5] == b[:5]:
                return True
    return False


def _nameable(word: str) -> bool:
    """A keyword names something: a Chinese word of a content part of speech (jieba's dictionary: not an adverb,
    pronoun, time word, person name...: "实在", "好好", "下次", "老公"); English words are already content words."""
    return not CJK_CHAR.search(word) or content_word(word)


def class_tfidf_keywords(docs: Sequence[str], classes: Sequence[int], n_keywords: int = 5) -> dict[int, list[str]]:
    """Keywords per class by class-based TF-IDF (BERTopic's c-TF-IDF), dropping near-duplicate words.

    score(t, c) = tf(t, c) / |c| * log(1 + A / f(t)), with A the mean number of tokens per class and f(t) the
    frequency of t over all classes: frequent in this theme, rare in the others.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    classes = np.asarray(classes)
    order = sorted(set(classes.tolist()))
    if not len(docs):
        return {c: [] for c in order}
    vectorizer = CountVectorizer(analyzer=tokenize, min_df=1)
    try:
        counts = vectorizer.fit_transform(docs)
    except ValueError:  # no tokens at all
        return {c: [] for c in order}
    vocab = np.array(vectorizer.get_feature_names_out())
    index = {c: i for i, c in enumerate(order)}
    onehot = sparse.csr_matrix(
        (np.ones(len(classes)), (np.array([index[c] for c in classes]), np.arange(len(classes)))),
        shape=(len(order), len(classes)),
    )
    return keywords_from_counts(order, vocab, np.asarray((onehot @ counts).todense(), dtype=np.float64), n_keywords)


def class_token_counts(docs: Sequence[str], classes: Sequence[int]) -> dict[int, Counter]:
    """Token counts per class, the input of ``keywords_from_counts``; counts of disjoint sets of docs add up, so a
    run in batches (``analysis.runs.distributed``) sums them instead of holding every doc."""
    out: dict[int, Counter] = {}
    for doc, c in zip(docs, classes, strict=True):
        out.setdefault(int(c), Counter()).update(tokenize(doc))
    return out


def keywords_from_token_counts(counts: dict[int, Counter], n_keywords: int = 5) -> dict[int, list[str]]:
    """``class_tfidf_keywords`` of docs whose ``class_token_counts`` these are."""
    order = sorted(counts)
    vocab = np.array(sorted({t for c in order for t in counts[c]}), dtype=object)
    if not len(vocab):
        return {c: [] for c in order}
    column = {t: j for j, t in enumerate(vocab.tolist())}
    per_class = np.zeros((len(order), len(vocab)), dtype=np.float64)
    for i, c in enumerate(order):
        for token, n in counts[c].items():
            per_class[i, column[token]] = n
    return keywords_from_counts(order, vocab, per_class, n_keywords)


def keywords_from_counts(order: list[int], vocab: np.ndarray, per_class: np.ndarray,
                         n_keywords: int = 5) -> dict[int, list[str]]:
    """The c-TF-IDF keywords of ``class_tfidf_keywords`` from token counts per class (rows ``order``, columns the
    sorted ``vocab``)."""
    index = {c: i for i, c in enumerate(order)}
    tf = per_class / np.maximum(per_class.sum(axis=1, keepdims=True), 1.0)
    avg = per_class.sum() / max(len(order), 1)
    idf = np.log1p(avg / np.maximum(per_class.sum(axis=0), 1.0))
    # Require a word to occur at least twice in the class (or once for tiny classes) to count as a keyword.
    scores = tf * idf * (per_class >= np.minimum(2, per_class.sum(axis=1, keepdims=True) / 50 + 1))
    out: dict[int, list[str]] = {}
    for c, i in index.items():
        chosen: list[str] = []
        for j in np.lexsort((vocab, -scores[i])):
            if scores[i, j] <= 0 or len(chosen) >= n_keywords:
                break
            if _nameable(vocab[j]) and not _near_duplicate(vocab[j], chosen):
                chosen.append(str(vocab[j]))
        out[c] = chosen
    return out


def _quote(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_themes(mentions: pd.DataFrame, texts: pd.Series, theme_ids: Sequence[int], n_reviews: int,
              seed: int, per_theme_docs: int = 400) -> dict[int, dict]:
    """Keywords, sentiment mix and quotes of each theme from its mentions."""
    themed = mentions[mentions["theme_id"] != UNTHEMED]
    # c-TF-IDF over a seeded sample of each theme's clauses (the closest half and a random half).
    docs, classes = [], []
    for t, group in themed.groupby("theme_id", sort=True):
        if len(group) > per_theme_docs:
            close = group.nlargest(per_theme_docs // 2, "similarity")
            rest = group.drop(close.index).sample(per_theme_docs - len(close), random_state=seed)
            group = pd.concat([close, rest])
        docs.extend(group["sentence"].tolist())
        classes.extend([t] * len(group))
    keywords = class_tfidf_keywords(docs, classes)
    info: dict[int, dict] = {}
    for t in theme_ids:
        group = themed[themed["theme_id"] == t]
        pol = group["polarity"]
        per_review = group.sort_values("similarity", ascending=False).drop_duplicates("review")

        def quotes(frame: pd.DataFrame) -> list[str]:
            seen: list[str] = []
            for r in frame["review"]:
                q = _quote(texts.iloc[int(r)])
                if q not in seen and 4 <= len(q):
                    seen.append(q)
                if len(seen) == 3:
                    break
            return seen

        short = per_review[texts.iloc[per_review["review"].to_numpy()].str.len().to_numpy() <= 300]
        side = {"complaint": "negative", "praise": "positive"}.get(
            theme_kind(float((pol == "negative").mean()), float((pol == "positive").mean())) if len(group) else "")
        named = group[pol == side] if side and (pol == side).sum() >= 3 else group
        named = named.sample(min(len(named), per_theme_docs), random_state=seed) if len(named) else named
        info[t] = {
            "keywords": keywords.get(t, []),
            "label": theme_label(named["sentence"].astype(str).tolist(), keywords.get(t, [])),
            "size": int(group["review"].nunique()),
            "share": float(group["review"].nunique() / max(n_reviews, 1)),
            "mention_count": len(group),
            "mean_sentiment": float(group["sentiment_score"].mean()) if len(group) else float("nan"),
            "negative_share": float((pol == "negative").mean()) if len(group) else 0.0,
            "positive_share": float((pol == "positive").mean()) if len(group) else 0.0,
            "example": _quote(group.loc[group["similarity"].idxmax(), "sentence"], 40) if len(group) else "",
            "quotes": quotes(short if len(short) >= 3 else per_review),
            "complaint_quotes": quotes(short[short["polarity"] == "negative"]),
            "praise_quotes": quotes(short[short["polarity"] == "positive"]),
        }
    return info


def describe_topics(texts: pd.Series, topic_ids: np.ndarray, seed: int, per_topic_docs: int = 300) -> pd.DataFrame:
    """Keywords (c-TF-IDF over a seeded sample of each topic's reviews), size and share of each topic."""
    frame = pd.DataFrame({"text": texts.to_numpy(), "topic": topic_ids})
    docs = frame.groupby("topic", group_keys=False).sample(frac=1.0, random_state=seed).groupby("topic").head(
        per_topic_docs)
    keywords = class_tfidf_keywords(docs["text"].str.slice(0, 500).tolist(), docs["topic"].to_numpy())
    sizes = frame["topic"].value_counts()
    return pd.DataFrame([
        {"topic_id": int(t), "label": " / ".join(keywords.get(t, [])[:3]) or f"topic {t}",
         "keywords": keywords.get(t, []), "size": int(sizes.get(t, 0)), "share": float(sizes.get(t, 0) / len(frame))}
        for t in sorted(sizes.index)
    ], columns=["topic_id", "label", "keywords", "size", "share"])

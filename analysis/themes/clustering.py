"""Clause clusters: spherical k-means that over-splits, then merges clusters whose centres are alike."""

from __future__ import annotations

from typing import Any

import numpy as np

UNTHEMED = -1


def _nearest_rows(Z: np.ndarray, centroids: np.ndarray, block: int = 65536) -> tuple[np.ndarray, np.ndarray]:
    """Index of and cosine similarity to the nearest centroid, in blocks (memory O(block * k))."""
    labels = np.empty(len(Z), dtype=np.int64)
    best = np.empty(len(Z), dtype=np.float32)
    for start in range(0, len(Z), block):
        sims = Z[start : start + block] @ centroids.T
        labels[start : start + block] = sims.argmax(axis=1)
        best[start : start + block] = sims.max(axis=1)
    return labels, best


BLOCK_ROWS = 16384  # rows per block where a whole-input temporary of 512-d vectors would be the memory peak


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


# --------------------------------------------------------------------------------------------------------------
# Clustering
# --------------------------------------------------------------------------------------------------------------
class ThemeClusterer:
    """Spherical k-means in a centred PCA space, over-split and then merged by a cohesion-relative linkage rule.

    Follows the scikit-learn estimator contract: ``fit`` returns ``self``; learned state ends in ``_``.

    Args:
        n_themes: fixed number of clusters; ``None`` over-splits (k = min(max_k, n / 30)) and merges.
        n_components: PCA dimensions (fewer than the input's).
        min_similarity: cosine similarity (in the reduced space) below which a vector is left unthemed.
        merge_similarity: clusters whose centres are at least this share of the median cluster cohesion alike are
            merged (centroid linkage; only when k is chosen from the data).
        min_theme_share: clusters with fewer members than this share (and at least 5) are dissolved.
        sample_size: rows used to fit PCA.
        fit_size: rows the final k-means is fitted on (all rows are then assigned to the nearest centroid).
        max_k: upper bound of the k grid (also bounded by n / 30).
        seed: makes every random choice reproducible.
    """

    def __init__(
        self,
        n_themes: int | None = None,
        n_components: int = 48,
        min_similarity: float = 0.2,
        merge_similarity: float = 0.35,
        min_theme_share: float = 0.01,
        sample_size: int = 4000,
        max_k: int = 80,
        fit_size: int = 40000,
        seed: int = 42,
    ) -> None:
        self.n_themes = n_themes
        self.n_components = n_components
        self.min_similarity = min_similarity
        self.merge_similarity = merge_similarity
        self.min_theme_share = min_theme_share
        self.sample_size = sample_size
        self.max_k = max_k
        self.fit_size = fit_size
        self.seed = seed

    # The reduced, centred, normalised space every similarity is measured in.
    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "mean_"):
            raise RuntimeError("ThemeClusterer is not fitted; call fit(X) first.")
        X = np.asarray(X, dtype=np.float32)
        Z = np.empty((len(X), len(self.components_)), dtype=np.float32)
        for start in range(0, len(X), BLOCK_ROWS):  # blockwise: a centred copy of every row would double the input
            Z[start : start + BLOCK_ROWS] = (X[start : start + BLOCK_ROWS] - self.mean_) @ self.components_.T
        return unit_rows(Z)

    def fit(self, X: np.ndarray, y: Any = None) -> ThemeClusterer:
        from sklearn.cluster import KMeans
        from sklearn.decomposition import PCA

        X = np.asarray(X, dtype=np.float32)
        n = X.shape[0]
        if n < 6:
            raise ValueError(f"Themes need at least 6 texts; got {n}. Add more reviews and run again.")
        rng = np.random.default_rng(self.seed)
        sample = np.sort(rng.choice(n, size=min(n, self.sample_size), replace=False))
        n_comp = int(min(self.n_components, X.shape[1], len(sample) - 1))
        pca = PCA(n_components=n_comp, svd_solver="randomized", random_state=self.seed).fit(X[sample])
        self.mean_ = pca.mean_.astype(np.float32)
        self.components_ = pca.components_.astype(np.float32)
        Z = self.transform(X)

        k_max = int(max(2, min(self.max_k, n // 30)))
        self.k_scores_: dict[int, float] = {}
        if self.n_themes is not None:
            k = int(max(1, min(self.n_themes, n)))
        else:
            # over-split on purpose (one cluster per phrasing or language); _merge_topics decides how many remain.
            # Silhouette over a k grid was tried before: on clauses it rose all the way to the grid's top on
            # templated data and fell to k=3 on real data, so it chose nothing.
            k = k_max
        self.chosen_k_ = k
        # k-means on at most fit_size rows, then every row to its nearest centroid: O(n * k * d) for large n
        fit_rows = np.arange(n) if n <= self.fit_size else np.sort(rng.choice(n, self.fit_size, replace=False))
        km = KMeans(k, n_init=3, random_state=self.seed).fit(Z[fit_rows])
        labels = _nearest_rows(Z, unit_rows(km.cluster_centers_))[0]
        if self.n_themes is None:
            labels = self._merge_topics(X, labels)
        counts = np.bincount(labels)
        min_size = max(5, int(self.min_theme_share * n))
        keep = [c for c in range(len(counts)) if counts[c] >= min_size] or [int(np.argmax(counts))]
        self.centroids_ = unit_rows(np.vstack([Z[labels == c].mean(axis=0) for c in keep]))
        self.labels_, self.similarity_ = self._nearest(Z)
        return self

    def _merge_topics(self, X: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Merge clusters about the same topic (greedy centroid linkage in the given space).

        Two clusters join while cos(c_a, c_b) >= merge_similarity * median cohesion of the k-means clusters, cohesion
        being the mean cosine of a cluster's members to its centre (the length of their mean vector): centres
        compared with how tight clusters are in this data, not with a fixed cosine, so the rule does not depend on
        the space's scale. k-means over-splits on purpose (one cluster per phrasing or language); this joins the
        pieces. (A per-pair bar, sqrt(cohesion_a * cohesion_b), kept verbatim-repeated phrasings apart.)"""
        k = int(labels.max()) + 1
        if k < 2:
            return labels
        sums = np.vstack([X[labels == c].sum(axis=0) for c in range(k)]).astype(np.float64)
        sizes = np.bincount(labels, minlength=k).astype(np.float64)
        cohesion = {c: float(np.linalg.norm(sums[c]) / max(sizes[c], 1)) for c in range(k)}
        bar = self.merge_similarity * float(np.median(list(cohesion.values())))
        members = {c: [c] for c in range(k)}
        sums = {c: sums[c] for c in range(k)}
        while len(members) > 1:
            keys = sorted(members)
            C = np.vstack([sums[c] / max(np.linalg.norm(sums[c]), 1e-12) for c in keys])
            sim = C @ C.T
            gain = sim - bar
            np.fill_diagonal(gain, -np.inf)
            i, j = np.unravel_index(np.argmax(gain), gain.shape)
            if gain[i, j] < 0:
                break
            a, b = keys[i], keys[j]
            members[a] += members.pop(b)
            sums[a] = sums[a] + sums.pop(b)
            n_ab = sum(sizes[c] for c in members[a])
            cohesion[a] = float(np.linalg.norm(sums[a]) / n_ab)
            cohesion.pop(b)
        groups = np.empty(k, dtype=np.int64)
        for g, c in enumerate(sorted(members)):
            groups[members[c]] = g
        return groups[labels]

    def _nearest(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        labels, best = _nearest_rows(Z, self.centroids_)
        labels[best < self.min_similarity] = UNTHEMED
        return labels, best

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Nearest theme of each vector, or -1 (unthemed) when none is similar enough."""
        return self._nearest(self.transform(X))[0]

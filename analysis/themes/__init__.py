"""Themes: what reviews talk about, found by clustering sentence embeddings, named by keywords, split by polarity.

Modules, in the order of the flow: ``units`` (clauses), ``context`` (openers and stock phrases), ``space``
(centring, reduction), ``clustering`` (clause clusters), ``topics`` (whole-review topics), ``polarity`` (clause
polarity, complaint/praise split), ``naming`` (keywords, quotes), ``ids`` (stable ids), ``result`` (``ThemeResult``,
rename/merge), ``fit`` (``find_themes``), ``assign`` (``ThemeModel``, ``assign_reviews``), ``combine`` (inputs larger
than one fit).

Design (see ``find_themes``):

1. Units. Each review is split into sentences and clauses (``analysis.text.clauses``); each clause is embedded, so a
   review that praises the sound and complains about the battery carries two themes, each with its own polarity.
2. Context. Openers, closers and verdicts ("Gift for my wife", "上个月买的", "Will buy again", "很满意") say nothing a
   manager can act on, yet they repeat across thousands of reviews and would otherwise become themes of their own.
   A clause is context (``context_clauses``) when it names no aspect (only stopwords and verdict words, see
   ``analysis.text.stopwords``) or when it is a stock phrase: repeated near-verbatim in at least 0.5% of reviews (5 at
   least) and independent of the review's polarity (the 95% interval of the positive share of the reviews that
   carry it lies within 0.3 of the corpus's share; an aspect phrase such as "battery died" leans one way). Context
   clauses stay in ``mentions`` (``context`` True, unthemed) and take no part in fitting; a stock phrase is context
   only when its review has another clause that is not. A review none of whose clauses names an aspect ("太失望了",
   "Love it!") only vents or praises in general: all its clauses are context and it belongs to the general feeling
   (``ThemeResult.general_feeling``), shown apart, never a theme.
3. Space. Clause vectors lose their language's mean (so "物流太慢" and "slow delivery" meet: the multilingual
   encoder aligns meaning, but each language sits at its own offset) and the sentiment direction (the polarity
   probe's weight vector: themes are what customers talk about; how they feel is step 5's job, and without this
   "battery dies" and "support never answers" join for being negative). Then PCA (fit on a seeded sample), L2
   normalisation.
4. Clusters. Spherical k-means in the PCA space over-splits on purpose (k = min(80, n / 30)); clusters are then
   merged greedily (centroid linkage, in the full step-3 space) while two centres are at least ``merge_similarity``
   (0.35) times the median cluster cohesion alike (cohesion: mean cosine of members to their centre), a rule relative
   to how tight clusters are in this data rather than a fixed cosine, so the number of themes comes from how far apart
   topics are; clusters under 1% of the clauses are dissolved into their nearest theme. ``n_themes`` fixes k instead
   (no merging). The factor 0.35 and the 1% floor were chosen on the bundled demo data (``sample_data``: 10-25
   themes, planted themes recovered), not on the benchmark sets. Silhouette over a k grid,
   used before, rose to the grid's top on templated data and fell to k=3 on real data. Cost O(n * k * d) (k-means
   fitted on at most 40k rows, every row then assigned to its nearest centroid); no n x n matrix.
   A clause whose similarity to every centroid is below ``min_similarity`` is unthemed; a review is unthemed only
   when neither it nor any of its clauses is close enough to a theme (reassignment by similarity).
5. Polarity. Each clause gets a score in [-1, 1] from a linear probe trained on this data's own review-level labels
   (``sentiment_label`` when sentiment has run, else stars 1-2 / 4-5) and applied to the clause embedding.
6. Complaint and praise. A theme whose clauses are clearly both negative and positive ("delivery": late vs fast) is
   split into a complaint theme and a praise theme; every theme carries its sentiment mix and a ``kind``.
7. Names. Class-based TF-IDF over clause tokens (jieba for Chinese, words and bigrams for English, stopwords for
   both), 3-5 keywords without near duplicates; three representative quotes per theme.
8. Topics. Whole reviews also get one coarse topic each (hotel / books / laptops): spectral clustering of
   k-nearest-neighbour graphs of seeded samples of review vectors, centred as in step 3 (``TopicClusterer``: k by the
   widest eigengap among the k whose clusterings agree across samples; chosen on development sets, not the
   benchmark sets), the level at which one-topic-per-document tools such as BERTopic work; each theme records its
   most common topic.
9. Stable ids. Given a previous result, new themes are matched to old ones by centroid cosine similarity (Hungarian
   assignment above ``match_similarity``) and inherit their ids and any user-given labels.
"""

from analysis.themes.assign import ThemeModel, assign_reviews, empty_result
from analysis.themes.clustering import UNTHEMED, ThemeClusterer
from analysis.themes.combine import (
                                     combine_parts,
                                     fit_sample,
                                     restated_themes,
                                     restated_topics,
                                     review_keys,
                                     smallest_keys,
                                     theme_counts,
)
from analysis.themes.fit import find_themes
from analysis.themes.ids import match_theme_ids
from analysis.themes.naming import class_tfidf_keywords, class_token_counts, keywords_from_token_counts
from analysis.themes.result import ThemeResult, general_feeling_flags, themes_table_for_saving
from analysis.themes.topics import TopicClusterer
from analysis.themes.units import clauses_to_embed

__all__ = [
    "UNTHEMED", "ThemeClusterer", "ThemeModel", "ThemeResult", "TopicClusterer", "assign_reviews", "class_tfidf_keywords",
    "class_token_counts", "clauses_to_embed", "combine_parts", "empty_result", "find_themes", "fit_sample",
    "general_feeling_flags",
    "keywords_from_token_counts", "match_theme_ids", "restated_themes", "restated_topics", "review_keys",
    "smallest_keys", "theme_counts", "themes_table_for_saving",
]

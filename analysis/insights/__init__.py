"""What the results mean for a manager: trends over time, emerging issues, drivers of low ratings, product
comparisons, semantic search, and the charts (pure functions from tables to Plotly figures)."""

from analysis.insights.drivers import driver_counts, drivers_from_counts, rating_drivers
from analysis.insights.emerging import IssueCounts, emerging_issues, issue_counts, issues_from_counts
from analysis.insights.explain import ClausePush, Explanation, explain_review
from analysis.insights.products import product_summary, theme_share_by_product
from analysis.insights.search import semantic_scores
from analysis.insights.trends import (
    choose_bucket,
    period_start,
    review_scores,
    satisfaction_index,
    satisfaction_over_time,
    theme_volume_over_time,
)

__all__ = [
    "ClausePush", "Explanation", "IssueCounts", "choose_bucket", "driver_counts", "drivers_from_counts", "emerging_issues", "explain_review", "issue_counts",
    "issues_from_counts", "period_start", "product_summary", "rating_drivers", "review_scores",
    "satisfaction_index", "satisfaction_over_time", "semantic_scores", "theme_share_by_product",
    "theme_volume_over_time",
]

"""Review Insights analysis package: ingest, sentiment, themes, trends. Never imports Streamlit."""

__version__ = "0.1.0"

"""Shared page code: translations, sidebar, cached loaders and formatting. Pages stay thin."""

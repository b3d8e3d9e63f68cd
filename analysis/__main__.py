"""``python -m analysis``: the headless command line."""

from analysis.cli import main

main()

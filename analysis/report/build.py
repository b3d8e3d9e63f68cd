"""One call from a saved analysis to a finished report: facts, narrative, chart images, the HTML page (and the PDF
printed from it), as the Report page and ``python -m analysis report`` both use it."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.report.charts import report_charts
from analysis.report.facts import ReportFacts, report_facts
from analysis.report.html import report_html
from analysis.report.images import chart_images
from analysis.report.narrative import Narrative, Writer, write_narrative
from analysis.report.pdf import html_to_pdf
from analysis.store import AnalysisResult


@dataclass(frozen=True)
class Report:
    """A finished report: what it says, its opening paragraph, and the page."""

    facts: ReportFacts
    narrative: Narrative
    html: str
    language: str

    def pdf(self) -> bytes:
        """The page printed to PDF (``ReportError`` when no browser can print here)."""
        return html_to_pdf(self.html)


def make_report(result: AnalysisResult, name: str = "", start=None, end=None, language: str = "en",
                writer: Writer | None = None, charts: bool = True, facts: ReportFacts | None = None) -> Report:
    """The report of ``result`` for the period asked (``choose_period``), in ``language`` (en or zh).

    ``writer``: an optional prompt -> text function for the opening paragraph (the template otherwise);
    ``charts=False`` leaves the chart images out (a quicker page); ``facts``: ones already computed for this period.
    """
    facts = facts if facts is not None else report_facts(result, name, start, end)
    narrative = write_narrative(facts, language, writer)
    images, notice = chart_images(report_charts(facts, language)) if charts else ({}, None)
    page = report_html(facts, narrative, images, language, [notice] if notice else [])
    return Report(facts, narrative, page, language)

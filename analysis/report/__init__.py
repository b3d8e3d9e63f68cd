"""The period report for managers: the period against the previous one, complaints with quotes, emerging issues,
products at risk, praise for campaigns and price perception, as facts (``facts``), an opening paragraph
(``narrative``), charts (``charts``, ``images``), one offline HTML page (``html``) and its PDF (``pdf``).

Modules in the order of the flow: ``period`` (which days, against which), ``price`` (price and value words),
``facts``, ``narrative``, ``charts``, ``images``, ``html``, ``pdf``, ``build`` (all of it in one call).
"""

from analysis.report.build import Report, make_report
from analysis.report.charts import report_charts
from analysis.report.facts import ReportFacts, report_facts
from analysis.report.narrative import Narrative, Writer, narrative_prompt, template_text, write_narrative
from analysis.report.pdf import html_to_pdf, pdf_browser
from analysis.report.period import Period, ReportError, choose_period, default_period, report_months
from analysis.report.price import PRICE_WORDS, mentions_price, price_perception, price_stance

__all__ = [
    "PRICE_WORDS", "Narrative", "Period", "Report", "ReportError", "ReportFacts", "Writer", "choose_period",
    "default_period", "html_to_pdf", "make_report", "mentions_price", "narrative_prompt", "pdf_browser",
    "price_perception", "price_stance", "report_charts", "report_facts", "report_months", "template_text",
    "write_narrative",
]

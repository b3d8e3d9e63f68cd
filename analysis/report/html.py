"""The period report as one self-contained HTML page: styles inline, charts as embedded PNG images, no script, no
external file or font, so it opens offline, mails as one attachment and prints to PDF as it looks.

Review text and theme names are untrusted data: every one goes through ``html.escape``, so a review that holds
``<script>`` shows as that text.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable
from datetime import date
from html import escape

from analysis.insights.charts import FONT
from analysis.messages import Message, message
from analysis.report.facts import MIN_PRODUCT_REVIEWS, NEGATIVE_GAP, SATISFACTION_DROP, ReportFacts
from analysis.report.narrative import Narrative
from analysis.report.price import price_words_shown

FONTS = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', " \
        "'Hiragino Sans GB', 'WenQuanYi Micro Hei', " + FONT.split(", ", 4)[-1]
STYLE = f"""
@page {{ size: A4; margin: 14mm 12mm; }}
body {{ font-family: {FONTS}; color: #1f2328; max-width: 820px; margin: 24px auto; padding: 0 16px;
       line-height: 1.5; font-size: 14px; }}
h1 {{ font-size: 24px; margin: 0 0 4px; }} h2 {{ font-size: 18px; margin: 26px 0 8px; border-bottom: 2px solid #0072B2;
       padding-bottom: 3px; break-after: avoid; }}
.sub {{ color: #57606a; margin: 0 0 14px; }} .notice {{ background: #fff8c5; border-left: 4px solid #d4a72c;
       padding: 6px 10px; margin: 8px 0; font-size: 13px; }}
.rule {{ color: #57606a; font-size: 12.5px; margin: 4px 0 8px; }}
table {{ border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; break-inside: auto; }}
th, td {{ border-bottom: 1px solid #d0d7de; padding: 5px 6px; text-align: left; vertical-align: top; }}
th {{ background: #f6f8fa; white-space: nowrap; }} td.num {{ text-align: right; white-space: nowrap; }}
tr {{ break-inside: avoid; }} .up {{ color: #D55E00; }} .down {{ color: #0072B2; }}
blockquote {{ margin: 4px 0 8px; padding: 4px 10px; border-left: 3px solid #0072B2; background: #f6f8fa;
       white-space: pre-wrap; }}
img.chart {{ width: 100%; max-width: 760px; display: block; margin: 6px 0 12px; break-inside: avoid; }}
footer {{ color: #57606a; font-size: 12px; margin-top: 28px; border-top: 1px solid #d0d7de; padding-top: 6px; }}
"""


def _t(msg: Message, language: str) -> str:
    """A message of the report in the reader's language, escaped (its parameters may hold theme names)."""
    return escape(msg.render(language))

COLUMNS = {"theme": message("report.col_theme"), "reviews": message("report.col_reviews"),
           "share": message("report.col_share"), "change_pp": message("report.col_change_pp"),
           "quote": message("report.col_quote"), "product": message("report.col_product"),
           "before": message("report.col_before"), "since": message("report.col_since"),
           "kpi_satisfaction": message("report.kpi_satisfaction"), "previous": message("report.col_previous"),
           "kpi_negative": message("report.kpi_negative"), "reasons": message("report.col_reasons"),
           "price_reviews": message("report.col_price_reviews"), "price_positive": message("report.price_positive"),
           "price_negative": message("report.price_negative")}


def _headers(language: str, *keys: str) -> list[str]:
    return [_t(COLUMNS[key], language) for key in keys]


def _number(value: object, digits: int = 1, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):,.{digits}f}{unit}"


def _change(value: object, digits: int = 1, unit: str = "", worse_when_up: bool = True) -> str:
    """A signed change, coloured by whether it is bad news."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = float(value)
    bad = value > 0 if worse_when_up else value < 0
    css = "" if abs(value) < 10 ** -digits else (" class='up'" if bad else " class='down'")
    return f"<span{css}>{value:+,.{digits}f}{escape(unit)}</span>"


def _table(headers: list[str], rows: Iterable[list[str]], numeric: set[int] = frozenset()) -> str:
    """A table from escaped header texts and cells already escaped (or built from escaped parts)."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td class='num'>{c}</td>" if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(images: dict[str, bytes], key: str, alt: Message, language: str) -> str:
    if key not in images:
        return ""
    data = base64.b64encode(images[key]).decode("ascii")
    return f"<img class='chart' alt='{_t(alt, language)}' src='data:image/png;base64,{data}'>"


def _kpis(facts: ReportFacts, lang: str) -> str:
    k = facts.kpis
    names = {"reviews": message("report.kpi_reviews"), "satisfaction": message("report.kpi_satisfaction"),
             "negative": message("report.kpi_negative"), "stars": message("report.kpi_stars")}
    formats = {"reviews": (0, "", None), "satisfaction": (1, "", False), "negative": (1, " pp", True),
               "stars": (2, "", False)}
    rows = []
    for key, label in names.items():
        digits, unit, worse_up = formats[key]
        change = k.at[key, "change"]
        if key == "reviews":  # more reviews is neither good nor bad news
            shown = "—" if math.isnan(change) else f"{change:+,.0f}"
        else:
            shown = _change(change, digits, unit, worse_up)
        rows.append([_t(label, lang), _number(k.at[key, "current"], digits, "%" if key == "negative" else ""),
                     _number(k.at[key, "previous"], digits, "%" if key == "negative" else ""), shown])
    headers = [_t(message("report.col_metric"), lang), _t(message("report.col_this"), lang),
               _t(message("report.col_previous"), lang), _t(message("report.col_change"), lang)]
    if facts.period is None:
        return _table(headers[:2], [r[:2] for r in rows], {1})
    return _table(headers, rows, {1, 2, 3})


def _complaints(facts: ReportFacts, lang: str) -> str:
    if facts.complaints.empty:
        return f"<p>{_t(message('report.none_complaints'), lang)}</p>"
    headers = _headers(lang, "theme", "reviews", "share", "change_pp", "quote")
    rows = [[escape(str(r.label)), _number(r.reviews, 0), _number(r.share, 1, "%"), _change(r.change, 1, " pp"),
             f"“{escape(str(r.quote))}”" if isinstance(r.quote, str) else ""]
            for r in facts.complaints.itertuples()]
    return _table(headers, rows, {1, 2, 3})


def _emerging(facts: ReportFacts, lang: str) -> str:
    rule = f"<p class='rule'>{_t(message('report.emerging_rule'), lang)}</p>"
    if facts.period is None:
        return rule + f"<p>{_t(message('report.emerging_needs_dates'), lang)}</p>"
    if facts.emerging.empty:
        return rule + f"<p>{_t(message('report.none_emerging'), lang)}</p>"
    headers = _headers(lang, "product", "theme", "share", "before", "since", "quote")
    rows = [[escape(str(r.product)), escape(str(r.label)), _number(r.share, 1, "%"), _number(r.baseline_share, 1, "%"),
             escape(f"{r.first_period:%Y-%m-%d}"), "<br>".join(f"“{escape(q)}”" for q in list(r.quotes)[:2])]
            for r in facts.emerging.itertuples()]
    return rule + _table(headers, rows, {2, 3, 4})


def _at_risk(facts: ReportFacts, lang: str) -> str:
    rule = f"<p class='rule'>{_t(message('report.risk_rule', reviews=MIN_PRODUCT_REVIEWS, drop=SATISFACTION_DROP, gap=NEGATIVE_GAP), lang)}</p>"
    if facts.at_risk.empty:
        return rule + f"<p>{_t(message('report.none_at_risk'), lang)}</p>"
    reasons = {"emerging": message("report.risk_emerging"), "falling": message("report.risk_falling"),
               "negative": message("report.risk_negative")}
    headers = _headers(lang, "product", "reviews", "kpi_satisfaction", "previous", "kpi_negative", "reasons")
    rows = [[escape(str(r.product)), _number(r.reviews, 0), _number(r.satisfaction), _number(r.previous_satisfaction),
             _number(r.negative, 1, "%"), escape("; ".join(reasons[x].render(lang) for x in r.reasons))]
            for r in facts.at_risk.itertuples()]
    return rule + _table(headers, rows, {1, 2, 3, 4})


def _praise(facts: ReportFacts, lang: str) -> str:
    rule = f"<p class='rule'>{_t(message('report.praise_rule'), lang)}</p>"
    if facts.praise.empty:
        return rule + f"<p>{_t(message('report.none_praise'), lang)}</p>"
    parts = [rule]
    for r in facts.praise.itertuples():
        parts.append(f"<h3>{escape(str(r.label))} <small>({_t(message('report.praise_count', reviews=int(r.reviews), share=_number(r.share, 1)), lang)})</small></h3>")
        parts.extend(f"<blockquote>{escape(q)}</blockquote>" for q in r.quotes)
    return "".join(parts)


def _price(facts: ReportFacts, lang: str) -> str:
    rule = f"<p class='rule'>{_t(message('report.price_rule', words=price_words_shown(lang)), lang)}</p>"
    if facts.price.empty or not facts.price.iloc[0]["price_reviews"]:
        return rule + f"<p>{_t(message('report.none_price'), lang)}</p>"
    headers = _headers(lang, "product", "reviews", "price_reviews", "share", "price_positive", "price_negative")
    everyone = _t(message("report.all_products"), lang)
    rows = [[f"<strong>{everyone}</strong>" if not r.product else escape(str(r.product)), _number(r.reviews, 0),
             _number(r.price_reviews, 0), _number(r.share, 1, "%"), _number(r.positive_share, 0, "%"),
             _number(r.negative_share, 0, "%")] for r in facts.price.itertuples()]
    return rule + _table(headers, rows, {1, 2, 3, 4, 5})


def report_html(facts: ReportFacts, narrative: Narrative, images: dict[str, bytes] | None = None,
                language: str = "en", notices: list[Message] | None = None, today: date | None = None) -> str:
    """The whole page. ``images``: PNG bytes by chart key (``report_charts``); ``notices``: extra ones to show
    (missing chart images); the facts' own notices and the narrative's are shown too."""
    lang, images = language, images or {}
    period = _t(message("report.period_line", period=facts.period.label(lang),
                        previous=facts.period.previous_label(lang)), lang) if facts.period is not None else \
        _t(message("report.all_reviews"), lang)
    shown = [*facts.notices, *(notices or []), *([narrative.notice] if narrative.notice else [])]
    sections = [
        ("report.h_numbers", _kpis(facts, lang) + _image(images, "trend", message("report.chart_trend"), lang)),
        ("report.h_complaints", _complaints(facts, lang)
         + _image(images, "complaints", message("report.chart_complaints"), lang)),
        ("report.h_emerging", _emerging(facts, lang)),
        ("report.h_at_risk", _at_risk(facts, lang)),
        ("report.h_praise", _praise(facts, lang)),
        ("report.h_price", _price(facts, lang) + _image(images, "price", message("report.chart_price"), lang)),
    ]
    headings = {"report.h_numbers": message("report.h_numbers"), "report.h_complaints": message("report.h_complaints"),
                "report.h_emerging": message("report.h_emerging"), "report.h_at_risk": message("report.h_at_risk"),
                "report.h_praise": message("report.h_praise"), "report.h_price": message("report.h_price")}
    title = _t(message("report.title", name=facts.name), lang)
    body = "".join(f"<section><h2>{_t(headings[code], lang)}</h2>{html}</section>" for code, html in sections)
    return (
        f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'\">"
        f"<title>{title}</title><style>{STYLE}</style></head><body>"
        f"<h1>{title}</h1><p class='sub'>{period}</p>"
        + "".join(f"<p class='notice'>{_t(n, lang)}</p>" for n in shown)
        + f"<section><h2>{_t(message('report.h_summary'), lang)}</h2><p>{escape(narrative.text)}</p></section>"
        + body
        + f"<footer>{_t(message('report.generated', day=f'{today or date.today():%Y-%m-%d}'), lang)}</footer>"
        "</body></html>"
    )

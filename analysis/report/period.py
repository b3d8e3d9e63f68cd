"""The period a report covers and the one it is compared with: by default the last full calendar month in the data
against the month before; any start and end day on request, against as many days just before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analysis.messages import MessageError, message


class ReportError(MessageError):
    """A report cannot be made as asked (a bad period, no renderer); the message says what to do."""


@dataclass(frozen=True)
class Period:
    """Days ``start``..``end`` (both included) against ``previous_start``..``previous_end``."""

    start: pd.Timestamp
    end: pd.Timestamp
    previous_start: pd.Timestamp
    previous_end: pd.Timestamp
    calendar_month: bool = False

    def contains(self, dates: pd.Series) -> pd.Series:
        """Which dates fall in the period (a missing date in none)."""
        return _between(dates, self.start, self.end)

    def previous_contains(self, dates: pd.Series) -> pd.Series:
        return _between(dates, self.previous_start, self.previous_end)

    def label(self, language: str = "en") -> str:
        return _label(self.start, self.end, self.calendar_month, language)

    def previous_label(self, language: str = "en") -> str:
        return _label(self.previous_start, self.previous_end, self.calendar_month, language)


def _between(dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    days = pd.to_datetime(pd.Series(dates), errors="coerce").dt.normalize()
    return (days >= start) & (days <= end)


def _label(start: pd.Timestamp, end: pd.Timestamp, month: bool, language: str) -> str:
    if month:
        return f"{start.year}年{start.month}月" if language == "zh" else f"{start:%B %Y}"
    separator = " 至 " if language == "zh" else " – "
    return f"{start:%Y-%m-%d}{separator}{end:%Y-%m-%d}"


def month_period(month_start: pd.Timestamp) -> Period:
    """A calendar month against the month before it."""
    start = pd.Timestamp(month_start).to_period("M").start_time
    end = start + pd.offsets.MonthEnd(0)
    previous_start = (start - pd.Timedelta(days=1)).to_period("M").start_time
    return Period(start, end, previous_start, start - pd.Timedelta(days=1), calendar_month=True)


def days_period(start: pd.Timestamp, end: pd.Timestamp) -> Period:
    """Any run of days against as many days just before it."""
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    length = end - start + pd.Timedelta(days=1)
    return Period(start, end, start - length, start - pd.Timedelta(days=1), calendar_month=False)


def report_months(dates: pd.Series) -> list[pd.Timestamp]:
    """The calendar months that hold reviews, latest first: the choices a report period picker offers."""
    dates = pd.to_datetime(pd.Series(dates), errors="coerce").dropna()
    return sorted(set(dates.dt.to_period("M").dt.start_time), reverse=True)


def default_period(dates: pd.Series) -> Period | None:
    """The last full calendar month in the data against the month before; None when no review has a date.

    A month is full when the data goes on to its last day or beyond: data that ends on 24 November covers
    October fully, November only in part. When no month is full (all dates inside one month), that month is it.
    """
    dates = pd.to_datetime(pd.Series(dates), errors="coerce").dropna()
    if dates.empty:
        return None
    last = dates.max().normalize()
    month = last.to_period("M").start_time
    if last != month + pd.offsets.MonthEnd(0):
        month = (month - pd.Timedelta(days=1)).to_period("M").start_time
    if month + pd.offsets.MonthEnd(0) < dates.min().normalize():
        month = last.to_period("M").start_time
    return month_period(month)


def _day(value: str | date | pd.Timestamp, option: str) -> pd.Timestamp:
    try:
        day = pd.Timestamp(value)
    except (ValueError, TypeError):
        day = pd.NaT
    if pd.isna(day):
        raise ReportError(message("report.bad_date", option=option, value=str(value)))
    return day.normalize()


def choose_period(dates: pd.Series, start: str | date | pd.Timestamp | None = None,
                  end: str | date | pd.Timestamp | None = None) -> Period | None:
    """The period asked for: the default without ``start`` and ``end``; a whole calendar month when they span one
    exactly (compared with the month before); else the days asked for. Only ``start``: up to the last date in the
    data; only ``end``: from the first day of its month. Raises ``ReportError`` for a date that is no date, an end
    before the start, or a period without reviews (with the data's own date range)."""
    parsed = pd.to_datetime(pd.Series(dates), errors="coerce").dropna()
    if start is None and end is None:
        return default_period(parsed)
    if parsed.empty:
        raise ReportError(message("report.no_dates_for_period"))
    first, last = parsed.min().normalize(), parsed.max().normalize()
    start_day = _day(start, "--start") if start is not None else None
    end_day = _day(end, "--end") if end is not None else None
    start_day = start_day if start_day is not None else end_day.to_period("M").start_time
    end_day = end_day if end_day is not None else max(last, start_day)
    if end_day < start_day:
        raise ReportError(message("report.end_before_start", start=f"{start_day:%Y-%m-%d}", end=f"{end_day:%Y-%m-%d}"))
    is_month = start_day.day == 1 and end_day == start_day + pd.offsets.MonthEnd(0)
    period = month_period(start_day) if is_month else days_period(start_day, end_day)
    if not period.contains(parsed).any():
        raise ReportError(message("report.empty_period", start=f"{start_day:%Y-%m-%d}", end=f"{end_day:%Y-%m-%d}",
                                  first=f"{first:%Y-%m-%d}", last=f"{last:%Y-%m-%d}"))
    return period

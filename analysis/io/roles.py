"""What each column of an export means (text, rating, date, product, ...) and how to read its values.

Exports name columns in English or Chinese, or not helpfully at all ("col3"), so a role is inferred from the header
first and from the content second, and every choice carries the reason it was made so the user can check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.messages import Message, message

ROLES = ("text", "rating", "date", "product", "review_id", "title", "category", "language")

# Header words per role, compared after lower-casing and removing spaces, underscores, dashes and dots.
_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "text": ("reviewtext", "review", "reviews", "reviewbody", "reviewcontent", "text", "comment", "comments",
             "content", "body", "feedback", "message", "评论", "评价", "内容", "评价内容", "评论内容", "买家评价",
             "用户评论", "留言", "正文", "评语", "追评", "评论正文"),
    "rating": ("rating", "ratings", "stars", "star", "score", "rate", "overall", "reviewrating", "starrating",
               "评分", "星级", "打分", "分数", "评星", "星", "评价星级", "满意度"),
    "date": ("date", "time", "created", "createdat", "reviewdate", "timestamp", "datetime", "reviewtime",
             "postedat", "日期", "时间", "评价时间", "评论时间", "下单时间", "发布时间", "创建时间"),
    "product": ("product", "productname", "productid", "productcode", "item", "itemname", "itemid", "sku", "asin",
                "goods", "goodsname", "model", "variation", "商品", "产品", "商品名称", "产品名称", "宝贝",
                "宝贝名称", "商品id", "商品编号", "型号", "款式"),
    "review_id": ("reviewid", "id", "commentid", "订单编号", "评论id", "评价id", "编号", "订单号", "序号"),
    "title": ("title", "summary", "headline", "reviewtitle", "标题", "评价标题"),
    "category": ("category", "categories", "department", "类目", "分类", "品类", "类别"),
    "language": ("language", "lang", "语言"),
}
_FRAGMENTS: dict[str, tuple[str, ...]] = {
    "text": ("review", "comment", "评论", "评价", "内容"),
    "rating": ("rating", "star", "score", "评分", "星"),
    "date": ("date", "time", "日期", "时间"),
    "product": ("product", "item", "sku", "商品", "产品"),
    "category": ("category", "类目", "分类"),
    "title": ("title", "标题"),
}


@dataclass(frozen=True)
class RoleChoice:
    column: str
    reason: Message  # why this column was taken for the role, shown next to it


def _norm(header: str) -> str:
    return re.sub(r"[\s_\-.()（）:：]", "", str(header)).lower()


def infer_roles(frame: pd.DataFrame, overrides: dict[str, str] | None = None) -> dict[str, RoleChoice]:
    """Map roles to columns: the user's overrides first, then header names, then content.

    An override of ``""`` turns a role off (a column wrongly taken for dates, say): it is not inferred.
    """
    turned_off = {role for role, col in (overrides or {}).items() if not col}
    overrides = {role: col for role, col in (overrides or {}).items() if col}
    unknown = [c for c in overrides.values() if c not in frame.columns]
    if unknown:
        raise KeyError(unknown[0])
    chosen: dict[str, RoleChoice] = {r: RoleChoice(c, message("role.user")) for r, c in overrides.items()}
    chosen.update({r: RoleChoice("", message("role.off")) for r in turned_off})
    used = set(overrides.values())

    for exact in (True, False):
        for role in ROLES:
            if role in chosen:
                continue
            words = _HEADER_WORDS[role] if exact else _FRAGMENTS.get(role, ())
            for column in frame.columns:
                if column in used:
                    continue
                name = _norm(column)
                if (name in words) if exact else any(w in name for w in words):
                    why = (message("role.header_is", column=column, role=role) if exact
                           else message("role.header_contains", column=column, role=role))
                    chosen[role] = RoleChoice(column, why)
                    used.add(column)
                    break

    _infer_from_content(frame, chosen, used)
    return {role: choice for role, choice in chosen.items() if choice.column}


def _infer_from_content(frame: pd.DataFrame, chosen: dict[str, RoleChoice], used: set[str]) -> None:
    free = [c for c in frame.columns if c not in used]
    if "rating" not in chosen:
        for column in free:
            values = parse_ratings(frame[column]).values
            filled = frame[column].astype(str).str.strip().ne("").sum()
            if filled and np.isfinite(values).sum() / filled > 0.9 and _looks_like_rating(frame[column]):
                chosen["rating"] = RoleChoice(column, message("role.ratings", column=column))
                used.add(column)
                break
    if "date" not in chosen:
        for column in [c for c in frame.columns if c not in used]:
            parsed = parse_dates(frame[column]).values
            filled = frame[column].astype(str).str.strip().ne("").sum()
            if filled and parsed.notna().sum() / filled > 0.9 and not _mostly_small_numbers(frame[column]):
                chosen["date"] = RoleChoice(column, message("role.dates", column=column))
                used.add(column)
                break
    if "text" not in chosen:
        best, best_len = None, 0.0
        for column in [c for c in frame.columns if c not in used]:
            values = frame[column].astype(str)
            wordy = values.str.contains(r"[A-Za-z\u4e00-\u9fff]{2,}", regex=True)
            if wordy.mean() < 0.5:
                continue
            length = values[wordy].str.len().mean()
            if length > best_len:
                best, best_len = column, length
        if best is not None and best_len >= 8:
            chosen["text"] = RoleChoice(best, message("role.longest_text", column=best, chars=best_len))
            used.add(best)


def _looks_like_rating(series: pd.Series) -> bool:
    text = series.astype(str).str.strip()
    if text.str.contains(r"[星★☆]|/\s*(?:5|10|100)\b", regex=True).mean() > 0.5:
        return True
    numbers = pd.to_numeric(text, errors="coerce").dropna()
    return len(numbers) > 0 and numbers.nunique() <= 11 and numbers.min() >= 0 and numbers.max() <= 100


def _mostly_small_numbers(series: pd.Series) -> bool:
    numbers = pd.to_numeric(series.astype(str).str.strip(), errors="coerce")
    return numbers.notna().mean() > 0.9 and numbers.abs().max() < 20_000


# ---------------------------------------------------------------------------------------------------- ratings
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_RATING_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*(\d+))?\s*(?:星|stars?|分|points?)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Parsed:
    values: pd.Series  # parsed values, NaN/NaT where unreadable
    unreadable: list[int]  # positions (0-based) of non-empty values that could not be read
    scale: int = 0  # the points of a column rescaled to 1-5 (10 or 100); 0 when it was on 1-5 already


def _one_rating(value: object) -> tuple[float, float | None]:
    """A raw rating and the scale it states itself (``4/5`` states 5), or NaN."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan, None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value), None
    text = str(value).strip()
    if not text:
        return np.nan, None
    stars = text.count("★")
    if stars and set(text) <= {"★", "☆", " "}:
        return float(stars), 5.0
    zh = re.fullmatch(r"([一二两三四五六七八九十])\s*星", text)
    if zh:
        return float(_ZH_DIGITS[zh.group(1)]), None
    match = _RATING_RE.match(text)
    if not match:
        return np.nan, None
    return float(match.group(1)), float(match.group(2)) if match.group(2) else None


def parse_ratings(series: pd.Series) -> Parsed:
    """Ratings on a 1-5 scale; 10- and 100-point columns are rescaled, unreadable or out-of-range values become NaN."""
    cache: dict[object, tuple[float, float | None]] = {}
    raw = [cache[v] if v in cache else cache.setdefault(v, _one_rating(v)) for v in series.tolist()]
    values = np.array([r[0] for r in raw], dtype=float)
    stated = np.array([r[1] if r[1] else np.nan for r in raw], dtype=float)
    finite = values[np.isfinite(values) & np.isnan(stated)]
    column_scale = 5.0
    if len(finite):
        top = np.nanmax(finite)
        column_scale = 5.0 if top <= 5 else 10.0 if top <= 10 else 100.0
    scale = np.where(np.isnan(stated), column_scale, stated)
    out_of_range = np.isfinite(values) & ((values < 0) | (values > scale))
    values = np.where(out_of_range, np.nan, values)
    normalised = np.where(scale == 5.0, values, values / scale * 5.0)
    normalised = np.where(np.isfinite(normalised), np.clip(normalised, 1.0, 5.0), np.nan)
    # a zero on a five-point scale is not a rating
    normalised = np.where((scale == 5.0) & (values < 1), np.nan, normalised)
    filled = series.astype(str).str.strip().ne("") & series.notna()
    unreadable = [int(i) for i in np.flatnonzero(filled.to_numpy() & ~np.isfinite(normalised))]
    return Parsed(pd.Series(normalised, index=series.index), unreadable, int(column_scale) if column_scale != 5.0 else 0)


# ---------------------------------------------------------------------------------------------------- dates
_ZH_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?(.*)$")
_SLASH_DATE = re.compile(r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})(.*)$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _one_date(value: object) -> pd.Timestamp:
    if value is None or value is pd.NaT:
        return pd.NaT
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None) if value.tzinfo else value
    if hasattr(value, "year") and hasattr(value, "month"):
        return pd.Timestamp(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return _numeric_date(float(value))
    text = str(value).strip()
    if not text:
        return pd.NaT
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _numeric_date(float(text))
    for pattern in (_ZH_DATE, _SLASH_DATE):
        match = pattern.match(text)
        if match:
            y, m, d, rest = match.groups()
            text = f"{y}-{int(m):02d}-{int(d):02d}{rest}"
            break
    try:
        stamp = pd.to_datetime(text, format="mixed", errors="coerce")
    except (ValueError, OverflowError):
        return pd.NaT
    if stamp is pd.NaT or pd.isna(stamp):
        return pd.NaT
    return stamp.tz_localize(None) if stamp.tzinfo else stamp  # keep the shop's wall-clock date


def _numeric_date(number: float) -> pd.Timestamp:
    """Unix seconds or milliseconds, or an Excel serial day number; anything else is not a date."""
    if 1e12 <= number < 1e13:
        return pd.Timestamp(int(number), unit="ms")
    if 1e8 <= number < 1e10:
        return pd.Timestamp(int(number), unit="s")
    if 20_000 <= number < 80_000:
        return _EXCEL_EPOCH + pd.Timedelta(days=number)
    if 19_000_101 <= number <= 21_001_231 and float(number).is_integer():  # 20240305
        return pd.to_datetime(str(int(number)), format="%Y%m%d", errors="coerce")
    return pd.NaT


def parse_dates(series: pd.Series) -> Parsed:
    """Dates from ISO, 2024/3/5, 2024年3月5日, 05-Mar-24, Unix s/ms and Excel serial values; else NaT."""
    cache: dict[object, pd.Timestamp] = {}
    out = []
    for value in series.tolist():
        key = value if isinstance(value, (str, int, float)) else repr(value)
        if key not in cache:
            try:
                cache[key] = _one_date(value)
            except (ValueError, OverflowError, TypeError):
                cache[key] = pd.NaT
        out.append(cache[key])
    values = pd.Series(pd.to_datetime(out, errors="coerce"), index=series.index)
    filled = series.astype(str).str.strip().ne("") & series.notna()
    unreadable = [int(i) for i in np.flatnonzero(filled.to_numpy() & values.isna().to_numpy())]
    return Parsed(values, unreadable)

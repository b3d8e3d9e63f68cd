"""Turn the bytes of an uploaded export into text: which format it is, which encoding, which delimiter.

Shop back-ends and Excel write Chinese exports in GBK/GB18030, sometimes Big5 or UTF-16, and a file stitched from two
exports can mix encodings line by line. Detection therefore checks byte-order marks, then strict UTF-8, then scores
the candidates charset-normalizer proposes by how common the decoded Chinese characters are (charset-normalizer alone
mistakes short GBK text for Korean cp949).
"""

from __future__ import annotations

import csv
import functools
import io
import zipfile
from dataclasses import dataclass

from charset_normalizer import from_bytes

from analysis.messages import Message, MessageError, message

FORMATS = ("csv", "tsv", "xlsx", "json", "jsonl", "parquet")
_EXTENSIONS = {"csv": "csv", "txt": "csv", "tsv": "tsv", "tab": "tsv", "xlsx": "xlsx", "xlsm": "xlsx", "json": "json",
               "jsonl": "jsonl", "ndjson": "jsonl", "parquet": "parquet", "pq": "parquet", "xls": "xls"}


class DecodingError(MessageError, ValueError):
    """The bytes cannot be read as any supported format; the message says what to do."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    mixed_lines: tuple[int, ...] = ()  # 1-based line numbers decoded with the fallback encoding


def sniff_format(data: bytes, filename: str) -> tuple[str, Message | None]:
    """The format the bytes really are, and a warning when the file name says otherwise."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    claimed = _EXTENSIONS.get(ext)
    if data[:4] == b"PK\x03\x04":
        if not _is_workbook(data):
            raise DecodingError(message("file.zip"))
        actual = "xlsx"
    elif data[:4] == b"PAR1":
        actual = "parquet"
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DecodingError(message("file.xls"))
    elif data[:2] == b"\x1f\x8b":
        raise DecodingError(message("file.gzip"))
    elif data[:5] == b"%PDF-":
        raise DecodingError(message("file.pdf"))
    else:
        actual = _text_format(data, claimed)
    warning = None
    if claimed and claimed != actual and not (claimed == "csv" and actual == "tsv"):
        warning = message("file.misnamed", ext=ext, actual=actual.upper())
    return actual, warning


def _is_workbook(data: bytes) -> bool:
    """Whether a ZIP holds an Excel workbook; a damaged ZIP counts as one, so opening it says it is damaged."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(name.startswith("xl/") for name in archive.namelist())
    except zipfile.BadZipFile:
        return True


def _text_format(data: bytes, claimed: str | None) -> str:
    head = data[:4096]
    if _looks_binary(head):
        raise DecodingError(message("file.binary"))
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    if stripped[:1] == b"[":
        return "json"
    if stripped[:1] == b"{":
        first_line = data.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0].strip()
        return "jsonl" if first_line.endswith(b"}") and claimed != "json" else "json"
    return "tsv" if claimed == "tsv" else "csv"


def _looks_binary(head: bytes) -> bool:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False  # UTF-16 text carries NUL bytes legitimately
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return len(head) > 0 and controls / len(head) > 0.05


@functools.lru_cache(maxsize=1)
def _common_chinese() -> frozenset[str]:
    """The ~3,700 most common simplified and ~5,400 most common traditional characters, plus CJK punctuation."""
    chars: set[str] = set("，。！？、；：“”‘’（）《》【】…—～·￥「」『』")
    for hi in range(0xB0, 0xD8):  # GB2312 level 1
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for hi in range(0xA4, 0xC7):  # Big5 frequently used characters
        for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            try:
                chars.add(bytes([hi, lo]).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def _plausibility(text: str) -> float:
    """Share of non-ASCII characters that are common Chinese characters or punctuation."""
    rare = [c for c in text if ord(c) > 127]
    if not rare:
        return 1.0
    common = _common_chinese()
    return sum(c in common for c in rare) / len(rare)


def _python_codec(name: str) -> str:
    name = name.lower().replace("-", "_")
    return {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "big5hkscs": "big5"}.get(name, name)


def decode_text(data: bytes) -> DecodedText:
    """Decode an export's bytes, naming the encoding used; lines in a second encoding are decoded on their own."""
    if data.startswith(b"\xef\xbb\xbf"):
        return DecodedText(data[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return DecodedText(data.decode("utf-16", errors="replace"), "utf-16")
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    sample = data[:200_000]
    candidates = ["gb18030", "big5"]
    for match in from_bytes(sample):
        codec = _python_codec(match.encoding)
        if codec not in candidates and codec != "utf_8":
            candidates.append(codec)
    scored = []
    for rank, codec in enumerate(candidates):
        try:
            decoded = sample.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((_plausibility(decoded), -rank, codec))
    if scored:
        best = max(scored)[2]
        try:
            return DecodedText(data.decode(best), best)
        except UnicodeDecodeError:
            pass  # the sample decoded, the whole file does not: look line by line below
    return _decode_mixed(data)


def _decode_mixed(data: bytes) -> DecodedText:
    """Files stitched from a UTF-8 and a GBK export: decode each line with whichever encoding fits it."""
    lines, fallback_lines = [], []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            fallback_lines.append(number)
            lines.append(raw.decode("gb18030", errors="replace"))
    return DecodedText("\n".join(lines), "utf-8+gb18030", tuple(fallback_lines))


def sniff_delimiter(text: str, file_format: str) -> str:
    """The field delimiter: tab for TSV, else the candidate that splits the first lines most consistently."""
    if file_format == "tsv":
        return "\t"
    sample_lines = [line for line in io.StringIO(text[:50_000], newline="").readlines()[:30] if line.strip()]
    if not sample_lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(sample_lines), delimiters=",\t;|").delimiter
    except csv.Error:
        counts = {d: sample_lines[0].count(d) for d in ",\t;|"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","

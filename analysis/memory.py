"""Handing freed memory back to the operating system after a model is freed, so a run's later steps do not carry it.

Why: glibc keeps freed heap memory in its arenas, one per thread that allocated it. torch's worker threads allocate
e5's activations (batches of 16 reviews up to 512 tokens: attention alone is 200 MB) in their own arenas, so after the
cascade's e5 read the unsure reviews of a file analysed in pieces and was freed, the theme fit (main thread) could not reuse that memory
and a cold 100k-review batch run peaked at 2,433 MB in the fit against the fast model's 1,762 MB (2026-12-07, Intel
Xeon with AMX). ``malloc_trim`` returns every arena's free pages; elsewhere than glibc it is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache


@cache
def _trim():
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def return_freed_memory() -> bool:
    """Collect garbage, then give the C heap's free pages back to the OS; whether the C library could."""
    gc.collect()
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True

"""Name normalisation for search and duplicate detection (no Django).

"Hélène NDIAYE", "ndiaye helene" and "NDIAYE  Hélène" all normalise to
"helene ndiaye": accents and case dropped, words sorted, so the order in which
a clerk types first and last names does not matter.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation turned into spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", ascii_text.lower()).strip()


def normalise_name(*parts: str) -> str:
    words = fold(" ".join(p for p in parts if p)).split()
    return " ".join(sorted(words))


def search_terms(query: str) -> list[str]:
    return fold(query).split()

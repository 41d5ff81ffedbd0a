"""Words for the full-text search: Norwegian stems, made the same way for the text that is
indexed and for the query.

SQLite's FTS5 has no Norwegian stemmer, and Python's sqlite3 module cannot register an FTS5
tokenizer, so on SQLite the text is stemmed here, with Snowball's Norwegian algorithm (the one
PostgreSQL's ``norwegian`` text search configuration uses), and FTS5 indexes the stems as plain
words. The stop words are PostgreSQL's list (Snowball's, BSD licence, ``norwegian.stop``), so a
query ignores the same words on both databases. PostgreSQL stems by itself (to_tsvector and
to_tsquery with ``norwegian``): there this module only splits a query into words.

No Flask here: the migration that builds the first index uses it too.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

# Letters and digits; an underscore or any punctuation separates words, as in FTS5's unicode61.
WORD = re.compile(r"[^\W_]+")

STOP_WORDS = frozenset((Path(__file__).with_name("norwegian.stop")).read_text("utf-8").split())

# A Snowball stemmer object keeps state between calls: one per thread.
_local = threading.local()


def _stemmer():
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        # Imported at first use: the package loads every language's stemmer (3 MB), and a
        # worker that has filed nothing on SQLite never stems a word.
        import snowballstemmer

        stemmer = _local.stemmer = snowballstemmer.stemmer("norwegian")
    return stemmer


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The stem of one lower-case word (cached: a language has far fewer words than texts)."""
    return _stemmer().stemWord(word)


def words(text: str | None) -> list[str]:
    """The words of ``text`` that a search looks at: lower case, stop words left out."""
    if not text:
        return []
    return [w for w in WORD.findall(text.lower()) if w not in STOP_WORDS]


def stems(text: str | None) -> list[str]:
    return [stem(w) for w in words(text)]


def document(*texts: str | None) -> str:
    """The stems of all ``texts``, space-separated: what SQLite's FTS5 table indexes."""
    return " ".join(s for text in texts for s in stems(text))


def query_stems(text: str | None, limit: int = 12) -> list[str]:
    """The distinct stems of a query, in the order typed; at most ``limit`` of them."""
    seen: dict[str, None] = {}
    for s in stems(text):
        seen.setdefault(s, None)
    return list(seen)[:limit]


def query_words(text: str | None, limit: int = 12) -> list[str]:
    """The distinct words of a query (unstemmed, for PostgreSQL), at most ``limit``."""
    seen: dict[str, None] = {}
    for w in words(text):
        seen.setdefault(w, None)
    return list(seen)[:limit]

"""Full-text search for Chinese without a word segmenter: character unigrams and bigrams.

Chinese has no spaces, so a notice's searchable text (title, structured fields, code, the start of the
body) is turned into a *search document*: every CJK character and every pair of neighbouring CJK
characters, plus lower-cased ASCII words and numbers, space-separated, each once. A query becomes the AND
of its bigrams (one CJK character: the character itself), so "施工" finds "某某道路施工招标公告" and
"道路施工" needs both "道路", "路施" and "施工". Filter tokens (type, category, region and its parent
region) go into the same document so the index answers filtered searches without touching the table.

The document is stored in ``notices_noticesearch`` (one narrow row per notice, insert-only). SQLite: an FTS5
table over its ``text`` (external content, kept in step by triggers — the rows are inserted once and never
edited, so the insert trigger costs what an explicit insert would). PostgreSQL: a generated ``tsvector``
column built from the tokens as they are (``array_to_tsvector``, no parser, no stemming) with a GIN index.
Neither is visible to the ORM; :mod:`.selectors` queries them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# CJK Unified Ideographs, Extension A and compatibility ideographs; then ASCII letters/digits.
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_CJK_START = "\u3400"
# Filter tokens start with "yg" and a letter; a query cannot ask for them directly.
_FILTER_TOKEN = re.compile(r"^yg[tcr][a-z0-9]+$")
BODY_CHARS = 200  # the opening of the body (who, what, where); the facts themselves are in the fields


def _normalise(text: str) -> str:
    # NFKC folds full-width ASCII (ＬＥＤ, ２０２６) to ASCII; lower() makes ASCII case-insensitive.
    return unicodedata.normalize("NFKC", text or "").lower()


def _is_cjk(run: str) -> bool:
    return run[0] >= _CJK_START


def document_tokens(texts: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        for match in _RUN.finditer(_normalise(text)):
            run = match.group()
            if _is_cjk(run):
                for i, char in enumerate(run):
                    seen.setdefault(char, None)
                    if i + 1 < len(run):
                        seen.setdefault(run[i:i + 2], None)
            else:
                seen.setdefault(run, None)
    return list(seen)


def query_tokens(query: str) -> list[str]:
    """The tokens every match must contain; empty when the query has nothing searchable."""
    seen: dict[str, None] = {}
    for match in _RUN.finditer(_normalise(query)):
        run = match.group()
        if _is_cjk(run):
            if len(run) == 1:
                seen.setdefault(run, None)
            for i in range(len(run) - 1):
                seen.setdefault(run[i:i + 2], None)
        elif not _FILTER_TOKEN.match(run):
            seen.setdefault(run, None)
    return list(seen)


def type_token(notice_type: str) -> str:
    return "ygt" + notice_type.replace("_", "")


def category_token(category: str) -> str:
    return "ygc" + category.replace("_", "")


def region_token(region_code: str) -> str:
    return "ygr" + region_code


def search_document(*, title: str, code: str, fields: dict, body_text: str, notice_type: str, category: str,
                    region_codes: Iterable[str]) -> str:
    """The stored search document of one notice (``NoticeSearch.text``)."""
    texts = [title, code, *(str(v) for v in fields.values()), body_text[:BODY_CHARS]]
    tokens = document_tokens(texts)
    tokens += [type_token(notice_type), category_token(category), *(region_token(c) for c in region_codes)]
    return " ".join(tokens)


def fts5_match(tokens: list[str]) -> str:
    """An FTS5 MATCH expression: every token as a quoted string, ANDed (tokens never contain quotes)."""
    return " AND ".join(f'"{t}"' for t in tokens)


def tsquery(tokens: list[str]) -> str:
    """A tsquery literal (cast with ``::tsquery``, no parser): quoted lexemes ANDed."""
    return " & ".join(f"'{t}'" for t in tokens)


# --- schema (run from the initial migration, by vendor) ---------------------------------------------------

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE notices_search_fts USING fts5(text, content='notices_noticesearch', "
    "content_rowid='notice_id', tokenize='unicode61 remove_diacritics 0', detail='none')",
    "CREATE TRIGGER notices_search_fts_insert AFTER INSERT ON notices_noticesearch BEGIN "
    "INSERT INTO notices_search_fts(rowid, text) VALUES (new.notice_id, new.text); END",
    "CREATE TRIGGER notices_search_fts_delete AFTER DELETE ON notices_noticesearch BEGIN "
    "INSERT INTO notices_search_fts(notices_search_fts, rowid, text) VALUES ('delete', old.notice_id, old.text); END",
    "CREATE TRIGGER notices_search_fts_update AFTER UPDATE ON notices_noticesearch BEGIN "
    "INSERT INTO notices_search_fts(notices_search_fts, rowid, text) VALUES ('delete', old.notice_id, old.text); "
    "INSERT INTO notices_search_fts(rowid, text) VALUES (new.notice_id, new.text); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS notices_search_fts_update",
    "DROP TRIGGER IF EXISTS notices_search_fts_delete",
    "DROP TRIGGER IF EXISTS notices_search_fts_insert",
    "DROP TABLE IF EXISTS notices_search_fts",
]
POSTGRES_CREATE = [
    "ALTER TABLE notices_noticesearch ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(string_to_array(text, ' '))) STORED",
    # Serves every query with q= (and filters): the AND of bigram and filter lexemes.
    "CREATE INDEX notices_search_gin ON notices_noticesearch USING gin (search_vector)",
    # Keep the heap rows tiny: the document text goes out of line (TOAST), so a search that must visit the
    # rows of 30,000 matches to order them by id reads a few thousand pages, not tens of thousands.
    "ALTER TABLE notices_noticesearch SET (toast_tuple_target = 128)",
    "ALTER TABLE notices_noticesearch ALTER COLUMN text SET STORAGE EXTERNAL",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS notices_search_gin",
    "ALTER TABLE notices_noticesearch DROP COLUMN IF EXISTS search_vector",
]


def schema_create(schema_editor) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_CREATE if vendor == "sqlite" else POSTGRES_CREATE if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def schema_drop(schema_editor) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DROP if vendor == "sqlite" else POSTGRES_DROP if vendor == "postgresql" else []:
        schema_editor.execute(sql)

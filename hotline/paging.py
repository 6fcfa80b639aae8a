"""Pages of long lists: the page number a visitor asks for, kept within what the database can count to."""
from __future__ import annotations

from hotline.extensions import db

PER_PAGE = 50
# Far beyond any real list (500,000 rows at 50 a page), and small enough that the offset fits every database.
MAX_PAGE = 10_000


def page_number(raw: str | None) -> int:
    """The page asked for: 1 when missing, malformed or below 1; at most MAX_PAGE (an empty last page)."""
    if not raw or not raw.isascii() or not raw.isdigit():
        return 1
    return max(1, min(int(raw[:7]) if len(raw) <= 7 else MAX_PAGE, MAX_PAGE))


def paginate(query, raw_page: str | None, per_page: int = PER_PAGE):
    """One page of the query's rows (an empty page past the end, never an error)."""
    return db.paginate(query, page=page_number(raw_page), per_page=per_page, error_out=False)

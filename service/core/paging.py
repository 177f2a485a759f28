"""The paging and sorting rules every paged list shares (rest.md, Conventions)."""

from __future__ import annotations

from collections.abc import Iterable

from service.core.errors import invalid_field

MAX_LIMIT = 500
# Far beyond any real list; keeps skip = (page - 1) * limit inside a 64-bit integer.
MAX_PAGE = 1_000_000


def check_paging(
    *, sort_fields: Iterable[str], sort_field: str, sort_direction: int, page: int, limit: int
) -> None:
    fields = list(sort_fields)
    if sort_field not in fields:
        raise invalid_field("sort_field", f"must be one of {', '.join(fields)}")
    if sort_direction not in (1, -1):
        raise invalid_field("sort_direction", "must be 1 (ascending) or -1 (descending)")
    if not 1 <= page <= MAX_PAGE:
        raise invalid_field("page", f"must be 1 to {MAX_PAGE}")
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid_field("limit", f"must be 1 to {MAX_LIMIT}")

"""Atomic read-modify-write on every supported store.

MongoDB applies each single-document update atomically. FerretDB 1.x (SQLite backend) does
not: it reads the document, applies the operators and writes it back without a lock, so two
concurrent updates of one document can lose one of them (20 parallel ``$inc`` leave 3).
What both stores do make atomic is an insert against the unique ``_id`` index, so every
update of a contended document first takes a short lease, a document inserted into
``document_locks``; a holder that died is replaced once its lease has expired. On MongoDB
this costs two small round trips per write and changes nothing else.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from service.core.clock import now_ms
from service.core.errors import Conflict

LOCK_COLLECTION = "document_locks"
LEASE_MS = 10_000
WAIT_SECONDS = 5.0


@asynccontextmanager
async def document_lock(collection: Any, document_id: object) -> AsyncIterator[None]:
    """Hold the write lease of one document of ``collection`` for the block's duration."""
    locks = collection.database[LOCK_COLLECTION]
    key = f"{collection.name}:{document_id}"
    owner = uuid.uuid4().hex
    deadline = time.monotonic() + WAIT_SECONDS
    delay = 0.002
    while True:
        now = now_ms()
        try:
            await locks.insert_one({"_id": key, "owner": owner, "expires_at": now + LEASE_MS})
            break
        except DuplicateKeyError:
            await locks.delete_one({"_id": key, "expires_at": {"$lt": now}})
            if time.monotonic() > deadline:
                raise Conflict("busy", "The record is being changed; try again") from None
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)
    try:
        yield
    finally:
        await locks.delete_one({"_id": key, "owner": owner})


_MISSING = object()


def _value_at(document: dict[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _satisfies(value: Any, operator: str, argument: Any) -> bool:
    present = value is not _MISSING
    if operator == "$ne":
        return not present or value != argument
    if operator == "$in":
        return present and value in argument
    if operator == "$exists":
        return present == bool(argument)
    if operator in ("$gt", "$gte", "$lt", "$lte"):
        if not present or value is None:
            return False
        return {
            "$gt": value > argument,
            "$gte": value >= argument,
            "$lt": value < argument,
            "$lte": value <= argument,
        }[operator]
    raise ValueError(f"atomic_update does not evaluate {operator}")


def matches(document: dict[str, Any], match: dict[str, Any]) -> bool:
    """Whether a document satisfies a simple filter (equality and a few comparisons)."""
    for path, condition in match.items():
        if path == "$or":
            if not any(matches(document, branch) for branch in condition):
                return False
            continue
        value = _value_at(document, path)
        if isinstance(condition, dict) and condition and all(k.startswith("$") for k in condition):
            if not all(_satisfies(value, op, arg) for op, arg in condition.items()):
                return False
        elif value is _MISSING or value != condition:
            return False
    return True


async def atomic_update(
    collection: Any,
    match: dict[str, Any],
    update: dict[str, Any],
    *,
    upsert: bool = False,
) -> dict[str, Any] | None:
    """Update one document by ``_id`` if it satisfies ``match``, under its lease.

    The conditions are checked on the document read inside the lease and the write goes by
    bare ``_id``: FerretDB scans the collection for any other filter, so this keeps a
    conditional write as cheap as a point lookup. Returns the new document, or None when
    the document is absent (and not upserted) or fails the conditions.
    """
    document_id = match["_id"]
    async with document_lock(collection, document_id):
        current = await collection.find_one({"_id": document_id})
        if current is None and not upsert:
            return None
        if current is not None and not matches(current, match):
            return None
        return await collection.find_one_and_update(  # type: ignore[no-any-return]
            {"_id": document_id}, update, upsert=upsert, return_document=ReturnDocument.AFTER
        )

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


async def atomic_update(
    collection: Any,
    match: dict[str, Any],
    update: dict[str, Any],
    *,
    upsert: bool = False,
) -> dict[str, Any] | None:
    """``find_one_and_update`` by ``_id`` under the document's lease; returns the new version."""
    async with document_lock(collection, match["_id"]):
        return await collection.find_one_and_update(  # type: ignore[no-any-return]
            match, update, upsert=upsert, return_document=ReturnDocument.AFTER
        )

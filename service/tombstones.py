"""Deleting an aggregate into a tombstone, and creating one whose id a tombstone still holds.

A deleted system or OAuth provider stays as a tombstone (``deleted: true``) until the relay
has published its last event. Creating the same id meanwhile revives that document in one
atomic write: the new fields are set and the created event is queued after the pending
deleted event, so consumers still see delete, then create.
"""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from service.core.atomic import atomic_update
from service.core.outbox import write_change

_OUTBOX_FIELDS = {"_id", "version", "pending_events"}


async def insert_or_revive(
    collection: Any, document: dict[str, Any], event: dict[str, Any]
) -> bool:
    """Insert ``document`` with ``event`` pending; False when a live document has its id.

    Tried twice: the relay may drop the tombstone between a refused insert and the revive.
    """
    fields = {key: value for key, value in document.items() if key not in _OUTBOX_FIELDS}
    for _ in range(2):
        try:
            await collection.insert_one({**document, "pending_events": [event]})
            return True
        except DuplicateKeyError:
            pass
        revived = await atomic_update(
            collection,
            {"_id": document["_id"], "deleted": True},
            {
                "$set": {**fields, "deleted": False},
                "$inc": {"version": 1},
                "$push": {"pending_events": event},
            },
        )
        if revived is not None:
            return True
    return False


async def bury(
    collection: Any, *, document_id: Any, version: int, event: dict[str, Any]
) -> bool | None:
    """Turn a document into a tombstone holding its deleted ``event``, if still at ``version``.

    None when a concurrent change moved the version (re-read and decide again).
    """
    written = await write_change(
        collection,
        match={"_id": document_id, "version": version},
        update={"$set": {"deleted": True}},
        events=[event],
    )
    return None if written is None else True

"""Creating an aggregate whose id may still be held by a tombstone.

A deleted system or OAuth provider stays as a tombstone (``deleted: true``) until the relay
has published its last event. Creating the same id meanwhile revives that document in one
atomic write: the new fields are set and the created event is queued after the pending
deleted event, so consumers still see delete, then create.
"""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from service.core.atomic import atomic_update

_OUTBOX_FIELDS = {"_id", "version", "pending_events", "outbox_lease_owner", "outbox_lease_until"}


async def insert_or_revive(
    collection: Any, document: dict[str, Any], event: dict[str, Any]
) -> bool:
    """Insert ``document`` with ``event`` pending; False when a live document has its id."""
    try:
        await collection.insert_one({**document, "pending_events": [event]})
        return True
    except DuplicateKeyError:
        pass
    fields = {key: value for key, value in document.items() if key not in _OUTBOX_FIELDS}
    revived = await atomic_update(
        collection,
        {"_id": document["_id"], "deleted": True},
        {
            "$set": {**fields, "deleted": False},
            "$inc": {"version": 1},
            "$push": {"pending_events": event},
        },
    )
    return revived is not None

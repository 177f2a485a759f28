"""The transactional outbox: events live inside the document whose change they describe.

Every store we support makes a single-document write atomic, so a change and its event are
written by one update (``$set`` + ``$push`` onto ``pending_events``) and cannot part. A
relay (service.core.relay) publishes pending events in array order and then pulls them.
A deleted aggregate becomes a tombstone (``deleted: true``) until its last event is sent.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field

from service.core.atomic import atomic_update
from service.core.errors import Conflict
from service.core.security import DataCipher

EVENT_SOURCE = "accounts-service"
T = TypeVar("T")
Channel = Literal["events", "notifications"]


class PendingEvent(BaseModel):
    id: str
    channel: Channel = "events"
    type: str
    subject: str
    time: str
    data: dict[str, Any] | None = None
    sealed_data: str | None = None


class OutboxFields(BaseModel):
    """Fields every aggregate document carries for the outbox and optimistic concurrency."""

    version: int = 0
    pending_events: list[PendingEvent] = Field(default_factory=list)
    deleted: bool = False


def new_event(
    event_type: str,
    subject: str,
    data: dict[str, Any],
    *,
    actor_id: str | None,
    channel: Channel = "events",
    cipher: DataCipher | None = None,
) -> dict[str, Any]:
    """An event ready to ``$push``; with a cipher its data is kept encrypted until sent."""
    payload = {**data, "actor_id": actor_id} if channel == "events" else dict(data)
    event = PendingEvent(
        id=str(uuid.uuid4()),
        channel=channel,
        type=event_type,
        subject=subject,
        time=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    )
    if cipher is not None:
        event.sealed_data = cipher.encrypt(json.dumps(payload))
    else:
        event.data = payload
    return event.model_dump()


def cloud_event(event: PendingEvent, cipher: DataCipher) -> dict[str, Any]:
    """The CloudEvents 1.0 structured-mode envelope published to Kafka."""
    data = json.loads(cipher.decrypt(event.sealed_data)) if event.sealed_data else event.data
    return {
        "specversion": "1.0",
        "id": event.id,
        "source": EVENT_SOURCE,
        "type": event.type,
        "subject": event.subject,
        "time": event.time,
        "datacontenttype": "application/json",
        "data": data,
    }


async def write_change(
    collection: Any,
    *,
    match: dict[str, Any],
    update: dict[str, Any],
    events: list[dict[str, Any]],
) -> dict[str, Any] | None:
    """Apply ``update`` and push ``events`` in one atomic single-document write.

    ``match`` should carry the ``version`` the change was decided on (optimistic
    concurrency): a concurrent change makes this return None, and the caller re-reads and
    decides again (or answers 409). The version moves with every change.
    """
    full_update = {key: dict(value) for key, value in update.items()}
    full_update.setdefault("$inc", {})["version"] = 1
    if events:
        full_update.setdefault("$push", {})["pending_events"] = {"$each": events}
    return await atomic_update(collection, {**match, "deleted": {"$ne": True}}, full_update)


async def retry_lost_races(
    attempt: Callable[[], Awaitable[T | None]], *, what: str, attempts: int = 20
) -> T:
    """Run a read-decide-write ``attempt`` until its version-guarded write wins.

    ``attempt`` re-reads, re-checks its rules and returns None when a concurrent change
    beat its write; after ``attempts`` lost races the caller gets 409.
    """
    for _ in range(attempts):
        result = await attempt()
        if result is not None:
            return result
        await asyncio.sleep(0.005)
    raise Conflict("conflict", f"{what} changed concurrently; try again")

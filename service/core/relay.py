"""The outbox relay: publishes every pending event to Kafka, in order per aggregate.

A relay runs inside every service process (and alone as ``python -m service.relay``); any
number of them, on any number of hosts, share the work. A pass scans the aggregate
collections for documents with pending events (oldest first) and relays them in batches:

- **Claim.** Before it reads a document's pending events a relay takes that aggregate's
  lease: a document inserted into ``outbox_leases`` under the unique ``_id``
  ``<collection>:<id>``, with the claim's owner token and expiry. The unique insert is the
  one write FerretDB makes atomic (see service.core.atomic), so two relays never publish
  the same aggregate at once. A lease whose relay died (or hung) expires and is taken over
  by exactly one relay: it first inserts a takeover marker named after the dead claim's
  token (unique again), then replaces the lease.
- **Publish.** Each aggregate's events in array order, keyed by the aggregate id, through
  one idempotent ``acks=all`` producer; sealed data is decrypted only here.
- **Mark sent.** For the leading events Kafka acknowledged, a record (id, type, subject,
  ``sent_at``; no data, so no OTP outlives its sending) goes to ``outbox_sent``, then they
  are pulled out of the document with ``$pullAll`` under the document's write lock (the
  ``document_locks`` of service.core.atomic, taken for a few documents at a time), so a
  change written concurrently is never reverted. A tombstone whose last event is out is
  deleted. Records older than ``outbox_retention_seconds`` are purged.
- **Crash.** A relay killed between publishing and pulling leaves the events pending and
  its leases in place; once they expire, the relay taking over skips the events recorded
  as sent and publishes the rest again (delivery is at least once, with the same CloudEvent
  ``id``, which consumers deduplicate on).
- **Broker outage.** Requests never wait on Kafka (they only write the database and call
  wake()). The events stay pending; the relay retries with a growing pause (at most 5 s)
  and reports the broker down (broker_up, readiness, metrics). stop() is bounded:
  undelivered batches of the idempotent producer are failed rather than flushed forever.

- **Wake-ups.** A pass runs when wake() is called (after each write of this process) and
  every ``outbox_poll_seconds`` otherwise (events written by other processes, work of a dead
  relay); on a store that scans whole collections (FerretDB) the idle poll stretches so
  that scanning takes about a tenth of the time.

Batching matters on FerretDB, where every write is a synced SQLite transaction: a batch
costs a few bulk writes plus one update per aggregate.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError
from prometheus_client import CollectorRegistry, Counter, Gauge
from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from service.core.atomic import LEASE_MS as LOCK_MS
from service.core.atomic import LOCK_COLLECTION, atomic_update, document_lock
from service.core.clock import now_ms
from service.core.database import connect
from service.core.outbox import PendingEvent, cloud_event
from service.core.security import DataCipher
from service.core.settings import Settings

logger = logging.getLogger("service.relay")

LEASE_COLLECTION = "outbox_leases"
SENT_COLLECTION = "outbox_sent"
PENDING: dict[str, Any] = {"pending_events.0.id": {"$gt": ""}}  # uses the outbox_pending index
BATCH_SIZE = 200  # aggregates claimed and published together
MAX_EVENTS_PER_CLAIM = 500
CONCURRENCY = 16  # reads and updates in flight
LOCK_GROUP = 16  # documents whose write lock one pull holds at once
PUBLISH_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5.0
HEALTH_CHECK_SECONDS = 5.0
STOP_GRACE_SECONDS = 2.0
CLOSE_GRACE_SECONDS = 1.0
CLOSE_TIMEOUT_SECONDS = 2.0
MAX_RETRY_SECONDS = 5.0
SWEEP_EVERY_SECONDS = 60.0
# A scan reads every aggregate document where the store cannot use the outbox_pending index
# (FerretDB scans whole collections): idle polls then stretch so that scanning takes about a
# tenth of the time at most, and woken passes leave a gap as long as the last scan took.
SCAN_SHARE = 0.1
MAX_IDLE_SECONDS = 60.0
DUPLICATE_KEY = 11000

T = TypeVar("T")


def aggregate_collections() -> tuple[str, ...]:
    """The collections whose documents carry ``pending_events``."""
    from service.accounts.documents import Account
    from service.oauth.documents import OAuthProvider
    from service.organisations.documents import Organisation
    from service.systems.documents import System

    return tuple(doc.Settings.name for doc in (Account, Organisation, System, OAuthProvider))


class BrokerUnavailable(Exception):
    """Kafka did not take the events; they stay pending."""


# --- metrics -----------------------------------------------------------------------------


class RelayMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.oldest_pending: float | None = None  # epoch seconds of the oldest pending event
        self.pending = Gauge(
            "accounts_outbox_pending_events",
            "Events waiting in the outbox, as of the relay's last scan",
            registry=registry,
        )
        self.oldest_age = Gauge(
            "accounts_outbox_oldest_pending_age_seconds",
            "Age of the oldest event waiting in the outbox (0 when none waits)",
            registry=registry,
        )
        self.oldest_age.set_function(self._oldest_age)
        self.failures = Counter(
            "accounts_outbox_publish_failures",
            "Attempts to publish that Kafka did not acknowledge",
            registry=registry,
        )
        self.published = Counter(
            "accounts_outbox_published_events", "Events acknowledged by Kafka", registry=registry
        )
        self.in_flight = Gauge(
            "accounts_outbox_in_flight_events",
            "Events handed to the Kafka producer and not yet acknowledged or failed",
            registry=registry,
        )
        self.broker_up = Gauge(
            "accounts_outbox_broker_up", "1 while the relay reaches Kafka", registry=registry
        )

    def _oldest_age(self) -> float:
        oldest = self.oldest_pending
        return 0.0 if oldest is None else max(0.0, time.time() - oldest)


def _event_epoch(event: dict[str, Any]) -> float | None:
    try:
        return datetime.fromisoformat(str(event.get("time"))).timestamp()
    except ValueError:
        return None


# --- bulk helpers ------------------------------------------------------------------------


async def _insert_new(collection: Any, documents: list[dict[str, Any]]) -> set[Any]:
    """Insert what is not there yet (one bulk write); the ``_id``s that were inserted."""
    if not documents:
        return set()
    inserted = {document["_id"] for document in documents}
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(error.get("code") != DUPLICATE_KEY for error in errors):
            raise
        inserted -= {documents[error["index"]]["_id"] for error in errors}
    return inserted


async def _limited(awaitables: Iterable[Awaitable[T]], limit: int = CONCURRENCY) -> list[T]:
    semaphore = asyncio.Semaphore(limit)

    async def one(awaitable: Awaitable[T]) -> T:
        async with semaphore:
            return await awaitable

    return await asyncio.gather(*(one(a) for a in awaitables))


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    return (items[start : start + size] for start in range(0, len(items), size))


# --- leases ------------------------------------------------------------------------------


@dataclass
class Claim:
    token: str
    expires_at: int
    keys: set[str] = field(default_factory=set)
    taken_over: set[str] = field(default_factory=set)

    def lease(self, key: str) -> dict[str, Any]:
        return {"_id": key, "owner": self.token, "expires_at": self.expires_at}


class LeaseStore:
    """Per-aggregate claims in ``outbox_leases``, resting only on unique inserts."""

    def __init__(self, collection: Any, lease_ms: int, owner: str) -> None:
        self.collection = collection
        self.lease_ms = lease_ms
        self.owner = owner
        # A lease is released only while clearly unexpired (clocks of hosts differ a little):
        # an expired one may already belong to a relay that took it over.
        self.margin_ms = min(1000, lease_ms // 4)

    def _new_claim(self) -> Claim:
        token = f"{self.owner}.{uuid.uuid4().hex[:12]}"
        return Claim(token=token, expires_at=now_ms() + self.lease_ms)

    async def claim(self, key: str) -> Claim | None:
        claim = await self.claim_many([key])
        return claim if claim.keys else None

    async def claim_many(self, keys: Sequence[str]) -> Claim:
        """Lease every free (or expired) key of ``keys`` under one token."""
        claim = self._new_claim()
        claim.keys = await _insert_new(self.collection, [claim.lease(key) for key in keys])
        contended = sorted(set(keys) - claim.keys)
        if not contended:
            return claim
        cursor = self.collection.find({"_id": {"$in": contended}})
        held = {raw["_id"]: raw async for raw in cursor}
        now = now_ms()
        for key in contended:
            raw = held.get(key)
            if raw is not None and (raw.get("expires_at", 0) >= now or not await self.evict(raw)):
                continue
            # Taken over, or released meanwhile (maybe by a takeover): either way a previous
            # claimant may have published without pulling, so the relay checks outbox_sent.
            if await _insert_new(self.collection, [claim.lease(key)]):
                claim.keys.add(key)
                claim.taken_over.add(key)
        return claim

    async def evict(self, held: dict[str, Any]) -> bool:
        """Remove an expired lease; True for the one relay that won the takeover."""
        marker = f"{held['_id']}#takeover#{held.get('owner')}"
        try:
            await self.collection.insert_one(
                {"_id": marker, "takeover": True, "expires_at": now_ms() + self.lease_ms}
            )
        except DuplicateKeyError:
            return False
        await self.collection.delete_one({"_id": held["_id"], "owner": held.get("owner")})
        return True

    async def release(self, claim: Claim) -> None:
        # delete_many is safe here: only this claim's leases carry its token, and while they
        # are unexpired nobody can have taken them over.
        if claim.keys and now_ms() < claim.expires_at - self.margin_ms:
            await self.collection.delete_many({"owner": claim.token})

    async def sweep(self) -> None:
        """Drop old takeover markers and leases their relay never released."""
        now = now_ms()
        # Safe as a plain delete_many: a marker's _id embeds a claim token, never reused.
        await self.collection.delete_many(
            {"takeover": True, "expires_at": {"$lt": now - 10 * self.lease_ms}}
        )
        stale = self.collection.find(
            {"takeover": {"$ne": True}, "expires_at": {"$lt": now - self.lease_ms}}
        ).limit(100)
        async for held in stale:
            await self.evict(held)


# --- one aggregate's work in a batch -----------------------------------------------------


@dataclass
class Work:
    collection: str
    document_id: Any
    events: list[dict[str, Any]]
    sent: set[str] = field(default_factory=set)  # already published by a previous claimant
    futures: list[asyncio.Future[Any] | None] = field(default_factory=list)
    unpublishable: bool = False
    delivered: int = 0  # leading events now known to be on Kafka

    @property
    def done_events(self) -> list[dict[str, Any]]:
        return self.events[: self.delivered]

    @property
    def acked(self) -> int:
        return sum(1 for future in self.futures[: self.delivered] if future is not None)


# --- the relay ---------------------------------------------------------------------------


class OutboxRelay:
    """Publishes pending events; start()/stop() with the process, wake() after each write."""

    def __init__(
        self,
        settings: Settings,
        cipher: DataCipher,
        registry: CollectorRegistry | None = None,
        *,
        database: Any = None,
    ) -> None:
        self.settings = settings
        self.cipher = cipher
        self.metrics = RelayMetrics(registry if registry is not None else CollectorRegistry())
        self.owner = f"relay-{uuid.uuid4().hex[:12]}"
        self._database = database
        self._client: Any = None
        self._leases: LeaseStore | None = None
        self._producer: Any = None
        self._wakeup = asyncio.Event()
        self._stop_requested = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._broker_up = False
        self._next_sweep = 0.0
        self._next_health_check = 0.0
        self._indexes_ready = False
        self._scan_seconds = 0.0

    @property
    def broker_up(self) -> bool:
        return self._broker_up

    def _set_broker_up(self, up: bool) -> None:
        if up != self._broker_up:
            logger.info("relay %s: broker %s", self.owner, "up" if up else "down")
        self._broker_up = up
        self.metrics.broker_up.set(1 if up else 0)

    def wake(self) -> None:
        """Ask the relay to look for pending events now (called after every write)."""
        self._wakeup.set()

    async def start(self) -> None:
        if self._task is not None:
            return
        if self._database is None:
            self._client = connect(self.settings)
            self._database = self._client[self.settings.mongodb_database]
        self._leases = LeaseStore(
            self._database[LEASE_COLLECTION],
            int(self.settings.outbox_lease_seconds * 1000),
            self.owner,
        )
        self._stopping = False
        self._stop_requested.clear()
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self.owner}")

    async def stop(self) -> None:
        """Stop within a few seconds, whatever the broker's state; pending events stay."""
        self._stopping = True
        self._stop_requested.set()
        self._wakeup.set()
        task, self._task = self._task, None
        if task is not None:
            _, running = await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
            if running:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._discard_producer()
        self._set_broker_up(False)
        if self._client is not None:
            await self._client.close()
            self._client = None
            self._database = None

    # --- the loop ----------------------------------------------------------------------

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            self._wakeup.clear()
            busy = False
            try:
                busy = await self._pass()
                failures = 0
            except asyncio.CancelledError as exc:
                if _cancelling():
                    raise
                # A cancellation leaking out of a library must not end the relay for good.
                failures += 1
                logger.warning("relay %s: pass interrupted: %r", self.owner, exc)
            except Exception as exc:
                failures += 1
                if isinstance(exc, BrokerUnavailable | KafkaError):
                    self._set_broker_up(False)
                    logger.warning("relay %s: broker unavailable: %s", self.owner, exc)
                    await self._discard_producer()
                else:
                    logger.exception("relay %s: pass failed", self.owner)
            if busy or self._stopping:
                continue
            await self._pause(failures)

    async def _pause(self, failures: int) -> None:
        """Until the next pass: a wake-up or the poll interval (a growing pause after a
        failure, which wake() does not cut short: no hammering a broker that is away)."""
        poll = self.settings.outbox_poll_seconds
        if failures:
            pause = min(poll * 2**failures, MAX_RETRY_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_requested.wait(), timeout=pause)
            return
        idle = max(poll, min(self._scan_seconds / SCAN_SHARE, MAX_IDLE_SECONDS))
        try:
            await asyncio.wait_for(self._wakeup.wait(), timeout=idle)
        except TimeoutError:
            return
        if self._scan_seconds > 0.01:  # an expensive store: let it breathe between scans
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_requested.wait(), timeout=self._scan_seconds)

    async def _pass(self) -> bool:
        """One scan and publish round; True when it published (more may be waiting)."""
        await self._housekeeping()
        candidates = await self._scan()
        try:
            producer = await self._ensure_producer()
        except (TimeoutError, KafkaError) as exc:
            if candidates:
                self.metrics.failures.inc()
            raise BrokerUnavailable(f"cannot connect to Kafka: {exc!r}") from exc
        if not candidates:
            await self._check_broker(producer)
            return False
        published = 0
        for chunk in _chunks(candidates, BATCH_SIZE):
            if self._stopping:
                break
            published += await self._relay_batch(producer, chunk)
        return published > 0

    async def _scan(self) -> list[tuple[str, Any]]:
        """Documents with pending events, oldest first; refreshes the outbox gauges."""
        found: list[tuple[float, str, Any]] = []
        pending = 0
        started = time.monotonic()
        for name in aggregate_collections():
            cursor = self._database[name].find(PENDING, {"pending_events.time": 1})
            async for raw in cursor:
                events = raw.get("pending_events") or []
                pending += len(events)
                first = _event_epoch(events[0]) if events else None
                found.append((first if first is not None else time.time(), name, raw["_id"]))
        self._scan_seconds = time.monotonic() - started
        found.sort(key=lambda item: item[0])
        self.metrics.pending.set(pending)
        self.metrics.oldest_pending = found[0][0] if found else None
        return [(name, document_id) for _, name, document_id in found]

    # --- one batch ---------------------------------------------------------------------

    async def _relay_batch(self, producer: Any, chunk: Sequence[tuple[str, Any]]) -> int:
        """Claim, publish, mark sent, release; the number of events published."""
        assert self._leases is not None
        aggregates = {f"{name}:{document_id}": (name, document_id) for name, document_id in chunk}
        claim = await self._leases.claim_many(list(aggregates))
        if not claim.keys:
            return 0
        keep_leases = False
        try:
            works = await self._load([
                (*aggregates[key], key in claim.taken_over)
                for key in aggregates
                if key in claim.keys
            ])
            await self._publish(producer, works)
            delivered = [work for work in works if work.delivered]
            if delivered:
                await self._record_sent(delivered)
                keep_leases = True  # until pulled: a successor would skip what is recorded
                await self._pull(delivered)
                keep_leases = False
            self._raise_if_broker_failed(works)
            return sum(work.acked for work in works)
        finally:
            if not keep_leases:
                await self._leases.release(claim)

    async def _load(self, items: list[tuple[str, Any, bool]]) -> list[Work]:
        async def load(name: str, document_id: Any, taken_over: bool) -> Work | None:
            collection = self._database[name]
            raw = await collection.find_one(
                {"_id": document_id}, {"pending_events": 1, "deleted": 1}
            )
            events = (raw or {}).get("pending_events") or []
            if raw is not None and not events and raw.get("deleted"):
                await self._drop_tombstone(collection, document_id)
            if not events:
                return None
            work = Work(name, document_id, events[:MAX_EVENTS_PER_CLAIM])
            if taken_over:
                work.sent = await self._already_sent(work.events)
            return work

        loaded = await _limited(load(*item) for item in items)
        return [work for work in loaded if work is not None]

    async def _publish(self, producer: Any, works: list[Work]) -> None:
        """Send every aggregate's events in array order; sets each work's ``delivered``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PUBLISH_TIMEOUT_SECONDS
        try:
            async with asyncio.timeout_at(deadline):
                for work in works:
                    for raw in work.events:
                        if raw.get("id") in work.sent:
                            work.futures.append(None)
                            continue
                        message = self._message(raw)
                        if message is None:
                            work.unpublishable = True
                            break
                        future = await producer.send(*message[:2], key=message[2])
                        self.metrics.in_flight.inc()
                        future.add_done_callback(self._landed)
                        work.futures.append(future)
        except (TimeoutError, KafkaError) as exc:
            logger.warning("relay %s: send failed: %r", self.owner, exc)
        waiting = [f for work in works for f in work.futures if f is not None]
        if waiting:
            await self._until_acked_or_stopped(waiting, max(0.0, deadline - loop.time()))
        for work in works:
            for future in work.futures:
                if future is not None and not _succeeded(future):
                    break
                work.delivered += 1
        acked = sum(work.acked for work in works)
        self.metrics.published.inc(acked)
        if acked:
            self._set_broker_up(True)

    async def _until_acked_or_stopped(
        self, futures: list[asyncio.Future[Any]], seconds: float
    ) -> None:
        """Wait for Kafka's answers, but not past stop() (the futures are never cancelled)."""
        answered = asyncio.ensure_future(asyncio.wait(futures))
        stopped = asyncio.ensure_future(self._stop_requested.wait())
        try:
            await asyncio.wait(
                {answered, stopped}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            answered.cancel()
            stopped.cancel()

    def _landed(self, future: asyncio.Future[Any]) -> None:
        self.metrics.in_flight.dec()
        _succeeded(future)  # retrieves a failure, so none is logged as never retrieved

    def _raise_if_broker_failed(self, works: list[Work]) -> None:
        """Events Kafka did not take (other than unpublishable ones) mean the broker failed."""
        if any(work.delivered < len(work.futures) or (
            len(work.futures) < len(work.events) and not work.unpublishable
        ) for work in works):
            self.metrics.failures.inc()
            raise BrokerUnavailable("Kafka did not acknowledge every event")

    def _message(self, raw: dict[str, Any]) -> tuple[str, bytes, bytes] | None:
        try:
            event = PendingEvent.model_validate(raw)
            value = json.dumps(cloud_event(event, self.cipher), separators=(",", ":"))
        except Exception:
            # Not publishable (e.g. sealed with another data key): it and the aggregate's later
            # events wait, visible in the oldest-pending metric.
            logger.exception("relay %s: event %s not publishable", self.owner, raw.get("id"))
            self.metrics.failures.inc()
            return None
        topic = (
            self.settings.notifications_topic
            if event.channel == "notifications"
            else self.settings.events_topic
        )
        return topic, value.encode(), event.subject.encode()

    async def _already_sent(self, events: Sequence[dict[str, Any]]) -> set[str]:
        """Ids a previous claimant (killed, or failed in its pull) published but did not pull.

        Those are always leading events, so one point lookup of the first answers the usual
        case (nothing to skip).
        """
        sent = self._database[SENT_COLLECTION]
        if not events or await sent.find_one({"_id": events[0].get("id")}, {"_id": 1}) is None:
            return set()
        cursor = sent.find({"_id": {"$in": [e.get("id") for e in events]}}, {"_id": 1})
        return {raw["_id"] async for raw in cursor}

    async def _record_sent(self, works: list[Work]) -> None:
        now = now_ms()
        records = [
            {
                "_id": event.get("id"),
                "collection": work.collection,
                "subject": event.get("subject"),
                "type": event.get("type"),
                "channel": event.get("channel", "events"),
                "sent_at": now,
            }
            for work in works
            for event in work.done_events
        ]
        await _insert_new(self._database[SENT_COLLECTION], records)

    # --- pulling sent events -----------------------------------------------------------

    async def _pull(self, works: list[Work]) -> None:
        by_collection: dict[str, list[Work]] = {}
        for work in works:
            by_collection.setdefault(work.collection, []).append(work)
        for name, group in by_collection.items():
            for part in _chunks(group, LOCK_GROUP):
                await self._pull_group(self._database[name], part)

    async def _pull_group(self, collection: Any, works: Sequence[Work]) -> None:
        """``$pullAll`` the sent events, a few documents under their write locks at a time."""
        locks = collection.database[LOCK_COLLECTION]
        owner = uuid.uuid4().hex
        expires_at = now_ms() + LOCK_MS
        # The same lock documents as service.core.atomic.document_lock, taken in one write.
        keys = {f"{collection.name}:{work.document_id}": work for work in works}
        locked = await _insert_new(
            locks, [{"_id": key, "owner": owner, "expires_at": expires_at} for key in keys]
        )
        try:
            results = await _limited(
                collection.find_one_and_update(
                    {"_id": keys[key].document_id},
                    {"$pullAll": {"pending_events": keys[key].done_events}},
                    return_document=ReturnDocument.AFTER,
                )
                for key in locked
            )
        finally:
            if locked:  # only our own locks carry this owner (held far shorter than LOCK_MS)
                await locks.delete_many({"owner": owner})
        after = dict(zip(locked, results, strict=True))
        for key, work in keys.items():
            if key not in locked:  # a writer holds it right now: wait for it like one
                after[key] = await atomic_update(
                    collection,
                    {"_id": work.document_id},
                    {"$pullAll": {"pending_events": work.done_events}},
                )
            await self._check_pulled(collection, work, after[key])

    async def _check_pulled(
        self, collection: Any, work: Work, after: dict[str, Any] | None
    ) -> None:
        if after is None:
            return
        ids = {event.get("id") for event in work.done_events}
        left = after.get("pending_events") or []
        if any(event.get("id") in ids for event in left):
            # $pullAll compares whole subdocuments; should a store see them differ, pull by id.
            async with document_lock(collection, work.document_id):
                raw = await collection.find_one({"_id": work.document_id}, {"pending_events": 1})
                current = (raw or {}).get("pending_events") or []
                left = [event for event in current if event.get("id") not in ids]
                await collection.update_one(
                    {"_id": work.document_id}, {"$set": {"pending_events": left}}
                )
        if after.get("deleted") and not left:
            await self._drop_tombstone(collection, work.document_id)

    async def _drop_tombstone(self, collection: Any, document_id: Any) -> None:
        # Under the document's write lock: a revive (service.tombstones) cannot interleave.
        async with document_lock(collection, document_id):
            await collection.delete_one(
                {"_id": document_id, "deleted": True, "pending_events": {"$size": 0}}
            )

    # --- housekeeping ------------------------------------------------------------------

    async def _housekeeping(self) -> None:
        if not self._indexes_ready:
            await self._database[SENT_COLLECTION].create_index("sent_at", name="sent_at")
            await self._database[LEASE_COLLECTION].create_index("expires_at", name="expires_at")
            self._indexes_ready = True
        now = time.monotonic()
        if now < self._next_sweep:
            return
        retention = self.settings.outbox_retention_seconds
        self._next_sweep = now + min(
            SWEEP_EVERY_SECONDS, max(self.settings.outbox_poll_seconds, retention)
        )
        # A lost delete under FerretDB only leaves a record for the next sweep.
        await self._database[SENT_COLLECTION].delete_many(
            {"sent_at": {"$lt": now_ms() - retention * 1000}}
        )
        assert self._leases is not None
        await self._leases.sweep()
        for name in aggregate_collections():  # tombstones whose removal was interrupted
            collection = self._database[name]
            cursor = collection.find({"deleted": True, "pending_events": {"$size": 0}}, {"_id": 1})
            async for raw in cursor:
                await self._drop_tombstone(collection, raw["_id"])

    # --- the producer ------------------------------------------------------------------

    async def _ensure_producer(self) -> Any:
        if self._producer is not None:
            return self._producer
        producer = AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            client_id="accounts-service-relay",
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            retry_backoff_ms=250,
            request_timeout_ms=int(PUBLISH_TIMEOUT_SECONDS * 1000),
        )
        try:
            await asyncio.wait_for(producer.start(), CONNECT_TIMEOUT_SECONDS)
        except BaseException:
            await _close_producer(producer)
            raise
        self._producer = producer
        self._next_health_check = time.monotonic() + HEALTH_CHECK_SECONDS
        self._set_broker_up(True)
        return producer

    async def _check_broker(self, producer: Any) -> None:
        """While idle, ask the broker for metadata now and then, so readiness stays true."""
        if time.monotonic() < self._next_health_check:
            return
        self._next_health_check = time.monotonic() + HEALTH_CHECK_SECONDS
        try:
            up = await asyncio.wait_for(
                producer.client.force_metadata_update(), CONNECT_TIMEOUT_SECONDS
            )
        except (TimeoutError, KafkaError):
            up = False
        self._set_broker_up(bool(up))

    async def _discard_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await _close_producer(producer)


def _cancelling() -> bool:
    """Whether the running task itself was asked to stop (not a stray CancelledError)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _succeeded(future: asyncio.Future[Any]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


async def _close_producer(producer: Any) -> None:
    """Close within seconds even while the broker is away.

    An idempotent producer retries an undelivered batch forever, so stop()'s flush would
    not end while the broker is down: after a short grace, end the producer's sender task
    and fail what is still queued (those events are still pending in the outbox).
    """
    stopping = asyncio.ensure_future(producer.stop())
    _, running = await asyncio.wait({stopping}, timeout=CLOSE_GRACE_SECONDS)
    if running:
        sender_task = getattr(getattr(producer, "_sender", None), "sender_task", None)
        if sender_task is not None:
            sender_task.cancel()
        accumulator = getattr(producer, "_message_accumulator", None)
        if accumulator is not None:
            accumulator.fail_all(KafkaConnectionError("the relay closed its producer"))
        _, running = await asyncio.wait({stopping}, timeout=CLOSE_TIMEOUT_SECONDS)
    if running:
        stopping.cancel()
        logger.warning("relay: the Kafka producer did not close in time")
    elif not stopping.cancelled() and stopping.exception() is not None:
        # (cancelled: aiokafka's stop() re-raises the cancellation of its sender task)
        logger.warning("relay: closing the Kafka producer failed: %r", stopping.exception())

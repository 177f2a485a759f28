"""Reading what the relay published: a background consumer of whole topics, from the start."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer

DEFAULT_TIMEOUT = 60.0
FORBIDDEN_KEYS = frozenset({"password", "otp", "client_secret", "secret"})
FORBIDDEN_KEY_PARTS = ("hash", "sealed", "password")


@dataclass(frozen=True)
class Received:
    topic: str
    partition: int
    offset: int
    key: str | None
    raw: bytes
    value: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.value.get("id"))

    @property
    def type(self) -> str:
        return str(self.value.get("type"))

    @property
    def subject(self) -> str:
        return str(self.value.get("subject"))

    @property
    def data(self) -> dict[str, Any]:
        return self.value.get("data") or {}


class TopicReader:
    """Consumes ``topics`` (no consumer group, every partition, from the earliest offset)."""

    def __init__(self, bootstrap_servers: str, *topics: str) -> None:
        self.topics = topics
        self.received: list[Received] = []
        self._consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap_servers,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            metadata_max_age_ms=500,
        )
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> TopicReader:
        await self._consumer.start()
        self._task = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()

    async def _read(self) -> None:
        while True:
            batches = await self._consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    self.received.append(
                        Received(
                            topic=record.topic,
                            partition=record.partition,
                            offset=record.offset,
                            key=record.key.decode() if record.key is not None else None,
                            raw=record.value,
                            value=json.loads(record.value),
                        )
                    )
            if batches:
                self._changed.set()

    def matching(self, predicate: Callable[[Received], bool]) -> list[Received]:
        return [record for record in self.received if predicate(record)]

    async def wait_for(
        self,
        predicate: Callable[[Received], bool],
        *,
        count: int = 1,
        within: float = DEFAULT_TIMEOUT,
    ) -> list[Received]:
        """The matching records once at least ``count`` arrived (AssertionError on timeout)."""
        deadline = time.monotonic() + within
        while True:
            found = self.matching(predicate)
            if len(found) >= count:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"only {len(found)} of {count} expected events arrived within {within}s"
                )
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=min(remaining, 1.0))

    async def wait_for_ids(
        self, ids: Iterable[str], *, within: float = DEFAULT_TIMEOUT
    ) -> list[Received]:
        """Every record whose CloudEvent id is one of ``ids``, once each id arrived."""
        wanted = set(ids)

        def missing() -> set[str]:
            return wanted - {record.id for record in self.received}

        deadline = time.monotonic() + within
        while missing():
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(missing())} of {len(wanted)} events never arrived")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=1.0)
        return self.matching(lambda record: record.id in wanted)


def secret_keys(data: Any, path: str = "") -> list[str]:
    """Paths of keys in ``data`` that name a password, hash, OTP or secret."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = str(key).lower()
            here = f"{path}.{key}" if path else str(key)
            if name in FORBIDDEN_KEYS or any(part in name for part in FORBIDDEN_KEY_PARTS):
                found.append(here)
            found.extend(secret_keys(value, here))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(secret_keys(value, f"{path}[{index}]"))
    return found


def first_occurrence_order(records: Iterable[Received]) -> dict[str, list[str]]:
    """Per subject, the event ids in the order each was first seen on its partition."""
    order: dict[str, list[str]] = {}
    seen: set[str] = set()
    for record in sorted(records, key=lambda r: (r.topic, r.partition, r.offset)):
        if record.id not in seen:
            seen.add(record.id)
            order.setdefault(record.subject, []).append(record.id)
    return order

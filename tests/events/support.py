"""Relays of their own for tests: a fresh database and fresh topics each, on the real servers."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from service.core.outbox import new_event
from service.core.relay import OutboxRelay
from service.core.security import DataCipher
from service.core.settings import Settings
from tests.conftest import MONGODB_URI, RUN_ID, make_settings
from tests.events.consume import TopicReader

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RelayEnv:
    """A database and topics nobody else uses, and relays (in-process or not) on them."""

    settings: Settings
    client: AsyncMongoClient[Any]
    cipher: DataCipher

    @property
    def db(self) -> Any:
        return self.client[self.settings.mongodb_database]

    def with_settings(self, **overrides: Any) -> Settings:
        return self.settings.model_copy(update=overrides)

    def relay(self, **overrides: Any) -> OutboxRelay:
        return OutboxRelay(self.with_settings(**overrides), self.cipher)

    def reader(self) -> TopicReader:
        return TopicReader(
            self.settings.kafka_bootstrap_servers,
            self.settings.events_topic,
            self.settings.notifications_topic,
        )

    def environment(self, **overrides: Any) -> dict[str, str]:
        """``ACCOUNTS_*`` variables for a subprocess on the same database and topics."""
        return service_environment(self.with_settings(**overrides))


@asynccontextmanager
async def relay_env(tmp: Path, **overrides: Any) -> AsyncIterator[RelayEnv]:
    suffix = uuid.uuid4().hex[:8]
    values: dict[str, Any] = {
        "mongodb_database": f"relay_{RUN_ID}_{suffix}",
        "events_topic": f"accounts.events.{RUN_ID}.{suffix}",
        "notifications_topic": f"accounts.notifications.{RUN_ID}.{suffix}",
        **overrides,
    }
    settings = make_settings(tmp, **values)
    client: AsyncMongoClient[Any] = AsyncMongoClient(MONGODB_URI)
    try:
        yield RelayEnv(settings=settings, client=client, cipher=DataCipher(settings.encryption_key))
    finally:
        await client.drop_database(settings.mongodb_database)
        await client.close()


@asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[OutboxRelay]:
    await relay.start()
    try:
        yield relay
    finally:
        await relay.stop()


def updates(subject: str, count: int, **data: Any) -> list[dict[str, Any]]:
    """``count`` numbered organisation events for one aggregate, in order."""
    return [
        new_event(
            "accounts.organisation.updated",
            subject,
            {"id": subject, "seq": seq, **data},
            actor_id=None,
        )
        for seq in range(count)
    ]


async def seed(
    db: Any, collection: str, document_id: Any, events: list[dict[str, Any]], **fields: Any
) -> None:
    """An aggregate document holding ``events`` as pending (as a create leaves it)."""
    await db[collection].insert_one(
        {"_id": document_id, "version": 0, "deleted": False, "pending_events": events, **fields}
    )


async def pending_count(db: Any) -> int:
    total = 0
    for name in ("accounts", "organisations", "systems", "oauth_providers"):
        async for raw in db[name].find({}, {"pending_events": 1}):
            total += len(raw.get("pending_events") or [])
    return total


async def eventually(
    check: Callable[[], Any], *, within: float = 30.0, what: str = "condition"
) -> Any:
    """Poll ``check`` (sync or async) until it returns something truthy."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {within}s")
        await asyncio.sleep(0.1)


def service_environment(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCOUNTS_")}
    values = {
        "ENV": settings.env,
        "MONGODB_URI": settings.mongodb_uri,
        "MONGODB_DATABASE": settings.mongodb_database,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "EVENTS_TOPIC": settings.events_topic,
        "NOTIFICATIONS_TOPIC": settings.notifications_topic,
        "JWT_SECRET": settings.signing_secret,
        "DATA_KEY": settings.encryption_key,
        "BCRYPT_ROUNDS": str(settings.bcrypt_rounds),
        "BOOTSTRAP_USERNAME": settings.bootstrap_username,
        "BOOTSTRAP_PASSWORD": settings.bootstrap_password or "",
        "DATA_DIR": str(settings.data_dir),
        "HOST": settings.host,
        "PORT": str(settings.port),
        "OUTBOX_POLL_SECONDS": str(settings.outbox_poll_seconds),
        "OUTBOX_LEASE_SECONDS": str(settings.outbox_lease_seconds),
        "OUTBOX_RETENTION_SECONDS": str(settings.outbox_retention_seconds),
    }
    env.update({f"ACCOUNTS_{key}": value for key, value in values.items()})
    return env


async def spawn(module: str, env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """``python -m <module>`` with ``env``, its output appended to ``log``."""
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, cwd=ROOT, env=env, stdout=out, stderr=out,
            stdin=asyncio.subprocess.DEVNULL,
        )


async def finish(process: asyncio.subprocess.Process, *, within: float = 20.0) -> int:
    """SIGTERM and wait; SIGKILL when it does not end ``within`` seconds. The exit code."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), within)
        except TimeoutError:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

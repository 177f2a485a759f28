"""Deletes expired sign-in state. Expiry is exact without it (every read filters on
``expires_at``); the sweep only keeps the collections small, since FerretDB has no TTL index."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from service.auth.documents import LoginCounter, RefreshSession
from service.core.atomic import LOCK_COLLECTION
from service.core.clock import now_ms
from service.core.settings import Settings

logger = logging.getLogger("service.sweep")
SWEEP_EVERY_SECONDS = 600


async def sweep_once(settings: Settings) -> int:
    now = now_ms()
    removed = 0
    sessions = await RefreshSession.get_pymongo_collection().delete_many(
        {"expires_at": {"$lt": now}}
    )
    removed += sessions.deleted_count
    window_ms = settings.login_lock_seconds * 1000
    counters = await LoginCounter.get_pymongo_collection().delete_many(
        {"window_start": {"$lt": now - window_ms}, "locked_until": {"$lt": now}}
    )
    removed += counters.deleted_count
    database = RefreshSession.get_pymongo_collection().database
    locks = await database[LOCK_COLLECTION].delete_many({"expires_at": {"$lt": now - 60_000}})
    return removed + locks.deleted_count


async def sweep_forever(settings: Settings) -> None:
    while True:
        with contextlib.suppress(Exception):
            await sweep_once(settings)
        await asyncio.sleep(SWEEP_EVERY_SECONDS)

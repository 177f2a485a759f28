"""Login throttling shared by every process: counters live in the database.

Each attempt is counted *before* the password is checked (an atomic ``$inc``), so parallel
guesses cannot slip past the limit. Keys: the (username, address) pair, which locks after
N failures; the address alone, which locks after M; and the username alone, whose further
failures from any address only slow the answer, so nobody can lock an administrator out
from elsewhere.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from service.auth.documents import LoginCounter
from service.core.atomic import atomic_update, document_lock
from service.core.clock import now_ms
from service.core.errors import RateLimited
from service.core.settings import Settings

MAX_FAILURE_DELAY_SECONDS = 4.0


def _pair_key(username_key: str, address: str) -> str:
    return f"pair:{username_key}|{address}"


def _user_key(username_key: str) -> str:
    return f"user:{username_key}"


def _address_key(address: str) -> str:
    return f"addr:{address}"


async def _count(key: str, window_ms: int, limit: int | None, lock_ms: int) -> dict[str, Any]:
    """Add one failure to a counter (a new window when the old one ran out) and enforce it."""
    collection = LoginCounter.get_pymongo_collection()
    async with document_lock(collection, key):
        now = now_ms()
        counter = await collection.find_one({"_id": key})
        if counter is None or (
            counter["window_start"] + window_ms <= now and counter["locked_until"] <= now
        ):
            counter = {"_id": key, "failures": 0, "window_start": now, "locked_until": 0}
        if counter["locked_until"] > now:
            raise RateLimited((counter["locked_until"] - now) // 1000 + 1)
        counter["failures"] += 1
        over = limit is not None and counter["failures"] > limit
        if over:
            counter["locked_until"] = now + lock_ms
        await collection.replace_one({"_id": key}, counter, upsert=True)
    if over:
        raise RateLimited(lock_ms // 1000)
    return counter


class LoginThrottle:
    def __init__(self, settings: Settings) -> None:
        self.per_username = settings.login_max_failures_per_username
        self.per_address = settings.login_max_failures_per_address
        self.lock_ms = settings.login_lock_seconds * 1000

    async def count_attempt(self, username_key: str, address: str) -> int:
        """Count one attempt as a failure up front; raise RateLimited when over a limit.

        Returns how many failures the username has had from any address in the window.
        """
        await _count(_address_key(address), self.lock_ms, self.per_address, self.lock_ms)
        pair = _pair_key(username_key, address)
        await _count(pair, self.lock_ms, self.per_username, self.lock_ms)
        user_counter = await _count(_user_key(username_key), self.lock_ms, None, self.lock_ms)
        return int(user_counter["failures"])

    async def failure_delay(self, username_failures: int) -> None:
        """A growing pause on failures past the per-username limit, from any address."""
        excess = username_failures - self.per_username
        if excess > 0:
            await asyncio.sleep(min(0.25 * 2 ** (excess - 1), MAX_FAILURE_DELAY_SECONDS))

    async def succeeded(self, username_key: str, address: str) -> None:
        """Undo the up-front count: a success is not a failure."""
        collection = LoginCounter.get_pymongo_collection()
        await collection.delete_many(
            {"_id": {"$in": [_pair_key(username_key, address), _user_key(username_key)]}}
        )
        await atomic_update(
            collection,
            {"_id": _address_key(address), "failures": {"$gt": 0}},
            {"$inc": {"failures": -1}},
        )

    async def record_failure(self, username_key: str) -> None:
        """A failure seen outside a login (wrong current password, wrong OTP)."""
        await _count(_user_key(username_key), self.lock_ms, None, self.lock_ms)

    async def clear_username(self, username_key: str) -> None:
        """Lift every lock and counter of a username (administrator's unlock)."""
        prefix = "^" + re.escape(_pair_key(username_key, ""))
        collection = LoginCounter.get_pymongo_collection()
        await collection.delete_many({"_id": {"$regex": prefix}})
        await collection.delete_one({"_id": _user_key(username_key)})

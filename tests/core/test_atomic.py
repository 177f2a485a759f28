"""Atomic updates: concurrent writers on FerretDB lose nothing, conditions are honoured."""

from __future__ import annotations

import asyncio
from typing import Any

from service.core.atomic import atomic_update, matches
from service.organisations.documents import Organisation
from tests.conftest import unique


async def test_parallel_increments_are_all_kept(app: Any) -> None:
    collection = Organisation.get_pymongo_collection().database["atomic_test"]
    key = unique("counter")
    await collection.insert_one({"_id": key, "n": 0})
    await asyncio.gather(
        *[atomic_update(collection, {"_id": key}, {"$inc": {"n": 1}}) for _ in range(20)]
    )
    assert (await collection.find_one({"_id": key}))["n"] == 20


async def test_version_guard_lets_one_of_two_racing_writers_win(app: Any) -> None:
    collection = Organisation.get_pymongo_collection().database["atomic_test"]
    key = unique("guarded")
    await collection.insert_one({"_id": key, "version": 0})
    results = await asyncio.gather(
        *[
            atomic_update(collection, {"_id": key, "version": 0}, {"$inc": {"version": 1}})
            for _ in range(5)
        ]
    )
    assert sum(result is not None for result in results) == 1
    assert (await collection.find_one({"_id": key}))["version"] == 1


def test_simple_filters_are_evaluated_like_the_store_does() -> None:
    document = {"_id": 1, "a": {"b": 2}, "deleted": False, "n": 5}
    assert matches(document, {"_id": 1, "a.b": 2, "deleted": {"$ne": True}})
    assert matches(document, {"missing": {"$ne": True}, "n": {"$gt": 4, "$lte": 5}})
    assert not matches(document, {"n": {"$in": [1, 2]}})
    assert matches(document, {"$or": [{"n": 1}, {"missing": {"$exists": False}}]})

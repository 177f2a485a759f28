"""A relay killed mid-batch: another takes its aggregates over and nothing is lost."""

from __future__ import annotations

import signal
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import pytest
from bson import ObjectId

from service.core.outbox import new_event
from service.core.relay import LEASE_COLLECTION
from tests.events.consume import Received, first_occurrence_order
from tests.events.support import (
    RelayEnv,
    eventually,
    pending_count,
    relay_env,
    running,
    seed,
    spawn,
    updates,
)

AGGREGATES = 150
EVENTS_EACH = 3  # 450 events
LEASE_SECONDS = 2.0


@pytest.fixture(scope="module")
async def crash(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, Any]]:
    """Seed a backlog, SIGKILL a relay process while it publishes, let another finish."""
    tmp = tmp_path_factory.mktemp("crash")
    async with relay_env(
        tmp, outbox_lease_seconds=LEASE_SECONDS, outbox_poll_seconds=0.2
    ) as env:
        expected = await _seed_backlog(env)
        async with env.reader() as reader:
            process = await spawn("service.relay", env.environment(), tmp / "relay-a.log")
            try:
                await reader.wait_for(lambda record: True, within=60)
            finally:
                if process.returncode is None:
                    process.send_signal(signal.SIGKILL)
                await process.wait()
            at_kill = {
                "published": len(reader.received),
                "pending": await pending_count(env.db),
                "held": await env.db[LEASE_COLLECTION].distinct(
                    "_id", {"takeover": {"$ne": True}}
                ),
            }
            async with running(env.relay()) as successor:
                await reader.wait_for_ids(
                    (event["id"] for events in expected.values() for event in events),
                    within=120,
                )
                await eventually(lambda: _drained(env), within=60, what="an empty outbox")
            markers = await env.db[LEASE_COLLECTION].distinct("_id", {"takeover": True})
            yield {
                "expected": expected,
                "received": list(reader.received),
                "at_kill": at_kill,
                "markers": markers,
                "successor": successor.owner,
                "exit": process.returncode,
                "env": env,
            }


async def test_the_relay_was_killed_mid_batch(crash: dict[str, Any]) -> None:
    assert crash["exit"] == -signal.SIGKILL
    assert crash["at_kill"]["published"] > 0, "killed before it published anything"
    assert crash["at_kill"]["pending"] > 0, "killed after it finished"
    assert crash["at_kill"]["held"], "the killed relay held no lease"


async def test_the_dead_relays_aggregates_are_taken_over(crash: dict[str, Any]) -> None:
    taken_over = {marker.split("#takeover#")[0] for marker in crash["markers"]}
    assert taken_over and taken_over <= set(crash["at_kill"]["held"])


async def test_no_event_is_lost(crash: dict[str, Any]) -> None:
    expected_ids = {e["id"] for events in crash["expected"].values() for e in events}
    assert {record.id for record in crash["received"]} == expected_ids


async def test_a_duplicate_is_the_same_cloud_event(crash: dict[str, Any]) -> None:
    copies: dict[str, set[bytes]] = defaultdict(set)
    for record in crash["received"]:
        copies[record.id].add(record.raw)
    assert all(len(values) == 1 for values in copies.values())


async def test_each_aggregates_events_arrive_in_order(crash: dict[str, Any]) -> None:
    received: list[Received] = crash["received"]
    order = first_occurrence_order(received)
    assert order == {
        subject: [e["id"] for e in events] for subject, events in crash["expected"].items()
    }
    assert all(record.key == record.subject for record in received)


# --- helpers -----------------------------------------------------------------------------


async def _seed_backlog(env: RelayEnv) -> dict[str, list[dict[str, Any]]]:
    """Organisations and accounts, each with a few pending events (as after a busy spell)."""
    expected: dict[str, list[dict[str, Any]]] = {}
    for n in range(AGGREGATES):
        if n % 2:
            account_id = ObjectId()
            subject = str(account_id)
            events = [
                new_event("accounts.account.updated", subject, {"id": subject, "seq": seq},
                          actor_id=None)
                for seq in range(EVENTS_EACH)
            ]
            await seed(env.db, "accounts", account_id, events)
        else:
            subject = f"org-{n}"
            events = updates(subject, EVENTS_EACH)
            await seed(env.db, "organisations", subject, events)
        expected[subject] = events
    return expected


async def _drained(env: RelayEnv) -> bool:
    return await pending_count(env.db) == 0

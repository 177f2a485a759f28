"""The outbox relay against the real store and broker: envelope, order, leases, retention."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from bson import ObjectId
from prometheus_client import CollectorRegistry

from service.core.clock import now_ms
from service.core.outbox import new_event
from service.core.relay import LEASE_COLLECTION, SENT_COLLECTION, LeaseStore, OutboxRelay
from service.core.settings import Settings
from tests.conftest import unique
from tests.events.consume import TopicReader, first_occurrence_order
from tests.events.support import (
    RelayEnv,
    eventually,
    finish,
    pending_count,
    relay_env,
    running,
    seed,
    spawn,
    updates,
)

RESET = "accounts.account.password_reset_requested"


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[RelayEnv]:
    async with relay_env(tmp_path) as created:
        yield created


async def test_pending_events_are_published_in_order_as_cloud_events(env: RelayEnv) -> None:
    org_events = updates("org-a", 3)
    account_id = str(ObjectId())
    account_events = [
        new_event("accounts.account.created", account_id, {"id": account_id}, actor_id=None),
        new_event("accounts.account.disabled", account_id, {"id": account_id}, actor_id="x"),
    ]
    await seed(env.db, "organisations", "org-a", org_events)
    await seed(env.db, "accounts", ObjectId(account_id), account_events)
    async with env.reader() as reader, running(env.relay()):
        records = await reader.wait_for_ids(e["id"] for e in org_events + account_events)
    assert first_occurrence_order(records) == {
        "org-a": [e["id"] for e in org_events],
        account_id: [e["id"] for e in account_events],
    }
    first = next(r for r in records if r.id == org_events[0]["id"])
    assert first.topic == env.settings.events_topic
    assert first.key == "org-a"
    assert first.value == {
        "specversion": "1.0",
        "id": org_events[0]["id"],
        "source": "accounts-service",
        "type": "accounts.organisation.updated",
        "subject": "org-a",
        "time": org_events[0]["time"],
        "datacontenttype": "application/json",
        "data": {"id": "org-a", "seq": 0, "actor_id": None},
    }


async def test_a_sealed_event_is_decrypted_onto_the_notifications_topic(env: RelayEnv) -> None:
    account_id = str(ObjectId())
    data = {"account_id": account_id, "username": "u", "contacts": {}, "otp": "12345678",
            "expires_at": 1}
    event = new_event(RESET, account_id, data, actor_id=None, channel="notifications",
                      cipher=env.cipher)
    await seed(env.db, "accounts", ObjectId(account_id), [event])
    async with env.reader() as reader, running(env.relay()):
        [record] = await reader.wait_for_ids([event["id"]])
    assert record.topic == env.settings.notifications_topic
    assert record.key == account_id
    assert record.data == data


async def test_sent_events_leave_the_document_and_only_their_ids_are_kept(env: RelayEnv) -> None:
    events = updates("org-b", 2, name="Secret Name")
    await seed(env.db, "organisations", "org-b", events, name="Secret Name")
    async with env.reader() as reader, running(env.relay()):
        await reader.wait_for_ids(e["id"] for e in events)
        await eventually(lambda: _no_pending(env), what="the pull of sent events")
    document = await env.db["organisations"].find_one({"_id": "org-b"})
    assert document is not None and document["pending_events"] == []
    assert document["name"] == "Secret Name"
    kept = await env.db[SENT_COLLECTION].find({}).to_list(None)
    assert sorted(record["_id"] for record in kept) == sorted(e["id"] for e in events)
    assert all("data" not in record and "sealed_data" not in record for record in kept)
    assert all(record["subject"] == "org-b" for record in kept)


async def test_a_tombstone_is_removed_once_its_events_are_sent(env: RelayEnv) -> None:
    event = new_event("accounts.system.deleted", "sys-gone", {"id": "sys-gone"}, actor_id=None)
    await seed(env.db, "systems", "sys-gone", [event], deleted=True)
    async with env.reader() as reader, running(env.relay()):
        await reader.wait_for_ids([event["id"]])
        await eventually(
            lambda: _absent(env, "systems", "sys-gone"), what="the tombstone's removal"
        )


async def test_sent_records_are_purged_after_the_retention_period(env: RelayEnv) -> None:
    events = updates("org-c", 2)
    await seed(env.db, "organisations", "org-c", events)
    async with env.reader() as reader, running(env.relay(outbox_retention_seconds=0)):
        await reader.wait_for_ids(e["id"] for e in events)
        await eventually(lambda: _no_pending(env), what="the pull of sent events")
        await eventually(lambda: _empty(env, SENT_COLLECTION), what="the purge")


async def test_only_one_of_concurrent_claims_on_an_aggregate_wins(env: RelayEnv) -> None:
    stores = [LeaseStore(env.db[LEASE_COLLECTION], 30_000, f"relay-{n}") for n in range(8)]
    claims = await asyncio.gather(*(store.claim("organisations:x") for store in stores))
    assert sum(claim is not None for claim in claims) == 1


async def test_an_expired_lease_is_taken_over_by_exactly_one_relay(env: RelayEnv) -> None:
    await env.db[LEASE_COLLECTION].insert_one(
        {"_id": "organisations:y", "owner": "dead.1", "expires_at": now_ms() - 1}
    )
    stores = [LeaseStore(env.db[LEASE_COLLECTION], 30_000, f"relay-{n}") for n in range(8)]
    claims = await asyncio.gather(*(store.claim("organisations:y") for store in stores))
    assert sum(claim is not None for claim in claims) == 1
    lease = await env.db[LEASE_COLLECTION].find_one({"_id": "organisations:y"})
    assert lease is not None and lease["owner"] != "dead.1"


async def test_a_live_lease_is_not_taken_over(env: RelayEnv) -> None:
    await env.db[LEASE_COLLECTION].insert_one(
        {"_id": "organisations:z", "owner": "busy.1", "expires_at": now_ms() + 30_000}
    )
    store = LeaseStore(env.db[LEASE_COLLECTION], 30_000, "relay-late")
    assert await store.claim("organisations:z") is None


async def test_a_takeover_skips_events_its_dead_claimant_already_sent(env: RelayEnv) -> None:
    events = updates("org-d", 2)
    await seed(env.db, "organisations", "org-d", events)
    await env.db[LEASE_COLLECTION].insert_one(
        {"_id": "organisations:org-d", "owner": "dead.2", "expires_at": now_ms() - 1}
    )
    await env.db[SENT_COLLECTION].insert_one(
        {"_id": events[0]["id"], "subject": "org-d", "sent_at": now_ms()}
    )
    async with env.reader() as reader, running(env.relay()):
        await reader.wait_for_ids([events[1]["id"]])
        await eventually(lambda: _no_pending(env), what="the pull of sent events")
    # Same partition, published in order: the first would have arrived before the second.
    assert [r.id for r in reader.received] == [events[1]["id"]]


async def test_the_relay_process_publishes_until_sigterm(env: RelayEnv, tmp_path: Path) -> None:
    events = updates("org-p", 2)
    await seed(env.db, "organisations", "org-p", events)
    async with env.reader() as reader:
        process = await spawn("service.relay", env.environment(), tmp_path / "relay.log")
        try:
            await reader.wait_for_ids(e["id"] for e in events)
        finally:
            exit_code = await finish(process)
    assert exit_code == 0


async def test_metrics_count_waiting_events_while_the_broker_is_unreachable(
    env: RelayEnv,
) -> None:
    await seed(env.db, "organisations", "org-e", updates("org-e", 3))
    registry = CollectorRegistry()
    settings = env.with_settings(kafka_bootstrap_servers="127.0.0.1:1")
    relay = OutboxRelay(settings, env.cipher, registry)
    async with running(relay):
        await eventually(
            lambda: (registry.get_sample_value("accounts_outbox_publish_failures_total") or 0) > 0,
            what="a counted publish failure",
        )
        assert registry.get_sample_value("accounts_outbox_pending_events") == 3
        assert (registry.get_sample_value("accounts_outbox_oldest_pending_age_seconds") or 0) > 0
        assert registry.get_sample_value("accounts_outbox_broker_up") == 0
        assert relay.broker_up is False
    assert await pending_count(env.db) == 3


async def test_the_app_serves_the_outbox_metrics(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")
    assert response.status_code == 200
    for name in (
        "accounts_outbox_pending_events",
        "accounts_outbox_oldest_pending_age_seconds",
        "accounts_outbox_publish_failures_total",
        "accounts_outbox_broker_up",
    ):
        assert f"\n{name} " in response.text


async def test_readiness_reports_the_broker_up(client: httpx.AsyncClient) -> None:
    async def broker_up() -> bool:
        response = await client.get("/health/ready")
        return bool(response.json()["checks"]["broker"] == "up")

    await eventually(broker_up, what="broker up in /health/ready")


async def test_an_otp_is_not_stored_once_its_event_is_sent(
    client: httpx.AsyncClient, admin_headers: dict[str, str], settings: Settings, app: Any
) -> None:
    username = unique("otp")
    created = await client.post("/accounts", headers=admin_headers, json={
        "account_type": "User", "username": username, "password": "Quiet-Harbour-4821",
        "org_unit": {"org_id": "root", "unit_id": None, "org_list": []}, "permissions": [],
    })
    assert created.status_code == 200, created.text
    async with TopicReader(settings.kafka_bootstrap_servers, settings.notifications_topic) as r:
        response = await client.post("/accounts/password/reset", json={"username": username})
        assert response.status_code == 200
        [record] = await r.wait_for(
            lambda rec: rec.type == RESET and rec.data.get("username") == username
        )
    otp = record.data["otp"]
    database = app.state.mongo[settings.mongodb_database]
    accounts = database["accounts"]

    async def event_pulled() -> bool:
        raw = await accounts.find_one({"_id": ObjectId(created.json()["id"])})
        return raw is not None and all(
            e["id"] != record.id for e in raw.get("pending_events") or []
        )

    await eventually(event_pulled, what="the pull of the sent reset event")
    for name in await database.list_collection_names():
        async for document in database[name].find({}):
            assert otp not in _strings(document), f"the OTP is still stored in {name}"
            assert record.id not in json.dumps(_pending_ids(document)), name


# --- helpers -----------------------------------------------------------------------------


async def _no_pending(env: RelayEnv) -> bool:
    return await pending_count(env.db) == 0


async def _absent(env: RelayEnv, collection: str, document_id: Any) -> bool:
    return await env.db[collection].find_one({"_id": document_id}) is None


async def _empty(env: RelayEnv, collection: str) -> bool:
    return await env.db[collection].count_documents({}) == 0


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def _pending_ids(document: dict[str, Any]) -> list[str]:
    return [str(e.get("id")) for e in document.get("pending_events") or []]

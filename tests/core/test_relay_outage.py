"""A broker outage: requests go on, events wait, and all arrive in order once it is back.

The shared test broker is never stopped: this module runs its own, the ``outage`` profile
of scripts/local-servers.sh (127.0.0.1:29092, data in .data/outage/), and stops it again at
the end. The service runs as a subprocess (Beanie binds documents per process, so a second
in-process app would rebind the session app's).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from service.core.relay import OutboxRelay
from tests.conftest import BOOTSTRAP_PASSWORD, BOOTSTRAP_USERNAME, unique
from tests.events.consume import TopicReader, first_occurrence_order
from tests.events.support import (
    ROOT,
    RelayEnv,
    eventually,
    finish,
    free_port,
    pending_count,
    relay_env,
    seed,
    spawn,
    updates,
)

OUTAGE_BROKER = "127.0.0.1:29092"
SCRIPT = ROOT / "scripts" / "local-servers.sh"
LOCK_FILE = ROOT / ".data" / "outage" / "test-session.lock"  # not the script's own .lock
ORGANISATIONS = 20
UPDATES_EACH = 4  # with each create: 20 x 5 = 100 changes
CONCURRENT_CLIENTS = 5

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None, reason="the outage broker needs Java (scripts/local-servers.sh)"
)


async def _servers(action: str) -> None:
    """``scripts/local-servers.sh <action> outage broker`` (never the shared broker)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS", "ACCOUNTS_MONGODB_URI"}
    }
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT), action, "outage", "broker", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=300)
    if process.returncode != 0:
        raise RuntimeError(f"local-servers.sh {action} outage broker: {output.decode()}")


@asynccontextmanager
async def _outage_broker_to_ourselves() -> AsyncIterator[None]:
    """Several test sessions may run at once; only one may stop and start the outage broker."""
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    with LOCK_FILE.open("w") as handle:
        deadline = time.monotonic() + 600
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail("another test session kept the outage broker for 10 minutes")
                await asyncio.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="module")
async def outage(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, Any]]:
    """Service up, broker stopped, 100 changes, a relay stopped, broker back (in that order)."""
    tmp = tmp_path_factory.mktemp("outage")
    async with _outage_broker_to_ourselves(), _outage(tmp) as result:
        yield result


@asynccontextmanager
async def _outage(tmp: Path) -> AsyncIterator[dict[str, Any]]:
    await _servers("start")
    try:
        async with relay_env(
            tmp, kafka_bootstrap_servers=OUTAGE_BROKER, outbox_poll_seconds=0.2, port=free_port()
        ) as env:
            service = await spawn("service.main", env.environment(), tmp / "service.log")
            base = f"http://127.0.0.1:{env.settings.port}"
            try:
                async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                    await eventually(lambda: _broker_state(http, "up"), within=90,
                                     what="the service ready with its broker up")
                    result = await _during_outage(tmp, http, env)
                    started = time.monotonic()
                    await _servers("start")
                    result["restart_seconds"] = time.monotonic() - started
                    yield {**result, "env": env, "http": http}
            finally:
                await finish(service)
    finally:
        await _servers("stop")


async def _during_outage(tmp: Path, http: httpx.AsyncClient, env: RelayEnv) -> dict[str, Any]:
    async with relay_env(
        tmp, kafka_bootstrap_servers=OUTAGE_BROKER, outbox_poll_seconds=0.2
    ) as side:
        # A relay connected to the broker when it goes away, then handed an event: its
        # idempotent producer keeps retrying that batch; stop() must not wait for it.
        registry = CollectorRegistry()
        relay = OutboxRelay(side.settings, side.cipher, registry)
        await relay.start()
        await seed(side.db, "organisations", "side-1", updates("side-1", 1))
        await eventually(lambda: _empty(side.db), what="the side relay's first publish")
        await eventually(lambda: _bootstrap_published(env), what="the bootstrap events published")
        await _servers("stop")
        await seed(side.db, "organisations", "side-2", updates("side-2", 1))
        relay.wake()
        await eventually(
            lambda: registry.get_sample_value("accounts_outbox_in_flight_events") == 1,
            what="the side relay's event stuck in its producer",
        )
        started = time.monotonic()
        await asyncio.wait_for(relay.stop(), timeout=20)
        stop_seconds = time.monotonic() - started
        side_pending = await pending_count(side.db)

    token = (await _login(http))["token"]
    started = time.monotonic()
    changes = await _make_changes(http, token)
    changes_seconds = time.monotonic() - started
    await eventually(lambda: _broker_state(http, "down"), what="broker down in readiness")
    ready = await http.get("/health/ready")
    await eventually(lambda: _metric_is(http, "accounts_outbox_pending_events", 100),
                     what="100 pending events in /metrics")
    metrics = (await http.get("/metrics")).text
    return {
        "changes": changes,
        "changes_seconds": changes_seconds,
        "ready": ready,
        "metrics": metrics,
        "stop_seconds": stop_seconds,
        "side_pending": side_pending,
    }


async def test_every_change_succeeds_while_the_broker_is_down(outage: dict[str, Any]) -> None:
    statuses = [status for org in outage["changes"].values() for status, _ in org]
    assert len(statuses) == ORGANISATIONS * (1 + UPDATES_EACH)
    assert set(statuses) == {200}


async def test_the_service_stays_ready_and_reports_the_broker_down(
    outage: dict[str, Any],
) -> None:
    assert outage["ready"].status_code == 200
    assert outage["ready"].json() == {
        "status": "ready", "checks": {"database": "up", "broker": "down"},
    }


async def test_metrics_count_the_waiting_events(outage: dict[str, Any]) -> None:
    assert _value(outage["metrics"], "accounts_outbox_pending_events") == 100
    assert (_value(outage["metrics"], "accounts_outbox_oldest_pending_age_seconds") or 0) > 0
    assert _value(outage["metrics"], "accounts_outbox_broker_up") == 0


async def test_stopping_a_relay_is_bounded_while_the_broker_is_down(
    outage: dict[str, Any],
) -> None:
    # asyncio.wait_for(relay.stop(), 20) returned; the unsent event is still in the outbox.
    assert outage["stop_seconds"] < 20
    assert outage["side_pending"] == 1


async def test_every_event_arrives_in_order_once_the_broker_is_back(
    outage: dict[str, Any],
) -> None:
    env = outage["env"]
    subjects = set(outage["changes"])
    async with TopicReader(OUTAGE_BROKER, env.settings.events_topic) as reader:
        records = await reader.wait_for(
            lambda record: record.subject in subjects, count=100, within=120
        )
    order = first_occurrence_order(records)
    assert set(order) == subjects
    by_id = {record.id: record for record in records}
    for subject, steps in outage["changes"].items():
        expected = [steps[0][1]["name"]] + [name for _, name in steps[1:]]
        arrived = [by_id[event_id] for event_id in order[subject]]
        assert [r.type for r in arrived] == [
            "accounts.organisation.created", *["accounts.organisation.updated"] * UPDATES_EACH
        ]
        assert [r.data["name"] for r in arrived] == expected
    await eventually(lambda: _metric_is(outage["http"], "accounts_outbox_pending_events", 0),
                     what="an empty outbox in /metrics")


# --- helpers -----------------------------------------------------------------------------


async def _login(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.post(
        "/accounts/auth", json={"username": BOOTSTRAP_USERNAME, "password": BOOTSTRAP_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _make_changes(http: httpx.AsyncClient, token: str) -> dict[str, list[tuple[int, Any]]]:
    """Per organisation, in order: (status, body) of its create, then (status, name) of each
    rename. Organisations go in parallel; each one's changes one after the other."""
    headers = {"Authorization": f"Bearer {token}"}
    limit = asyncio.Semaphore(CONCURRENT_CLIENTS)

    async def one(org_id: str) -> list[tuple[int, Any]]:
        async with limit:
            done: list[tuple[int, Any]] = []
            created = await http.post("/organisations", headers=headers, json={
                "id": org_id, "name": f"{org_id} v0", "parent_id": "root", "units": [],
            })
            done.append((created.status_code, created.json()))
            for version in range(1, UPDATES_EACH + 1):
                name = f"{org_id} v{version}"
                response = await http.put(
                    f"/organisations/{org_id}", headers=headers, json={"name": name}
                )
                done.append((response.status_code, name))
            return done

    org_ids = [unique("outage") for _ in range(ORGANISATIONS)]
    results = await asyncio.gather(*(one(org_id) for org_id in org_ids))
    return dict(zip(org_ids, results, strict=True))


async def _broker_state(http: httpx.AsyncClient, state: str) -> bool:
    try:
        response = await http.get("/health/ready")
    except httpx.TransportError:
        return False
    return response.status_code == 200 and response.json()["checks"]["broker"] == state


def _value(metrics: str, name: str) -> float | None:
    match = re.search(rf"^{name} (\S+)$", metrics, re.MULTILINE)
    return float(match.group(1)) if match else None


async def _metric_is(http: httpx.AsyncClient, name: str, wanted: float) -> bool:
    return _value((await http.get("/metrics")).text, name) == wanted


async def _bootstrap_published(env: RelayEnv) -> bool:
    return await env.db["accounts"].count_documents({}) > 0 and await _empty(env.db)


async def _empty(db: Any) -> bool:
    return await pending_count(db) == 0

"""Benchmarks, reported as ratios against baselines measured in the same run.

``make bench`` runs it against the local test servers, in a database of its own. Each
operation's median is divided by the median of the cheapest thing it cannot avoid doing:
one point read on the same store for request handling, one bcrypt check at the same cost
for a login. The ratios are the figures to compare across changes; absolute times depend
on the machine.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from pymongo import AsyncMongoClient

from service.app import create_app
from service.core.security import PasswordHasher
from service.core.settings import load_settings

ROUNDS = 200
LOGIN_ROUNDS = 20
PASSWORD = "Bench-Password-1"


async def median_ms(operation: Callable[[], Awaitable[object]], rounds: int) -> float:
    for _ in range(min(10, rounds)):
        await operation()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        await operation()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def main() -> None:
    settings = load_settings(
        mongodb_uri=os.environ.get("ACCOUNTS_MONGODB_URI", "mongodb://127.0.0.1:27117/"),
        kafka_bootstrap_servers=os.environ.get(
            "ACCOUNTS_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"
        ),
        mongodb_database=f"accounts_bench_{uuid.uuid4().hex[:8]}",
        bootstrap_password=PASSWORD,
        data_dir=Path(tempfile.mkdtemp()),
    )
    app = create_app(settings)
    raw: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongodb_uri)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            auth = (
                await http.post("/accounts/auth", json={"username": "admin", "password": PASSWORD})
            ).json()
            headers = {"Authorization": f"Bearer {auth['token']}"}
            accounts = raw[settings.mongodb_database]["accounts"]
            account_id = (await accounts.find_one({}, {"_id": 1}) or {}).get("_id")
            hasher = PasswordHasher(settings.bcrypt_rounds)
            stored = await hasher.hash(PASSWORD)

            point_read = await median_ms(lambda: accounts.find_one({"_id": account_id}), ROUNDS)
            bcrypt_check = await median_ms(lambda: hasher.verify(PASSWORD, stored), LOGIN_ROUNDS)
            rows = [
                (
                    "GET /accounts/me",
                    point_read,
                    await median_ms(lambda: http.get("/accounts/me", headers=headers), ROUNDS),
                ),
                (
                    "GraphQL { me }",
                    point_read,
                    await median_ms(
                        lambda: http.post(
                            "/graphql", json={"query": "{ me { id username } }"}, headers=headers
                        ),
                        ROUNDS,
                    ),
                ),
                (
                    "POST /accounts/auth",
                    bcrypt_check,
                    await median_ms(
                        lambda: http.post(
                            "/accounts/auth", json={"username": "admin", "password": PASSWORD}
                        ),
                        LOGIN_ROUNDS,
                    ),
                ),
            ]
        await app.state.mongo.drop_database(settings.mongodb_database)
    await raw.close()
    print(f"{'operation':<24}{'baseline':>12}{'median ms':>12}{'ratio':>8}")
    for name, baseline, measured in rows:
        print(f"{name:<24}{baseline:>12.2f}{measured:>12.2f}{measured / baseline:>8.1f}")
    print("baselines: one point read on the store (requests); one bcrypt check (login)")


if __name__ == "__main__":
    asyncio.run(main())

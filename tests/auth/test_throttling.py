"""Login throttling: per (username, address) locks, per address blocks, every alias counts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from service.core.settings import Settings
from tests.conftest import BOOTSTRAP_PASSWORD, BOOTSTRAP_USERNAME, graphql, unique


def client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def attacker(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_from(app, f"10.66.{hash(unique('a')) % 250}.7") as http:
        yield http


async def _fail(http: httpx.AsyncClient, username: str) -> httpx.Response:
    return await http.post("/accounts/auth", json={"username": username, "password": "wrong-guess"})


async def test_sixth_failure_for_a_username_from_one_address_is_429(
    attacker: httpx.AsyncClient, settings: Settings
) -> None:
    username = unique("victim")
    statuses = [(await _fail(attacker, username)).status_code for _ in range(6)]
    assert statuses == [401] * settings.login_max_failures_per_username + [429]
    locked = await _fail(attacker, username)
    assert locked.status_code == 429
    assert locked.json()["code"] == "rate_limited"
    assert int(locked.headers["Retry-After"]) > 0


async def test_locked_pair_refuses_even_the_right_password(app: FastAPI) -> None:
    async with client_from(app, "10.77.0.1") as http:
        for _ in range(5):
            await _fail(http, BOOTSTRAP_USERNAME)
        right = await http.post(
            "/accounts/auth",
            json={"username": BOOTSTRAP_USERNAME, "password": BOOTSTRAP_PASSWORD},
        )
        assert right.status_code == 429


async def test_lock_from_one_address_does_not_lock_out_another(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async with client_from(app, "10.88.0.1") as http:
        for _ in range(6):
            await _fail(http, BOOTSTRAP_USERNAME)
    response = await client.post(
        "/accounts/auth", json={"username": BOOTSTRAP_USERNAME, "password": BOOTSTRAP_PASSWORD}
    )
    assert response.status_code == 200


async def test_graphql_attempts_count_towards_the_lock(attacker: httpx.AsyncClient) -> None:
    username = unique("graphql-victim")
    query = f'mutation {{ a: authenticate(username: "{username}", password: "guess") {{ token }} }}'
    codes = [(await graphql(attacker, query))["errors"][0]["extensions"]["code"] for _ in range(6)]
    assert codes == ["UNAUTHENTICATED"] * 5 + ["RATE_LIMITED"]


async def test_aliases_cannot_multiply_guesses(attacker: httpx.AsyncClient) -> None:
    username = unique("alias-victim")
    fields = " ".join(
        f'a{i}: authenticate(username: "{username}", password: "guess-{i}") {{ token }}'
        for i in range(5)
    )
    result = await graphql(attacker, f"mutation {{ {fields} }}")
    assert result["data"] is None
    checked = len(result["errors"])
    statuses = [(await _fail(attacker, username)).status_code for _ in range(6 - checked)]
    assert statuses == [401] * (5 - checked) + [429]


async def test_address_is_blocked_after_too_many_failures(app: FastAPI, settings: Settings) -> None:
    async with client_from(app, "10.99.0.1") as http:
        for index in range(settings.login_max_failures_per_address):
            await _fail(http, unique(f"spray{index}"))
        blocked = await _fail(http, unique("spray-last"))
    assert blocked.status_code == 429

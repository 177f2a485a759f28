"""Abuse limits refuse a whole document before any resolver runs."""

from __future__ import annotations

import httpx

from service.core.settings import Settings
from tests.conftest import graphql


async def test_too_many_aliases_is_refused_without_data(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    count = settings.graphql_max_aliases + 1
    fields = " ".join(
        f'a{i}: authenticate(username: "nobody-{i}", password: "x") {{ token }}'
        for i in range(count)
    )
    result = await graphql(client, f"mutation {{ {fields} }}")
    assert "data" not in result or result["data"] is None
    assert "aliases" in result["errors"][0]["message"].lower()


async def test_too_deep_a_query_is_refused(client: httpx.AsyncClient, settings: Settings) -> None:
    depth = settings.graphql_max_depth + 2
    query = "{ me " + "{ orgUnit " * 0 + "{ id } }"
    nested = "__typename"
    for _ in range(depth):
        nested = f"__schema {{ types {{ fields {{ type {{ ofType {{ {nested} }} }} }} }} }}"
    result = await graphql(client, "{ " + nested + " }")
    assert result.get("data") is None
    assert "depth" in result["errors"][0]["message"].lower()
    assert query


async def test_batch_over_the_limit_is_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    batch = [{"query": "{ __typename }"}] * (settings.graphql_max_batch + 1)
    response = await client.post("/graphql", json=batch)
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert "operations" in body["errors"][0]["message"].lower()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unexpected_errors_are_masked(client: httpx.AsyncClient) -> None:
    result = await graphql(client, "{ me { id } }", token="not-a-jwt")
    error = result["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Traceback" not in str(result)

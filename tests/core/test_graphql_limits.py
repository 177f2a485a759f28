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


async def test_fan_out_over_the_cost_limit_is_refused_without_data(
    client: httpx.AsyncClient, admin_auth: dict[str, str]
) -> None:
    fields = " ".join(
        f"a{i}: accounts(limit: 500) {{ items {{ organisation {{ descendants "
        f"{{ accounts(limit: 500) {{ items {{ id }} }} }} }} }} }}"
        for i in range(3)
    )
    result = await graphql(client, f"{{ {fields} }}", token=admin_auth["token"])
    assert result.get("data") is None
    assert "maximum cost" in result["errors"][0]["message"]


async def test_an_ordinary_page_of_accounts_is_within_the_cost_limit(
    client: httpx.AsyncClient, admin_auth: dict[str, str]
) -> None:
    result = await graphql(
        client,
        "{ accounts(limit: 100) { total items { id organisation { id name } } } }",
        token=admin_auth["token"],
    )
    assert "errors" not in result
    assert result["data"]["accounts"]["total"] >= 1


async def test_a_limit_given_by_a_variable_counts_at_its_largest(
    client: httpx.AsyncClient, admin_auth: dict[str, str]
) -> None:
    query = (
        "query($l: Int) { "
        + " ".join(
            f"a{i}: accounts(limit: $l) {{ items {{ organisation {{ accounts(limit: $l) "
            f"{{ items {{ id }} }} }} }} }}"
            for i in range(3)
        )
        + " }"
    )
    result = await graphql(client, query, {"l": 500}, token=admin_auth["token"])
    assert result.get("data") is None
    assert "maximum cost" in result["errors"][0]["message"]

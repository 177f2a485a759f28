"""Listing systems: filters, sorting, paging and the total, through REST and GraphQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import bearer, graphql, unique


@pytest.fixture(scope="module")
async def family(client: httpx.AsyncClient, su_token: str) -> dict[str, Any]:
    """Five systems sharing a marker in their names, one with regex characters in it."""
    marker = unique("Fam")
    names = [f"{marker} delta", f"{marker} Alpha", f"{marker} charlie", f"{marker} bravo",
             f"{marker} (a.*)"]
    ids = []
    for name in names:
        system_id = unique("fam")
        response = await client.post("/systems", json={"id": system_id, "name": name},
                                     headers=bearer(su_token))
        assert response.status_code == 200
        ids.append(system_id)
    return {"marker": marker, "names": names, "ids": ids}


async def listing(client: httpx.AsyncClient, token: str, **params: Any) -> httpx.Response:
    return await client.get("/systems", params=params, headers=bearer(token))


async def test_name_filter_is_a_case_insensitive_substring(
    client: httpx.AsyncClient, su_token: str, family: dict[str, Any]
) -> None:
    response = await listing(client, su_token, name=family["marker"].upper())
    assert sorted(s["name"] for s in response.json()) == sorted(family["names"])
    assert response.headers["X-Total-Count"] == "5"


async def test_regex_characters_in_the_name_filter_are_literal(
    client: httpx.AsyncClient, su_token: str, family: dict[str, Any]
) -> None:
    response = await listing(client, su_token, name="(a.*)")
    assert [s["name"] for s in response.json()] == [f"{family['marker']} (a.*)"]
    assert (await listing(client, su_token, name=".+")).json() == []


async def test_id_filter_is_exact(
    client: httpx.AsyncClient, su_token: str, family: dict[str, Any]
) -> None:
    response = await listing(client, su_token, id=family["ids"][0])
    assert [s["id"] for s in response.json()] == [family["ids"][0]]
    assert (await listing(client, su_token, id=family["ids"][0][:-1])).json() == []


async def test_sort_by_name_descending_with_paging(
    client: httpx.AsyncClient, su_token: str, family: dict[str, Any]
) -> None:
    expected = sorted(family["names"], reverse=True)
    first = await listing(client, su_token, name=family["marker"], sort_field="name",
                          sort_direction=-1, page=1, limit=2)
    third = await listing(client, su_token, name=family["marker"], sort_field="name",
                          sort_direction=-1, page=3, limit=2)
    assert [s["name"] for s in first.json()] == expected[:2]
    assert [s["name"] for s in third.json()] == expected[4:]
    assert first.headers["X-Total-Count"] == third.headers["X-Total-Count"] == "5"


async def test_default_sort_is_by_id(
    client: httpx.AsyncClient, su_token: str, family: dict[str, Any]
) -> None:
    response = await listing(client, su_token, name=family["marker"])
    assert [s["id"] for s in response.json()] == sorted(family["ids"])


@pytest.mark.parametrize("params", [
    {"page": 0}, {"limit": 0}, {"limit": 501}, {"sort_field": "service_id"},
    {"sort_direction": 2}, {"page": "one"},
], ids=["page", "limit-0", "limit-501", "sort-field", "direction", "page-text"])
async def test_bad_paging_is_422(
    client: httpx.AsyncClient, su_token: str, params: dict[str, Any]
) -> None:
    assert (await listing(client, su_token, **params)).status_code == 422


async def test_graphql_page_carries_items_and_total(
    client: httpx.AsyncClient, su_token: str, family: dict[str, Any]
) -> None:
    result = await graphql(
        client,
        "query($f: SystemFilter) { systems(filter: $f, sort: {field: NAME, direction: ASC},"
        " page: 2, limit: 2) { items { name } total page limit } }",
        {"f": {"name": family["marker"].lower()}}, token=su_token,
    )
    page = result["data"]["systems"]
    assert page["total"] == 5
    assert (page["page"], page["limit"]) == (2, 2)
    assert [item["name"] for item in page["items"]] == sorted(family["names"])[2:4]


async def test_graphql_bad_limit_is_bad_input(client: httpx.AsyncClient, su_token: str) -> None:
    result = await graphql(client, "{ systems(limit: 501) { total } }", token=su_token)
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

"""Unusable input is refused with the contract's codes and never reaches the store."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import graphql, unique


async def test_body_over_one_mebibyte_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/accounts/auth", json={"username": "x" * 1_100_000, "password": "whatever-password"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_huge_username_on_login_is_the_usual_401(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/accounts/auth", json={"username": "u" * 5000, "password": "whatever-password"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


async def test_graphql_huge_username_is_unauthenticated(client: httpx.AsyncClient) -> None:
    result = await graphql(
        client,
        "mutation($u: String!) { authenticate(username: $u, password: \"whatever\") { token } }",
        {"u": "u" * 5000},
    )
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_body_that_is_not_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/accounts/auth", content=b"\xff\xfe", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


async def test_lone_surrogate_in_units_is_422_and_adds_nothing(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    org_id = unique("guarded")
    created = await client.post(
        "/organisations",
        json={"id": org_id, "units": [], "name": "Guarded", "parent_id": "root"},
        headers=admin_headers,
    )
    assert created.status_code == 200, created.text
    response = await client.post(
        f"/organisations/{org_id}/units",
        content=b'["\\ud800", "ok1"]',
        headers={**admin_headers, "content-type": "application/json"},
    )
    assert response.status_code == 422
    stored = (await client.get(f"/organisations/{org_id}", headers=admin_headers)).json()
    assert stored["units"] == []


def _account_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "account_type": "User",
        "username": unique("guarded-user"),
        "password": "Correct-Horse-42",
        "org_unit": {"org_id": "root", "org_list": []},
        "permissions": [],
    }
    body.update(overrides)
    return body


async def test_contact_key_with_operator_or_dot_is_422(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    for contacts in ({"$where": "1"}, {"a.b": "c"}):
        response = await client.post(
            "/accounts", json=_account_body(contacts=contacts), headers=admin_headers
        )
        assert response.status_code == 422, contacts
        assert response.json()["code"] == "invalid_input"


async def test_too_many_contacts_is_422(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    contacts = {f"k{i}": "v" for i in range(51)}
    response = await client.post(
        "/accounts", json=_account_body(contacts=contacts), headers=admin_headers
    )
    assert response.status_code == 422


async def test_page_beyond_any_list_is_422(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    response = await client.get(
        "/accounts", params={"page": "99999999999999999999"}, headers=admin_headers
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


async def test_json_nested_too_deeply_is_422(client: httpx.AsyncClient) -> None:
    body = b"[" * 5000 + b"]" * 5000
    response = await client.post(
        "/accounts/auth", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


async def test_graphql_variables_nested_too_deeply_are_refused(client: httpx.AsyncClient) -> None:
    body = b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "nested" in response.json()["errors"][0]["message"]

"""The systems registry through REST and GraphQL: SuperUser writes, filtered paged reads."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service.core.settings import Settings
from tests.accounts.helpers import account_body, created, grants, signed_in, topic_events
from tests.conftest import bearer, graphql, unique
from tests.organisations.helpers import graphql_outcome
from tests.rest_compat.seed import field_paths, seed_examples
from tests.rest_compat.test_seed_conformance import schema_paths

SYSTEM_FIELDS = "id name serviceId userTypes resources serviceConfig"



@pytest.fixture(scope="module")
async def reader_token(client: httpx.AsyncClient, su_token: str) -> str:
    """``systems`` Write (not enough to write systems: that is SuperUser only)."""
    _, token = await signed_in(client, su_token, "root", permissions=grants(systems="Write"))
    return token


def system_body(**fields: Any) -> dict[str, Any]:
    return {"id": unique("sys"), "name": "Billing", "service_id": "billing-svc",
            "user_types": ["clerk"], "resources": ["invoices", "payments"],
            "service_config": {"billing": {"url": "https://billing.example"}}, **fields}


async def create(client: httpx.AsyncClient, token: str, **fields: Any) -> dict[str, Any]:
    response = await client.post("/systems", json=system_body(**fields), headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_created_system_echoes_the_body(client: httpx.AsyncClient, su_token: str) -> None:
    body = system_body()
    response = await client.post("/systems", json=body, headers=bearer(su_token))
    assert (response.status_code, response.json()) == (200, body)
    got = await client.get(f"/systems/{body['id']}", headers=bearer(su_token))
    assert got.json() == body


async def test_graphql_create_and_read_a_system(client: httpx.AsyncClient, su_token: str) -> None:
    system_id = unique("sys")
    made = await graphql_outcome(
        client,
        f"mutation($i: CreateSystemInput!) {{ createSystem(input: $i) {{ {SYSTEM_FIELDS} }} }}",
        {"i": {"id": system_id, "name": "Shop", "resources": ["orders"],
               "serviceConfig": {"shop": {"k": "v"}}}}, su_token, "createSystem")
    assert made.status == 200
    read = await graphql_outcome(client, f'{{ system(id: "{system_id}") {{ {SYSTEM_FIELDS} }} }}',
                                 {}, su_token, "system")
    assert read.body == {"id": system_id, "name": "Shop", "service_id": None, "user_types": [],
                         "resources": ["orders"], "service_config": {"shop": {"k": "v"}}}


async def test_writing_systems_needs_a_superuser(
    client: httpx.AsyncClient, su_token: str, reader_token: str
) -> None:
    system = await create(client, su_token)
    headers = bearer(reader_token)
    assert (await client.post("/systems", json=system_body(), headers=headers)).status_code == 403
    assert (await client.put(f"/systems/{system['id']}", json={"name": "x"},
                             headers=headers)).status_code == 403
    assert (await client.delete(f"/systems/{system['id']}", headers=headers)).status_code == 403
    outcome = await graphql_outcome(client, 'mutation { deleteSystem(id: "accounts") }', {},
                                    reader_token, "deleteSystem")
    assert outcome.status == 403


async def test_reading_systems_needs_systems_read(
    client: httpx.AsyncClient, su_token: str
) -> None:
    _, token = await signed_in(client, su_token, "root")
    assert (await client.get("/systems", headers=bearer(token))).status_code == 403
    assert (await client.get("/systems/accounts", headers=bearer(token))).status_code == 403


async def test_absent_system_is_404_or_null(client: httpx.AsyncClient, su_token: str) -> None:
    missing = unique("nope")
    assert (await client.get(f"/systems/{missing}", headers=bearer(su_token))).status_code == 404
    result = await graphql(client, f'{{ system(id: "{missing}") {{ id }} }}', token=su_token)
    assert result["data"]["system"] is None


async def test_duplicate_id_is_409(client: httpx.AsyncClient, su_token: str) -> None:
    system = await create(client, su_token)
    again = await client.post("/systems", json=system_body(id=system["id"]),
                              headers=bearer(su_token))
    assert (again.status_code, again.json()["code"]) == (409, "conflict")


@pytest.mark.parametrize("fields", [
    {"id": "has:colon"}, {"name": ""}, {"resources": ["a", "a"]}, {"user_types": [""]},
    {"service_config": {"a": "not-a-map"}}, {"name": {"$ne": ""}},
], ids=["id", "name", "resources", "user-types", "service-config", "operator"])
async def test_invalid_fields_are_422(
    client: httpx.AsyncClient, su_token: str, fields: dict[str, Any]
) -> None:
    response = await client.post("/systems", json=system_body(**fields), headers=bearer(su_token))
    assert response.status_code == 422


async def test_graphql_service_config_must_be_a_map_of_maps(
    client: httpx.AsyncClient, su_token: str
) -> None:
    outcome = await graphql_outcome(
        client, "mutation($i: CreateSystemInput!) { createSystem(input: $i) { id } }",
        {"i": {"id": unique("sys"), "name": "x", "serviceConfig": {"a": 1}}}, su_token,
        "createSystem")
    assert outcome.status == 422


async def test_update_changes_only_what_is_sent(client: httpx.AsyncClient, su_token: str) -> None:
    system = await create(client, su_token)
    response = await client.put(f"/systems/{system['id']}",
                                json={"name": "Renamed", "resources": ["only"]},
                                headers=bearer(su_token))
    assert response.json() == {**system, "name": "Renamed", "resources": ["only"]}


async def test_graphql_update_replaces_the_service_config(
    client: httpx.AsyncClient, su_token: str
) -> None:
    system = await create(client, su_token)
    outcome = await graphql_outcome(
        client, "mutation($id: ID!, $i: UpdateSystemInput!) {"
        f" updateSystem(id: $id, input: $i) {{ {SYSTEM_FIELDS} }} }}",
        {"id": system["id"], "i": {"serviceConfig": {"new": {"a": "b"}}}}, su_token,
        "updateSystem")
    assert outcome.body["service_config"] == {"new": {"a": "b"}}
    assert outcome.body["name"] == system["name"]


async def test_service_system_keeps_its_own_resources(
    client: httpx.AsyncClient, su_token: str
) -> None:
    response = await client.put("/systems/accounts", json={"resources": ["accounts"]},
                                headers=bearer(su_token))
    assert response.status_code == 422


async def test_delete_removes_the_system(client: httpx.AsyncClient, su_token: str) -> None:
    system = await create(client, su_token)
    response = await client.delete(f"/systems/{system['id']}", headers=bearer(su_token))
    assert (response.status_code, response.json()) == (200, None)
    assert (await client.get(f"/systems/{system['id']}",
                             headers=bearer(su_token))).status_code == 404
    listed = await client.get("/systems", params={"id": system["id"]}, headers=bearer(su_token))
    assert listed.json() == []


async def test_deleted_id_can_be_registered_again(
    client: httpx.AsyncClient, su_token: str
) -> None:
    system = await create(client, su_token)
    await client.delete(f"/systems/{system['id']}", headers=bearer(su_token))
    again = await create(client, su_token, id=system["id"], name="Second life")
    assert again["name"] == "Second life"


async def test_delete_while_an_account_holds_a_permission_is_409(
    client: httpx.AsyncClient, su_token: str
) -> None:
    system = await create(client, su_token)
    await created(client, su_token, account_body("root", permissions=[{
        "system_id": system["id"],
        "permissions": [{"resource_id": "invoices", "permission": "Read"}]}]))
    response = await client.delete(f"/systems/{system['id']}", headers=bearer(su_token))
    assert (response.status_code, response.json()["code"]) == (409, "conflict")
    outcome = await graphql_outcome(client, f'mutation {{ deleteSystem(id: "{system["id"]}") }}',
                                    {}, su_token, "deleteSystem")
    assert outcome.status == 409


async def test_the_service_system_cannot_be_deleted(
    client: httpx.AsyncClient, su_token: str
) -> None:
    response = await client.delete("/systems/accounts", headers=bearer(su_token))
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


async def test_system_events_follow_create_update_delete(
    client: httpx.AsyncClient, su_token: str, settings: Settings
) -> None:
    system = await create(client, su_token)
    headers = bearer(su_token)
    await client.put(f"/systems/{system['id']}", json={"name": "Later"}, headers=headers)
    await client.delete(f"/systems/{system['id']}", headers=headers)
    events = await topic_events(settings, settings.events_topic,
                                lambda e: e["subject"] == system["id"], count=3)
    assert [e["type"] for e in events] == [
        "accounts.system.created", "accounts.system.updated", "accounts.system.deleted"]
    admin_id = (await client.get("/accounts/me", headers=headers)).json()["id"]
    assert events[0]["data"] == {**system, "actor_id": admin_id}
    assert events[1]["data"]["name"] == "Later"


async def test_system_bodies_use_the_field_names_of_the_seed_list(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()
    item = {path.removeprefix("[].") for path in field_paths(seed_examples()[29])}
    for method, path in (("post", "/systems"), ("get", "/systems/{system_id}"),
                         ("put", "/systems/{system_id}")):
        operation = spec["paths"][path][method]
        response = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema_paths(response, spec) == item, (method, path)
        if "requestBody" in operation:
            request = operation["requestBody"]["content"]["application/json"]["schema"]
            expected = item if method == "post" else item - {"id"}
            assert schema_paths(request, spec) == expected, (method, path)


async def test_service_config_key_that_cannot_be_stored_is_422(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    for config in ({"a": {"$set": "x"}}, {"$where": {"x": "y"}}, {"b.c": {"d": "e"}}):
        response = await client.post(
            "/systems",
            json={"id": unique("cfg"), "name": "Config", "service_config": config},
            headers=admin_headers,
        )
        assert response.status_code == 422, config
        assert response.json()["code"] == "invalid_input"

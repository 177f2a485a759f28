"""Creating organisations: parent in scope, roots by a SuperUser, ids, units, currency."""

from __future__ import annotations

from typing import Any

import httpx

from service.core.settings import Settings
from tests.accounts.helpers import grants, signed_in, topic_events
from tests.conftest import Admin, bearer, unique
from tests.organisations.conftest import Tree
from tests.organisations.helpers import OrgApi

SEED_ORGANISATION_KEYS = {
    "id", "name", "parent_id", "enabled", "base_currency", "children", "created", "updated",
    "units",
}


def org_body(parent_id: str | None, **fields: Any) -> dict[str, Any]:
    return {"id": unique("org"), "name": "Some org", "parent_id": parent_id, "units": [],
            **fields}


async def test_created_organisation_has_the_seed_body(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    body = org_body(tree.a, units=["shop", "web"])
    response = await client.post("/organisations", json=body, headers=bearer(su_token))
    assert response.status_code == 200
    created = response.json()
    assert set(created) == SEED_ORGANISATION_KEYS
    assert created["id"] == body["id"]
    assert created["units"] == ["shop", "web"]
    assert created["enabled"] is True
    assert created["children"] == []
    assert created["created"] == created["updated"] > 0


async def test_child_shows_the_parent_effective_currency(
    api: OrgApi, org_admin: Admin, tree: Tree
) -> None:
    outcome = await api.create(org_admin.token, org_body(tree.a1))
    assert outcome.status == 200
    assert outcome.body["base_currency"] == "EUR"  # a1 inherits a, a inherits top


async def test_parent_lists_a_new_child_with_its_own_currency(
    api: OrgApi, org_admin: Admin, tree: Tree
) -> None:
    child = (await api.create(org_admin.token, org_body(tree.a2, base_currency="CHF"))).body
    parent = await api.get(org_admin.token, tree.a2)
    assert {"child_type": "Organisation", "id": child["id"], "currency": "CHF"} in (
        parent.body["children"]
    )


async def test_root_organisation_needs_a_superuser(
    api: OrgApi, org_admin: Admin, su_token: str
) -> None:
    refused = await api.create(org_admin.token, org_body(None))
    assert (refused.status, refused.code) == (403, "forbidden")
    created = await api.create(su_token, org_body(None))
    assert created.status == 200
    assert created.body["parent_id"] is None


async def test_parent_outside_scope_is_422(api: OrgApi, org_admin: Admin, tree: Tree) -> None:
    outcome = await api.create(org_admin.token, org_body(tree.b))
    assert (outcome.status, outcome.code) == (422, "invalid_input")


async def test_unknown_parent_is_422(api: OrgApi, su_token: str) -> None:
    outcome = await api.create(su_token, org_body(unique("nowhere")))
    assert outcome.status == 422


async def test_duplicate_id_is_409(api: OrgApi, org_admin: Admin, tree: Tree) -> None:
    body = org_body(tree.a)
    assert (await api.create(org_admin.token, body)).status == 200
    again = await api.create(org_admin.token, body)
    assert (again.status, again.code) == (409, "conflict")


async def test_id_outside_the_id_rule_is_422(api: OrgApi, org_admin: Admin, tree: Tree) -> None:
    for bad in ("org:unit", "", "x" * 65, "spa ce"):
        outcome = await api.create(org_admin.token, org_body(tree.a, id=bad))
        assert outcome.status == 422, bad


async def test_currency_must_be_three_capital_letters(
    api: OrgApi, org_admin: Admin, tree: Tree
) -> None:
    for bad in ("eur", "EURO", "E1R"):
        outcome = await api.create(org_admin.token, org_body(tree.a, base_currency=bad))
        assert outcome.status == 422, bad


async def test_unit_names_follow_the_id_rule_and_are_unique(
    api: OrgApi, org_admin: Admin, tree: Tree
) -> None:
    colon = await api.create(org_admin.token, org_body(tree.a, units=["a:b"]))
    twice = await api.create(org_admin.token, org_body(tree.a, units=["u", "u"]))
    assert colon.status == twice.status == 422


async def test_creating_needs_organisations_write(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    _, token = await signed_in(client, su_token, tree.a, permissions=grants(organisations="Read"))
    response = await client.post("/organisations", json=org_body(tree.a), headers=bearer(token))
    assert response.status_code == 403


async def test_forbidden_comes_before_a_malformed_body(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    _, token = await signed_in(client, su_token, tree.a)
    response = await client.post("/organisations", json={"id": {"$ne": ""}},
                                  headers=bearer(token))
    assert response.status_code == 403


async def test_operator_object_in_the_body_is_422(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    body = {**org_body(tree.a), "parent_id": {"$ne": ""}}
    response = await client.post("/organisations", json=body, headers=bearer(su_token))
    assert response.status_code == 422


async def test_created_event_carries_the_rest_body_and_the_actor(
    client: httpx.AsyncClient, org_admin: Admin, tree: Tree, settings: Settings
) -> None:
    response = await client.post("/organisations", json=org_body(tree.a, units=["e1"]),
                                  headers=bearer(org_admin.token))
    created = response.json()
    [event] = await topic_events(
        settings, settings.events_topic,
        lambda e: e["type"] == "accounts.organisation.created" and e["subject"] == created["id"],
    )
    assert event["data"] == {**created, "actor_id": org_admin.id}

"""Updating organisations: only what differs changes; moves, currency, units, disabling."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from service.core.settings import Settings
from tests.accounts.helpers import account_body, created, grants, signed_in, topic_events
from tests.conftest import Admin, bearer
from tests.organisations.conftest import Tree, make_org
from tests.organisations.helpers import OrgApi


async def test_echoing_the_whole_body_back_changes_nothing(
    client: httpx.AsyncClient, org_admin: Admin, tree: Tree
) -> None:
    """Even fields the caller could not change (the inherited currency, the parent)."""
    headers = bearer(org_admin.token)
    before = (await client.get(f"/organisations/{tree.a}", headers=headers)).json()
    response = await client.put(f"/organisations/{tree.a}", json=before, headers=headers)
    assert response.status_code == 200
    assert response.json() == before


async def test_name_change_touches_only_the_name(
    api: OrgApi, org_admin: Admin, deps: Any, su_token: str, tree: Tree
) -> None:
    org_id = await make_org(deps, su_token, tree.a, units=["k"])
    outcome = await api.update(org_admin.token, org_id, {"name": "Renamed"})
    assert outcome.status == 200
    assert (outcome.body["name"], outcome.body["units"], outcome.body["parent_id"]) == (
        "Renamed", ["k"], tree.a)


async def test_sending_the_inherited_currency_keeps_inheriting(
    api: OrgApi, deps: Any, su_token: str
) -> None:
    parent = await make_org(deps, su_token, "root", base_currency="EUR")
    child = await make_org(deps, su_token, parent)
    assert (await api.update(su_token, child, {"base_currency": "EUR"})).status == 200
    await api.update(su_token, parent, {"base_currency": "SEK"})
    assert (await api.get(su_token, child)).body["base_currency"] == "SEK"


async def test_own_currency_overrides_and_empty_returns_to_inheriting(
    api: OrgApi, deps: Any, su_token: str
) -> None:
    parent = await make_org(deps, su_token, "root", base_currency="EUR")
    child = await make_org(deps, su_token, parent)
    own = await api.update(su_token, child, {"base_currency": "NOK"})
    assert own.body["base_currency"] == "NOK"
    assert (await api.get(su_token, parent)).body["children"][0]["currency"] == "NOK"
    inherited = await api.update(su_token, child, {"base_currency": ""})
    assert inherited.body["base_currency"] == "EUR"


async def test_invalid_currency_is_422(api: OrgApi, org_admin: Admin, tree: Tree) -> None:
    outcome = await api.update(org_admin.token, tree.a2, {"base_currency": "usd"})
    assert outcome.status == 422


async def test_move_under_its_own_descendant_is_422(
    api: OrgApi, deps: Any, su_token: str
) -> None:
    top = await make_org(deps, su_token, "root")
    middle = await make_org(deps, su_token, top)
    bottom = await make_org(deps, su_token, middle)
    outcome = await api.update(su_token, top, {"parent_id": bottom})
    assert (outcome.status, outcome.code) == (422, "invalid_input")
    assert (await api.update(su_token, top, {"parent_id": top})).status == 422
    assert (await api.get(su_token, top)).body["parent_id"] == "root"


async def test_move_within_scope_changes_parent_and_children(
    api: OrgApi, org_admin: Admin, deps: Any, su_token: str, tree: Tree
) -> None:
    mover = await make_org(deps, su_token, tree.a2)
    outcome = await api.update(org_admin.token, mover, {"parent_id": tree.a1})
    assert outcome.status == 200
    assert outcome.body["parent_id"] == tree.a1
    children = (await api.get(org_admin.token, tree.a1)).body["children"]
    assert mover in [child["id"] for child in children]
    children = (await api.get(org_admin.token, tree.a2)).body["children"]
    assert mover not in [child["id"] for child in children]


async def test_move_takes_the_new_parents_currency(
    api: OrgApi, deps: Any, su_token: str, tree: Tree
) -> None:
    mover = await make_org(deps, su_token, tree.a)
    outcome = await api.update(su_token, mover, {"parent_id": tree.b})
    assert outcome.body["base_currency"] == "GBP"


async def test_move_to_a_parent_outside_scope_is_422(
    api: OrgApi, org_admin: Admin, deps: Any, su_token: str, tree: Tree
) -> None:
    mover = await make_org(deps, su_token, tree.a2)
    outcome = await api.update(org_admin.token, mover, {"parent_id": tree.b})
    assert outcome.status == 422


async def test_move_needs_write_over_the_old_parent(
    api: OrgApi, client: httpx.AsyncClient, deps: Any, su_token: str, tree: Tree
) -> None:
    """Homed in x (parent a is outside its reach), it also reaches b: x cannot move to b."""
    home = await make_org(deps, su_token, tree.a)
    body = account_body(home, permissions=grants(organisations="Write"),
                        org_unit={"org_id": home, "unit_id": None, "org_list": [tree.b]})
    await created(client, su_token, body)
    token = (await client.post("/accounts/auth", json={
        "username": body["username"], "password": body["password"]})).json()["token"]
    outcome = await api.update(token, home, {"parent_id": tree.b})
    assert (outcome.status, outcome.code) == (403, "forbidden")


async def test_making_a_root_needs_a_superuser(
    api: OrgApi, org_admin: Admin, deps: Any, su_token: str, tree: Tree
) -> None:
    org_id = await make_org(deps, su_token, tree.a2)
    refused = await api.update(org_admin.token, org_id, {"parent_id": ""})
    assert refused.status == 403
    done = await api.update(su_token, org_id, {"parent_id": ""})
    assert (done.status, done.body["parent_id"]) == (200, None)


async def test_crossing_concurrent_moves_cannot_build_a_cycle(
    client: httpx.AsyncClient, deps: Any, su_token: str
) -> None:
    """x under y and y under x at once: at most one wins, the tree stays a tree."""
    headers = bearer(su_token)
    for _ in range(3):
        parent = await make_org(deps, su_token, "root")
        x = await make_org(deps, su_token, parent)
        y = await make_org(deps, su_token, parent)
        answers = await asyncio.gather(
            client.put(f"/organisations/{x}", json={"parent_id": y}, headers=headers),
            client.put(f"/organisations/{y}", json={"parent_id": x}, headers=headers),
        )
        statuses = sorted(response.status_code for response in answers)
        assert statuses[0] == 200
        assert statuses[1] in (409, 422)
        x_parent = (await client.get(f"/organisations/{x}", headers=headers)).json()["parent_id"]
        y_parent = (await client.get(f"/organisations/{y}", headers=headers)).json()["parent_id"]
        assert (x_parent, y_parent) in ((y, parent), (parent, x))


async def test_bootstrap_organisation_cannot_be_disabled(api: OrgApi, su_token: str) -> None:
    outcome = await api.update(su_token, "root", {"enabled": False})
    assert (outcome.status, outcome.code) == (403, "forbidden")


async def test_admin_cannot_disable_its_home_org(
    api: OrgApi, org_admin: Admin, tree: Tree
) -> None:
    outcome = await api.update(org_admin.token, tree.a, {"enabled": False})
    assert outcome.status == 403
    assert (await api.get(org_admin.token, tree.a)).body["enabled"] is True


async def test_admin_cannot_disable_an_ancestor_of_its_home(
    api: OrgApi, client: httpx.AsyncClient, deps: Any, su_token: str, tree: Tree
) -> None:
    parent = await make_org(deps, su_token, tree.a)
    home = await make_org(deps, su_token, parent)
    body = account_body(home, permissions=grants(organisations="Write"),
                        org_unit={"org_id": home, "unit_id": None, "org_list": [parent]})
    await created(client, su_token, body)
    token = (await client.post("/accounts/auth", json={
        "username": body["username"], "password": body["password"]})).json()["token"]
    assert (await api.update(token, parent, {"enabled": False})).status == 403


async def test_admin_disables_an_org_below_its_home(
    api: OrgApi, org_admin: Admin, deps: Any, su_token: str, tree: Tree
) -> None:
    org_id = await make_org(deps, su_token, tree.a1)
    outcome = await api.update(org_admin.token, org_id, {"enabled": False})
    assert (outcome.status, outcome.body["enabled"]) == (200, False)


async def test_units_list_without_a_unit_in_use_is_409(
    api: OrgApi, client: httpx.AsyncClient, deps: Any, su_token: str, tree: Tree
) -> None:
    org_id = await make_org(deps, su_token, tree.a, units=["used", "spare"])
    await created(client, su_token, account_body(
        org_id, org_unit={"org_id": org_id, "unit_id": "used", "org_list": []}))
    outcome = await api.update(su_token, org_id, {"units": ["spare"]})
    assert (outcome.status, outcome.code) == (409, "conflict")
    assert (await api.get(su_token, org_id)).body["units"] == ["used", "spare"]


async def test_units_list_replaces_the_units(api: OrgApi, deps: Any, su_token: str,
                                             tree: Tree) -> None:
    org_id = await make_org(deps, su_token, tree.a, units=["old", "kept"])
    outcome = await api.update(su_token, org_id, {"units": ["kept", "new"]})
    assert outcome.body["units"] == ["kept", "new"]


async def test_units_list_with_a_bad_name_is_422(api: OrgApi, su_token: str, tree: Tree) -> None:
    outcome = await api.update(su_token, tree.a2, {"units": ["fine", "not:fine"]})
    assert outcome.status == 422


async def test_org_outside_scope_is_404(api: OrgApi, org_admin: Admin, tree: Tree) -> None:
    outcome = await api.update(org_admin.token, tree.b, {"name": "mine now"})
    assert outcome.status == 404


async def test_updated_event_carries_the_new_body(
    client: httpx.AsyncClient, deps: Any, su_token: str, settings: Settings, tree: Tree
) -> None:
    org_id = await make_org(deps, su_token, tree.a)
    response = await client.put(f"/organisations/{org_id}", json={"name": "Evented"},
                                headers=bearer(su_token))
    [event] = await topic_events(
        settings, settings.events_topic,
        lambda e: e["type"] == "accounts.organisation.updated" and e["subject"] == org_id,
    )
    admin_id = (await client.get("/accounts/me", headers=bearer(su_token))).json()["id"]
    assert event["data"] == {**response.json(), "actor_id": admin_id}


async def test_unchanged_put_publishes_nothing_new(
    client: httpx.AsyncClient, org_admin: Admin, deps: Any, su_token: str, tree: Tree
) -> None:
    org_id = await make_org(deps, su_token, tree.a, name="Same")
    headers = bearer(org_admin.token)
    before = (await client.get(f"/organisations/{org_id}", headers=headers)).json()
    after = (await client.put(f"/organisations/{org_id}", json={"name": "Same"},
                              headers=headers)).json()
    assert after["updated"] == before["updated"]


async def test_signed_in_user_needs_write(
    api: OrgApi, client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    _, token = await signed_in(client, su_token, tree.a, permissions=grants(organisations="Read"))
    assert (await api.update(token, tree.a, {"name": "x"})).status == 403

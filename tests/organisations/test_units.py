"""Adding and removing units: what succeeded and what failed, per the contract."""

from __future__ import annotations

from typing import Any

import httpx

from service.core.settings import Settings
from tests.accounts.helpers import account_body, created, topic_events
from tests.conftest import Admin, bearer, unique
from tests.organisations.conftest import Tree, make_org
from tests.organisations.helpers import OrgApi


async def test_adding_reports_new_units_and_refuses_present_or_invalid_ones(
    api: OrgApi, org_admin: Admin, deps: Any, su_token: str, tree: Tree
) -> None:
    org_id = await make_org(deps, su_token, tree.a, units=["old"])
    outcome = await api.add_units(org_admin.token, org_id, ["new", "new", "old", "bad:unit", ""])
    assert outcome.status == 200
    assert outcome.body == {"succeeded": ["new"], "failed": ["new", "old", "bad:unit", ""]}
    assert (await api.get(org_admin.token, org_id)).body["units"] == ["old", "new"]


async def test_removing_refuses_absent_units_and_units_in_use(
    api: OrgApi, client: httpx.AsyncClient, deps: Any, su_token: str, tree: Tree
) -> None:
    org_id = await make_org(deps, su_token, tree.a, units=["used", "spare", "kept"])
    await created(client, su_token, account_body(
        org_id, org_unit={"org_id": org_id, "unit_id": "used", "org_list": []}))
    outcome = await api.remove_units(su_token, org_id, ["used", "spare", "never"])
    assert outcome.body == {"succeeded": ["spare"], "failed": ["used", "never"]}
    assert (await api.get(su_token, org_id)).body["units"] == ["used", "kept"]


async def test_post_remove_works_like_delete_with_a_body(
    client: httpx.AsyncClient, deps: Any, su_token: str, tree: Tree
) -> None:
    org_id = await make_org(deps, su_token, tree.a, units=["one", "two"])
    response = await client.post(f"/organisations/{org_id}/units/remove", json=["one", "three"],
                                 headers=bearer(su_token))
    assert response.json() == {"succeeded": ["one"], "failed": ["three"]}


async def test_units_of_an_org_outside_scope_are_404(
    api: OrgApi, org_admin: Admin, tree: Tree
) -> None:
    assert (await api.add_units(org_admin.token, tree.b, ["mine"])).status == 404
    assert (await api.remove_units(org_admin.token, tree.b, ["b1"])).status == 404
    assert (await api.add_units(org_admin.token, unique("nowhere"), ["x"])).status == 404


async def test_units_body_must_be_a_list_of_strings(
    client: httpx.AsyncClient, su_token: str, tree: Tree
) -> None:
    response = await client.post(f"/organisations/{tree.a2}/units", json=[{"$ne": ""}],
                                 headers=bearer(su_token))
    assert response.status_code == 422


async def test_added_units_reach_the_brand_paths_at_once(
    client: httpx.AsyncClient, org_admin: Admin, deps: Any, su_token: str, tree: Tree
) -> None:
    org_id = await make_org(deps, su_token, tree.a2)
    await client.post(f"/organisations/{org_id}/units", json=["fresh"],
                      headers=bearer(org_admin.token))
    me = (await client.get("/accounts/me", headers=bearer(org_admin.token))).json()
    assert f"{org_id}:fresh" in me["access_to"]["brandpath_list"]


async def test_units_events_carry_the_org_body(
    client: httpx.AsyncClient, deps: Any, su_token: str, settings: Settings, tree: Tree
) -> None:
    org_id = await make_org(deps, su_token, tree.a, units=["a"])
    headers = bearer(su_token)
    await client.post(f"/organisations/{org_id}/units", json=["b"], headers=headers)
    await client.post(f"/organisations/{org_id}/units/remove", json=["a"], headers=headers)
    added, removed = await topic_events(
        settings, settings.events_topic,
        lambda e: e["subject"] == org_id and e["type"].startswith("accounts.organisation.units"),
        count=2,
    )
    assert (added["type"], added["data"]["units"]) == (
        "accounts.organisation.units_added", ["a", "b"])
    assert (removed["type"], removed["data"]["units"]) == (
        "accounts.organisation.units_removed", ["b"])
    assert removed["data"]["id"] == org_id and "actor_id" in removed["data"]

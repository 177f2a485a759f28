"""Scope: an administrator sees and manages the accounts of its subtree, nothing else."""

from __future__ import annotations

import httpx

from tests.accounts.conftest import Orgs
from tests.accounts.helpers import Api, account_body, created, grants, signed_in
from tests.conftest import Admin


async def test_org_admin_reads_an_account_of_a_child_org(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.a1))
    outcome = await api.get(org_admin.token, target["id"])
    assert outcome.status == 200
    assert outcome.body["username"] == target["username"]


async def test_org_admin_gets_404_for_an_account_of_a_sibling_org(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.b))
    outcome = await api.get(org_admin.token, target["id"])
    assert outcome.status == 404


async def test_out_of_scope_and_absent_accounts_answer_alike(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.b))
    hidden = await client.get(f"/accounts/{target['id']}", headers={
        "Authorization": f"Bearer {org_admin.token}"})
    absent = await client.get("/accounts/0123456789abcdef01234567", headers={
        "Authorization": f"Bearer {org_admin.token}"})
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json() == absent.json()


async def test_org_admin_list_holds_only_its_subtree(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    mine = await created(client, su_token, account_body(orgs.a1))
    sibling = await created(client, su_token, account_body(orgs.b))
    outcome = await api.list(org_admin.token, limit=500)
    ids = {item["id"] for item in outcome.body["items"]}
    assert mine["id"] in ids
    assert sibling["id"] not in ids
    assert {item["org_unit"]["org_id"] for item in outcome.body["items"]} <= {orgs.a, orgs.a1}


async def test_filter_on_an_org_outside_scope_matches_nothing(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    await created(client, su_token, account_body(orgs.b))
    outcome = await api.list(org_admin.token, org_id=orgs.b)
    assert outcome.status == 200
    assert outcome.body["items"] == []
    assert outcome.body["total"] == 0


async def test_org_admin_creates_an_account_in_a_child_org(
    api: Api, orgs: Orgs, org_admin: Admin
) -> None:
    outcome = await api.create(org_admin.token, account_body(orgs.a1))
    assert outcome.status == 200
    assert outcome.body["org_unit"]["org_id"] == orgs.a1


async def test_org_admin_creating_in_a_sibling_org_is_422(
    api: Api, orgs: Orgs, org_admin: Admin
) -> None:
    outcome = await api.create(org_admin.token, account_body(orgs.b))
    assert outcome.status == 422
    assert outcome.code == "invalid_input"


async def test_org_admin_disables_an_account_of_its_subtree(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.a1))
    outcome = await api.action(org_admin.token, "disable", target["id"])
    assert outcome.status == 200
    assert outcome.body["enabled"] is False


async def test_org_admin_gets_404_disabling_a_sibling_org_account(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.b))
    outcome = await api.action(org_admin.token, "disable", target["id"])
    assert outcome.status == 404
    after = await api.get(su_token, target["id"])
    assert after.body["enabled"] is True


async def test_org_admin_gets_404_updating_a_sibling_org_account(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.b))
    outcome = await api.update(org_admin.token, {"id": target["id"], "contacts": {"x": "y"}})
    assert outcome.status == 404


async def test_org_admin_cannot_move_an_account_to_a_sibling_org(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.a1))
    outcome = await api.update(org_admin.token, {
        "id": target["id"], "org_unit": {"org_id": orgs.b, "unit_id": None, "org_list": []},
    })
    assert outcome.status == 422


async def test_org_bound_admin_does_not_reach_a_child_org_account(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, bound_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.a1))
    outcome = await api.get(bound_admin.token, target["id"])
    assert outcome.status == 404


async def test_org_bound_admin_reads_an_account_of_its_home_org(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, bound_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.a, org_bound=True))
    outcome = await api.get(bound_admin.token, target["id"])
    assert outcome.status == 200


async def test_org_bound_admin_cannot_create_an_account_reaching_child_orgs(
    api: Api, orgs: Orgs, bound_admin: Admin
) -> None:
    outcome = await api.create(bound_admin.token, account_body(orgs.a, org_bound=False))
    assert outcome.status == 403


async def test_org_bound_admin_creates_a_bound_account_in_its_home_org(
    api: Api, orgs: Orgs, bound_admin: Admin
) -> None:
    outcome = await api.create(bound_admin.token, account_body(orgs.a, org_bound=True))
    assert outcome.status == 200


async def test_reading_accounts_without_the_accounts_permission_is_403(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    _, token = await signed_in(client, su_token, orgs.a, permissions=grants(organisations="Read"))
    outcome = await api.list(token)
    assert outcome.status == 403
    assert outcome.code == "forbidden"


async def test_malformed_account_id_in_a_path_is_404(
    client: httpx.AsyncClient, su_token: str
) -> None:
    response = await client.get("/accounts/not-an-id", headers={
        "Authorization": f"Bearer {su_token}"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"

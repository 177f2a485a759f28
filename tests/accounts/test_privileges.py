"""Privilege: nobody grants what they lack, escalates itself or takes over a stronger account."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts.conftest import Orgs
from tests.accounts.helpers import NEW_PASSWORD, Api, account_body, created, grants, signed_in
from tests.conftest import Admin

STRONGER_PEER_CHANGES = [
    {"password": NEW_PASSWORD},
    {"permissions": grants(accounts="Read")},
    {"contacts": {"email": "taken@example.com"}},
]


async def test_granting_a_permission_the_admin_lacks_is_403(
    api: Api, orgs: Orgs, org_admin: Admin
) -> None:
    outcome = await api.create(org_admin.token,
                               account_body(orgs.a, permissions=grants(organisations="Read")))
    assert outcome.status == 403
    assert outcome.code == "forbidden"


async def test_granting_a_higher_level_than_the_admin_holds_is_403(
    api: Api, orgs: Orgs, org_admin: Admin
) -> None:
    outcome = await api.create(org_admin.token,
                               account_body(orgs.a, permissions=grants(accounts="Admin")))
    assert outcome.status == 403


async def test_granting_what_the_admin_holds_is_allowed(
    api: Api, orgs: Orgs, org_admin: Admin
) -> None:
    outcome = await api.create(org_admin.token,
                               account_body(orgs.a, permissions=grants(accounts="Read")))
    assert outcome.status == 200
    assert outcome.body["permissions"][0]["permissions"][0]["permission"] == "Read"


async def test_org_admin_creating_a_superuser_is_403(
    api: Api, orgs: Orgs, org_admin: Admin
) -> None:
    outcome = await api.create(org_admin.token, account_body(orgs.a, account_type="SuperUser"))
    assert outcome.status == 403


async def test_org_admin_creating_a_trusted_account_is_403(
    api: Api, orgs: Orgs, org_admin: Admin
) -> None:
    body = account_body(orgs.a, account_type="Service", trusted=True)
    outcome = await api.create(org_admin.token, body)
    assert outcome.status == 403


async def test_org_admin_setting_trusted_on_an_account_is_403(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.a, account_type="Service"))
    outcome = await api.update(org_admin.token, {"id": target["id"], "trusted": True})
    assert outcome.status == 403


async def test_org_admin_changing_an_account_type_is_403(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.a))
    outcome = await api.update(org_admin.token, {"id": target["id"], "account_type": "Service"})
    assert outcome.status == 403


async def test_echoing_unchanged_type_and_trusted_back_is_allowed(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.a))
    echo = {**target, "contacts": {"phone": "+44 20 0000 0000"}}
    outcome = await api.update(org_admin.token, {
        key: echo[key] for key in ("id", "account_type", "username", "org_unit", "permissions",
                                   "trusted", "enabled", "contacts", "org_bound")
    })
    assert outcome.status == 200
    after = await api.get(su_token, target["id"])
    assert after.body["contacts"] == {"phone": "+44 20 0000 0000"}


async def test_superuser_creates_a_superuser(api: Api, su_token: str, orgs: Orgs) -> None:
    outcome = await api.create(su_token, account_body(orgs.a, account_type="SuperUser"))
    assert outcome.status == 200
    assert outcome.body["account_type"] == "SuperUser"


async def test_org_admin_cannot_change_a_superuser_in_its_org(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.a, account_type="SuperUser"))
    outcome = await api.update(org_admin.token, {"id": target["id"], "password": NEW_PASSWORD})
    assert outcome.status == 403


async def test_admin_adding_to_its_own_org_list_is_403(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    admin, token = await signed_in(client, su_token, orgs.a,
                                   permissions=grants(accounts="Write"))
    outcome = await api.update(token, {
        "id": admin["id"], "org_unit": {"org_id": orgs.a, "unit_id": None, "org_list": [orgs.a1]},
    })
    assert outcome.status == 403


async def test_admin_lifting_its_own_org_bound_is_403(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    admin, token = await signed_in(client, su_token, orgs.a, org_bound=True,
                                   permissions=grants(accounts="Write"))
    outcome = await api.update(token, {"id": admin["id"], "org_bound": False})
    assert outcome.status == 403


async def test_admin_adding_to_its_own_permissions_is_403(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    admin, token = await signed_in(client, su_token, orgs.a,
                                   permissions=grants(accounts="Write"))
    outcome = await api.update(token, {
        "id": admin["id"], "permissions": grants(accounts="Write", systems="Read"),
    })
    assert outcome.status == 403


async def test_admin_disabling_itself_is_403(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    admin, token = await signed_in(client, su_token, orgs.a,
                                   permissions=grants(accounts="Write"))
    outcome = await api.action(token, "disable", admin["id"])
    assert outcome.status == 403


async def test_superuser_disabling_itself_is_403(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    superuser, token = await signed_in(client, su_token, orgs.a, account_type="SuperUser")
    outcome = await api.action(token, "disable", superuser["id"])
    assert outcome.status == 403


async def test_admin_disabling_itself_through_update_is_403(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    admin, token = await signed_in(client, su_token, orgs.a,
                                   permissions=grants(accounts="Write"))
    outcome = await api.update(token, {"id": admin["id"], "enabled": False})
    assert outcome.status == 403


async def test_org_admin_cannot_reset_the_password_of_a_trusted_service_account(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    service = await created(client, su_token,
                            account_body(orgs.a, account_type="Service", trusted=True))
    outcome = await api.update(org_admin.token, {"id": service["id"], "password": NEW_PASSWORD})
    assert outcome.status == 403


async def test_org_admin_cannot_disable_a_trusted_service_account(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    service = await created(client, su_token,
                            account_body(orgs.a, account_type="Service", trusted=True))
    outcome = await api.action(org_admin.token, "disable", service["id"])
    assert outcome.status == 403


@pytest.mark.parametrize("change", STRONGER_PEER_CHANGES, ids=["password", "permissions",
                                                                "contacts"])
async def test_org_admin_cannot_change_a_stronger_peer(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin,
    change: dict[str, object],
) -> None:
    peer = await created(client, su_token,
                         account_body(orgs.a, permissions=grants(accounts="Admin")))
    outcome = await api.update(org_admin.token, {"id": peer["id"], **change})
    assert outcome.status == 403
    assert outcome.code == "forbidden"


@pytest.mark.parametrize("action", ["disable", "unlock", "revoke"])
async def test_org_admin_cannot_act_on_a_stronger_peer(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin,
    action: str,
) -> None:
    peer = await created(client, su_token,
                         account_body(orgs.a, permissions=grants(organisations="Read")))
    outcome = await api.action(org_admin.token, action, peer["id"])
    assert outcome.status == 403


async def test_org_admin_cannot_give_an_account_wider_reach_than_its_own(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, bound_admin: Admin
) -> None:
    target = await created(client, su_token, account_body(orgs.a, org_bound=True))
    outcome = await api.update(bound_admin.token, {"id": target["id"], "org_bound": False})
    assert outcome.status == 403


async def test_org_admin_sets_a_new_password_for_a_weaker_account(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    body = account_body(orgs.a1)
    target = await created(client, su_token, body)
    outcome = await api.update(org_admin.token, {"id": target["id"], "password": NEW_PASSWORD})
    assert outcome.status == 200
    response = await client.post("/accounts/auth",
                                 json={"username": body["username"], "password": NEW_PASSWORD})
    assert response.status_code == 200


async def test_a_privilege_error_never_reveals_an_out_of_scope_account(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs, org_admin: Admin
) -> None:
    stronger = await created(client, su_token,
                             account_body(orgs.b, permissions=grants(accounts="Admin")))
    outcome = await api.update(org_admin.token, {"id": stronger["id"], "password": NEW_PASSWORD})
    assert outcome.status == 404

"""Updating accounts, and the disable / enable / unlock / revoke actions."""

from __future__ import annotations

import httpx

from tests.accounts.conftest import Orgs
from tests.accounts.helpers import PASSWORD, Api, account_body, created, grants, signed_in
from tests.conftest import bearer, graphql, unique


async def test_put_answers_null_and_changes_only_what_was_sent(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    account = await created(client, su_token, account_body(orgs.a, contacts={"a": "1"}))
    response = await client.put("/accounts", json={"id": account["id"], "contacts": {"b": "2"},
                                                   "username": None, "enabled": None},
                                headers=bearer(su_token))
    assert response.status_code == 200
    assert response.json() is None
    after = (await client.get(f"/accounts/{account['id']}", headers=bearer(su_token))).json()
    assert after == {**account, "contacts": {"b": "2"}}


async def test_graphql_update_answers_the_changed_account(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    account = await created(client, su_token, account_body(orgs.a))
    result = await graphql(
        client,
        "mutation($i: UpdateAccountInput!) { updateAccount(input: $i) { id orgUnit { unitId } } }",
        {"i": {"id": account["id"], "orgUnit": {"orgId": orgs.a, "unitId": "u1"}}},
        su_token,
    )
    assert result["data"]["updateAccount"] == {"id": account["id"], "orgUnit": {"unitId": "u1"}}


async def test_renaming_to_a_taken_username_is_409(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    taken = await created(client, su_token, account_body(orgs.a))
    account = await created(client, su_token, account_body(orgs.a))
    outcome = await api.update(su_token, {"id": account["id"],
                                          "username": taken["username"].upper()})
    assert outcome.status == 409


async def test_renaming_in_another_case_keeps_the_account_and_its_sign_in(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = account_body(orgs.a)
    account = await created(client, su_token, body)
    outcome = await api.update(su_token,
                               {"id": account["id"], "username": body["username"].upper()})
    assert outcome.status == 200
    response = await client.post("/accounts/auth",
                                 json={"username": body["username"], "password": PASSWORD})
    assert response.status_code == 200


async def test_update_with_a_unit_of_another_org_is_422(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    account = await created(client, su_token, account_body(orgs.a1))
    outcome = await api.update(su_token, {
        "id": account["id"], "org_unit": {"org_id": orgs.a1, "unit_id": "u1", "org_list": []},
    })
    assert outcome.status == 422


async def test_update_with_a_weak_password_is_422(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    account = await created(client, su_token, account_body(orgs.a))
    outcome = await api.update(su_token, {"id": account["id"], "password": "iloveyou1"})
    assert outcome.status == 422


async def test_changing_type_to_system_without_a_system_id_is_422(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    account = await created(client, su_token, account_body(orgs.a))
    outcome = await api.update(su_token, {"id": account["id"], "account_type": "System"})
    assert outcome.status == 422


async def test_superuser_makes_a_service_account_trusted(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    account = await created(client, su_token, account_body(orgs.a, account_type="Service"))
    assert (await api.update(su_token, {"id": account["id"], "trusted": True})).status == 200
    assert (await api.get(su_token, account["id"])).body["trusted"] is True


async def test_update_of_an_unknown_account_is_404(api: Api, su_token: str) -> None:
    outcome = await api.update(su_token, {"id": "0123456789abcdef01234567", "contacts": {}})
    assert outcome.status == 404


async def test_update_with_a_wrong_typed_value_is_422(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    account = await created(client, su_token, account_body(orgs.a))
    response = await client.put("/accounts", json={"id": account["id"], "enabled": "false"},
                                headers=bearer(su_token))
    assert response.status_code == 422


async def test_disable_answers_the_account_and_blocks_sign_in(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = account_body(orgs.a)
    account = await created(client, su_token, body)
    outcome = await api.action(su_token, "disable", account["id"])
    assert outcome.status == 200
    assert outcome.body["id"] == account["id"]
    assert outcome.body["enabled"] is False
    response = await client.post("/accounts/auth",
                                 json={"username": body["username"], "password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["code"] == "account_disabled"


async def test_enable_restores_sign_in(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = account_body(orgs.a)
    account = await created(client, su_token, body)
    await api.action(su_token, "disable", account["id"])
    outcome = await api.action(su_token, "enable", account["id"])
    assert outcome.status == 200
    assert outcome.body["enabled"] is True
    response = await client.post("/accounts/auth",
                                 json={"username": body["username"], "password": PASSWORD})
    assert response.status_code == 200


async def test_disable_of_a_malformed_id_is_404(api: Api, su_token: str) -> None:
    outcome = await api.action(su_token, "disable", "zzz")
    assert outcome.status == 404


async def test_unlock_lifts_the_login_lock_of_the_username(
    api: Api, client: httpx.AsyncClient, stranger: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = account_body(orgs.a)
    account = await created(client, su_token, body)
    for _ in range(6):
        await stranger.post("/accounts/auth",
                            json={"username": body["username"], "password": "wrong-guess-1"})
    right = {"username": body["username"], "password": PASSWORD}
    assert (await stranger.post("/accounts/auth", json=right)).status_code == 429
    outcome = await api.action(su_token, "unlock", account["id"])
    assert outcome.status == 200
    assert outcome.body is None
    assert (await stranger.post("/accounts/auth", json=right)).status_code == 200


async def test_unlock_and_revoke_answer_null(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    account = await created(client, su_token, account_body(orgs.a))
    for action in ("unlock", "revoke"):
        response = await client.post(f"/accounts/{account['id']}/{action}",
                                     headers=bearer(su_token))
        assert response.status_code == 200
        assert response.json() is None


async def test_org_admin_unlocks_a_weaker_account(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    _, token = await signed_in(client, su_token, orgs.a, permissions=grants(accounts="Write"))
    account = await created(client, su_token, account_body(orgs.a1))
    assert (await api.action(token, "unlock", account["id"])).status == 200


async def test_write_actions_need_the_accounts_write_permission(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    _, token = await signed_in(client, su_token, orgs.a, permissions=grants(accounts="Read"))
    account = await created(client, su_token, account_body(orgs.a))
    for action in ("disable", "enable", "unlock", "revoke"):
        assert (await api.action(token, action, account["id"])).status == 403
    assert (await api.update(token, {"id": account["id"], "contacts": {}})).status == 403


async def test_reader_sees_the_account_it_may_not_change(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    _, token = await signed_in(client, su_token, orgs.a, permissions=grants(accounts="Read"))
    account = await created(client, su_token, account_body(orgs.a, username=unique("seen")))
    outcome = await api.get(token, account["id"])
    assert outcome.status == 200
    assert outcome.body["username"] == account["username"]

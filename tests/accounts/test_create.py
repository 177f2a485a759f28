"""Creating accounts: the seed's body, unique usernames, validation of every field."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.accounts.conftest import Orgs
from tests.accounts.helpers import PASSWORD, Api, account_body, created, grants
from tests.conftest import bearer, graphql, unique

SEED_ACCOUNT_KEYS = {
    "id", "account_type", "system_id", "username", "password", "org_unit", "org_bound",
    "permissions", "enabled", "trusted", "created_on", "last_logged_in", "reset_password_otp",
    "contacts", "oauth_sub", "oauth_provider_id",
}

BAD_USERNAMES = {
    "too-short": "ab",
    "too-long": "u" * 129,
    "nul": "ab\x00cd",
    "tab": "ab\tcd",
    "zero-width-space": "ab\u200bcd",
    "right-to-left-override": "ab\u202ecd",
    "line-separator": "ab\u2028cd",
    "private-use": "ab\ue000cd",
    "unassigned": "ab\u0378cd",
    "leading-space": " abcd",
    "trailing-space": "abcd ",
}

BAD_PASSWORDS = {
    "too-short": "Ab3-xyz",
    "too-long": "p" * 257,
    "common": "password123",
    "common-other-case": "PassWord123",
}


async def test_created_account_has_the_seed_body_without_secrets(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = account_body(orgs.a, contacts={"email": "a@example.com"})
    account = await created(client, su_token, body)
    assert set(account) == SEED_ACCOUNT_KEYS
    assert account["password"] is None
    assert account["reset_password_otp"] is None
    assert account["username"] == body["username"]
    assert account["contacts"] == {"email": "a@example.com"}
    assert len(account["id"]) == 24
    assert isinstance(account["created_on"], int)


async def test_get_answers_the_same_account(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    account = await created(client, su_token, account_body(orgs.a))
    response = await client.get(f"/accounts/{account['id']}", headers=bearer(su_token))
    assert response.json() == account


async def test_created_account_can_sign_in(
    api: Api, client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = account_body(orgs.a)
    assert (await api.create(su_token, body)).status == 200
    response = await client.post("/accounts/auth",
                                 json={"username": body["username"], "password": PASSWORD})
    assert response.status_code == 200


async def test_username_differing_only_in_case_is_409(
    api: Api, su_token: str, orgs: Orgs
) -> None:
    name = unique("Alice")
    assert (await api.create(su_token, account_body(orgs.a, username=name))).status == 200
    outcome = await api.create(su_token, account_body(orgs.a, username=name.lower()))
    assert outcome.status == 409
    assert outcome.code == "conflict"


async def test_compatibility_form_of_a_username_is_409(
    api: Api, su_token: str, orgs: Orgs
) -> None:
    name = unique("bob")
    assert (await api.create(su_token, account_body(orgs.a, username=name))).status == 200
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)
    outcome = await api.create(su_token, account_body(orgs.a, username=fullwidth))
    assert outcome.status == 409


async def test_username_is_kept_as_typed(api: Api, su_token: str, orgs: Orgs) -> None:
    name = unique("Éloïse Dupont")
    outcome = await api.create(su_token, account_body(orgs.a, username=name))
    assert outcome.body["username"] == name


async def test_parallel_creates_of_one_username_let_exactly_one_win(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    name = unique("race")
    responses = await asyncio.gather(*[
        client.post("/accounts", json=account_body(orgs.a, username=variant),
                    headers=bearer(su_token))
        for variant in [name, name.upper(), name, name.title(), name]
    ])
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 409, 409, 409, 409]


@pytest.mark.parametrize("username", BAD_USERNAMES.values(), ids=BAD_USERNAMES.keys())
async def test_bad_username_is_422(api: Api, su_token: str, orgs: Orgs, username: str) -> None:
    outcome = await api.create(su_token, account_body(orgs.a, username=username))
    assert outcome.status == 422
    assert outcome.code == "invalid_input"


async def test_username_of_128_characters_is_accepted(
    api: Api, su_token: str, orgs: Orgs
) -> None:
    name = unique("long").ljust(128, "x")
    outcome = await api.create(su_token, account_body(orgs.a, username=name))
    assert outcome.status == 200


@pytest.mark.parametrize("password", BAD_PASSWORDS.values(), ids=BAD_PASSWORDS.keys())
async def test_bad_password_is_422(api: Api, su_token: str, orgs: Orgs, password: str) -> None:
    outcome = await api.create(su_token, account_body(orgs.a, password=password))
    assert outcome.status == 422


async def test_password_of_256_characters_is_accepted(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = account_body(orgs.a, password="é" * 255 + "1")
    await created(client, su_token, body)
    response = await client.post("/accounts/auth",
                                 json={"username": body["username"], "password": body["password"]})
    assert response.status_code == 200


async def test_unknown_organisation_is_422(api: Api, su_token: str) -> None:
    outcome = await api.create(su_token, account_body(unique("no-such-org")))
    assert outcome.status == 422


async def test_unknown_org_list_entry_is_422(api: Api, su_token: str, orgs: Orgs) -> None:
    body = account_body(orgs.a)
    body["org_unit"]["org_list"] = [unique("no-such-org")]
    outcome = await api.create(su_token, body)
    assert outcome.status == 422


async def test_unit_of_the_home_org_is_accepted(api: Api, su_token: str, orgs: Orgs) -> None:
    body = account_body(orgs.a)
    body["org_unit"]["unit_id"] = "u2"
    outcome = await api.create(su_token, body)
    assert outcome.status == 200
    assert outcome.body["org_unit"]["unit_id"] == "u2"


async def test_unit_not_of_the_home_org_is_422(api: Api, su_token: str, orgs: Orgs) -> None:
    body = account_body(orgs.a1)
    body["org_unit"]["unit_id"] = "u1"
    outcome = await api.create(su_token, body)
    assert outcome.status == 422


async def test_permission_on_an_unknown_system_is_422(
    api: Api, su_token: str, orgs: Orgs
) -> None:
    permissions = [{"system_id": unique("nosys"),
                    "permissions": [{"resource_id": "accounts", "permission": "Read"}]}]
    outcome = await api.create(su_token, account_body(orgs.a, permissions=permissions))
    assert outcome.status == 422


async def test_permission_on_an_unknown_resource_is_422(
    api: Api, su_token: str, orgs: Orgs
) -> None:
    outcome = await api.create(su_token, account_body(orgs.a, permissions=grants(ledgers="Read")))
    assert outcome.status == 422


@pytest.mark.parametrize("account_type", ["System", "Provider"])
async def test_system_and_provider_accounts_need_a_system_id(
    api: Api, su_token: str, orgs: Orgs, account_type: str
) -> None:
    outcome = await api.create(su_token, account_body(orgs.a, account_type=account_type))
    assert outcome.status == 422


async def test_system_account_with_an_existing_system_is_created(
    api: Api, su_token: str, orgs: Orgs
) -> None:
    outcome = await api.create(
        su_token, account_body(orgs.a, account_type="System", system_id="accounts")
    )
    assert outcome.status == 200
    assert outcome.body["system_id"] == "accounts"


async def test_unknown_system_id_is_422(api: Api, su_token: str, orgs: Orgs) -> None:
    outcome = await api.create(
        su_token, account_body(orgs.a, account_type="System", system_id=unique("nosys"))
    )
    assert outcome.status == 422


OPERATOR_BODIES: dict[str, dict[str, Any]] = {
    "username": {"username": {"$ne": ""}},
    "password": {"password": {"$gt": ""}},
    "org_id": {"org_unit": {"org_id": {"$ne": ""}}},
    "trusted": {"trusted": "true"},
    "permission-level": {"permissions": [
        {"system_id": "accounts", "permissions": [{"resource_id": "accounts",
                                                   "permission": "Owner"}]}]},
    "account-type": {"account_type": "Root"},
    "contacts": {"contacts": {"email": {"$ne": ""}}},
}


@pytest.mark.parametrize("override", OPERATOR_BODIES.values(), ids=OPERATOR_BODIES.keys())
async def test_value_of_the_wrong_type_is_422(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs, override: dict[str, Any]
) -> None:
    body = {**account_body(orgs.a), **override}
    response = await client.post("/accounts", json=body, headers=bearer(su_token))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["details"]


async def test_unknown_body_keys_are_ignored(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = {**account_body(orgs.a), "password_hash": "x", "token_version": 99, "colour": "red"}
    account = await created(client, su_token, body)
    assert "colour" not in account
    response = await client.post("/accounts/auth",
                                 json={"username": body["username"], "password": PASSWORD})
    assert response.status_code == 200


async def test_graphql_contacts_must_be_a_map_of_strings(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = account_body(orgs.a)
    query = "mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }"
    variables = {"i": {"username": body["username"], "password": PASSWORD,
                       "orgUnit": {"orgId": orgs.a}, "contacts": {"email": {"$ne": ""}}}}
    result = await graphql(client, query, variables, su_token)
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_creating_without_the_accounts_write_permission_is_403(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    reader = account_body(orgs.a, permissions=grants(accounts="Read"))
    await created(client, su_token, reader)
    auth = await client.post("/accounts/auth", json={"username": reader["username"],
                                                     "password": PASSWORD})
    response = await client.post("/accounts", json={"username": {"$ne": ""}},
                                 headers=bearer(auth.json()["token"]))
    assert response.status_code == 403

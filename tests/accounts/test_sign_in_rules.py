"""What account administration means for sign-in: the signing secret, long passwords."""

from __future__ import annotations

import httpx

from service.core.settings import Settings
from tests.accounts.conftest import Orgs
from tests.accounts.helpers import account_body, created, grants
from tests.conftest import Admin, graphql, login


async def test_trusted_service_account_created_by_the_superuser_gets_the_secret(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs, settings: Settings
) -> None:
    body = account_body(orgs.a, account_type="Service", trusted=True)
    await created(client, su_token, body)
    auth = await login(client, body["username"], body["password"])
    assert auth["secret"] == settings.signing_secret


async def test_trusted_service_account_gets_no_secret_from_refresh(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = account_body(orgs.a, account_type="Service", trusted=True)
    await created(client, su_token, body)
    auth = await login(client, body["username"], body["password"])
    refreshed = await client.post("/accounts/refresh", json={"token": auth["refresh_token"]})
    assert refreshed.json()["secret"] is None


async def test_untrusted_service_account_gets_no_secret(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = account_body(orgs.a, account_type="Service")
    await created(client, su_token, body)
    auth = await login(client, body["username"], body["password"])
    assert auth["secret"] is None


async def test_trusted_account_of_another_type_gets_no_secret(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = account_body(orgs.a, trusted=True)
    await created(client, su_token, body)
    auth = await login(client, body["username"], body["password"])
    assert auth["secret"] is None


async def test_org_admin_service_account_gets_no_secret(
    client: httpx.AsyncClient, orgs: Orgs, org_admin: Admin
) -> None:
    body = account_body(orgs.a, account_type="Service", permissions=grants(accounts="Read"))
    await created(client, org_admin.token, body)
    auth = await login(client, body["username"], body["password"])
    assert auth["secret"] is None


async def test_an_80_byte_password_is_not_matched_by_its_first_72_bytes(
    client: httpx.AsyncClient, stranger: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    password = "Longer-than-bcrypt-reads-" + "x" * 47 + "12345678"
    assert len(password.encode()) == 80
    body = account_body(orgs.a, password=password)
    await created(client, su_token, body)
    sharing_72 = password[:72] + "87654321"
    wrong = await stranger.post("/accounts/auth",
                                json={"username": body["username"], "password": sharing_72})
    assert wrong.status_code == 401
    assert (await login(client, body["username"], password))["token"]


async def test_an_80_byte_password_set_by_change_is_not_matched_by_its_first_72_bytes(
    client: httpx.AsyncClient, stranger: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    body = account_body(orgs.a)
    await created(client, su_token, body)
    auth = await login(client, body["username"], body["password"])
    password = "é" * 36 + "Zq-7" + "x" * 4  # 72 bytes of accents, then 8 more
    assert len(password.encode()) == 80
    result = await graphql(
        client, "mutation($c: String!, $p: String!) { changePassword(current: $c, password: $p) }",
        {"c": body["password"], "p": password}, auth["token"],
    )
    assert result["data"]["changePassword"] is True
    sharing_72 = "é" * 36 + "Zq-7" + "y" * 4
    wrong = await stranger.post("/accounts/auth",
                                json={"username": body["username"], "password": sharing_72})
    assert wrong.status_code == 401
    assert (await login(client, body["username"], password))["token"]

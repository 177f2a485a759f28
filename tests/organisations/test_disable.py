"""A disabled organisation blocks login below it and ends the sessions there at once."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.helpers import PASSWORD, account_body, created
from tests.conftest import bearer, graphql, login
from tests.organisations.conftest import make_org


async def _account_below(
    client: httpx.AsyncClient, deps: Any, su_token: str
) -> tuple[str, str, dict[str, Any]]:
    """A fresh org with a child, and a signed-in account homed in the child."""
    parent = await make_org(deps, su_token, "root")
    child = await make_org(deps, su_token, parent)
    body = account_body(child)
    await created(client, su_token, body)
    return parent, body["username"], await login(client, body["username"], PASSWORD)


async def _disable(client: httpx.AsyncClient, su_token: str, org_id: str, enabled: bool) -> None:
    response = await client.put(f"/organisations/{org_id}", json={"enabled": enabled},
                                headers=bearer(su_token))
    assert response.status_code == 200


async def test_login_below_a_disabled_org_is_403(
    client: httpx.AsyncClient, deps: Any, su_token: str
) -> None:
    parent, username, _ = await _account_below(client, deps, su_token)
    await _disable(client, su_token, parent, False)
    response = await client.post("/accounts/auth",
                                 json={"username": username, "password": PASSWORD})
    assert (response.status_code, response.json()["code"]) == (403, "organisation_disabled")


async def test_disabling_ends_access_tokens_at_once(
    client: httpx.AsyncClient, deps: Any, su_token: str
) -> None:
    parent, _, session = await _account_below(client, deps, su_token)
    await _disable(client, su_token, parent, False)
    assert (await client.get("/accounts/me", headers=bearer(session["token"]))).status_code == 401
    result = await graphql(client, "{ me { id } }", token=session["token"])
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_disabling_refuses_refresh(
    client: httpx.AsyncClient, deps: Any, su_token: str
) -> None:
    parent, _, session = await _account_below(client, deps, su_token)
    await _disable(client, su_token, parent, False)
    response = await client.post("/accounts/refresh", json={"token": session["refresh_token"]})
    assert response.status_code == 401


async def test_enabling_again_lets_the_account_in(
    client: httpx.AsyncClient, deps: Any, su_token: str
) -> None:
    parent, username, _ = await _account_below(client, deps, su_token)
    await _disable(client, su_token, parent, False)
    await _disable(client, su_token, parent, True)
    await login(client, username, PASSWORD)


async def test_accounts_elsewhere_are_not_affected(
    client: httpx.AsyncClient, deps: Any, su_token: str
) -> None:
    parent, _, _ = await _account_below(client, deps, su_token)
    _, _, other = await _account_below(client, deps, su_token)
    await _disable(client, su_token, parent, False)
    assert (await client.get("/accounts/me", headers=bearer(other["token"]))).status_code == 200

"""Refresh-token rotation, reuse detection and logout."""

from __future__ import annotations

import httpx

from tests.conftest import BOOTSTRAP_PASSWORD, BOOTSTRAP_USERNAME, bearer, graphql, login


async def test_refresh_returns_a_new_pair_without_secret(client: httpx.AsyncClient) -> None:
    first = await login(client, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD)
    response = await client.post("/accounts/refresh", json={"token": first["refresh_token"]})
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["token"] != first["token"]
    assert second["secret"] is None
    me = await client.get("/accounts/me", headers=bearer(second["token"]))
    assert me.status_code == 200


async def test_reused_refresh_token_is_401_and_kills_its_successor(
    client: httpx.AsyncClient,
) -> None:
    first = await login(client, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD)
    second = (await client.post("/accounts/refresh", json={"token": first["refresh_token"]})).json()
    reuse = await client.post("/accounts/refresh", json={"token": first["refresh_token"]})
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "invalid_token"
    successor = await client.post("/accounts/refresh", json={"token": second["refresh_token"]})
    assert successor.status_code == 401
    me = await client.get("/accounts/me", headers=bearer(second["token"]))
    assert me.status_code == 401


async def test_garbage_refresh_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/accounts/refresh", json={"token": "no-such.token"})
    assert response.status_code == 401


async def test_graphql_refresh_token_rotates(client: httpx.AsyncClient) -> None:
    first = await login(client, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD)
    result = await graphql(
        client,
        "mutation($t: String!) { refreshToken(token: $t) { token refreshToken secret } }",
        {"t": first["refresh_token"]},
    )
    assert result["data"]["refreshToken"]["refreshToken"] != first["refresh_token"]
    again = await graphql(
        client,
        "mutation($t: String!) { refreshToken(token: $t) { token } }",
        {"t": first["refresh_token"]},
    )
    assert again["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_logout_ends_the_login_and_its_access_tokens(client: httpx.AsyncClient) -> None:
    session = await login(client, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD)
    other = await login(client, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD)
    response = await client.post(
        "/accounts/logout",
        json={"token": session["refresh_token"]},
        headers=bearer(session["token"]),
    )
    assert response.status_code == 200
    assert response.json() is None
    refreshed = await client.post("/accounts/refresh", json={"token": session["refresh_token"]})
    assert refreshed.status_code == 401
    assert (await client.get("/accounts/me", headers=bearer(session["token"]))).status_code == 401
    assert (await client.get("/accounts/me", headers=bearer(other["token"]))).status_code == 200


async def test_made_up_refresh_token_for_a_live_session_ends_nothing(
    client: httpx.AsyncClient,
) -> None:
    session = await login(client, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD)
    session_id = session["refresh_token"].split(".", 1)[0]
    forged = await client.post("/accounts/refresh", json={"token": f"{session_id}.forged.mac"})
    assert forged.status_code == 401
    assert (await client.get("/accounts/me", headers=bearer(session["token"]))).status_code == 200
    genuine = await client.post("/accounts/refresh", json={"token": session["refresh_token"]})
    assert genuine.status_code == 200

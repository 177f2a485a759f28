"""Password sign-in through REST and GraphQL."""

from __future__ import annotations

import logging

import httpx
import jwt
import pytest

from service.core.settings import Settings
from tests.conftest import BOOTSTRAP_PASSWORD, BOOTSTRAP_USERNAME, bearer, graphql, login, unique


async def test_login_returns_the_whole_auth_response(client: httpx.AsyncClient) -> None:
    body = await login(client, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD)
    assert set(body) == {"token", "refresh_token", "secret", "access_to", "properties", "services"}
    assert body["secret"] is None
    assert body["access_to"]["org_id"] == "root"
    assert body["properties"]["account_type"] == "SuperUser"
    assert body["properties"]["account_id"]


async def test_access_token_carries_the_contract_claims(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    body = await login(client, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD)
    header = jwt.get_unverified_header(body["token"])
    claims = jwt.decode(
        body["token"], settings.signing_secret, algorithms=["HS256"], issuer=settings.jwt_issuer
    )
    assert header["kid"]
    for claim in (
        "sub",
        "username",
        "account_type",
        "org_id",
        "unit_id",
        "trusted",
        "perms",
        "iat",
        "exp",
        "jti",
        "iss",
        "ver",
    ):
        assert claim in claims
    assert claims["exp"] - claims["iat"] == settings.access_token_ttl_seconds
    assert claims["username"] == BOOTSTRAP_USERNAME


async def test_wrong_password_and_unknown_user_get_the_same_401(client: httpx.AsyncClient) -> None:
    wrong = await client.post(
        "/accounts/auth", json={"username": BOOTSTRAP_USERNAME, "password": "not-the-password"}
    )
    unknown = await client.post(
        "/accounts/auth", json={"username": unique("nobody"), "password": "not-the-password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {
            "code": "invalid_credentials",
            "message": "Wrong username or password",
        }
    )


async def test_operator_object_as_username_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/accounts/auth", json={"username": {"$ne": ""}, "password": {"$ne": ""}}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


async def test_username_matches_case_insensitively(client: httpx.AsyncClient) -> None:
    body = await login(client, BOOTSTRAP_USERNAME.upper(), BOOTSTRAP_PASSWORD)
    assert body["token"]


async def test_me_describes_the_signed_in_account(client: httpx.AsyncClient) -> None:
    body = await login(client, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD)
    response = await client.get("/accounts/me", headers=bearer(body["token"]))
    assert response.status_code == 200
    me = response.json()
    assert me["username"] == BOOTSTRAP_USERNAME
    assert me["org_id"] == "root"
    assert me["enabled"] is True
    assert me["last_logged_in"] is not None
    assert me["access_to"] == body["access_to"]
    assert "password" not in me


async def test_me_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/accounts/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


async def test_me_with_a_forged_token_is_401(client: httpx.AsyncClient) -> None:
    forged = jwt.encode(
        {"sub": "x", "iss": "accounts-service", "iat": 1, "exp": 2**40},
        "another-secret-that-is-long-enough-xx",
        algorithm="HS256",
    )
    response = await client.get("/accounts/me", headers=bearer(forged))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


async def test_graphql_authenticate_then_me(client: httpx.AsyncClient) -> None:
    result = await graphql(
        client,
        "mutation($u: String!, $p: String!) { authenticate(username: $u, password: $p) "
        "{ token refreshToken secret accessTo { orgId unitIds brandpathList } properties } }",
        {"u": BOOTSTRAP_USERNAME, "p": BOOTSTRAP_PASSWORD},
    )
    payload = result["data"]["authenticate"]
    assert payload["secret"] is None
    assert payload["accessTo"]["orgId"] == "root"
    me = await graphql(
        client, "{ me { username accountType orgUnit { orgId } } }", token=payload["token"]
    )
    assert me["data"]["me"] == {
        "username": BOOTSTRAP_USERNAME,
        "accountType": "SuperUser",
        "orgUnit": {"orgId": "root"},
    }


async def test_graphql_wrong_password_is_unauthenticated(client: httpx.AsyncClient) -> None:
    result = await graphql(
        client,
        'mutation { authenticate(username: "admin", password: "wrong-password") { token } }',
    )
    assert result["data"] is None
    error = result["errors"][0]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "reason": "invalid_credentials"}


async def test_graphql_me_without_token_is_unauthenticated(client: httpx.AsyncClient) -> None:
    result = await graphql(client, "{ me { id } }")
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_failed_graphql_login_logs_no_password(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await graphql(
        client,
        'mutation { authenticate(username: "admin", password: "Sekrit-Value-123") { token } }',
    )
    assert "Sekrit-Value-123" not in caplog.text


async def test_lone_surrogate_username_is_422_not_500(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/accounts/auth",
        content=b'{"username": "\\ud800", "password": "whatever-password"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


async def test_graphql_lone_surrogate_is_bad_user_input(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content=b'{"query": "mutation($u: String!) { authenticate(username: $u, password: '
        b'\\"whatever\\") { token } }", "variables": {"u": "\\ud800"}}',
        headers={"content-type": "application/json"},
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"

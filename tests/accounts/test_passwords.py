"""Password change and reset by one-time password (OTP read from the notifications topic).

The tests that read the OTP need the outbox relay (issue 5) to publish the reset event; until
it exists they time out waiting for it.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service.accounts.documents import Account
from service.core.ids import parse_account_id
from service.core.settings import Settings
from tests.accounts.conftest import Orgs
from tests.accounts.helpers import (
    NEW_PASSWORD,
    PASSWORD,
    Api,
    account_body,
    created,
    grants,
    reset_otps,
    signed_in,
    topic_events,
)
from tests.conftest import bearer, unique

INVALID_OTP = {"code": "invalid_otp",
               "message": "The one-time password is wrong, expired or already used"}


async def _sign_in_status(client: httpx.AsyncClient, username: str, password: str) -> int:
    response = await client.post("/accounts/auth",
                                 json={"username": username, "password": password})
    return response.status_code


@pytest.fixture
async def holder(client: httpx.AsyncClient, su_token: str, orgs: Orgs) -> dict[str, Any]:
    """An ordinary account with contacts, signed in."""
    body = account_body(orgs.a, contacts={"email": "holder@example.com"})
    account = await created(client, su_token, body)
    auth = (await client.post("/accounts/auth", json={"username": body["username"],
                                                      "password": PASSWORD})).json()
    return {**account, "token": auth["token"], "refresh_token": auth["refresh_token"]}


# --- change --------------------------------------------------------------------------


async def test_change_with_the_current_password_sets_the_new_one(
    api: Api, client: httpx.AsyncClient, stranger: httpx.AsyncClient, holder: dict[str, Any]
) -> None:
    outcome = await api.change_password(holder["token"], PASSWORD, NEW_PASSWORD)
    assert outcome.status == 200
    assert outcome.body is None
    assert await _sign_in_status(client, holder["username"], NEW_PASSWORD) == 200
    assert await _sign_in_status(stranger, holder["username"], PASSWORD) == 401


async def test_change_with_a_wrong_current_password_is_403(
    api: Api, client: httpx.AsyncClient, holder: dict[str, Any]
) -> None:
    outcome = await api.change_password(holder["token"], "not-the-password", NEW_PASSWORD)
    assert outcome.status == 403
    assert outcome.code == "invalid_current_password"
    assert await _sign_in_status(client, holder["username"], PASSWORD) == 200


async def test_change_to_a_weak_password_is_422_and_keeps_the_old_one(
    api: Api, client: httpx.AsyncClient, holder: dict[str, Any]
) -> None:
    outcome = await api.change_password(holder["token"], PASSWORD, "short")
    assert outcome.status == 422
    assert await _sign_in_status(client, holder["username"], PASSWORD) == 200


async def test_wrong_current_passwords_count_as_login_failures(
    stranger: httpx.AsyncClient, holder: dict[str, Any], settings: Settings
) -> None:
    statuses = []
    for _ in range(settings.login_max_failures_per_username + 1):
        response = await stranger.post(
            "/accounts/password", json={"current": "wrong-guess", "password": NEW_PASSWORD},
            headers=bearer(holder["token"]),
        )
        statuses.append(response.status_code)
    assert statuses == [403] * settings.login_max_failures_per_username + [429]
    locked = await stranger.post("/accounts/auth", json={"username": holder["username"],
                                                         "password": PASSWORD})
    assert locked.status_code == 429


async def test_change_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/accounts/password",
                                 json={"current": PASSWORD, "password": NEW_PASSWORD})
    assert response.status_code == 401


# --- reset request -------------------------------------------------------------------


async def test_reset_request_answers_null_for_a_known_username(
    api: Api, holder: dict[str, Any]
) -> None:
    outcome = await api.request_reset(holder["username"])
    assert (outcome.status, outcome.body) == (200, None)


async def test_reset_request_answers_alike_for_an_unknown_username(api: Api) -> None:
    outcome = await api.request_reset(unique("nobody"))
    assert (outcome.status, outcome.body) == (200, None)


async def test_reset_request_for_a_disabled_account_issues_nothing(
    client: httpx.AsyncClient, su_token: str, holder: dict[str, Any]
) -> None:
    await client.post(f"/accounts/{holder['id']}/disable", headers=bearer(su_token))
    response = await client.post("/accounts/password/reset",
                                 json={"username": holder["username"]})
    assert (response.status_code, response.json()) == (200, None)
    account = (await client.get(f"/accounts/{holder['id']}", headers=bearer(su_token))).json()
    assert account["reset_password_otp"] is None


async def test_pending_reset_shows_its_expiry_but_never_the_otp(
    client: httpx.AsyncClient, su_token: str, holder: dict[str, Any], settings: Settings
) -> None:
    await client.post("/accounts/password/reset", json={"username": holder["username"]})
    account = (await client.get(f"/accounts/{holder['id']}", headers=bearer(su_token))).json()
    pending = account["reset_password_otp"]
    assert pending["otp"] is None
    assert pending["expires_at"] - account["created_on"] > settings.otp_ttl_seconds * 1000 - 60_000
    me = (await client.get("/accounts/me", headers=bearer(holder["token"]))).json()
    assert me["pending_password_reset"] is True


async def test_stored_reset_keeps_only_a_digest_of_the_otp(
    deps: Any, client: httpx.AsyncClient, holder: dict[str, Any]
) -> None:
    await client.post("/accounts/password/reset", json={"username": holder["username"]})
    raw = await Account.get_pymongo_collection().find_one(
        {"_id": parse_account_id(holder["id"])}, {"reset": 1}
    )
    assert set(raw["reset"]) == {"otp_hash", "expires_at", "tries"}
    assert len(raw["reset"]["otp_hash"]) == 64


async def test_fourth_reset_request_in_the_window_issues_nothing(
    client: httpx.AsyncClient, su_token: str, holder: dict[str, Any]
) -> None:
    expiries = []
    for _ in range(4):
        await client.post("/accounts/password/reset", json={"username": holder["username"]})
        account = (await client.get(f"/accounts/{holder['id']}", headers=bearer(su_token))).json()
        expiries.append(account["reset_password_otp"]["expires_at"])
    assert expiries[3] == expiries[2]


# --- reset confirm -------------------------------------------------------------------


async def test_confirm_with_a_wrong_otp_is_422_invalid_otp(
    api: Api, holder: dict[str, Any]
) -> None:
    await api.request_reset(holder["username"])
    outcome = await api.confirm_reset(holder["username"], "00000000", NEW_PASSWORD)
    assert outcome.status == 422
    assert outcome.code == "invalid_otp"


async def test_unknown_username_and_missing_reset_answer_like_a_wrong_otp(
    client: httpx.AsyncClient, holder: dict[str, Any]
) -> None:
    unknown = await client.post("/accounts/password/reset/confirm", json={
        "username": unique("nobody"), "otp": "12345678", "password": NEW_PASSWORD})
    no_reset = await client.post("/accounts/password/reset/confirm", json={
        "username": holder["username"], "otp": "12345678", "password": NEW_PASSWORD})
    assert unknown.status_code == no_reset.status_code == 422
    assert unknown.json() == no_reset.json() == INVALID_OTP


async def test_five_wrong_otps_spend_the_reset(
    client: httpx.AsyncClient, su_token: str, holder: dict[str, Any], settings: Settings
) -> None:
    await client.post("/accounts/password/reset", json={"username": holder["username"]})
    for attempt in range(settings.otp_max_tries):
        await client.post("/accounts/password/reset/confirm", json={
            "username": holder["username"], "otp": f"{attempt:08d}", "password": NEW_PASSWORD})
    account = (await client.get(f"/accounts/{holder['id']}", headers=bearer(su_token))).json()
    assert account["reset_password_otp"] is None


async def test_reset_runs_end_to_end_with_the_otp_from_the_notifications_topic(
    api: Api, client: httpx.AsyncClient, stranger: httpx.AsyncClient,
    holder: dict[str, Any], settings: Settings,
) -> None:
    await api.request_reset(holder["username"])
    [otp] = await reset_otps(settings, holder["id"])
    assert len(otp) == 8 and otp.isdigit()
    outcome = await api.confirm_reset(holder["username"], otp, NEW_PASSWORD)
    assert (outcome.status, outcome.body) == (200, None)
    assert await _sign_in_status(client, holder["username"], NEW_PASSWORD) == 200
    assert await _sign_in_status(stranger, holder["username"], PASSWORD) == 401


async def test_reset_event_carries_the_contract_data(
    client: httpx.AsyncClient, holder: dict[str, Any], settings: Settings
) -> None:
    await client.post("/accounts/password/reset", json={"username": holder["username"]})
    [event] = await topic_events(
        settings, settings.notifications_topic,
        lambda e: e["subject"] == holder["id"],
    )
    assert event["type"] == "accounts.account.password_reset_requested"
    assert set(event["data"]) == {"account_id", "username", "contacts", "otp", "expires_at"}
    assert event["data"]["contacts"] == {"email": "holder@example.com"}


async def test_an_otp_works_once(
    client: httpx.AsyncClient, holder: dict[str, Any], settings: Settings
) -> None:
    await client.post("/accounts/password/reset", json={"username": holder["username"]})
    [otp] = await reset_otps(settings, holder["id"])
    body = {"username": holder["username"], "otp": otp, "password": NEW_PASSWORD}
    first = await client.post("/accounts/password/reset/confirm", json=body)
    again = await client.post("/accounts/password/reset/confirm",
                              json={**body, "password": "Another-Password-99"})
    assert first.status_code == 200
    assert (again.status_code, again.json()) == (422, INVALID_OTP)


async def test_right_otp_after_five_wrong_ones_is_refused(
    client: httpx.AsyncClient, holder: dict[str, Any], settings: Settings
) -> None:
    await client.post("/accounts/password/reset", json={"username": holder["username"]})
    [otp] = await reset_otps(settings, holder["id"])
    wrong = str((int(otp) + 1) % 100_000_000).zfill(8)
    for _ in range(settings.otp_max_tries):
        await client.post("/accounts/password/reset/confirm", json={
            "username": holder["username"], "otp": wrong, "password": NEW_PASSWORD})
    right = await client.post("/accounts/password/reset/confirm", json={
        "username": holder["username"], "otp": otp, "password": NEW_PASSWORD})
    assert (right.status_code, right.json()) == (422, INVALID_OTP)


async def test_a_new_otp_replaces_the_earlier_one(
    client: httpx.AsyncClient, holder: dict[str, Any], settings: Settings
) -> None:
    for _ in range(2):
        await client.post("/accounts/password/reset", json={"username": holder["username"]})
    first, second = await reset_otps(settings, holder["id"], count=2)
    stale = await client.post("/accounts/password/reset/confirm", json={
        "username": holder["username"], "otp": first, "password": NEW_PASSWORD})
    fresh = await client.post("/accounts/password/reset/confirm", json={
        "username": holder["username"], "otp": second, "password": NEW_PASSWORD})
    assert stale.status_code == 422
    assert fresh.status_code == 200


async def test_admin_cannot_reset_a_stronger_accounts_password(
    client: httpx.AsyncClient, su_token: str, orgs: Orgs
) -> None:
    _, token = await signed_in(client, su_token, orgs.a, permissions=grants(accounts="Write"))
    stronger = await created(client, su_token,
                             account_body(orgs.a, permissions=grants(accounts="Admin")))
    response = await client.put("/accounts", json={"id": stronger["id"],
                                                   "password": NEW_PASSWORD},
                                headers=bearer(token))
    assert response.status_code == 403


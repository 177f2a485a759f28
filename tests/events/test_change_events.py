"""Every change listed in events.md publishes exactly its event, through both APIs.

One row per operation: it makes the change through REST or GraphQL against the session's
app, then reads the session's topics (unique to this test session) for the event with that
subject and type, and checks envelope, key, topic and data. "Exactly one" is read from the
relay's ``outbox_sent`` records once the aggregate holds no pending event any more.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest
from bson import ObjectId
from fastapi import FastAPI

from service.core.relay import SENT_COLLECTION
from service.core.settings import Settings
from tests.conftest import BOOTSTRAP_USERNAME, bearer, unique
from tests.events.consume import Received, TopicReader, secret_keys
from tests.events.support import eventually

PASSWORD = "Quiet-Harbour-4821"
NEW_PASSWORD = "Amber-Lantern-7305"
RESET_REQUESTED = "accounts.account.password_reset_requested"
ADMIN = object()  # the expected actor: the bootstrap SuperUser
HTTPS = "https://idp.example.com"


@dataclass
class Expected:
    subject: str
    collection: str
    fields: dict[str, Any] = field(default_factory=dict)
    actor: Any = ADMIN  # ADMIN, None (the service itself) or an account id


@dataclass
class Ctx:
    client: httpx.AsyncClient
    app: FastAPI
    settings: Settings
    reader: TopicReader
    admin_token: str

    async def rest(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> Any:
        response = await self.client.request(
            method, path, json=body, headers=bearer(token or self.admin_token)
        )
        assert response.status_code == 200, f"{method} {path}: {response.text}"
        return response.json()

    async def gql(self, query: str, token: str | None = None, **variables: Any) -> Any:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers=bearer(token or self.admin_token),
        )
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]

    async def account(self, **fields: Any) -> dict[str, Any]:
        return await self.rest("POST", "/accounts", {  # type: ignore[no-any-return]
            "account_type": "User", "username": unique("ev"), "password": PASSWORD,
            "org_unit": {"org_id": "root", "unit_id": None, "org_list": []}, "permissions": [],
            **fields,
        })

    async def token_of(self, username: str, password: str = PASSWORD) -> str:
        body = await self.rest("POST", "/accounts/auth", {"username": username,
                                                          "password": password})
        return str(body["token"])

    async def organisation(self, **fields: Any) -> dict[str, Any]:
        return await self.rest("POST", "/organisations",  # type: ignore[no-any-return]
                               {"id": unique("ev-org"), "parent_id": "root", **fields})

    async def system(self) -> dict[str, Any]:
        return await self.rest("POST", "/systems",  # type: ignore[no-any-return]
                               {"id": unique("ev-sys"), "name": "Events", "resources": ["r"]})

    async def provider(self) -> dict[str, Any]:
        return await self.rest("POST", "/oauth/providers", {  # type: ignore[no-any-return]
            "id": unique("ev-idp"), "owner": "root", "client_id": "client",
            "client_secret": "a-client-secret-value", "issuer_url": HTTPS,
            "token_url": f"{HTTPS}/token", "jwk_url": f"{HTTPS}/jwks",
            "redirect_url": "https://accounts.example.com/oauth/callback",
            "frontend_url": "https://app.example.com/login",
        })

    async def otp_for(self, username: str) -> str:
        [record] = await self.reader.wait_for(
            lambda r: r.type == RESET_REQUESTED and r.data.get("username") == username
        )
        return str(record.data["otp"])


Act = Callable[[Ctx], Awaitable[Expected]]


@dataclass(frozen=True)
class Row:
    event_type: str
    api: str
    needs: tuple[str, ...]  # routes ("POST /accounts") or GraphQL mutations it calls
    function: str  # the service function that emits the event
    act: Act

    @property
    def id(self) -> str:
        return f"{self.event_type.removeprefix('accounts.')}-{self.api}"


# --- the operations ----------------------------------------------------------------------


async def bootstrap_organisation(ctx: Ctx) -> Expected:
    return Expected("root", "organisations", {"id": "root", "parent_id": None}, actor=None)


async def bootstrap_system(ctx: Ctx) -> Expected:
    return Expected("accounts", "systems", {
        "resources": ["accounts", "organisations", "systems", "oauth_providers"]}, actor=None)


async def bootstrap_account(ctx: Ctx) -> Expected:
    me = await ctx.rest("GET", "/accounts/me")
    return Expected(me["id"], "accounts", {"username": BOOTSTRAP_USERNAME,
                                           "account_type": "SuperUser"}, actor=None)


async def create_account(ctx: Ctx) -> Expected:
    account = await ctx.account(contacts={"email": "ev@example.com"})
    return Expected(account["id"], "accounts", {
        "username": account["username"], "account_type": "User", "enabled": True,
        "contacts": {"email": "ev@example.com"},
        "org_unit": {"org_id": "root", "unit_id": None, "org_list": []}})


async def update_account(ctx: Ctx) -> Expected:
    account = await ctx.account()
    await ctx.rest("PUT", "/accounts", {"id": account["id"], "contacts": {"phone": "123"}})
    return Expected(account["id"], "accounts", {"contacts": {"phone": "123"}})


async def update_account_graphql(ctx: Ctx) -> Expected:
    account = await ctx.account()
    await ctx.gql("mutation($id: ID!) { updateAccount(input: {id: $id, trusted: true}) { id } }",
                  id=account["id"])
    return Expected(account["id"], "accounts", {"trusted": True})


async def disable_account(ctx: Ctx) -> Expected:
    account = await ctx.account()
    await ctx.rest("POST", f"/accounts/{account['id']}/disable")
    return Expected(account["id"], "accounts", {"enabled": False})


async def disable_account_graphql(ctx: Ctx) -> Expected:
    account = await ctx.account()
    await ctx.gql("mutation($id: ID!) { disableAccount(id: $id) { id } }", id=account["id"])
    return Expected(account["id"], "accounts", {"enabled": False})


async def enable_account(ctx: Ctx) -> Expected:
    account = await ctx.account()
    await ctx.rest("POST", f"/accounts/{account['id']}/disable")
    await ctx.rest("POST", f"/accounts/{account['id']}/enable")
    return Expected(account["id"], "accounts", {"enabled": True})


async def change_password(ctx: Ctx) -> Expected:
    account = await ctx.account()
    token = await ctx.token_of(account["username"])
    await ctx.rest("POST", "/accounts/password", {"password": NEW_PASSWORD, "current": PASSWORD},
                   token=token)
    return Expected(account["id"], "accounts", {"username": account["username"]},
                    actor=account["id"])


async def request_reset(ctx: Ctx) -> Expected:
    account = await ctx.account(contacts={"email": "reset@example.com"})
    await ctx.rest("POST", "/accounts/password/reset", {"username": account["username"]})
    return Expected(account["id"], "accounts", {
        "account_id": account["id"], "username": account["username"],
        "contacts": {"email": "reset@example.com"}}, actor=None)


async def request_reset_graphql(ctx: Ctx) -> Expected:
    account = await ctx.account()
    await ctx.gql("mutation($u: String!) { requestPasswordReset(username: $u) }",
                  u=account["username"])
    return Expected(account["id"], "accounts", {"account_id": account["id"]}, actor=None)


async def confirm_reset(ctx: Ctx) -> Expected:
    account = await ctx.account()
    await ctx.rest("POST", "/accounts/password/reset", {"username": account["username"]})
    otp = await ctx.otp_for(account["username"])
    await ctx.rest("POST", "/accounts/password/reset/confirm", {
        "username": account["username"], "otp": otp, "password": NEW_PASSWORD})
    return Expected(account["id"], "accounts", {"username": account["username"]},
                    actor=account["id"])


async def create_organisation(ctx: Ctx) -> Expected:
    org = await ctx.organisation(name="Events Ltd", units=["u1"])
    return Expected(org["id"], "organisations", {
        "name": "Events Ltd", "parent_id": "root", "units": ["u1"], "enabled": True})


async def create_organisation_graphql(ctx: Ctx) -> Expected:
    org_id = unique("ev-org")
    await ctx.gql('mutation($id: ID!) { createOrganisation(input: {id: $id, parentId: "root", '
                  'baseCurrency: "EUR"}) { id } }', id=org_id)
    return Expected(org_id, "organisations", {"base_currency": "EUR", "parent_id": "root"})


async def update_organisation(ctx: Ctx) -> Expected:
    org = await ctx.organisation()
    await ctx.rest("PUT", f"/organisations/{org['id']}", {"name": "Renamed"})
    return Expected(org["id"], "organisations", {"name": "Renamed"})


async def add_units(ctx: Ctx) -> Expected:
    org = await ctx.organisation(units=["u1"])
    await ctx.rest("POST", f"/organisations/{org['id']}/units", ["u2"])
    return Expected(org["id"], "organisations", {"units": ["u1", "u2"]})


async def add_units_graphql(ctx: Ctx) -> Expected:
    org = await ctx.organisation()
    await ctx.gql('mutation($id: ID!) { addOrganisationUnits(id: $id, units: ["g1"]) '
                  "{ succeeded } }", id=org["id"])
    return Expected(org["id"], "organisations", {"units": ["g1"]})


async def remove_units(ctx: Ctx) -> Expected:
    org = await ctx.organisation(units=["u1", "u2"])
    await ctx.rest("DELETE", f"/organisations/{org['id']}/units", ["u1"])
    return Expected(org["id"], "organisations", {"units": ["u2"]})


async def create_system(ctx: Ctx) -> Expected:
    system = await ctx.system()
    return Expected(system["id"], "systems", {"name": "Events", "resources": ["r"]})


async def create_system_graphql(ctx: Ctx) -> Expected:
    system_id = unique("ev-sys")
    await ctx.gql('mutation($id: ID!) { createSystem(input: {id: $id, name: "G", '
                  'resources: ["a", "b"]}) { id } }', id=system_id)
    return Expected(system_id, "systems", {"name": "G", "resources": ["a", "b"]})


async def update_system(ctx: Ctx) -> Expected:
    system = await ctx.system()
    await ctx.rest("PUT", f"/systems/{system['id']}", {"user_types": ["staff"]})
    return Expected(system["id"], "systems", {"user_types": ["staff"]})


async def delete_system(ctx: Ctx) -> Expected:
    system = await ctx.system()
    await ctx.rest("DELETE", f"/systems/{system['id']}")
    return Expected(system["id"], "systems", {"id": system["id"]})


async def create_provider(ctx: Ctx) -> Expected:
    provider = await ctx.provider()
    return Expected(provider["id"], "oauth_providers", {"owner": "root", "client_id": "client",
                                                        "issuer_url": HTTPS})


async def update_provider(ctx: Ctx) -> Expected:
    provider = await ctx.provider()
    await ctx.rest("PUT", f"/oauth/providers/{provider['id']}",
                   {"client_id": "client-2", "client_secret": "another-secret-value"})
    return Expected(provider["id"], "oauth_providers", {"client_id": "client-2"})


async def update_provider_graphql(ctx: Ctx) -> Expected:
    provider = await ctx.provider()
    await ctx.gql('mutation($id: ID!) { updateOAuthProvider(id: $id, input: {frontendUrl: '
                  '"https://app.example.com/other"}) { id } }', id=provider["id"])
    return Expected(provider["id"], "oauth_providers",
                    {"frontend_url": "https://app.example.com/other"})


async def delete_provider(ctx: Ctx) -> Expected:
    provider = await ctx.provider()
    await ctx.rest("DELETE", f"/oauth/providers/{provider['id']}")
    return Expected(provider["id"], "oauth_providers", {"id": provider["id"]})


ACC = "service.accounts.service"
PWD = "service.accounts.passwords"
ORG = "service.organisations.service"
SYS = "service.systems.service"
IDP = "service.oauth.service"
MAKE_ACCOUNT = "POST /accounts"
MAKE_ORG = "POST /organisations"
MAKE_SYSTEM = "POST /systems"
MAKE_IDP = "POST /oauth/providers"

ROWS = [
    Row("accounts.organisation.created", "bootstrap", (), "service.bootstrap",
        bootstrap_organisation),
    Row("accounts.system.created", "bootstrap", (), "service.bootstrap", bootstrap_system),
    Row("accounts.account.created", "bootstrap", ("GET /accounts/me",), "service.bootstrap",
        bootstrap_account),
    Row("accounts.account.created", "REST", (MAKE_ACCOUNT,), f"{ACC}.create_account",
        create_account),
    Row("accounts.account.updated", "REST", (MAKE_ACCOUNT, "PUT /accounts"),
        f"{ACC}.update_account", update_account),
    Row("accounts.account.updated", "GraphQL", (MAKE_ACCOUNT, "updateAccount"),
        f"{ACC}.update_account", update_account_graphql),
    Row("accounts.account.disabled", "REST", (MAKE_ACCOUNT, "POST /accounts/{account_id}/disable"),
        f"{ACC}.disable_account", disable_account),
    Row("accounts.account.disabled", "GraphQL", (MAKE_ACCOUNT, "disableAccount"),
        f"{ACC}.disable_account", disable_account_graphql),
    Row("accounts.account.enabled", "REST",
        (MAKE_ACCOUNT, "POST /accounts/{account_id}/disable", "POST /accounts/{account_id}/enable"),
        f"{ACC}.enable_account", enable_account),
    Row("accounts.account.password_changed", "REST",
        (MAKE_ACCOUNT, "POST /accounts/auth", "POST /accounts/password"),
        f"{PWD}.change_password", change_password),
    Row(RESET_REQUESTED, "REST", (MAKE_ACCOUNT, "POST /accounts/password/reset"),
        f"{PWD}.request_password_reset", request_reset),
    Row(RESET_REQUESTED, "GraphQL", (MAKE_ACCOUNT, "requestPasswordReset"),
        f"{PWD}.request_password_reset", request_reset_graphql),
    Row("accounts.account.password_reset", "REST",
        (MAKE_ACCOUNT, "POST /accounts/password/reset", "POST /accounts/password/reset/confirm"),
        f"{PWD}.reset_password", confirm_reset),
    Row("accounts.organisation.created", "REST", (MAKE_ORG,), f"{ORG}.create_organisation",
        create_organisation),
    Row("accounts.organisation.created", "GraphQL", ("createOrganisation",),
        f"{ORG}.create_organisation", create_organisation_graphql),
    Row("accounts.organisation.updated", "REST", (MAKE_ORG, "PUT /organisations/{org_id}"),
        f"{ORG}.update_organisation", update_organisation),
    Row("accounts.organisation.units_added", "REST",
        (MAKE_ORG, "POST /organisations/{org_id}/units"), f"{ORG}.add_units", add_units),
    Row("accounts.organisation.units_added", "GraphQL", (MAKE_ORG, "addOrganisationUnits"),
        f"{ORG}.add_units", add_units_graphql),
    Row("accounts.organisation.units_removed", "REST",
        (MAKE_ORG, "DELETE /organisations/{org_id}/units"), f"{ORG}.remove_units", remove_units),
    Row("accounts.system.created", "REST", (MAKE_SYSTEM,), f"{SYS}.create_system",
        create_system),
    Row("accounts.system.created", "GraphQL", ("createSystem",), f"{SYS}.create_system",
        create_system_graphql),
    Row("accounts.system.updated", "REST", (MAKE_SYSTEM, "PUT /systems/{system_id}"),
        f"{SYS}.update_system", update_system),
    Row("accounts.system.deleted", "REST", (MAKE_SYSTEM, "DELETE /systems/{system_id}"),
        f"{SYS}.delete_system", delete_system),
    Row("accounts.oauth_provider.created", "REST", (MAKE_IDP,), f"{IDP}.create_provider",
        create_provider),
    Row("accounts.oauth_provider.updated", "REST",
        (MAKE_IDP, "PUT /oauth/providers/{provider_id}"), f"{IDP}.update_provider",
        update_provider),
    Row("accounts.oauth_provider.updated", "GraphQL", (MAKE_IDP, "updateOAuthProvider"),
        f"{IDP}.update_provider", update_provider_graphql),
    Row("accounts.oauth_provider.deleted", "REST",
        (MAKE_IDP, "DELETE /oauth/providers/{provider_id}"), f"{IDP}.delete_provider",
        delete_provider),
]

CONTRACT_TYPES = {
    f"accounts.{kind}" for kind in (
        "account.created", "account.updated", "account.disabled", "account.enabled",
        "account.password_changed", "account.password_reset_requested", "account.password_reset",
        "organisation.created", "organisation.updated", "organisation.units_added",
        "organisation.units_removed", "system.created", "system.updated", "system.deleted",
        "oauth_provider.created", "oauth_provider.updated", "oauth_provider.deleted",
    )
}


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def session_reader(settings: Settings, app: FastAPI) -> AsyncIterator[TopicReader]:
    async with TopicReader(
        settings.kafka_bootstrap_servers, settings.events_topic, settings.notifications_topic
    ) as reader:
        yield reader


@pytest.fixture(scope="module")
async def served(client: httpx.AsyncClient, app: FastAPI) -> set[str]:
    """What the app serves: ``METHOD /path`` of every route, and every GraphQL mutation."""
    routes = {
        f"{method.upper()} {path}"
        for path, item in app.openapi()["paths"].items()
        for method in item
    }
    response = await client.post(
        "/graphql", json={"query": '{ __type(name: "Mutation") { fields { name } } }'}
    )
    mutation = (response.json().get("data") or {}).get("__type") or {}
    return routes | {f["name"] for f in mutation.get("fields") or []}


@pytest.fixture
def ctx(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings,
    session_reader: TopicReader, admin_auth: dict[str, Any],
) -> Ctx:
    return Ctx(client, app, settings, session_reader, admin_auth["token"])


# --- tests -------------------------------------------------------------------------------


def test_the_table_covers_every_event_type_of_the_contract() -> None:
    assert {row.event_type for row in ROWS} == CONTRACT_TYPES


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
async def test_the_change_publishes_exactly_its_event(
    row: Row, ctx: Ctx, served: set[str], admin_auth: dict[str, Any]
) -> None:
    missing = [need for need in row.needs if need not in served]
    if missing:
        pytest.skip(f"{', '.join(missing)} not served yet ({row.function} has no route)")
    expected = await row.act(ctx)
    [record] = await ctx.reader.wait_for(
        lambda r: r.subject == expected.subject and r.type == row.event_type
    )
    sent = await _sent_once_pulled(ctx, expected, row.event_type)
    assert [s["_id"] for s in sent] == [record.id], "not exactly one event of this type"
    _check_envelope(ctx.settings, row, expected, record)
    _check_data(row, expected, record, admin_id=await _admin_id(ctx))


@pytest.mark.parametrize("operation", ["login", "unlock", "revoke"])
async def test_a_change_of_nothing_public_publishes_nothing(operation: str, ctx: Ctx,
                                                             served: set[str]) -> None:
    needs = {"login": "POST /accounts/auth", "unlock": "POST /accounts/{account_id}/unlock",
             "revoke": "POST /accounts/{account_id}/revoke"}[operation]
    if MAKE_ACCOUNT not in served or needs not in served:
        pytest.skip(f"{needs} not served yet")
    account = await ctx.account()
    if operation == "login":
        await ctx.token_of(account["username"])
    else:
        await ctx.rest("POST", f"/accounts/{account['id']}/{operation}")
    sent = await _sent_once_pulled(ctx, Expected(account["id"], "accounts"), None)
    assert [s["type"] for s in sent] == ["accounts.account.created"]


# --- checks ------------------------------------------------------------------------------


async def _sent_once_pulled(ctx: Ctx, expected: Expected, event_type: str | None) -> list[Any]:
    """The relay's records of what it sent for the subject, once nothing of it is pending."""
    database = ctx.app.state.mongo[ctx.settings.mongodb_database]
    key: Any = ObjectId(expected.subject) if expected.collection == "accounts" else expected.subject

    async def nothing_pending() -> bool:
        raw = await database[expected.collection].find_one({"_id": key}, {"pending_events": 1})
        return not (raw or {}).get("pending_events")

    await eventually(nothing_pending, what=f"the outbox of {expected.subject} emptied")
    query: dict[str, Any] = {"subject": expected.subject}
    if event_type is not None:
        query["type"] = event_type
    return await database[SENT_COLLECTION].find(query).to_list(None)  # type: ignore[no-any-return]


def _check_envelope(settings: Settings, row: Row, expected: Expected, record: Received) -> None:
    notifications = row.event_type == RESET_REQUESTED
    assert record.topic == (settings.notifications_topic if notifications
                            else settings.events_topic)
    assert record.key == expected.subject
    envelope = record.value
    assert set(envelope) == {"specversion", "id", "source", "type", "subject", "time",
                             "datacontenttype", "data"}
    assert envelope["specversion"] == "1.0"
    assert envelope["source"] == "accounts-service"
    assert envelope["datacontenttype"] == "application/json"
    assert datetime.fromisoformat(envelope["time"]).tzinfo is not None
    assert re.fullmatch(r"[0-9a-f-]{36}", envelope["id"])


def _check_data(row: Row, expected: Expected, record: Received, admin_id: str) -> None:
    data = record.data
    for name, value in expected.fields.items():
        assert data.get(name) == value, f"data.{name}: {data.get(name)!r} != {value!r}"
    if row.event_type == RESET_REQUESTED:
        assert set(data) == {"account_id", "username", "contacts", "otp", "expires_at"}
        assert re.fullmatch(r"\d{8}", data["otp"])
        assert isinstance(data["expires_at"], int)
        assert secret_keys(data) == ["otp"]
        return
    assert data["id"] == expected.subject
    actor = admin_id if expected.actor is ADMIN else expected.actor
    assert data["actor_id"] == actor
    assert secret_keys(data) == [], f"secrets in data: {secret_keys(data)}"
    for stamp in ("created_on", "created", "updated"):
        if stamp in data:
            assert isinstance(data[stamp], int) and data[stamp] > 10**12  # epoch ms


async def _admin_id(ctx: Ctx) -> str:
    return str((await ctx.rest("GET", "/accounts/me"))["id"])

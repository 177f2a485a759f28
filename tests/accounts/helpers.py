"""Helpers of the accounts tests: one client for each API, speaking the same operations.

``Api.create(...)`` etc. answer an ``Outcome``: the HTTP status (GraphQL error codes mapped
back to the REST statuses), the contract's error code, and the body with snake_case keys,
so one test states one behaviour for both APIs.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from service.core.settings import Settings
from tests.conftest import bearer, graphql, login, unique

PASSWORD = "Quiet-Harbour-4821"
NEW_PASSWORD = "Amber-Lantern-7305"
EVENT_TIMEOUT_SECONDS = 20.0
GRAPHQL_STATUS = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "CONFLICT": 409,
    "BAD_USER_INPUT": 422,
    "RATE_LIMITED": 429,
}
ACCOUNT_FIELDS = """id accountType systemId username orgUnit { orgId unitId orgList } orgBound
  permissions { systemId permissions { resourceId permission } } enabled trusted createdOn
  lastLoggedIn pendingPasswordReset contacts oauthSub oauthProviderId"""
GRAPHQL_SORT = {"username": "USERNAME", "created_on": "CREATED_ON",
                "last_logged_in": "LAST_LOGGED_IN", "account_type": "ACCOUNT_TYPE", "id": "ID"}


def grants(**resources: str) -> list[dict[str, Any]]:
    """Permissions on the service's own system: ``grants(accounts="Write")``."""
    return [{
        "system_id": "accounts",
        "permissions": [{"resource_id": r, "permission": p} for r, p in resources.items()],
    }]


def account_body(org_id: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "account_type": "User",
        "username": unique("user"),
        "password": PASSWORD,
        "org_unit": {"org_id": org_id, "unit_id": None, "org_list": []},
        "permissions": [],
    }
    body.update(fields)
    return body


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _keys(value: Any, rename: Any) -> Any:
    """Rename keys recursively; ``contacts`` is a free-form map and keeps its keys."""
    if isinstance(value, list):
        return [_keys(item, rename) for item in value]
    if isinstance(value, dict):
        return {
            rename(key): (item if key == "contacts" else _keys(item, rename))
            for key, item in value.items()
        }
    return value


@dataclass
class Outcome:
    status: int
    code: str | None
    body: Any


class Api:
    name: str

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def create(self, token: str, body: dict[str, Any]) -> Outcome:
        raise NotImplementedError

    async def get(self, token: str, account_id: str) -> Outcome:
        raise NotImplementedError

    async def update(self, token: str, body: dict[str, Any]) -> Outcome:
        raise NotImplementedError

    async def action(self, token: str, action: str, account_id: str) -> Outcome:
        """``disable``, ``enable``, ``unlock`` or ``revoke``."""
        raise NotImplementedError

    async def list(self, token: str, **params: Any) -> Outcome:
        """Body: ``{"items": [...], "total": n}``."""
        raise NotImplementedError

    async def change_password(self, token: str, current: str, password: str) -> Outcome:
        raise NotImplementedError

    async def request_reset(self, username: str) -> Outcome:
        raise NotImplementedError

    async def confirm_reset(self, username: str, otp: str, password: str) -> Outcome:
        raise NotImplementedError


class RestApi(Api):
    name = "rest"

    @staticmethod
    def _outcome(response: httpx.Response) -> Outcome:
        body = response.json()
        code = body.get("code") if response.status_code >= 400 else None
        return Outcome(response.status_code, code, body)

    async def create(self, token: str, body: dict[str, Any]) -> Outcome:
        return self._outcome(await self.client.post("/accounts", json=body, headers=bearer(token)))

    async def get(self, token: str, account_id: str) -> Outcome:
        return self._outcome(await self.client.get(f"/accounts/{account_id}",
                                                   headers=bearer(token)))

    async def update(self, token: str, body: dict[str, Any]) -> Outcome:
        return self._outcome(await self.client.put("/accounts", json=body, headers=bearer(token)))

    async def action(self, token: str, action: str, account_id: str) -> Outcome:
        return self._outcome(await self.client.post(f"/accounts/{account_id}/{action}",
                                                    headers=bearer(token)))

    async def list(self, token: str, **params: Any) -> Outcome:
        query: dict[str, Any] = {}
        for key, value in params.items():
            if value is None:
                continue
            if key == "account_types":
                query["account_type"] = ",".join(value)
            elif key == "ids":
                query["account_ids"] = ",".join(value)
            else:
                query[key] = value
        response = await self.client.get("/accounts", params=query, headers=bearer(token))
        if response.status_code != 200:
            return self._outcome(response)
        total = int(response.headers["X-Total-Count"])
        return Outcome(200, None, {"items": response.json(), "total": total})

    async def change_password(self, token: str, current: str, password: str) -> Outcome:
        return self._outcome(await self.client.post(
            "/accounts/password", json={"current": current, "password": password},
            headers=bearer(token),
        ))

    async def request_reset(self, username: str) -> Outcome:
        return self._outcome(await self.client.post("/accounts/password/reset",
                                                    json={"username": username}))

    async def confirm_reset(self, username: str, otp: str, password: str) -> Outcome:
        return self._outcome(await self.client.post(
            "/accounts/password/reset/confirm",
            json={"username": username, "otp": otp, "password": password},
        ))


class GraphqlApi(Api):
    name = "graphql"

    async def _run(self, query: str, variables: dict[str, Any], token: str | None,
                   field: str) -> Outcome:
        result = await graphql(self.client, query, variables, token)
        if result.get("errors"):
            extensions = result["errors"][0].get("extensions", {})
            status = GRAPHQL_STATUS.get(extensions.get("code"), 500)
            return Outcome(status, extensions.get("reason"), result)
        data = (result.get("data") or {}).get(field)
        return Outcome(200, None, _keys(data, _snake))

    async def create(self, token: str, body: dict[str, Any]) -> Outcome:
        query = ("mutation($i: CreateAccountInput!) {"
                 f" createAccount(input: $i) {{ {ACCOUNT_FIELDS} }} }}")
        return await self._run(query, {"i": _keys(body, _camel)}, token, "createAccount")

    async def get(self, token: str, account_id: str) -> Outcome:
        query = f"query($id: ID!) {{ account(id: $id) {{ {ACCOUNT_FIELDS} }} }}"
        outcome = await self._run(query, {"id": account_id}, token, "account")
        if outcome.status == 200 and outcome.body is None:
            return Outcome(404, "not_found", None)
        return outcome

    async def update(self, token: str, body: dict[str, Any]) -> Outcome:
        query = "mutation($i: UpdateAccountInput!) { updateAccount(input: $i) { id } }"
        outcome = await self._run(query, {"i": _keys(body, _camel)}, token, "updateAccount")
        return Outcome(200, None, None) if outcome.status == 200 else outcome

    async def action(self, token: str, action: str, account_id: str) -> Outcome:
        field = {"disable": "disableAccount", "enable": "enableAccount",
                 "unlock": "unlockAccount", "revoke": "revokeAccountTokens"}[action]
        selection = f"{{ {ACCOUNT_FIELDS} }}" if action in ("disable", "enable") else ""
        query = f"mutation($id: ID!) {{ {field}(id: $id) {selection} }}"
        outcome = await self._run(query, {"id": account_id}, token, field)
        if outcome.status == 200 and outcome.body is True:
            return Outcome(200, None, None)
        return outcome

    async def list(self, token: str, **params: Any) -> Outcome:
        filter_: dict[str, Any] = {}
        if params.get("account_types") is not None:
            filter_["accountTypes"] = params["account_types"]
        if params.get("ids") is not None:
            filter_["ids"] = params["ids"]
        if params.get("org_id") is not None:
            filter_["orgId"] = params["org_id"]
        if params.get("search") is not None:
            filter_["search"] = params["search"]
        sort: dict[str, Any] = {}
        if params.get("sort_field") is not None:
            sort["field"] = GRAPHQL_SORT[params["sort_field"]]
        if params.get("sort_direction") is not None:
            sort["direction"] = "ASC" if params["sort_direction"] == 1 else "DESC"
        variables = {"f": filter_, "s": sort or None, "p": params.get("page"),
                     "l": params.get("limit")}
        query = ("query($f: AccountFilter, $s: AccountSort, $p: Int, $l: Int) {"
                 " accounts(filter: $f, sort: $s, page: $p, limit: $l) {"
                 f" items {{ {ACCOUNT_FIELDS} }} total page limit }} }}")
        return await self._run(query, variables, token, "accounts")

    async def change_password(self, token: str, current: str, password: str) -> Outcome:
        query = "mutation($c: String!, $p: String!) { changePassword(current: $c, password: $p) }"
        outcome = await self._run(query, {"c": current, "p": password}, token, "changePassword")
        return Outcome(200, None, None) if outcome.status == 200 else outcome

    async def request_reset(self, username: str) -> Outcome:
        query = "mutation($u: String!) { requestPasswordReset(username: $u) }"
        outcome = await self._run(query, {"u": username}, None, "requestPasswordReset")
        return Outcome(200, None, None) if outcome.status == 200 else outcome

    async def confirm_reset(self, username: str, otp: str, password: str) -> Outcome:
        query = ("mutation($u: String!, $o: String!, $p: String!) {"
                 " resetPassword(username: $u, otp: $o, password: $p) }")
        outcome = await self._run(query, {"u": username, "o": otp, "p": password}, None,
                                  "resetPassword")
        return Outcome(200, None, None) if outcome.status == 200 else outcome


async def created(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> dict[str, Any]:
    """Create through REST and insist it worked (for setting a scene)."""
    response = await client.post("/accounts", json=body, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def signed_in(
    client: httpx.AsyncClient, admin_token: str, org_id: str, **fields: Any
) -> tuple[dict[str, Any], str]:
    """An account created by ``admin_token`` and its access token."""
    body = account_body(org_id, **fields)
    account = await created(client, admin_token, body)
    auth = await login(client, body["username"], body["password"])
    return account, auth["token"]


async def topic_events(
    settings: Settings, topic: str, predicate: Any, count: int = 1
) -> list[dict[str, Any]]:
    """The first ``count`` CloudEvents on ``topic`` (read from the start) that match."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    found: list[dict[str, Any]] = []
    await consumer.start()
    try:
        async with asyncio.timeout(EVENT_TIMEOUT_SECONDS):
            while len(found) < count:
                batches = await consumer.getmany(timeout_ms=500)
                for messages in batches.values():
                    events = [json.loads(message.value) for message in messages]
                    found.extend(event for event in events if predicate(event))
    finally:
        await consumer.stop()
    return found[:count]


async def reset_otps(settings: Settings, account_id: str, count: int = 1) -> list[str]:
    """The OTPs the mail service would read for the account, oldest first."""
    events = await topic_events(
        settings,
        settings.notifications_topic,
        lambda e: e["type"] == "accounts.account.password_reset_requested"
        and e["subject"] == account_id,
        count=count,
    )
    return [str(event["data"]["otp"]) for event in events]


async def account_events(settings: Settings, account_id: str, event_type: str) -> dict[str, Any]:
    """The first event of a type about an account on the events topic."""
    events = await topic_events(
        settings, settings.events_topic,
        lambda e: e["type"] == event_type and e["subject"] == account_id,
    )
    return events[0]

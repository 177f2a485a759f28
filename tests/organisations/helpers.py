"""One client per API for the organisation operations, answering alike.

Each call answers an ``Outcome`` (tests.accounts.helpers): the HTTP status (GraphQL error
codes mapped back to REST statuses), the contract's error code and a snake_case body, so
one test states one behaviour for both APIs. GraphQL timestamps are left out of bodies.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.accounts.helpers import GRAPHQL_STATUS, Outcome
from tests.conftest import bearer, graphql

ORG_FIELDS = "id name parentId enabled baseCurrency units children { childType id currency }"


def snake(value: Any) -> Any:
    """Keys camelCase -> snake_case, recursively."""
    if isinstance(value, list):
        return [snake(item) for item in value]
    if isinstance(value, dict):
        return {re.sub(r"(?<!^)([A-Z])", r"_\1", k).lower(): snake(v) for k, v in value.items()}
    return value


def camel(value: dict[str, Any]) -> dict[str, Any]:
    def name(key: str) -> str:
        head, *rest = key.split("_")
        return head + "".join(part.title() for part in rest)

    return {name(key): item for key, item in value.items()}


async def graphql_outcome(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None,
    field: str,
) -> Outcome:
    result = await graphql(client, query, variables, token)
    if result.get("errors"):
        extensions = result["errors"][0].get("extensions", {})
        return Outcome(GRAPHQL_STATUS.get(extensions.get("code"), 500),
                       extensions.get("reason"), result)
    return Outcome(200, None, snake((result.get("data") or {}).get(field)))


def rest_outcome(response: httpx.Response) -> Outcome:
    body = response.json()
    code = body.get("code") if response.status_code >= 400 else None
    return Outcome(response.status_code, code, body)


class OrgApi:
    name: str

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def create(self, token: str, body: dict[str, Any]) -> Outcome:
        raise NotImplementedError

    async def get(self, token: str, org_id: str) -> Outcome:
        raise NotImplementedError

    async def listing(self, token: str, parent_id: str | None = None) -> Outcome:
        raise NotImplementedError

    async def update(self, token: str, org_id: str, body: dict[str, Any]) -> Outcome:
        raise NotImplementedError

    async def add_units(self, token: str, org_id: str, units: list[str]) -> Outcome:
        raise NotImplementedError

    async def remove_units(self, token: str, org_id: str, units: list[str]) -> Outcome:
        raise NotImplementedError


class RestOrgApi(OrgApi):
    name = "rest"

    async def create(self, token: str, body: dict[str, Any]) -> Outcome:
        return rest_outcome(
            await self.client.post("/organisations", json=body, headers=bearer(token))
        )

    async def get(self, token: str, org_id: str) -> Outcome:
        return rest_outcome(await self.client.get(f"/organisations/{org_id}",
                                                  headers=bearer(token)))

    async def listing(self, token: str, parent_id: str | None = None) -> Outcome:
        params = {"parent_id": parent_id} if parent_id is not None else {}
        return rest_outcome(
            await self.client.get("/organisations", params=params, headers=bearer(token))
        )

    async def update(self, token: str, org_id: str, body: dict[str, Any]) -> Outcome:
        return rest_outcome(
            await self.client.put(f"/organisations/{org_id}", json=body, headers=bearer(token))
        )

    async def add_units(self, token: str, org_id: str, units: list[str]) -> Outcome:
        return rest_outcome(await self.client.post(
            f"/organisations/{org_id}/units", json=units, headers=bearer(token)))

    async def remove_units(self, token: str, org_id: str, units: list[str]) -> Outcome:
        return rest_outcome(await self.client.request(
            "DELETE", f"/organisations/{org_id}/units", json=units, headers=bearer(token)))


class GraphqlOrgApi(OrgApi):
    name = "graphql"

    async def create(self, token: str, body: dict[str, Any]) -> Outcome:
        query = ("mutation($i: CreateOrganisationInput!) {"
                 f" createOrganisation(input: $i) {{ {ORG_FIELDS} }} }}")
        return await graphql_outcome(self.client, query, {"i": camel(body)}, token,
                                     "createOrganisation")

    async def get(self, token: str, org_id: str) -> Outcome:
        query = f"query($id: ID!) {{ organisation(id: $id) {{ {ORG_FIELDS} }} }}"
        outcome = await graphql_outcome(self.client, query, {"id": org_id}, token,
                                        "organisation")
        if outcome.status == 200 and outcome.body is None:
            return Outcome(404, "not_found", None)
        return outcome

    async def listing(self, token: str, parent_id: str | None = None) -> Outcome:
        query = f"query($p: ID) {{ organisations(parentId: $p) {{ {ORG_FIELDS} }} }}"
        return await graphql_outcome(self.client, query, {"p": parent_id}, token,
                                     "organisations")

    async def update(self, token: str, org_id: str, body: dict[str, Any]) -> Outcome:
        query = ("mutation($id: ID!, $i: UpdateOrganisationInput!) {"
                 f" updateOrganisation(id: $id, input: $i) {{ {ORG_FIELDS} }} }}")
        return await graphql_outcome(self.client, query, {"id": org_id, "i": camel(body)},
                                     token, "updateOrganisation")

    async def add_units(self, token: str, org_id: str, units: list[str]) -> Outcome:
        query = ("mutation($id: ID!, $u: [String!]!) {"
                 " addOrganisationUnits(id: $id, units: $u) { succeeded failed } }")
        return await graphql_outcome(self.client, query, {"id": org_id, "u": units}, token,
                                     "addOrganisationUnits")

    async def remove_units(self, token: str, org_id: str, units: list[str]) -> Outcome:
        query = ("mutation($id: ID!, $u: [String!]!) {"
                 " removeOrganisationUnits(id: $id, units: $u) { succeeded failed } }")
        return await graphql_outcome(self.client, query, {"id": org_id, "u": units}, token,
                                     "removeOrganisationUnits")

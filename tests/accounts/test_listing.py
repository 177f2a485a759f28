"""GET /accounts and the accounts query: pages, totals, filters, sorts, bad parameters."""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from service.accounts.service import AccountCreate, create_account
from service.auth.service import caller_from_token
from tests.accounts.conftest import Orgs, make_org
from tests.accounts.helpers import PASSWORD, Api, GraphqlApi, account_body
from tests.conftest import bearer, login, unique

BULK_SIZE = 300
BATCH = 25


@dataclass
class Bulk:
    org_id: str
    accounts: list[dict[str, Any]]

    def ids_of(self, account_type: str) -> set[str]:
        return {a["id"] for a in self.accounts if a["account_type"] == account_type}


def _key(account: dict[str, Any]) -> str:
    return unicodedata.normalize("NFKC", account["username"]).casefold()


def _bulk_body(org_id: str, index: int, prefix: str) -> dict[str, Any]:
    name = f"{prefix}-{index:03d}"
    name = name.upper() if index % 3 == 0 else name.title() if index % 3 == 1 else name
    if index % 10 == 0:
        return account_body(org_id, username=name, account_type="Service")
    if index % 10 == 1:
        return account_body(org_id, username=name, account_type="System", system_id="accounts")
    return account_body(org_id, username=name)


@pytest.fixture(scope="module")
async def bulk(deps: Any, su_token: str, orgs: Orgs) -> Bulk:
    """A few hundred accounts in an organisation of their own, created in parallel batches
    through the service function (one caller, no HTTP round trip each)."""
    org_id = await make_org(deps, su_token, orgs.top)
    caller = await caller_from_token(deps=deps, token=su_token)
    prefix = unique("bulk")
    bodies = [_bulk_body(org_id, index, prefix) for index in range(BULK_SIZE)]
    accounts: list[dict[str, Any]] = []
    for start in range(0, BULK_SIZE, BATCH):
        batch = bodies[start : start + BATCH]
        made = await asyncio.gather(*[
            create_account(deps=deps, caller=caller, data=AccountCreate.model_validate(body))
            for body in batch
        ])
        accounts += [account.public_fields() for account in made]
    return Bulk(org_id=org_id, accounts=accounts)


async def _all_pages(api: Api, token: str, limit: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        outcome = await api.list(token, page=page, limit=limit, **params)
        assert outcome.status == 200
        items += outcome.body["items"]
        if len(outcome.body["items"]) < limit:
            return items
        page += 1


async def test_first_page_holds_limit_items_and_the_total(
    api: Api, su_token: str, bulk: Bulk
) -> None:
    outcome = await api.list(su_token, org_id=bulk.org_id, page=1, limit=50)
    assert len(outcome.body["items"]) == 50
    assert outcome.body["total"] == BULK_SIZE


async def test_last_page_holds_the_remainder(api: Api, su_token: str, bulk: Bulk) -> None:
    outcome = await api.list(su_token, org_id=bulk.org_id, page=5, limit=70)
    assert len(outcome.body["items"]) == BULK_SIZE - 4 * 70
    assert outcome.body["total"] == BULK_SIZE


async def test_page_past_the_end_is_empty_with_the_total(
    api: Api, su_token: str, bulk: Bulk
) -> None:
    outcome = await api.list(su_token, org_id=bulk.org_id, page=99, limit=50)
    assert outcome.body["items"] == []
    assert outcome.body["total"] == BULK_SIZE


async def test_default_page_is_the_first_twenty(api: Api, su_token: str, bulk: Bulk) -> None:
    outcome = await api.list(su_token, org_id=bulk.org_id)
    expected = sorted(bulk.accounts, key=lambda a: (_key(a), a["id"]))[:20]
    assert [item["id"] for item in outcome.body["items"]] == [a["id"] for a in expected]


async def test_pages_cover_every_account_once(api: Api, su_token: str, bulk: Bulk) -> None:
    items = await _all_pages(api, su_token, 64, org_id=bulk.org_id)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == BULK_SIZE
    assert set(ids) == {a["id"] for a in bulk.accounts}


async def test_username_sort_ignores_case(api: Api, su_token: str, bulk: Bulk) -> None:
    items = await _all_pages(api, su_token, 500, org_id=bulk.org_id, sort_field="username")
    expected = sorted(bulk.accounts, key=lambda a: (_key(a), a["id"]))
    assert [item["id"] for item in items] == [a["id"] for a in expected]


async def test_descending_username_sort_reverses_the_order(
    api: Api, su_token: str, bulk: Bulk
) -> None:
    outcome = await api.list(su_token, org_id=bulk.org_id, sort_field="username",
                             sort_direction=-1, limit=500)
    expected = sorted(bulk.accounts, key=lambda a: (_key(a), a["id"]), reverse=True)
    assert [item["id"] for item in outcome.body["items"]] == [a["id"] for a in expected]


async def test_created_on_sort_breaks_ties_on_id(api: Api, su_token: str, bulk: Bulk) -> None:
    outcome = await api.list(su_token, org_id=bulk.org_id, sort_field="created_on",
                             limit=500)
    expected = sorted(bulk.accounts, key=lambda a: (a["created_on"], a["id"]))
    assert [item["id"] for item in outcome.body["items"]] == [a["id"] for a in expected]


async def test_id_sort_descending(api: Api, su_token: str, bulk: Bulk) -> None:
    outcome = await api.list(su_token, org_id=bulk.org_id, sort_field="id", sort_direction=-1,
                             page=2, limit=40)
    expected = sorted((a["id"] for a in bulk.accounts), reverse=True)[40:80]
    assert [item["id"] for item in outcome.body["items"]] == expected


async def test_account_type_sort_groups_the_types(api: Api, su_token: str, bulk: Bulk) -> None:
    outcome = await api.list(su_token, org_id=bulk.org_id, sort_field="account_type",
                             limit=500)
    expected = sorted(bulk.accounts, key=lambda a: (a["account_type"], a["id"]))
    assert [item["id"] for item in outcome.body["items"]] == [a["id"] for a in expected]


async def test_last_logged_in_descending_puts_the_latest_sign_in_first(
    api: Api, client: httpx.AsyncClient, su_token: str, bulk: Bulk
) -> None:
    first, second = bulk.accounts[7], bulk.accounts[8]
    await login(client, first["username"], PASSWORD)
    await asyncio.sleep(0.01)
    await login(client, second["username"], PASSWORD)
    outcome = await api.list(su_token, org_id=bulk.org_id, sort_field="last_logged_in",
                             sort_direction=-1, limit=2)
    assert [item["id"] for item in outcome.body["items"]] == [second["id"], first["id"]]


async def test_one_account_type_filter(api: Api, su_token: str, bulk: Bulk) -> None:
    outcome = await api.list(su_token, org_id=bulk.org_id, account_types=["Service"],
                             limit=500)
    assert {item["id"] for item in outcome.body["items"]} == bulk.ids_of("Service")
    assert outcome.body["total"] == len(bulk.ids_of("Service"))


async def test_several_account_types_filter(api: Api, su_token: str, bulk: Bulk) -> None:
    outcome = await api.list(su_token, org_id=bulk.org_id, account_types=["Service", "System"],
                             limit=500)
    expected = bulk.ids_of("Service") | bulk.ids_of("System")
    assert {item["id"] for item in outcome.body["items"]} == expected
    assert outcome.body["total"] == len(expected)


async def test_account_ids_filter(api: Api, su_token: str, bulk: Bulk) -> None:
    wanted = [bulk.accounts[i]["id"] for i in (3, 150, 299)]
    outcome = await api.list(su_token, ids=wanted)
    assert sorted(item["id"] for item in outcome.body["items"]) == sorted(wanted)
    assert outcome.body["total"] == 3


async def test_filters_combine(api: Api, su_token: str, bulk: Bulk) -> None:
    wanted = [bulk.accounts[i]["id"] for i in (10, 11, 12)]  # a Service, a System, a User
    outcome = await api.list(su_token, ids=wanted, account_types=["User"])
    assert [item["id"] for item in outcome.body["items"]] == [wanted[2]]


async def test_graphql_search_matches_usernames_ignoring_case(
    client: httpx.AsyncClient, su_token: str, bulk: Bulk
) -> None:
    fragment = bulk.accounts[42]["username"].lower()
    outcome = await GraphqlApi(client).list(su_token, search=fragment.upper())
    assert [item["id"] for item in outcome.body["items"]] == [bulk.accounts[42]["id"]]


async def test_graphql_page_echoes_page_and_limit(
    client: httpx.AsyncClient, su_token: str, bulk: Bulk
) -> None:
    outcome = await GraphqlApi(client).list(su_token, org_id=bulk.org_id, page=3, limit=7)
    assert (outcome.body["page"], outcome.body["limit"], outcome.body["total"]) == (3, 7, 300)


async def test_total_count_header_is_set(client: httpx.AsyncClient, su_token: str,
                                         bulk: Bulk) -> None:
    response = await client.get("/accounts", params={"org_id": bulk.org_id, "limit": 1},
                                headers=bearer(su_token))
    assert response.headers["X-Total-Count"] == str(BULK_SIZE)
    assert len(response.json()) == 1


BAD_QUERIES = {
    "sort-field": {"sort_field": "password_hash"},
    "sort-direction-zero": {"sort_direction": "0"},
    "sort-direction-two": {"sort_direction": "2"},
    "sort-direction-word": {"sort_direction": "asc"},
    "page-zero": {"page": "0"},
    "page-negative": {"page": "-1"},
    "page-word": {"page": "first"},
    "limit-zero": {"limit": "0"},
    "limit-too-big": {"limit": "501"},
    "limit-word": {"limit": "all"},
    "account-type": {"account_type": "Admin"},
    "one-of-account-types": {"account_type": "User,Root"},
    "account-ids": {"account_ids": "not-an-id"},
    "account-ids-upper-hex": {"account_ids": "0123456789ABCDEF01234567"},
    "account-ids-operator": {"account_ids": '{"$ne": ""}'},
    "org-id": {"org_id": "no:colons"},
}


@pytest.mark.parametrize("params", BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
async def test_bad_query_parameter_is_422_with_the_contract_body(
    client: httpx.AsyncClient, su_token: str, params: dict[str, str]
) -> None:
    response = await client.get("/accounts", params=params, headers=bearer(su_token))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert isinstance(body["message"], str) and body["message"]
    assert body["details"][0]["field"] == next(iter(params))


GRAPHQL_BAD = {
    "page-zero": {"page": 0},
    "limit-zero": {"limit": 0},
    "limit-too-big": {"limit": 501},
    "malformed-id": {"ids": ["not-an-id"]},
}


@pytest.mark.parametrize("params", GRAPHQL_BAD.values(), ids=GRAPHQL_BAD.keys())
async def test_graphql_bad_argument_is_bad_user_input(
    client: httpx.AsyncClient, su_token: str, params: dict[str, Any]
) -> None:
    outcome = await GraphqlApi(client).list(su_token, **params)
    assert outcome.status == 422
    assert outcome.code == "invalid_input"


async def test_limit_of_500_is_accepted(client: httpx.AsyncClient, su_token: str) -> None:
    response = await client.get("/accounts", params={"limit": 500}, headers=bearer(su_token))
    assert response.status_code == 200

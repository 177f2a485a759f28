"""Batched reads behind the GraphQL graph edges; each applies the permission and scope of
the type it returns, so an edge never shows more than the matching root query would.

Each function answers a whole batch (one DataLoader dispatch) with a fixed number of
queries, so a query over N organisations costs round trips bounded by its depth.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from service.accounts.documents import Account, PermissionLevel
from service.accounts.service import scope_filter
from service.auth.caller import Caller
from service.core.errors import invalid_field
from service.core.paging import check_paging
from service.organisations.service import (
    NOT_DELETED,
    RESOURCE,
    OrganisationView,
    organisation_documents,
    reach_in,
    reaches,
    view_of,
)
from service.organisations.tree import BULK_BATCH_SIZE, OrgTree


async def organisations_by_ids(
    *, caller: Caller, tree: OrgTree, ids: list[str]
) -> list[OrganisationView | None]:
    """One query for the batch; absent or outside the caller's scope is None."""
    caller.require(RESOURCE, PermissionLevel.READ)
    reach = reach_in(caller, tree)
    wanted = sorted({org_id for org_id in ids if reaches(reach, tree, org_id)})
    documents = await organisation_documents({"_id": {"$in": wanted}}) if wanted else []
    found = {raw["_id"]: view_of(raw, tree) for raw in documents}
    return [found.get(org_id) for org_id in ids]


def visible_ancestors(*, caller: Caller, tree: OrgTree, org_id: str) -> list[str]:
    """Ancestors root first, cut where the chain leaves the caller's scope going up."""
    reach = reach_in(caller, tree)
    chain: list[str] = []
    for ancestor in reversed(tree.ancestors(org_id)):
        if not reaches(reach, tree, ancestor):
            break
        chain.append(ancestor)
    chain.reverse()
    return chain


def descendant_ids(*, tree: OrgTree, org_id: str, max_depth: int | None) -> list[str]:
    """Descendants breadth first (scope is applied when they are loaded)."""
    if max_depth is not None and max_depth < 0:
        raise invalid_field("maxDepth", "must be 0 or more")
    return tree.descendants(org_id, max_depth)


def _check_paging(page: int, limit: int) -> None:
    check_paging(
        sort_fields=["username"], sort_field="username", sort_direction=1, page=page, limit=limit
    )


async def accounts_by_organisation(
    *, caller: Caller, org_ids: list[str], page: int, limit: int
) -> list[tuple[list[Account], int]]:
    """One page (by username) of the accounts homed in each organisation, and their total.

    Two queries for the whole batch: the keys of every matching account (small
    projection), then the documents of the requested pages only.
    """
    caller.require("accounts", PermissionLevel.READ)
    _check_paging(page, limit)
    collection = Account.get_pymongo_collection()
    homes: dict[str, Any] = {"org_unit.org_id": {"$in": sorted(set(org_ids))}}
    scope = scope_filter(caller)
    match: dict[str, Any] = {"$and": [scope, homes]} if scope else dict(homes)
    match.update(NOT_DELETED)
    projection = {"org_unit.org_id": 1, "username_key": 1}
    keys: dict[str, list[tuple[str, ObjectId]]] = {}
    async for raw in collection.find(match, projection, batch_size=BULK_BATCH_SIZE):
        keys.setdefault(raw["org_unit"]["org_id"], []).append((raw["username_key"], raw["_id"]))
    start = (page - 1) * limit
    pages = {
        org_id: [key for _, key in sorted(found)[start : start + limit]]
        for org_id, found in keys.items()
    }
    wanted = [account_id for ids in pages.values() for account_id in ids]
    documents: dict[ObjectId, Account] = {}
    if wanted:
        cursor = collection.find({"_id": {"$in": wanted}}, batch_size=BULK_BATCH_SIZE)
        documents = {raw["_id"]: Account.model_validate(raw) async for raw in cursor}
    return [
        (
            [documents[key] for key in pages.get(org_id, []) if key in documents],
            len(keys.get(org_id, [])),
        )
        for org_id in org_ids
    ]

"""The organisation tree: list, read, create, update (moves included) and units (both APIs).

Scope and structure come from the cached tree (service.organisations.tree); the stored
documents add what the tree does not keep (timestamps, version). Every change writes the
document and its event in one atomic write and then moves the tree version.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field
from pymongo.errors import DuplicateKeyError

from service.accounts.documents import Account, PermissionLevel
from service.auth.caller import Caller, account_reach
from service.core.clock import now_ms
from service.core.errors import Conflict, Forbidden, NotFound, invalid_field
from service.core.ids import is_client_id
from service.core.outbox import new_event, write_change
from service.dependencies import Dependencies
from service.organisations.documents import Organisation
from service.organisations.tree import (
    BULK_BATCH_SIZE,
    OrgNode,
    OrgTree,
    bump_tree_version,
    claim_tree_for_move,
    release_tree_move,
)

RESOURCE = "organisations"
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
MAX_NAME_LENGTH = 256
MAX_ATTEMPTS = 40
ATTEMPT_DELAY_SECONDS = 0.005
NOT_DELETED: dict[str, Any] = {"deleted": {"$ne": True}}


@dataclass(frozen=True)
class OrganisationChild:
    id: str
    currency: str | None
    child_type: str = "Organisation"


@dataclass(frozen=True)
class OrganisationView:
    """An organisation as both APIs show it: effective currency, direct children."""

    id: str
    name: str | None
    parent_id: str | None
    enabled: bool
    base_currency: str | None
    children: list[OrganisationChild]
    created: int
    updated: int
    units: list[str]

    def public_fields(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "parent_id": self.parent_id,
            "enabled": self.enabled,
            "base_currency": self.base_currency,
            "children": [
                {"child_type": c.child_type, "id": c.id, "currency": c.currency}
                for c in self.children
            ],
            "created": self.created,
            "updated": self.updated,
            "units": list(self.units),
        }


@dataclass(frozen=True)
class UnitsResult:
    succeeded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class OrganisationCreate(BaseModel):
    id: str
    units: list[str] = Field(default_factory=list)
    name: str | None = None
    parent_id: str | None = None
    base_currency: str | None = None


class OrganisationUpdate(BaseModel):
    """``None`` leaves a field unchanged; ``parent_id=""`` makes a root, ``base_currency=""``
    returns to inheriting."""

    units: list[str] | None = None
    enabled: bool | None = None
    name: str | None = None
    parent_id: str | None = None
    base_currency: str | None = None


# --- scope -------------------------------------------------------------------------------


def reach_in(caller: Caller, tree: OrgTree) -> set[str] | None:
    """The caller's reach in ``tree`` (None: everything)."""
    return caller.reach if tree is caller.tree else account_reach(caller.account, tree)


def reaches(reach: set[str] | None, tree: OrgTree, org_id: str | None) -> bool:
    return org_id is not None and org_id in tree and (reach is None or org_id in reach)


# --- views -------------------------------------------------------------------------------


def view_of(document: Organisation | dict[str, Any], tree: OrgTree) -> OrganisationView:
    org = document if isinstance(document, Organisation) else Organisation.model_validate(document)
    children = [
        OrganisationChild(id=child, currency=tree.effective_currency(child))
        for child in tree.children.get(org.id, [])
    ]
    currency = org.base_currency
    if not currency and org.parent_id is not None:
        currency = tree.effective_currency(org.parent_id)
    return OrganisationView(
        id=org.id,
        name=org.name,
        parent_id=org.parent_id,
        enabled=org.enabled,
        base_currency=currency,
        children=children,
        created=org.created,
        updated=org.updated,
        units=list(org.units),
    )


async def organisation_documents(query: dict[str, Any]) -> list[dict[str, Any]]:
    cursor = Organisation.get_pymongo_collection().find(
        {**query, **NOT_DELETED}, batch_size=BULK_BATCH_SIZE
    ).sort("_id", 1)
    return [raw async for raw in cursor]


async def _document(org_id: str) -> dict[str, Any] | None:
    return await Organisation.get_pymongo_collection().find_one(  # type: ignore[no-any-return]
        {"_id": org_id, **NOT_DELETED}
    )


# --- reads -------------------------------------------------------------------------------


async def list_organisations(
    *, caller: Caller, parent_id: str | None = None
) -> list[OrganisationView]:
    """Every organisation in scope, sorted by id; ``parent_id=""`` lists the roots. A parent
    outside the scope matches nothing, like an absent one."""
    caller.require(RESOURCE, PermissionLevel.READ)
    tree = caller.tree
    if parent_id and not caller.reaches(parent_id):
        return []
    query: dict[str, Any] = {}
    if parent_id is not None:
        query["parent_id"] = parent_id or None
    if caller.reach is not None:
        query["_id"] = {"$in": sorted(caller.reach)}
    return [view_of(raw, tree) for raw in await organisation_documents(query)]


async def get_organisation(*, caller: Caller, org_id: str) -> OrganisationView:
    caller.require(RESOURCE, PermissionLevel.READ)
    raw = await _document(org_id) if caller.reaches(org_id) else None
    if raw is None:
        raise NotFound("not_found", "No such organisation")
    return view_of(raw, caller.tree)


# --- validation --------------------------------------------------------------------------


def _validate_units(units: list[str]) -> None:
    for unit in units:
        if not is_client_id(unit):
            raise invalid_field("units", f"{unit!r} is not a valid unit name")
    if len(set(units)) != len(units):
        raise invalid_field("units", "unit names must be unique")


def _validate_currency(currency: str) -> None:
    if not CURRENCY_PATTERN.match(currency):
        raise invalid_field("base_currency", "must be an ISO 4217 code (3 capital letters)")


def _validate_name(name: str) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise invalid_field("name", f"at most {MAX_NAME_LENGTH} characters")


async def _units_in_use(org_id: str, units: set[str]) -> set[str]:
    """Units of ``org_id`` that are still some account's ``org_unit.unit_id``."""
    if not units:
        return set()
    cursor = Account.get_pymongo_collection().find(
        {"org_unit.org_id": org_id, "org_unit.unit_id": {"$in": sorted(units)}, **NOT_DELETED},
        {"org_unit.unit_id": 1},
        batch_size=BULK_BATCH_SIZE,
    )
    return {raw["org_unit"]["unit_id"] async for raw in cursor}


# --- create ------------------------------------------------------------------------------


async def create_organisation(
    *, deps: Dependencies, caller: Caller, data: OrganisationCreate
) -> OrganisationView:
    caller.require(RESOURCE, PermissionLevel.WRITE)
    parent_id = data.parent_id or None
    if parent_id is not None and not caller.reaches(parent_id):
        raise invalid_field("parent_id", "no such organisation")
    if parent_id is None and not caller.is_superuser:
        raise Forbidden("forbidden", "Only a SuperUser creates a root organisation")
    if not is_client_id(data.id):
        raise invalid_field("id", "1-64 characters of A-Z a-z 0-9 _ - .")
    _validate_units(data.units)
    if data.name is not None:
        _validate_name(data.name)
    if data.base_currency:
        _validate_currency(data.base_currency)
    now = now_ms()
    organisation = Organisation(
        id=data.id,
        name=data.name,
        parent_id=parent_id,
        base_currency=data.base_currency or None,
        units=list(data.units),
        created=now,
        updated=now,
    )
    view = view_of(organisation, caller.tree)
    event = new_event(
        "accounts.organisation.created", data.id, view.public_fields(), actor_id=caller.id
    )
    try:
        await Organisation.get_pymongo_collection().insert_one(
            {**organisation.model_dump(by_alias=True), "pending_events": [event]}
        )
    except DuplicateKeyError:
        raise Conflict("conflict", "An organisation with this id exists") from None
    await bump_tree_version()
    deps.wake_outbox()
    return view


# --- update ------------------------------------------------------------------------------


@dataclass
class _Plan:
    changes: dict[str, Any]
    moves: bool
    removed_units: set[str]


def _plan_update(
    *,
    caller: Caller,
    deps: Dependencies,
    tree: OrgTree,
    reach: set[str] | None,
    org: Organisation,
    data: OrganisationUpdate,
) -> _Plan:
    """Decide what changes, in the contract's check order: scope, privilege, validation."""
    changes: dict[str, Any] = {}
    new_parent = org.parent_id
    if data.parent_id is not None and (data.parent_id or None) != org.parent_id:
        new_parent = data.parent_id or None
        if new_parent is not None and not reaches(reach, tree, new_parent):
            raise invalid_field("parent_id", "no such organisation")
        changes["parent_id"] = new_parent
    if _currency_changes(tree, org, data.base_currency):
        changes["base_currency"] = data.base_currency or None
    if data.enabled is not None and data.enabled != org.enabled:
        changes["enabled"] = data.enabled
    if data.name is not None and data.name != org.name:
        changes["name"] = data.name
    if data.units is not None and data.units != org.units:
        changes["units"] = list(data.units)

    if "parent_id" in changes:
        _check_move_privilege(caller, tree, reach, org, new_parent)
    if changes.get("enabled") is False:
        _check_disable_privilege(caller, deps, tree, org.id)

    if "parent_id" in changes and new_parent in {org.id, *tree.descendants(org.id)}:
        raise invalid_field("parent_id", "an organisation cannot move under itself")
    if changes.get("base_currency"):
        _validate_currency(changes["base_currency"])
    if "name" in changes:
        _validate_name(changes["name"])
    removed: set[str] = set()
    if "units" in changes:
        _validate_units(changes["units"])
        removed = set(org.units) - set(changes["units"])
    return _Plan(changes=changes, moves="parent_id" in changes, removed_units=removed)


def _currency_changes(tree: OrgTree, org: Organisation, sent: str | None) -> bool:
    """``""`` changes only a stored currency; a code only when it differs from the effective one."""
    if sent is None:
        return False
    if sent == "":
        return org.base_currency is not None
    return sent != tree.effective_currency(org.id)


def _check_move_privilege(
    caller: Caller, tree: OrgTree, reach: set[str] | None, org: Organisation,
    new_parent: str | None,
) -> None:
    if new_parent is None and not caller.is_superuser:
        raise Forbidden("forbidden", "Only a SuperUser makes a root organisation")
    old_parent = org.parent_id
    if not (caller.is_superuser if old_parent is None else reaches(reach, tree, old_parent)):
        raise Forbidden(
            "forbidden", "A move needs organisations Write over the old parent's subtree"
        )


def _check_disable_privilege(
    caller: Caller, deps: Dependencies, tree: OrgTree, org_id: str
) -> None:
    if org_id == deps.settings.bootstrap_org:
        raise Forbidden("forbidden", "The bootstrap organisation cannot be disabled")
    home = caller.account.org_unit.org_id
    if not caller.is_superuser and (org_id == home or org_id in tree.ancestors(home)):
        raise Forbidden(
            "forbidden", "Only a SuperUser disables its own organisation or an ancestor of it"
        )


async def update_organisation(
    *, deps: Dependencies, caller: Caller, org_id: str, data: OrganisationUpdate
) -> OrganisationView:
    """Apply the fields that differ from the stored ones; a move is cycle-checked against
    the fresh tree and committed under a compare-and-set claim of the tree version."""
    caller.require(RESOURCE, PermissionLevel.WRITE)
    for _ in range(MAX_ATTEMPTS):
        tree = await deps.org_tree.current()
        reach = reach_in(caller, tree)
        raw = await _document(org_id) if reaches(reach, tree, org_id) else None
        if raw is None:
            raise NotFound("not_found", "No such organisation")
        org = Organisation.model_validate(raw)
        plan = _plan_update(caller=caller, deps=deps, tree=tree, reach=reach, org=org, data=data)
        if not plan.changes:
            return view_of(org, tree)
        in_use = await _units_in_use(org_id, plan.removed_units)
        if in_use:
            raise Conflict(
                "conflict", f"Units still used by accounts cannot be removed: {sorted(in_use)}"
            )
        written = await _commit(deps, caller, tree, org, plan)
        if written is not None:
            deps.wake_outbox()
            return view_of(written, await deps.org_tree.current())
        await asyncio.sleep(ATTEMPT_DELAY_SECONDS)
    raise Conflict("conflict", "The organisation changed concurrently; try again")


async def _commit(
    deps: Dependencies, caller: Caller, tree: OrgTree, org: Organisation, plan: _Plan
) -> dict[str, Any] | None:
    """One atomic write of the change and its event; None when something moved meanwhile."""
    after = org.model_copy(update={**plan.changes, "updated": now_ms()})
    event = new_event(
        "accounts.organisation.updated",
        org.id,
        view_of(after, _predicted_tree(tree, after)).public_fields(),
        actor_id=caller.id,
    )

    async def write() -> dict[str, Any] | None:
        return await write_change(
            Organisation.get_pymongo_collection(),
            match={"_id": org.id, "version": org.version},
            update={"$set": {**plan.changes, "updated": after.updated}},
            events=[event],
        )

    if not plan.moves:
        written = await write()
        if written is not None:
            await bump_tree_version()
        return written
    owner = uuid.uuid4().hex
    if not await claim_tree_for_move(tree.version, owner):
        return None
    try:
        return await write()
    finally:
        await release_tree_move(owner)


def _predicted_tree(tree: OrgTree, after: Organisation) -> OrgTree:
    """The tree as it will be once ``after`` is written (for the event's body)."""
    nodes = dict(tree.nodes)
    nodes[after.id] = OrgNode(
        id=after.id,
        name=after.name,
        parent_id=after.parent_id,
        enabled=after.enabled,
        base_currency=after.base_currency,
        units=tuple(after.units),
    )
    return OrgTree(version=tree.version, nodes=nodes)


# --- units -------------------------------------------------------------------------------


async def add_units(
    *, deps: Dependencies, caller: Caller, org_id: str, units: list[str]
) -> UnitsResult:
    """``succeeded``: newly added; ``failed``: already present or not a valid name."""

    def decide(org: Organisation) -> UnitsResult:
        present = set(org.units)
        result = UnitsResult()
        for unit in units:
            if is_client_id(unit) and unit not in present:
                present.add(unit)
                result.succeeded.append(unit)
            else:
                result.failed.append(unit)
        return result

    return await _change_units(
        deps, caller, org_id, decide, adding=True, event_type="accounts.organisation.units_added"
    )


async def remove_units(
    *, deps: Dependencies, caller: Caller, org_id: str, units: list[str]
) -> UnitsResult:
    """``succeeded``: removed; ``failed``: not present, or still some account's unit."""
    in_use: set[str] = set()

    def decide(org: Organisation) -> UnitsResult:
        present = set(org.units)
        result = UnitsResult()
        for unit in units:
            if unit in present and unit not in in_use:
                present.discard(unit)
                result.succeeded.append(unit)
            else:
                result.failed.append(unit)
        return result

    async def prepare(org: Organisation) -> None:
        in_use.clear()
        in_use.update(await _units_in_use(org.id, set(units) & set(org.units)))

    return await _change_units(
        deps, caller, org_id, decide, adding=False, prepare=prepare,
        event_type="accounts.organisation.units_removed",
    )


async def _change_units(
    deps: Dependencies,
    caller: Caller,
    org_id: str,
    decide: Any,
    *,
    adding: bool,
    event_type: str,
    prepare: Any = None,
) -> UnitsResult:
    caller.require(RESOURCE, PermissionLevel.WRITE)
    if not caller.reaches(org_id):
        raise NotFound("not_found", "No such organisation")
    for _ in range(MAX_ATTEMPTS):
        raw = await _document(org_id)
        if raw is None:
            raise NotFound("not_found", "No such organisation")
        org = Organisation.model_validate(raw)
        if prepare is not None:
            await prepare(org)
        result: UnitsResult = decide(org)
        if not result.succeeded:
            return result
        if adding:
            new_units = [*org.units, *result.succeeded]
        else:
            new_units = [unit for unit in org.units if unit not in set(result.succeeded)]
        after = org.model_copy(update={"units": new_units, "updated": now_ms()})
        event = new_event(
            event_type, org.id, view_of(after, caller.tree).public_fields(), actor_id=caller.id
        )
        written = await write_change(
            Organisation.get_pymongo_collection(),
            match={"_id": org.id, "version": org.version},
            update={"$set": {"units": new_units, "updated": after.updated}},
            events=[event],
        )
        if written is not None:
            await bump_tree_version()
            deps.wake_outbox()
            return result
        await asyncio.sleep(ATTEMPT_DELAY_SECONDS)
    raise Conflict("conflict", "The organisation changed concurrently; try again")


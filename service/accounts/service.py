"""Account administration (both APIs call these; every rule lives here once).

Checks run in the contract's order, so an error never reveals more than the caller may see:
the route's permission (403), scope (404 for the account acted on, 422 for an organisation
named in the body, no match in a filter), type and privilege rules (403), validation (422),
conflicts (409).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field
from pymongo.errors import DuplicateKeyError, OperationFailure

from service.accounts.documents import (
    Account,
    AccountType,
    OrgUnit,
    PermissionLevel,
    SystemPermissions,
    username_key,
)
from service.accounts.rules import check_contacts, check_password, check_username, is_encodable
from service.auth.caller import Caller, account_reach, holds
from service.auth.service import revoke_all_sessions
from service.auth.throttle import LoginThrottle
from service.core.clock import now_ms
from service.core.errors import Conflict, Forbidden, NotFound, invalid_field
from service.core.ids import is_client_id, parse_account_id
from service.core.outbox import new_event, write_change
from service.core.paging import check_paging
from service.dependencies import Dependencies
from service.systems.documents import System

ACCOUNTS = "accounts"
SORT_FIELDS = {
    "username": "username_key",
    "created_on": "created_on",
    "last_logged_in": "last_logged_in",
    "account_type": "account_type",
    "id": "_id",
}
WRITE_ATTEMPTS = 3
# A change of any of these ends every session of the account (token_version moves).
REVOKING_FIELDS = frozenset({"password_hash", "permissions", "account_type", "org_unit", "enabled"})
NEEDS_SYSTEM = frozenset({AccountType.SYSTEM, AccountType.PROVIDER})
NOT_DELETED: dict[str, Any] = {"deleted": {"$ne": True}}


class AccountCreate(BaseModel):
    account_type: AccountType = AccountType.USER
    system_id: str | None = None
    username: str
    password: str
    org_unit: OrgUnit
    org_bound: bool | None = None
    permissions: list[SystemPermissions] = Field(default_factory=list)
    trusted: bool | None = None
    contacts: dict[str, str] | None = None


class AccountUpdate(BaseModel):
    """``None`` leaves a field unchanged; ``org_unit``, ``permissions``, ``contacts`` are whole."""

    id: str
    account_type: AccountType | None = None
    username: str | None = None
    password: str | None = None
    org_unit: OrgUnit | None = None
    permissions: list[SystemPermissions] | None = None
    trusted: bool | None = None
    enabled: bool | None = None
    contacts: dict[str, str] | None = None
    org_bound: bool | None = None


# --- scope -------------------------------------------------------------------------------


def in_scope(caller: Caller, org_id: str) -> bool:
    """An account is in scope when its home organisation is (a SuperUser sees every one)."""
    reach = caller.reach
    return reach is None or org_id in reach


def scope_filter(caller: Caller) -> dict[str, Any]:
    """The Mongo filter restricting accounts to the caller's scope (by home organisation)."""
    reach = caller.reach
    if reach is None:
        return {}
    return {"org_unit.org_id": {"$in": sorted(reach)}}


def _collection() -> Any:
    return Account.get_pymongo_collection()


def _is_duplicate_key(error: OperationFailure) -> bool:
    """MongoDB says 11000; FerretDB (SQLite) fails an update with a UNIQUE constraint error."""
    return (
        isinstance(error, DuplicateKeyError)
        or error.code == 11000
        or ("UNIQUE constraint failed" in str(error))
    )


async def _load(caller: Caller, account_id: str) -> Account:
    """The account, or 404 when it is malformed, absent or outside the caller's scope."""
    object_id = parse_account_id(account_id)
    raw = None
    if object_id is not None:
        # A bare _id filter: FerretDB serves only that from its index (any other condition
        # makes it scan the collection), so the tombstone check happens here.
        raw = await _collection().find_one({"_id": object_id})
    if raw is None or raw.get("deleted"):
        raise NotFound("not_found", "No such account")
    account = Account.model_validate(raw)
    if not in_scope(caller, account.org_unit.org_id):
        raise NotFound("not_found", "No such account")
    return account


def _check_org_refs(caller: Caller, org_unit: OrgUnit) -> None:
    """Every organisation named must exist and lie in the caller's scope (else: unknown)."""
    for field, org_id in [("org_unit.org_id", org_unit.org_id)] + [
        ("org_unit.org_list", org) for org in org_unit.org_list
    ]:
        if org_id not in caller.tree or not in_scope(caller, org_id):
            raise invalid_field(field, f"unknown organisation {org_id!r}")


# --- privilege ---------------------------------------------------------------------------


def _beyond_caller(caller: Caller, state: Account) -> str | None:
    """Why a non-SuperUser may not act on an account in this state (None when it may)."""
    if caller.is_superuser:
        return None
    if state.is_superuser:
        return "Only a SuperUser may manage a SuperUser"
    if state.trusted:
        return "Only a SuperUser may manage a trusted account"
    for grant in state.permissions:
        for permission in grant.permissions:
            if not holds(
                caller.account, grant.system_id, permission.resource_id, permission.permission
            ):
                return (
                    f"You do not hold {permission.permission.value} on "
                    f"{grant.system_id}/{permission.resource_id}"
                )
    reach = account_reach(state, caller.tree)
    if reach is None or caller.reach is None or not reach <= caller.reach:
        return "The account would reach organisations outside your scope"
    return None


def _require_within(caller: Caller, *states: Account) -> None:
    for state in states:
        reason = _beyond_caller(caller, state)
        if reason:
            raise Forbidden("forbidden", reason)


def _gains(before: Account, after: Account) -> bool:
    """Whether ``after`` holds a permission ``before`` did not."""
    return any(
        not holds(before, grant.system_id, p.resource_id, p.permission)
        for grant in after.permissions
        for p in grant.permissions
    )


def _check_self_change(caller: Caller, before: Account, after: Account) -> None:
    """Nobody disables themselves or widens their own reach."""
    if before.id != caller.account.id:
        return
    if before.enabled and not after.enabled:
        raise Forbidden("forbidden", "An account cannot disable itself")
    if before.org_bound and not after.org_bound:
        raise Forbidden("forbidden", "An account cannot lift its own org_bound")
    if set(after.org_unit.org_list) - set(before.org_unit.org_list):
        raise Forbidden("forbidden", "An account cannot add to its own org_list")
    if _gains(before, after):
        raise Forbidden("forbidden", "An account cannot add to its own permissions")


# --- validation --------------------------------------------------------------------------


def _check_unit(caller: Caller, org_unit: OrgUnit) -> None:
    """The unit, when given, must be one of the home organisation's (already in scope)."""
    node = caller.tree.nodes[org_unit.org_id]
    if org_unit.unit_id is not None and org_unit.unit_id not in node.units:
        raise invalid_field("org_unit.unit_id", f"{org_unit.org_id!r} has no such unit")


async def _check_systems(account: Account) -> None:
    """The type's system_id, and every granted system and resource, must exist."""
    if account.account_type in NEEDS_SYSTEM and not account.system_id:
        raise invalid_field("system_id", f"is required for {account.account_type.value} accounts")
    wanted = {grant.system_id for grant in account.permissions}
    if account.system_id:
        wanted.add(account.system_id)
    valid_ids = sorted(system_id for system_id in wanted if is_client_id(system_id))
    systems: dict[str, list[str]] = {}
    if valid_ids:
        cursor = System.get_pymongo_collection().find(
            {"_id": {"$in": valid_ids}, **NOT_DELETED}, {"resources": 1}
        )
        systems = {raw["_id"]: raw.get("resources") or [] async for raw in cursor}
    if account.system_id and account.system_id not in systems:
        raise invalid_field("system_id", f"unknown system {account.system_id!r}")
    for grant in account.permissions:
        if grant.system_id not in systems:
            raise invalid_field("permissions", f"unknown system {grant.system_id!r}")
        for permission in grant.permissions:
            if permission.resource_id not in systems[grant.system_id]:
                raise invalid_field(
                    "permissions",
                    f"system {grant.system_id!r} has no resource {permission.resource_id!r}",
                )


# --- create ------------------------------------------------------------------------------


async def create_account(*, deps: Dependencies, caller: Caller, data: AccountCreate) -> Account:
    caller.require(ACCOUNTS, PermissionLevel.WRITE)
    _check_org_refs(caller, data.org_unit)
    account = Account(
        account_type=data.account_type,
        system_id=data.system_id,
        username=data.username,
        username_key=username_key(data.username) if is_encodable(data.username) else "",
        org_unit=data.org_unit,
        org_bound=bool(data.org_bound),
        permissions=data.permissions,
        trusted=bool(data.trusted),
        contacts=data.contacts or {},
        created_on=now_ms(),
    )
    _require_within(caller, account)
    check_username(data.username)
    check_contacts(account.contacts)
    _check_unit(caller, account.org_unit)
    await _check_systems(account)
    check_password(data.password, deps.common_passwords)
    account.password_hash = await deps.hasher.hash(data.password)
    event = new_event(
        "accounts.account.created", account.account_id, account.public_fields(), actor_id=caller.id
    )
    try:
        await _collection().insert_one(
            {**account.model_dump(by_alias=True), "pending_events": [event]}
        )
    except DuplicateKeyError:
        raise Conflict("conflict", "That username is taken") from None
    deps.wake_outbox()
    return account


# --- read --------------------------------------------------------------------------------


async def get_account(*, deps: Dependencies, caller: Caller, account_id: str) -> Account:
    caller.require(ACCOUNTS, PermissionLevel.READ)
    return await _load(caller, account_id)


def _list_filter(
    caller: Caller,
    account_types: Iterable[str] | None,
    account_ids: Iterable[str] | None,
    org_id: str | None,
    search: str | None,
) -> dict[str, Any]:
    conditions: list[dict[str, Any]] = [NOT_DELETED]
    if scope := scope_filter(caller):
        conditions.append(scope)
    if account_types is not None:
        types = list(account_types)
        unknown = [t for t in types if t not in {member.value for member in AccountType}]
        if unknown:
            raise invalid_field("account_type", f"unknown account type {unknown[0]!r}")
        conditions.append({"account_type": {"$in": types}})
    if account_ids is not None:
        ids = [parse_account_id(value) for value in account_ids]
        if any(object_id is None for object_id in ids):
            raise invalid_field("account_ids", "must be account ids (24 lowercase hex characters)")
        conditions.append({"_id": {"$in": ids}})
    if org_id is not None:
        if not is_client_id(org_id):
            raise invalid_field("org_id", "is not an organisation id")
        conditions.append({"org_unit.org_id": org_id})
    if search:
        if not is_encodable(search):
            raise invalid_field("search", "must be valid Unicode text")
        conditions.append({"username_key": {"$regex": re.escape(username_key(search))}})
    return {"$and": conditions}


def _check_paging(sort_field: str, sort_direction: int, page: int, limit: int) -> None:
    check_paging(
        sort_fields=SORT_FIELDS,
        sort_field=sort_field,
        sort_direction=sort_direction,
        page=page,
        limit=limit,
    )


async def list_accounts(
    *,
    deps: Dependencies,
    caller: Caller,
    account_types: Iterable[str] | None = None,
    account_ids: Iterable[str] | None = None,
    org_id: str | None = None,
    search: str | None = None,
    sort_field: str = "username",
    sort_direction: int = 1,
    page: int = 1,
    limit: int = 20,
) -> tuple[list[Account], int]:
    """One page of the accounts in the caller's scope, and the number of all matches."""
    caller.require(ACCOUNTS, PermissionLevel.READ)
    _check_paging(sort_field, sort_direction, page, limit)
    query = _list_filter(caller, account_types, account_ids, org_id, search)
    key = SORT_FIELDS[sort_field]
    order = [(key, sort_direction)] + ([("_id", sort_direction)] if key != "_id" else [])
    collection = _collection()
    cursor = collection.find(query, {"pending_events": 0}).sort(order)
    raws = await cursor.skip((page - 1) * limit).limit(limit).to_list(None)
    total = await collection.count_documents(query)
    return [Account.model_validate(raw) for raw in raws], total


# --- update ------------------------------------------------------------------------------


def _changes(current: Account, data: AccountUpdate) -> dict[str, Any]:
    """The fields that differ from the stored ones (an echoed-back value is no change)."""
    changes: dict[str, Any] = {}
    for field in ("account_type", "username", "trusted", "enabled", "org_bound", "contacts"):
        value = getattr(data, field)
        if value is not None and value != getattr(current, field):
            changes[field] = value
    if data.org_unit is not None and data.org_unit.model_dump() != current.org_unit.model_dump():
        changes["org_unit"] = data.org_unit
    if data.permissions is not None and [g.model_dump() for g in data.permissions] != [
        g.model_dump() for g in current.permissions
    ]:
        changes["permissions"] = data.permissions
    if "username" in changes:
        username = changes["username"]
        changes["username_key"] = username_key(username) if is_encodable(username) else ""
    return changes


async def _validate_update(
    deps: Dependencies,
    caller: Caller,
    after: Account,
    changes: dict[str, Any],
    password: str | None,
) -> None:
    if "username" in changes:
        check_username(after.username)
    if "contacts" in changes:
        check_contacts(after.contacts)
    if "org_unit" in changes:
        _check_unit(caller, after.org_unit)
    if changes.keys() & {"permissions", "account_type"}:
        await _check_systems(after)
    if password is not None:
        check_password(password, deps.common_passwords)


def _update_events(changes: dict[str, Any]) -> list[str]:
    """What a consumer needs to hear: a set password, a disable or enable, any other edit."""
    events = []
    if changes.keys() - {"password_hash", "reset", "enabled"}:
        events.append("accounts.account.updated")
    if "enabled" in changes:
        events.append("accounts.account." + ("enabled" if changes["enabled"] else "disabled"))
    if "password_hash" in changes:
        events.append("accounts.account.password_changed")
    return events


def _set_update(after: Account, changes: dict[str, Any]) -> dict[str, Any]:
    update: dict[str, Any] = {"$set": after.model_dump(include=set(changes))}
    if changes.keys() & REVOKING_FIELDS:
        update["$inc"] = {"token_version": 1}
    return update


async def update_account(*, deps: Dependencies, caller: Caller, data: AccountUpdate) -> Account:
    """Change what differs; answers the account after the change."""
    caller.require(ACCOUNTS, PermissionLevel.WRITE)
    password_hash: str | None = None
    for _ in range(WRITE_ATTEMPTS):
        current = await _load(caller, data.id)
        changes = _changes(current, data)
        if "org_unit" in changes:
            _check_org_refs(caller, changes["org_unit"])
        after = current.model_copy(update=changes)
        if not caller.is_superuser and changes.keys() & {"account_type", "trusted"}:
            raise Forbidden("forbidden", "Only a SuperUser may change account_type or trusted")
        _require_within(caller, current, after)
        _check_self_change(caller, current, after)
        await _validate_update(deps, caller, after, changes, data.password)
        if data.password is not None:
            password_hash = password_hash or await deps.hasher.hash(data.password)
            changes.update(password_hash=password_hash, reset=None)
            after = current.model_copy(update=changes)
        if not changes:
            return current
        written = await _write(
            deps, caller, current, after, _set_update(after, changes), _update_events(changes)
        )
        if written is not None:
            return written
    raise Conflict("conflict", "The account changed meanwhile; try again")


async def _write(
    deps: Dependencies,
    caller: Caller,
    current: Account,
    after: Account,
    update: dict[str, Any],
    event_types: list[str],
) -> Account | None:
    """Write a decided change with its events; None when the account moved meanwhile."""
    data = after.public_fields()
    events = [new_event(t, current.account_id, data, actor_id=caller.id) for t in event_types]
    try:
        raw = await write_change(
            _collection(),
            match={"_id": current.id, "version": current.version},
            update=update,
            events=events,
        )
    except OperationFailure as error:
        if _is_duplicate_key(error):
            raise Conflict("conflict", "That username is taken") from None
        raise
    if raw is None:
        return None
    deps.wake_outbox()
    if "$inc" in update and "token_version" in update["$inc"]:
        await revoke_all_sessions(current.account_id)
    return Account.model_validate(raw)


# --- actions on one account --------------------------------------------------------------


async def _set_enabled(
    *, deps: Dependencies, caller: Caller, account_id: str, enabled: bool
) -> Account:
    caller.require(ACCOUNTS, PermissionLevel.WRITE)
    for _ in range(WRITE_ATTEMPTS):
        current = await _load(caller, account_id)
        after = current.model_copy(update={"enabled": enabled})
        _require_within(caller, current)
        _check_self_change(caller, current, after)
        if current.enabled == enabled:
            return current
        event_type = "accounts.account.enabled" if enabled else "accounts.account.disabled"
        update = _set_update(after, {"enabled": enabled})
        written = await _write(deps, caller, current, after, update, [event_type])
        if written is not None:
            return written
    raise Conflict("conflict", "The account changed meanwhile; try again")


async def disable_account(*, deps: Dependencies, caller: Caller, account_id: str) -> Account:
    return await _set_enabled(deps=deps, caller=caller, account_id=account_id, enabled=False)


async def enable_account(*, deps: Dependencies, caller: Caller, account_id: str) -> Account:
    return await _set_enabled(deps=deps, caller=caller, account_id=account_id, enabled=True)


async def unlock_account(*, deps: Dependencies, caller: Caller, account_id: str) -> None:
    """Lift the login throttling of the account's username (no event: no account change)."""
    caller.require(ACCOUNTS, PermissionLevel.WRITE)
    account = await _load(caller, account_id)
    _require_within(caller, account)
    await LoginThrottle(deps.settings).clear_username(account.username_key)


async def revoke_account_tokens(*, deps: Dependencies, caller: Caller, account_id: str) -> None:
    """End every session and access token of the account (no event: no public field moves)."""
    caller.require(ACCOUNTS, PermissionLevel.WRITE)
    account = await _load(caller, account_id)
    _require_within(caller, account)
    written = await write_change(
        _collection(), match={"_id": account.id}, update={"$inc": {"token_version": 1}}, events=[]
    )
    if written is None:
        raise NotFound("not_found", "No such account")
    await revoke_all_sessions(account.account_id)

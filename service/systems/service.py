"""The systems registry: services whose resources accounts hold permissions on (both APIs)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from service.accounts.documents import Account, PermissionLevel
from service.auth.caller import Caller
from service.core.errors import Conflict, Forbidden, NotFound, invalid_field
from service.core.ids import is_client_id, is_storable_key
from service.core.outbox import new_event, retry_lost_races, write_change
from service.core.paging import check_paging
from service.dependencies import Dependencies
from service.systems.documents import SERVICE_RESOURCES, SERVICE_SYSTEM_ID, System
from service.tombstones import bury, insert_or_revive

RESOURCE = "systems"
SORT_FIELDS = ("id", "name")
MAX_ATTEMPTS = 20
NOT_DELETED: dict[str, Any] = {"deleted": {"$ne": True}}

ServiceConfig = dict[str, dict[str, str]]


class SystemCreate(BaseModel):
    id: str
    name: str
    service_id: str | None = None
    user_types: list[str] = Field(default_factory=list)
    resources: list[str] = Field(default_factory=list)
    service_config: ServiceConfig = Field(default_factory=dict)


class SystemUpdate(BaseModel):
    """``None`` leaves a field unchanged; lists and ``service_config`` are replaced whole."""

    name: str | None = None
    service_id: str | None = None
    user_types: list[str] | None = None
    resources: list[str] | None = None
    service_config: ServiceConfig | None = None


class SystemQuery(BaseModel):
    id: str | None = None
    name: str | None = None
    sort_field: str = "id"
    sort_direction: int = 1
    page: int = 1
    limit: int = 20


@dataclass(frozen=True)
class SystemPage:
    items: list[System]
    total: int
    page: int
    limit: int


def parse_input(model: type[SystemCreate] | type[SystemUpdate], data: dict[str, Any]) -> Any:
    """Build a service input from loosely typed data (GraphQL JSON); a bad shape is 422."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "input"
        raise invalid_field(field, first["msg"]) from None


# --- reads -------------------------------------------------------------------------------


def _validate_query(query: SystemQuery) -> None:
    check_paging(
        sort_fields=SORT_FIELDS,
        sort_field=query.sort_field,
        sort_direction=query.sort_direction,
        page=query.page,
        limit=query.limit,
    )


async def list_systems(*, caller: Caller, query: SystemQuery) -> SystemPage:
    caller.require(RESOURCE, PermissionLevel.READ)
    _validate_query(query)
    match: dict[str, Any] = dict(NOT_DELETED)
    if query.id is not None:
        match["_id"] = query.id
    if query.name:
        match["name"] = {"$regex": re.escape(query.name), "$options": "i"}
    collection = System.get_pymongo_collection()
    total = await collection.count_documents(match)
    sort_key = "_id" if query.sort_field == "id" else "name"
    order = [(sort_key, query.sort_direction)]
    if sort_key != "_id":
        order.append(("_id", query.sort_direction))
    cursor = (
        collection.find(match).sort(order).skip((query.page - 1) * query.limit).limit(query.limit)
    )
    items = [System.model_validate(raw) async for raw in cursor]
    return SystemPage(items=items, total=total, page=query.page, limit=query.limit)


async def _document(system_id: str) -> System | None:
    raw = await System.get_pymongo_collection().find_one({"_id": system_id, **NOT_DELETED})
    return None if raw is None else System.model_validate(raw)


async def get_system(*, caller: Caller, system_id: str) -> System:
    caller.require(RESOURCE, PermissionLevel.READ)
    system = await _document(system_id)
    if system is None:
        raise NotFound("not_found", "No such system")
    return system


async def systems_by_ids(*, caller: Caller, ids: list[str]) -> list[System | None]:
    """Batched read for the graph: one query; absent is None."""
    caller.require(RESOURCE, PermissionLevel.READ)
    cursor = System.get_pymongo_collection().find(
        {"_id": {"$in": sorted(set(ids))}, **NOT_DELETED}, batch_size=len(ids) + 1
    )
    found = {raw["_id"]: System.model_validate(raw) async for raw in cursor}
    return [found.get(system_id) for system_id in ids]


# --- changes -----------------------------------------------------------------------------


def _validate_lists(user_types: list[str] | None, resources: list[str] | None) -> None:
    for name, values in (("user_types", user_types), ("resources", resources)):
        if values is None:
            continue
        if any(not value for value in values):
            raise invalid_field(name, "entries cannot be empty")
        if len(set(values)) != len(values):
            raise invalid_field(name, "entries must be unique")


def _validate_service_config(config: ServiceConfig | None) -> None:
    """Keys at both levels become stored field names: no ``$`` first, no ``.``, no NUL."""
    for service_key, settings in (config or {}).items():
        for key in (service_key, *settings):
            if not is_storable_key(key):
                raise invalid_field(
                    "service_config", "keys are 1-64 characters, without '$' first, '.' or NUL"
                )


def _validate_name(name: str | None) -> None:
    if name is not None and not name.strip():
        raise invalid_field("name", "cannot be empty")


async def create_system(*, deps: Dependencies, caller: Caller, data: SystemCreate) -> System:
    caller.require_superuser()
    if not is_client_id(data.id):
        raise invalid_field("id", "1-64 characters of A-Z a-z 0-9 _ - .")
    _validate_name(data.name)
    _validate_lists(data.user_types, data.resources)
    _validate_service_config(data.service_config)
    system = System(**data.model_dump())
    event = new_event(
        "accounts.system.created", system.id, system.public_fields(), actor_id=caller.id
    )
    collection = System.get_pymongo_collection()
    if not await insert_or_revive(collection, system.model_dump(by_alias=True), event):
        raise Conflict("conflict", "A system with this id exists")
    deps.wake_outbox()
    return system


def _changes(system: System, data: SystemUpdate) -> dict[str, Any]:
    sent = data.model_dump(exclude_none=True)
    return {key: value for key, value in sent.items() if getattr(system, key) != value}


async def update_system(
    *, deps: Dependencies, caller: Caller, system_id: str, data: SystemUpdate
) -> System:
    caller.require_superuser()

    async def attempt() -> System | None:
        system = await _document(system_id)
        if system is None:
            raise NotFound("not_found", "No such system")
        changes = _changes(system, data)
        if not changes:
            return system
        _validate_name(changes.get("name"))
        _validate_lists(changes.get("user_types"), changes.get("resources"))
        _validate_service_config(changes.get("service_config"))
        if system.id == SERVICE_SYSTEM_ID and "resources" in changes:
            missing = set(SERVICE_RESOURCES) - set(changes["resources"])
            if missing:
                raise invalid_field("resources", f"the service needs {sorted(missing)}")
        after = system.model_copy(update=changes)
        event = new_event(
            "accounts.system.updated", system.id, after.public_fields(), actor_id=caller.id
        )
        written = await write_change(
            System.get_pymongo_collection(),
            match={"_id": system.id, "version": system.version},
            update={"$set": changes},
            events=[event],
        )
        return None if written is None else System.model_validate(written)

    system = await retry_lost_races(attempt, what="The system")
    deps.wake_outbox()
    return system


async def delete_system(*, deps: Dependencies, caller: Caller, system_id: str) -> None:
    """Tombstone delete; the service's own system cannot go (403), nor one still granted (409)."""
    caller.require_superuser()

    async def attempt() -> bool | None:
        system = await _document(system_id)
        if system is None:
            raise NotFound("not_found", "No such system")
        if system.id == SERVICE_SYSTEM_ID:
            raise Forbidden("forbidden", "The service's own system cannot be deleted")
        holder = await Account.get_pymongo_collection().find_one(
            {"permissions.system_id": system.id, **NOT_DELETED}, {"_id": 1}
        )
        if holder is not None:
            raise Conflict("conflict", "Accounts still hold permissions on this system")
        event = new_event(
            "accounts.system.deleted", system.id, system.public_fields(), actor_id=caller.id
        )
        return await bury(
            System.get_pymongo_collection(),
            document_id=system.id,
            version=system.version,
            event=event,
        )

    await retry_lost_races(attempt, what="The system")
    deps.wake_outbox()

"""First start: the bootstrap organisation, the service's own system, the first SuperUser."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from pymongo.errors import DuplicateKeyError

from service.accounts.documents import (
    Account,
    AccountType,
    OrgUnit,
    username_key,
)
from service.core.clock import now_ms
from service.core.outbox import new_event
from service.dependencies import Dependencies
from service.organisations.documents import Organisation
from service.organisations.tree import bump_tree_version
from service.systems.documents import SERVICE_RESOURCES, SERVICE_SYSTEM_ID, System


@dataclass
class BootstrapReport:
    username: str | None = None
    generated_password: str | None = None


async def _ensure_organisation(org_id: str) -> None:
    if await Organisation.get(org_id) is not None:
        return
    now = now_ms()
    organisation = Organisation(id=org_id, name=org_id, created=now, updated=now)
    event = new_event(
        "accounts.organisation.created",
        org_id,
        {**organisation.stored_fields(), "children": []},
        actor_id=None,
    )
    try:
        await Organisation.get_pymongo_collection().insert_one(
            {**organisation.model_dump(by_alias=True), "pending_events": [event]}
        )
    except DuplicateKeyError:
        return
    await bump_tree_version()


async def _ensure_service_system() -> None:
    if await System.get(SERVICE_SYSTEM_ID) is not None:
        return
    system = System(id=SERVICE_SYSTEM_ID, name="Accounts service", resources=SERVICE_RESOURCES)
    event = new_event("accounts.system.created", system.id, system.public_fields(), actor_id=None)
    try:
        await System.get_pymongo_collection().insert_one(
            {**system.model_dump(by_alias=True), "pending_events": [event]}
        )
    except DuplicateKeyError:
        return


async def _ensure_superuser(deps: Dependencies) -> BootstrapReport:
    if await Account.get_pymongo_collection().find_one({}, {"_id": 1}) is not None:
        return BootstrapReport()
    settings = deps.settings
    password = settings.bootstrap_password or secrets.token_urlsafe(15)
    account = Account(
        account_type=AccountType.SUPER_USER,
        username=settings.bootstrap_username,
        username_key=username_key(settings.bootstrap_username),
        password_hash=await deps.hasher.hash(password),
        org_unit=OrgUnit(org_id=settings.bootstrap_org),
        created_on=now_ms(),
    )
    event = new_event(
        "accounts.account.created", account.account_id, account.public_fields(), actor_id=None
    )
    try:
        await Account.get_pymongo_collection().insert_one(
            {**account.model_dump(by_alias=True), "pending_events": [event]}
        )
    except DuplicateKeyError:
        return BootstrapReport()
    generated = None if settings.bootstrap_password else password
    return BootstrapReport(username=account.username, generated_password=generated)


async def bootstrap(deps: Dependencies) -> BootstrapReport:
    await _ensure_organisation(deps.settings.bootstrap_org)
    await _ensure_service_system()
    report = await _ensure_superuser(deps)
    deps.wake_outbox()
    return report

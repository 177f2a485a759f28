"""GraphQL types of the accounts domain."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from service.accounts.documents import Account
from service.auth.service import access_to
from service.core.clock import ms_to_datetime, now_ms
from service.core.graphql import context_of

if TYPE_CHECKING:  # graph edges to other domains' types, resolved lazily
    from service.organisations.types import OrganisationNode
    from service.systems.types import SystemNode


@strawberry.enum(name="AccountType")
class AccountTypeValue(Enum):
    User = "User"
    SuperUser = "SuperUser"
    System = "System"
    Service = "Service"
    Provider = "Provider"


@strawberry.enum(name="Permission")
class PermissionValue(Enum):
    Read = "Read"
    Write = "Write"
    Admin = "Admin"


@strawberry.type(name="OrgUnit")
class OrgUnitType:
    org_id: strawberry.ID
    unit_id: str | None
    org_list: list[strawberry.ID]


@strawberry.type(name="ResourcePermission")
class ResourcePermissionType:
    resource_id: str
    permission: PermissionValue


@strawberry.type(name="SystemPermission")
class SystemPermissionType:
    system_id: strawberry.ID
    permissions: list[ResourcePermissionType]

    @strawberry.field(description="The system; null when it no longer exists.")
    async def system(
        self, info: Info[Any, Any]
    ) -> Annotated[SystemNode, strawberry.lazy("service.systems.types")] | None:
        from service.systems.types import system_of

        return await system_of(info, str(self.system_id))


@strawberry.type(name="AccessTo")
class AccessToType:
    org_id: strawberry.ID
    unit_ids: list[str]
    brandpath_list: list[str]


@strawberry.type(name="Account")
class AccountNode:
    id: strawberry.ID
    account_type: AccountTypeValue
    system_id: strawberry.ID | None
    username: str
    org_unit: OrgUnitType
    org_bound: bool
    permissions: list[SystemPermissionType]
    enabled: bool
    trusted: bool
    created_on: datetime
    last_logged_in: datetime | None
    pending_password_reset: bool
    contacts: JSON
    oauth_sub: str | None
    oauth_provider_id: str | None
    document: strawberry.Private[Account]

    @strawberry.field(description="The home organisation; null when outside your scope.")
    async def organisation(
        self, info: Info[Any, Any]
    ) -> Annotated[OrganisationNode, strawberry.lazy("service.organisations.types")] | None:
        from service.organisations.types import organisation_of

        return await organisation_of(info, self.document.org_unit.org_id)

    @strawberry.field(description="The system of a System or Provider account.")
    async def system(
        self, info: Info[Any, Any]
    ) -> Annotated[SystemNode, strawberry.lazy("service.systems.types")] | None:
        from service.systems.types import system_of

        return await system_of(info, self.document.system_id)

    @strawberry.field
    async def access_to(self, info: Info[Any, Any]) -> AccessToType:
        tree = await context_of(info).tree()
        result = access_to(self.document, tree)
        return AccessToType(
            org_id=strawberry.ID(result.org_id),
            unit_ids=result.unit_ids,
            brandpath_list=result.brandpath_list,
        )

    @classmethod
    def from_document(cls, account: Account) -> AccountNode:
        return cls(
            id=strawberry.ID(account.account_id),
            account_type=AccountTypeValue(account.account_type.value),
            system_id=strawberry.ID(account.system_id) if account.system_id else None,
            username=account.username,
            org_unit=OrgUnitType(
                org_id=strawberry.ID(account.org_unit.org_id),
                unit_id=account.org_unit.unit_id,
                org_list=[strawberry.ID(o) for o in account.org_unit.org_list],
            ),
            org_bound=account.org_bound,
            permissions=[
                SystemPermissionType(
                    system_id=strawberry.ID(grant.system_id),
                    permissions=[
                        ResourcePermissionType(
                            resource_id=p.resource_id,
                            permission=PermissionValue(p.permission.value),
                        )
                        for p in grant.permissions
                    ],
                )
                for grant in account.permissions
            ],
            enabled=account.enabled,
            trusted=account.trusted,
            created_on=ms_to_datetime(account.created_on),  # type: ignore[arg-type]
            last_logged_in=ms_to_datetime(account.last_logged_in),
            pending_password_reset=account.pending_reset(now_ms()) is not None,
            contacts=cast(JSON, dict(account.contacts)),
            oauth_sub=account.oauth_sub,
            oauth_provider_id=account.oauth_provider_id,
            document=account,
        )

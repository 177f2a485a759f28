"""GraphQL inputs, filters, sorts and the page type of the accounts domain."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from pydantic import StrictStr, TypeAdapter, ValidationError
from strawberry.scalars import JSON

from service.accounts.documents import (
    Account,
    AccountType,
    OrgUnit,
    PermissionLevel,
    ResourcePermission,
    SystemPermissions,
)
from service.accounts.service import AccountCreate, AccountUpdate
from service.accounts.types import AccountNode, AccountTypeValue, PermissionValue
from service.core.errors import invalid_field


@strawberry.enum(name="SortDirection")
class SortDirection(Enum):
    ASC = 1
    DESC = -1


@strawberry.enum(name="AccountSortField")
class AccountSortField(Enum):
    USERNAME = "username"
    CREATED_ON = "created_on"
    LAST_LOGGED_IN = "last_logged_in"
    ACCOUNT_TYPE = "account_type"
    ID = "id"


@strawberry.input(name="AccountSort")
class AccountSort:
    field: AccountSortField = AccountSortField.USERNAME
    direction: SortDirection = SortDirection.ASC


@strawberry.input(name="AccountFilter")
class AccountFilter:
    account_types: list[AccountTypeValue] | None = None
    ids: list[strawberry.ID] | None = None
    org_id: strawberry.ID | None = None
    search: str | None = None


@strawberry.type(name="AccountPage")
class AccountPage:
    items: list[AccountNode]
    total: int
    page: int
    limit: int

    @classmethod
    def of(cls, accounts: list[Account], total: int, page: int, limit: int) -> AccountPage:
        return cls(
            items=[AccountNode.from_document(account) for account in accounts],
            total=total,
            page=page,
            limit=limit,
        )


@strawberry.input(name="OrgUnitInput")
class OrgUnitInput:
    org_id: strawberry.ID
    unit_id: str | None = None
    org_list: list[strawberry.ID] = strawberry.field(default_factory=list)

    def to_model(self) -> OrgUnit:
        return OrgUnit(
            org_id=str(self.org_id),
            unit_id=self.unit_id,
            org_list=[str(org_id) for org_id in self.org_list],
        )


@strawberry.input(name="ResourcePermissionInput")
class ResourcePermissionInput:
    resource_id: str
    permission: PermissionValue


@strawberry.input(name="SystemPermissionInput")
class SystemPermissionInput:
    system_id: strawberry.ID
    permissions: list[ResourcePermissionInput] = strawberry.field(default_factory=list)


def _permissions(grants: list[SystemPermissionInput]) -> list[SystemPermissions]:
    return [
        SystemPermissions(
            system_id=str(grant.system_id),
            permissions=[
                ResourcePermission(
                    resource_id=p.resource_id, permission=PermissionLevel(p.permission.value)
                )
                for p in grant.permissions
            ],
        )
        for grant in grants
    ]


_CONTACTS = TypeAdapter(dict[StrictStr, StrictStr])


def _contacts(value: Any) -> dict[str, str] | None:
    """``contacts`` is a JSON scalar: it must still be a map of strings."""
    if value is None:
        return None
    try:
        return _CONTACTS.validate_python(value)
    except ValidationError:
        raise invalid_field("contacts", "must be an object of string values") from None


@strawberry.input(name="CreateAccountInput")
class CreateAccountInput:
    account_type: AccountTypeValue = AccountTypeValue.User
    system_id: strawberry.ID | None = None
    username: str
    password: str
    org_unit: OrgUnitInput
    org_bound: bool | None = None
    permissions: list[SystemPermissionInput] = strawberry.field(default_factory=list)
    trusted: bool | None = None
    contacts: JSON | None = None

    def to_model(self) -> AccountCreate:
        return AccountCreate(
            account_type=AccountType(self.account_type.value),
            system_id=str(self.system_id) if self.system_id is not None else None,
            username=self.username,
            password=self.password,
            org_unit=self.org_unit.to_model(),
            org_bound=self.org_bound,
            permissions=_permissions(self.permissions),
            trusted=self.trusted,
            contacts=_contacts(self.contacts),
        )


@strawberry.input(name="UpdateAccountInput", description="Absent or null leaves a field as is.")
class UpdateAccountInput:
    id: strawberry.ID
    account_type: AccountTypeValue | None = None
    username: str | None = None
    password: str | None = None
    org_unit: OrgUnitInput | None = None
    permissions: list[SystemPermissionInput] | None = None
    trusted: bool | None = None
    enabled: bool | None = None
    contacts: JSON | None = None
    org_bound: bool | None = None

    def to_model(self) -> AccountUpdate:
        return AccountUpdate(
            id=str(self.id),
            account_type=AccountType(self.account_type.value) if self.account_type else None,
            username=self.username,
            password=self.password,
            org_unit=self.org_unit.to_model() if self.org_unit else None,
            permissions=_permissions(self.permissions) if self.permissions is not None else None,
            trusted=self.trusted,
            enabled=self.enabled,
            contacts=_contacts(self.contacts),
            org_bound=self.org_bound,
        )

"""GraphQL types of the systems domain."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from service.accounts.inputs import SortDirection
from service.core.graphql import context_of
from service.systems.documents import System
from service.systems.loaders import system_loader
from service.systems.service import SystemCreate, SystemPage, SystemUpdate, parse_input


@strawberry.type(name="System")
class SystemNode:
    id: strawberry.ID
    name: str
    service_id: str | None
    user_types: list[str]
    resources: list[str]
    service_config: JSON

    @classmethod
    def from_document(cls, system: System) -> SystemNode:
        config: Any = {key: dict(value) for key, value in system.service_config.items()}
        return cls(
            id=strawberry.ID(system.id),
            name=system.name,
            service_id=system.service_id,
            user_types=list(system.user_types),
            resources=list(system.resources),
            service_config=config,
        )


@strawberry.type(name="SystemPage")
class SystemPageType:
    items: list[SystemNode]
    total: int
    page: int
    limit: int

    @classmethod
    def of(cls, page: SystemPage) -> SystemPageType:
        return cls(
            items=[SystemNode.from_document(system) for system in page.items],
            total=page.total,
            page=page.page,
            limit=page.limit,
        )


@strawberry.enum(name="SystemSortField")
class SystemSortField(Enum):
    ID = "id"
    NAME = "name"


@strawberry.input(name="SystemFilter")
class SystemFilter:
    id: strawberry.ID | None = None
    name: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the name."
    )


@strawberry.input(name="SystemSort")
class SystemSort:
    field: SystemSortField = SystemSortField.ID
    direction: SortDirection = SortDirection.ASC


@strawberry.input(name="CreateSystemInput")
class CreateSystemInput:
    id: strawberry.ID
    name: str
    service_id: str | None = None
    user_types: list[str] = strawberry.field(default_factory=list)
    resources: list[str] = strawberry.field(default_factory=list)
    service_config: JSON | None = None

    def to_model(self) -> SystemCreate:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "service_id": self.service_id,
            "user_types": self.user_types,
            "resources": self.resources,
            "service_config": self.service_config or {},
        }
        return parse_input(SystemCreate, data)  # type: ignore[no-any-return]


@strawberry.input(name="UpdateSystemInput", description="Absent or null leaves a field as is.")
class UpdateSystemInput:
    name: str | None = None
    service_id: str | None = None
    user_types: list[str] | None = None
    resources: list[str] | None = None
    service_config: JSON | None = None

    def to_model(self) -> SystemUpdate:
        data: dict[str, Any] = {
            "name": self.name,
            "service_id": self.service_id,
            "user_types": self.user_types,
            "resources": self.resources,
            "service_config": self.service_config,
        }
        return parse_input(SystemUpdate, data)  # type: ignore[no-any-return]


async def system_of(info: Info[Any, Any], system_id: str | None) -> SystemNode | None:
    """The system for an edge from another type (null when absent)."""
    if system_id is None:
        return None
    system = await system_loader(context_of(info)).load(system_id)
    return None if system is None else SystemNode.from_document(system)

"""Organisation documents and the tree version that tags every cached copy of the tree."""

from __future__ import annotations

from typing import Any

import pymongo
from beanie import Document
from pydantic import Field
from pymongo import IndexModel

from service.core.outbox import OutboxFields

TREE_VERSION_ID = "organisation_tree"


class Organisation(Document, OutboxFields):
    id: str  # type: ignore[assignment]
    name: str | None = None
    parent_id: str | None = None
    enabled: bool = True
    base_currency: str | None = None
    units: list[str] = Field(default_factory=list)
    created: int
    updated: int

    class Settings:
        name = "organisations"
        indexes = [
            IndexModel([("parent_id", pymongo.ASCENDING)], name="parent"),
            IndexModel([("pending_events.0.id", pymongo.ASCENDING)], name="outbox_pending"),
        ]

    def stored_fields(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "parent_id": self.parent_id,
            "enabled": self.enabled,
            "base_currency": self.base_currency,
            "units": list(self.units),
            "created": self.created,
            "updated": self.updated,
        }


class TreeVersion(Document):
    """One document whose counter moves with every change of the organisation tree.

    ``move_owner``/``move_until`` are the lease of the one move being written (see
    service.organisations.tree.claim_tree_for_move).
    """

    id: str = TREE_VERSION_ID  # type: ignore[assignment]
    version: int = 0
    move_owner: str | None = None
    move_until: int = 0

    class Settings:
        name = "organisation_tree_version"

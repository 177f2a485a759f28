"""The System document: a service whose resources accounts hold permissions on."""

from __future__ import annotations

from typing import Any

import pymongo
from beanie import Document
from pydantic import Field
from pymongo import IndexModel

from service.core.outbox import OutboxFields

SERVICE_SYSTEM_ID = "accounts"
SERVICE_RESOURCES = ["accounts", "organisations", "systems", "oauth_providers"]


class System(Document, OutboxFields):
    id: str  # type: ignore[assignment]
    name: str
    service_id: str | None = None
    user_types: list[str] = Field(default_factory=list)
    resources: list[str] = Field(default_factory=list)
    service_config: dict[str, dict[str, str]] = Field(default_factory=dict)

    class Settings:
        name = "systems"
        indexes = [IndexModel([("pending_events.0.id", pymongo.ASCENDING)], name="outbox_pending")]

    def public_fields(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "service_id": self.service_id,
            "user_types": list(self.user_types),
            "resources": list(self.resources),
            "service_config": {k: dict(v) for k, v in self.service_config.items()},
        }

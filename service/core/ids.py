"""Identifier rules shared by every domain."""

from __future__ import annotations

import re

from bson import ObjectId
from bson.errors import InvalidId

CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
ACCOUNT_ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")


def parse_account_id(value: object) -> ObjectId | None:
    """An account id is 24 lowercase hex characters; anything else is None."""
    if not isinstance(value, str) or not ACCOUNT_ID_PATTERN.match(value):
        return None
    try:
        return ObjectId(value)
    except InvalidId:
        return None


def is_client_id(value: object) -> bool:
    """Organisation, unit, system and provider ids: 1-64 of ``A-Z a-z 0-9 _ - .``."""
    return isinstance(value, str) and bool(CLIENT_ID_PATTERN.match(value))


def is_storable_key(key: str, max_length: int = 64) -> bool:
    """A free-form map key that can be stored as a document field name.

    MongoDB refuses field names starting with ``$`` or holding ``.``; NUL ends a C string.
    """
    return (
        1 <= len(key) <= max_length
        and not key.startswith("$")
        and "." not in key
        and ("\x00" not in key)
    )

"""Every legacy router, in the order they are mounted."""

from __future__ import annotations

from fastapi import APIRouter

from rest_compat import accounts, auth, oauth, organisations, systems

ALL: list[APIRouter] = [
    auth.router,
    accounts.router,
    organisations.router,
    systems.router,
    oauth.router,
]

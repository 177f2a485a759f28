"""Every legacy router, in the order they are mounted."""

from __future__ import annotations

from fastapi import APIRouter

from rest_compat import auth

ALL: list[APIRouter] = [auth.router]

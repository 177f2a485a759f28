"""Accounts and identity service."""

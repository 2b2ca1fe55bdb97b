"""Tests: fast hashing (Argon2 is slow on purpose), deterministic settings."""

from __future__ import annotations

from detoxflow.settings.base import *  # noqa: F403  (settings modules extend their base by design)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False

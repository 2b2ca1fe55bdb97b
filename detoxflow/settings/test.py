"""Tests: fast hashing (Argon2 is slow on purpose), deterministic settings."""

from __future__ import annotations

import tempfile
from pathlib import Path

from detoxflow.settings.base import *  # noqa: F403  (settings modules extend their base by design)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
# Checkpoints go to a throwaway folder, never into the source tree.
AUDIT_CHECKPOINT_FILE = Path(tempfile.mkdtemp(prefix="detoxflow-audit-")) / "checkpoints.jsonl"

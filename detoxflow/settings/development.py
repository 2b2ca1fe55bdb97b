"""Local demo: debug pages on, the embedded SQLite database."""

from __future__ import annotations

from detoxflow.settings.base import *  # noqa: F403  (settings modules extend their base by design)
from detoxflow.settings.env import env_bool

DEBUG = env_bool("DEBUG", True)

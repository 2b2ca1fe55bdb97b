"""`manage.py flush` that can empty the append-only audit table: tests and benchmarks start from nothing.

Django's flush with the audit triggers stepped aside (audit.services.audit_maintenance); nothing else
changes. pytest-django's transactional tests call it by name, so they get this one.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from detoxflow.audit.services import audit_maintenance


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with audit_maintenance():
            super().handle(**options)

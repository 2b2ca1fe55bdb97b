"""`manage.py audit verify`: walk the hash chain and report any break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from detoxflow.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' checks that no event was edited, inserted or removed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.intact:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"Audit chain broken: {len(report.problems)} problem(s) in {report.checked} events.")
        self.stdout.write(f"Audit chain intact: {report.checked} events verified.")

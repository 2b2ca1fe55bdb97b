"""`manage.py audit verify [--checkpoints]` and `manage.py audit checkpoint`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from detoxflow.audit.services import verify_chain, verify_checkpoints, write_checkpoints


class Command(BaseCommand):
    help = (
        "Audit trail tools. 'verify' checks that no event was edited, inserted or removed (with --checkpoints, "
        "also against the signed checkpoints outside the database); 'checkpoint' writes every chain's head there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify", "checkpoint"])
        parser.add_argument("--checkpoints", action="store_true", help="Also hold the database against the file.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "checkpoint":
            written = write_checkpoints()
            self.stdout.write(f"Wrote {len(written)} checkpoint(s).")
            return
        report = verify_chain()
        problems = list(report.problems)
        checked = f"{report.checked} events"
        if options["checkpoints"]:
            against = verify_checkpoints()
            problems += against.problems
            checked += f" and {against.checked} checkpoints"
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"Audit chain broken: {len(problems)} problem(s) in {checked}.")
        self.stdout.write(f"Audit chain intact: {checked} verified.")

"""`manage.py seed`: synthetic facilities for the demo and the benchmarks, with bulk inserts."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from detoxflow.audit.services import record_event
from detoxflow.demo.synthetic import DEMO_PASSWORD, DEMO_STAFF, seed


class Command(BaseCommand):
    help = "Create synthetic facilities, staff, patients and episodes. The first facility gets the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--facilities", type=int, default=1)
        parser.add_argument("--patients-per-facility", type=int, default=240)
        parser.add_argument("--history-days", type=int, default=90)
        parser.add_argument("--random-seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("facilities", "patients_per_facility", "history_days"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1 (got {options[name]}).")
        started = time.perf_counter()
        counts = seed(
            options["facilities"],
            patients_per_facility=options["patients_per_facility"],
            history_days=options["history_days"],
            now=timezone.now(),
            seed_value=options["random_seed"],
        )
        elapsed = time.perf_counter() - started
        record_event(
            actor=None,
            user_name="seed",
            action="demo.seed",
            detail={"facilities": counts.facilities, "patients": counts.patients},
        )
        self.stdout.write(
            f"Seeded {counts.facilities} facilities, {counts.users} staff, {counts.patients} patients, "
            f"{counts.episodes} episodes, {counts.transitions} stage changes: {counts.rows} rows in "
            f"{elapsed:.1f} s ({counts.rows / elapsed:,.0f} rows/s)."
        )
        if options["verbosity"] >= 1:
            self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
            for username, first, last, role in DEMO_STAFF:
                self.stdout.write(f"  {username:<10} {role.label:<20} {first} {last}")

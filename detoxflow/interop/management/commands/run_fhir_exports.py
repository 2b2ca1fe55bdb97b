"""`manage.py run_fhir_exports`: run queued bulk exports, for deployments that keep them off the web process."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from detoxflow.interop.fhir import bulk
from detoxflow.interop.models import BulkExport, ExportStatus


class Command(BaseCommand):
    help = "Run queued FHIR bulk exports, oldest first; with --watch, keep polling for new ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--watch", action="store_true", help="Poll every few seconds instead of exiting.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            queued = list(
                BulkExport.objects.filter(status=ExportStatus.QUEUED)
                .order_by("requested_at")
                .values_list("pk", flat=True)
            )
            for export_id in queued:
                bulk.run(export_id)
                done = BulkExport.objects.get(pk=export_id)
                self.stdout.write(f"{export_id}: {done.status}, {done.written} resources")
            if not options["watch"]:
                return
            time.sleep(5)

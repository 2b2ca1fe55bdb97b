"""`python -m detoxflow audit verify` and any other management command."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detoxflow.settings.development")
    from django.core.management import execute_from_command_line  # noqa: PLC0415  (after the settings module is chosen)

    execute_from_command_line(["detoxflow", *sys.argv[1:]])


if __name__ == "__main__":
    main()

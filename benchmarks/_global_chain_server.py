"""Benchmark only: a management command run with the audit trail emulating the old single global chain.

Before issue 13 the audit trail was ONE chain: every audited append (page views included) locked the one
chain-head row, so a write in any facility waited for every other facility's open write to commit. It is now
one chain per facility and `detoxflow.audit.services._locked_head(chain)` locks only that facility's head.
benchmarks/charting.py measures the difference; for its "before" figure it starts the server through this
module, which, after `django.setup()`, makes every append first lock ONE shared row, the chain 0 head
(created if missing, as `_locked_head` creates any head), and only then its facility's own head. Lock
order is always chain 0 first, so the emulation cannot deadlock, and the shared lock is held to the end of
the service's transaction, exactly as the global head was: every facility queues behind one lock again.
The only extra cost against the old code is one indexed `SELECT ... FOR UPDATE` per append.

Nothing in the application imports this module and no setting enables it; the production path is unchanged.

    .venv/bin/python -m benchmarks._global_chain_server runserver 127.0.0.1:8000 --noreload
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detoxflow.settings.development")

import django  # noqa: E402  (settings must be chosen before Django loads)

django.setup()

from django.core.management import execute_from_command_line  # noqa: E402

from detoxflow.audit import services  # noqa: E402
from detoxflow.audit.models import AuditChainHead  # noqa: E402

GLOBAL_CHAIN = 0  # the row every append locks first; chain 0 (no facility) exists in every database
_own_head = services._locked_head


def _globally_locked_head(chain: int) -> AuditChainHead:
    """Lock the one shared head, then the chain's own: the single global chain's serialisation, emulated."""
    shared = _own_head(GLOBAL_CHAIN)
    return shared if chain == GLOBAL_CHAIN else _own_head(chain)


def main() -> None:
    services._locked_head = _globally_locked_head  # record_event looks the name up at call time
    execute_from_command_line(["detoxflow", *sys.argv[1:]])


if __name__ == "__main__":
    main()

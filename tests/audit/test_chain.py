"""The audit chain: appends link up, edits and deletions are refused and, if forced, detected."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AppendOnlyError, AuditEvent
from detoxflow.audit.services import GENESIS_HASH, record_event, verify_chain


@pytest.fixture
def events(staff):
    nurse = staff[Role.NURSE]
    return [
        record_event(actor=nurse, action="patient.view", patient_id=7, address="10.0.0.5", detail={"n": n})
        for n in range(4)
    ]


def _force(sql, params):
    """Change the table behind the application's back, as a database superuser could."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Replica mode skips triggers: the strongest tampering the chain must still detect.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def test_events_link_each_to_the_previous_hash(events):
    assert events[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    report = verify_chain()
    assert report.intact
    assert report.checked == 4


def test_event_records_who_role_and_address(events, staff):
    event = AuditEvent.objects.get(pk=events[0].pk)
    assert (event.user_name, event.role, event.client_address, event.facility_id) == (
        "nora",
        "nurse",
        "10.0.0.5",
        staff["nurse"].facility_id,
    )


def test_the_application_cannot_update_or_delete_an_event(events):
    event = events[0]
    event.action = "something else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.postgres_only
def test_postgres_refuses_raw_sql_updates(events):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists only on PostgreSQL")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [events[0].pk])


def test_verify_detects_an_edited_event(events):
    _force("UPDATE audit_auditevent SET user_name = 'someone' WHERE id = %s", [events[1].pk])
    report = verify_chain()
    assert not report.intact
    assert any(f"event {events[1].pk}: contents do not match" in p for p in report.problems)


def test_verify_detects_a_deleted_event_in_the_middle(events):
    _force("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    report = verify_chain()
    assert any(f"event {events[2].pk}: previous hash does not match" in p for p in report.problems)


def test_verify_detects_the_newest_event_deleted(events):
    _force("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    report = verify_chain()
    assert not report.intact
    assert any("chain head records 4 events but 3 are stored" in p for p in report.problems)


def test_verify_command_reports_success_and_failure(events, capsys):
    call_command("audit", "verify")
    assert "Audit chain intact: 4 events verified." in capsys.readouterr().out
    _force("UPDATE audit_auditevent SET outcome = 'denied' WHERE id = %s", [events[0].pk])
    with pytest.raises(CommandError, match="Audit chain broken"):
        call_command("audit", "verify")

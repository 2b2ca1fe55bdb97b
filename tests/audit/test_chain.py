"""The audit chain: appends link up, edits and deletions are refused and, if forced, detected."""

import json
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from detoxflow.audit.services import (
    GENESIS_HASH,
    event_hash,
    read_checkpoints,
    record_event,
    verify_chain,
    verify_checkpoints,
    write_checkpoints,
)


@pytest.fixture
def events(staff):
    nurse = staff[Role.NURSE]
    return [
        record_event(actor=nurse, action="patient.view", patient_id=7, address="10.0.0.5", detail={"n": n})
        for n in range(4)
    ]


def _force(sql, params=()):
    """Change the table behind the application's back, as a database superuser could."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Replica mode skips triggers: the strongest tampering the chain must still detect.
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("INSERT INTO audit_maintenance (since) VALUES ('tamper')")
        cursor.execute(sql, params)
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM audit_maintenance")


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
    assert any("the chain head records 4 events but 3 are stored" in p for p in report.problems)


def test_verify_command_reports_success_and_failure(events, capsys):
    call_command("audit", "verify")
    assert "Audit chain intact: 4 events verified." in capsys.readouterr().out
    _force("UPDATE audit_auditevent SET outcome = 'denied' WHERE id = %s", [events[0].pk])
    with pytest.raises(CommandError, match="Audit chain broken"):
        call_command("audit", "verify")


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"],
    ids=["update", "delete"],
)
def test_the_database_itself_refuses_updates_and_deletes(events, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.count() == 4


@pytest.mark.postgres_only
def test_postgres_refuses_truncate(events):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")


def test_each_facility_has_its_own_chain(staff, other_facility):
    nurse = staff[Role.NURSE]
    mine = [record_event(actor=nurse, action="patient.view") for _ in range(2)]
    theirs = record_event(actor=None, facility_id=other_facility.pk, action="patient.view")
    none = record_event(actor=None, action="login")
    assert mine[0].chain == nurse.facility_id
    assert mine[1].prev_hash == mine[0].hash
    assert theirs.chain == other_facility.pk
    assert theirs.prev_hash == GENESIS_HASH
    assert none.chain == 0
    assert verify_chain().intact


def test_hashes_are_keyed(events, settings):
    assert verify_chain().intact
    settings.AUDIT_HMAC_KEY = "another key"
    assert not verify_chain().intact


def _recompute_plain(events):
    """A superuser's consistent rewrite: edit an event, then recompute every later hash and every head,
    without the key (plain SHA-256, which is all the database shows how to do)."""
    _force("UPDATE audit_auditevent SET user_name = 'someone' WHERE id = %s", [events[1].pk])
    previous = events[0].hash
    for event in AuditEvent.objects.filter(pk__gte=events[1].pk).order_by("pk"):
        event.prev_hash = previous
        event.hash_version = 1
        digest = event_hash(event)
        _force(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, hash_version = 1 WHERE id = %s",
            [previous, digest, event.pk],
        )
        previous = digest
    AuditChainHead.objects.filter(chain=events[0].chain).update(last_hash=previous)


def test_a_rewrite_that_recomputes_every_later_hash_and_the_head_is_detected(events):
    _recompute_plain(events)
    report = verify_chain()
    assert not report.intact
    assert any("an unkeyed hash where only keyed ones can be" in p for p in report.problems)


def test_deleting_the_last_event_and_resetting_the_head_is_caught_by_the_checkpoints(events):
    write_checkpoints()
    assert verify_checkpoints().intact
    chain = events[0].chain
    _force("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    AuditChainHead.objects.filter(chain=chain).update(last_hash=events[-2].hash, event_count=3)
    assert verify_chain().intact  # the chain alone cannot tell
    report = verify_checkpoints()
    assert not report.intact
    assert any("saw 4 events; the database has 3" in p for p in report.problems)


def test_a_full_rewrite_with_a_recomputed_head_is_caught_by_an_earlier_checkpoint(events, settings):
    write_checkpoints()
    # Even someone who has the key and rewrites everything consistently is held to the checkpoint.
    _force("UPDATE audit_auditevent SET user_name = 'someone' WHERE id = %s", [events[1].pk])
    previous = events[0].hash
    for event in AuditEvent.objects.filter(pk__gte=events[1].pk).order_by("pk"):
        event.prev_hash = previous
        digest = event_hash(event)
        _force("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [previous, digest, event.pk])
        previous = digest
    AuditChainHead.objects.filter(chain=events[0].chain).update(last_hash=previous)
    assert verify_chain().intact
    assert any("no longer matches the checkpoint" in p for p in verify_checkpoints().problems)


def test_an_edited_checkpoint_line_is_reported(events, settings):
    write_checkpoints()
    path = settings.AUDIT_CHECKPOINT_FILE
    line = json.loads(path.read_text().splitlines()[-1])
    line["count"] = 3
    path.write_text(path.read_text() + json.dumps(line) + "\n")
    assert any("the signature is wrong" in p for p in verify_checkpoints().problems)


def test_checkpoints_are_written_every_n_events_after_commit(staff, settings):
    settings.AUDIT_CHECKPOINT_EVERY = 3
    before = len(read_checkpoints()[0])
    with transaction.atomic():
        for _ in range(3):
            record_event(actor=staff[Role.NURSE], action="patient.view")
    assert len(read_checkpoints()[0]) == before  # not before commit: the test's transaction is still open


def test_the_verify_command_holds_the_checkpoints(events, capsys):
    call_command("audit", "checkpoint")
    call_command("audit", "verify", "--checkpoints")
    assert "Audit chain intact: 4 events and" in capsys.readouterr().out


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_verify_under_concurrent_writes_reports_no_false_break(staff):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections, which only the PostgreSQL run has")
    nurse = staff[Role.NURSE]
    stop = threading.Event()

    def keep_writing():
        try:
            while not stop.is_set():
                record_event(actor=nurse, action="patient.view")
        finally:
            connection.close()

    writers = [threading.Thread(target=keep_writing) for _ in range(2)]
    for writer in writers:
        writer.start()
    try:
        reports = [verify_chain() for _ in range(10)]
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert all(r.intact for r in reports), [r.problems for r in reports if not r.intact]
    assert verify_chain().intact

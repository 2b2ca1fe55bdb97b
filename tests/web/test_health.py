"""/healthz and /readyz for the people who run DetoxFlow, and the request id a nurse can quote."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from detoxflow.accounts.permissions import Role
from detoxflow.jobs.tasks import housekeeping
from tests.queue import run_queued_jobs


@pytest.fixture
def anonymous() -> Client:
    return Client(raise_request_exception=False)


def test_healthz_answers_without_sign_in_or_the_database(anonymous):
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=OperationalError("down")):
        response = anonymous.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]


def test_readyz_waits_for_a_background_worker_then_says_ready(anonymous, db):
    response = anonymous.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert (checks["database"]["ok"], checks["migrations"]["ok"], checks["worker"]["ok"]) == (True, True, False)
    assert "start manage.py worker" in checks["worker"]["detail"]
    assert response["Retry-After"] == "10"

    housekeeping.enqueue()
    run_queued_jobs()  # a worker ran housekeeping just now
    response = anonymous.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ready"


def test_readyz_notices_a_worker_that_stopped(anonymous, db, settings):
    housekeeping.enqueue()
    run_queued_jobs()
    long_ago = timezone.now() - settings.HOUSEKEEPING_EVERY * 4
    DBTaskResult.objects.filter(task_path=housekeeping.module_path).update(finished_at=long_ago)
    response = anonymous.get("/readyz")
    assert response.status_code == 503
    assert "no background worker for" in response.json()["checks"]["worker"]["detail"]


def test_readyz_names_migrations_not_applied(anonymous, db):
    housekeeping.enqueue()
    run_queued_jobs()
    migration = mock.Mock(app_label="patients")
    migration.name = "0099_future"  # Mock(name=...) names the mock itself, so set it after
    pending = [(migration, False)]
    with mock.patch("detoxflow.web.health.MigrationExecutor.migration_plan", return_value=pending):
        response = anonymous.get("/readyz")
    assert response.status_code == 503
    assert "1 migration(s) not applied: patients.0099_future" in response.json()["checks"]["migrations"]["detail"]


def test_readyz_says_the_database_is_down_and_checks_nothing_else(anonymous, db):
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=OperationalError("down")):
        response = anonymous.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"ok": False, "detail": "the database is not answering (OperationalError)"}
    assert checks["worker"]["detail"].startswith("not checked")


def test_the_probes_say_nothing_about_patients(patient, anonymous):
    housekeeping.enqueue()
    run_queued_jobs()
    for path in ("/healthz", "/readyz"):
        body = anonymous.get(path).content.decode()
        assert patient.family_name not in body
        assert patient.mrn not in body
    assert anonymous.post("/readyz").status_code == 405  # probes only read


@pytest.mark.parametrize(
    ("given", "kept"),
    [("lb-7f3a9c.12", True), ("", False), ("has space", False), ("x" * 65, False), ("<script>", False)],
)
def test_every_answer_carries_a_request_id_keeping_a_plain_one_from_the_proxy(anonymous, db, given, kept):
    response = anonymous.get("/healthz", headers={"X-Request-ID": given} if given else {})
    assert (response["X-Request-ID"] == given) is kept
    assert 1 <= len(response["X-Request-ID"]) <= 64


def test_the_error_page_shows_the_reference_to_quote(staff, patient):
    client = Client(raise_request_exception=False)
    client.force_login(staff[Role.NURSE])
    with mock.patch("detoxflow.patients.views.patient_record", side_effect=RuntimeError("a bug")):
        response = client.get(f"/patients/{patient.pk}/", headers={"X-Request-ID": "ref-123"})
    assert response.status_code == 500
    page = response.content.decode()
    assert "ref-123" in page
    assert "Traceback" not in page
    assert patient.family_name not in page

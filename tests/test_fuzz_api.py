"""Schemathesis-generated requests against every API operation: bad input gets a 4xx, never a 500.

Runs in-process through Django's test client (no network), signed in as a physician of a seeded
facility, with a bounded number of cases per operation.
"""

import json

import pytest
import schemathesis
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis.core import NotSet

from detoxflow.accounts.models import User
from detoxflow.api import api
from detoxflow.demo.synthetic import seed

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]  # type: ignore[union-attr]
CASES_PER_OPERATION = 25


@pytest.fixture
def physician_client(db):
    seed(1, patients_per_facility=30, history_days=10, now=timezone.now())
    client = Client()
    client.force_login(User.objects.get(username="physician"))
    return client


@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{o.method.upper()} {o.path}" for o in OPERATIONS])
def test_no_generated_request_causes_a_server_error(physician_client, operation):
    @settings(
        derandomize=True,  # the same cases every run: CI must not pass or fail by chance
        max_examples=CASES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(operation.as_strategy())
    def check(case):
        kwargs = {"data": {k: v for k, v in (case.query or {}).items()}}
        path = case.formatted_path
        if case.method.upper() != "GET":
            body = None if isinstance(case.body, NotSet) else case.body
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
            if case.query:
                path += "?" + "&".join(f"{k}={v}" for k, v in case.query.items())
        response = getattr(physician_client, case.method.lower())(path, **kwargs)
        assert response.status_code < 500, (case.method, path, kwargs, response.content[:500])

    check()

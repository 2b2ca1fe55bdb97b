"""Inputs that crashed or hung a worker (issue 13): deep JSON, download names, and the database going away."""

import json
import re
from unittest import mock
from urllib.parse import unquote

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory, override_settings
from django.utils.http import parse_header_parameters

from detoxflow.accounts.permissions import Role
from detoxflow.api import api
from detoxflow.patients.models import Patient
from detoxflow.web.downloads import content_disposition
from detoxflow.web.middleware import json_nesting_depth
from detoxflow.web.views import RETRY_AFTER_SECONDS

DEEP = 100_000


def deep_bundle(depth):
    """A batch Bundle whose entry list holds `depth` nested arrays: what crashed the import with RecursionError."""
    return '{"resourceType": "Bundle", "type": "batch", "entry": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"", 0),
        (b"42", 0),
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'["[[[[", "{{{{"]', 1),
        (b'["a \\" [[[[ still inside", [[]]]', 3),
        (b'["\\\\", [[]]]', 3),
        (b'"unterminated [[[', 0),
        (b"[" * 5 + b"]" * 5, 5),
    ],
    ids=["empty", "number", "object", "nested", "brackets-in-strings", "escaped-quote", "escaped-backslash",
         "unterminated-string", "arrays"],
)  # fmt: skip
def test_nesting_depth_counts_arrays_and_objects_but_not_brackets_inside_strings(body, depth):
    assert json_nesting_depth(body) == depth


def test_a_bundle_nested_100000_deep_is_refused_with_an_operation_outcome_before_parsing(client_as):
    before = Patient.objects.count()
    response = client_as(Role.INTAKE_COORDINATOR).post(
        "/fhir", data=deep_bundle(DEEP), content_type="application/fhir+json"
    )
    assert response.status_code == 400
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    issue = outcome["issue"][0]
    assert (issue["code"], issue["expression"]) == ("invalid", ["body"])
    assert f"nested {DEEP + 1} levels deep; at most 64" in issue["diagnostics"]
    assert Patient.objects.count() == before


def test_a_deep_body_to_the_api_is_refused_naming_the_body(client_as):
    body = '{"mrn": ' + "[" * 500 + "]" * 500 + "}"
    response = client_as(Role.INTAKE_COORDINATOR).post("/api/patients", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "body"
    assert "at most 64 levels" in response.json()["message"]
    # The API parses a body whatever it is labelled, so the door checks it whatever it is labelled.
    sneaky = client_as(Role.INTAKE_COORDINATOR).post("/api/patients", data=body, content_type="text/plain")
    assert (sneaky.status_code, sneaky.json()["field"]) == (400, "body")


@override_settings(JSON_MAX_DEPTH=4)
def test_the_depth_limit_is_a_setting_and_a_body_at_the_limit_passes(client_as):
    client = client_as(Role.INTAKE_COORDINATOR)
    refused = client.post("/fhir", data=deep_bundle(4), content_type="application/fhir+json")  # 5 with the Bundle
    assert refused.status_code == 400
    assert "at most 4 levels" in refused.json()["issue"][0]["diagnostics"]
    passed = client.post("/fhir", data=deep_bundle(3), content_type="application/fhir+json")
    assert passed.status_code == 200  # read, and its one (malformed) entry answered in the batch-response


def test_brackets_inside_string_values_do_not_count_toward_the_depth(client_as):
    body = {
        "mrn": "SYN-5",
        "given_name": "[" * 100,
        "family_name": "{" * 100,
        "date_of_birth": "1988-02-03",
        "sex": "male",
    }
    response = client_as(Role.INTAKE_COORDINATOR).post(
        "/api/patients", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201


# RFC 6266 with both names: a quoted ASCII filename holding no quote or backslash, then an RFC 8187 filename*.
DISPOSITION = re.compile(r"""(attachment|inline); filename="([ !#-\[\]-~]*)"; filename\*=UTF-8''([A-Za-z0-9%._~-]+)""")


def parsed(header):
    """(disposition, the name a current browser saves under, the name an old client falls back to)."""
    match = DISPOSITION.fullmatch(header)
    assert match, header
    disposition, params = parse_header_parameters(header)  # Django's reader: filename*, given last, wins
    assert params["filename"] == unquote(match[3], encoding="utf-8", errors="strict")
    return disposition, params["filename"], match[2]


@pytest.mark.parametrize(
    ("name", "utf8", "fallback"),
    [
        ("summary-SYN-1.pdf", "summary-SYN-1.pdf", "summary-SYN-1.pdf"),
        ("summary-Müller-日本.pdf", "summary-Müller-日本.pdf", "summary-Muller-.pdf"),
        ('summary-SYN"1.pdf', 'summary-SYN"1.pdf', "summary-SYN_1.pdf"),
        ("summary-SYN\r\nSet-Cookie: x=1.pdf", "summary-SYNSet-Cookie: x=1.pdf", "summary-SYNSet-Cookie_x_1.pdf"),
        ("../../etc/passwd", "-..-etc-passwd", "-..-etc-passwd"),
        ("日本.pdf", "日本.pdf", "download.pdf"),
    ],
    ids=["plain", "non-ascii", "quote", "crlf", "path", "no-ascii-at-all"],
)
def test_download_names_are_emitted_safely_with_an_ascii_fallback_and_utf8_filename(name, utf8, fallback):
    header = content_disposition(name)
    assert "\r" not in header
    assert "\n" not in header
    assert header.count('"') == 2
    assert parsed(header) == ("attachment", utf8, fallback)


@pytest.fixture
def signed_in(staff):
    """A nurse's client that shows the error response instead of re-raising the exception into the test."""
    client = Client(raise_request_exception=False)
    client.force_login(staff[Role.NURSE])
    return client


@pytest.fixture
def database_down():
    refused = OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection", side_effect=refused):
        yield


def test_while_the_database_is_down_a_page_answers_a_calm_503_with_retry_after(signed_in, database_down):
    for response in (signed_in.get("/"), signed_in.post("/patients/new/", {"mrn": "SYN-9"})):
        assert response.status_code == 503
        assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
        page = response.content.decode()
        assert "cannot reach its database just now" in page
        assert "Traceback" not in page


def test_while_the_database_is_down_the_api_answers_503_json_with_retry_after(signed_in, database_down):
    response = signed_in.get("/api/patients")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json() == {
        "field": None,
        "message": "The database is not answering just now; try again in a minute.",
        "request_id": response["X-Request-ID"],  # the reference a nurse quotes to the administrator
    }


def test_while_the_database_is_down_fhir_answers_503_with_an_operation_outcome(signed_in, database_down):
    response = signed_in.get("/fhir/Patient")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.json()["issue"][0]["code"] == "transient"


@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError("closed")])
def test_an_outage_met_inside_an_api_view_is_a_503_too(error):
    response = api.on_exception(RequestFactory().get("/api/patients"), error)
    assert (response.status_code, response["Retry-After"]) == (503, str(RETRY_AFTER_SECONDS))
    assert json.loads(response.content)["field"] is None


def test_any_other_server_error_is_still_a_500_in_the_routes_shape(signed_in):
    with mock.patch("detoxflow.patients.api.Patient.objects.restrict", side_effect=RuntimeError("a bug")):
        response = signed_in.get("/api/patients")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert response.json() == {
        "field": None,
        "message": "Server error; it has been logged.",
        "request_id": response["X-Request-ID"],
    }

"""Every page and API route, for every role, answers as the PERMISSIONS table says."""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from detoxflow.accounts.models import EmergencyAccess, User
from detoxflow.accounts.permissions import PERMISSIONS, Action, Role
from detoxflow.admissions.models import CallbackRequest, PhoneScreen
from detoxflow.aftercare.models import FollowUpTask
from detoxflow.api import api
from detoxflow.consent.models import Consent
from detoxflow.episodes.models import Episode
from detoxflow.medications.models import ControlledLedgerEntry, ControlledStock, MedicationRequest
from tests.factories import EpisodeFactory

# (name, method, path template, body, action). Names are URL names for pages and "METHOD /api/path" for the API.
ROUTES: list[tuple[str, str, str, dict[str, object] | None, Action]] = [
    ("home", "get", "/", None, Action.VIEW_FACILITY),
    ("census", "get", "/units/{unit}/census/", None, Action.VIEW_CENSUS),
    ("register-patient", "get", "/patients/new/", None, Action.REGISTER_PATIENT),
    ("patient", "get", "/patients/{patient}/", None, Action.VIEW_PATIENT),
    ("add-allergy", "post", "/patients/{patient}/allergies/", {"substance": "Latex"}, Action.EDIT_PATIENT),
    ("no-known-allergies", "post", "/patients/{patient}/allergies/none-known/", None, Action.EDIT_PATIENT),
    ("open-episode", "post", "/patients/{patient}/episodes/", {"reason": "walk-in"}, Action.OPEN_EPISODE),
    ("assign-bed", "get", "/episodes/{episode}/bed/", None, Action.ASSIGN_BED),
    ("record-arrival", "get", "/episodes/{episode}/arrival/", None, Action.CHANGE_STAGE),
    ("choose-method", "get", "/episodes/{episode}/method/", None, Action.CHANGE_STAGE),
    ("assign-care-team", "get", "/episodes/{episode}/care-team/", None, Action.ASSIGN_CARE_TEAM),
    (
        "change-stage",
        "post",
        "/episodes/{episode}/stage/",
        {"stage": "evaluation", "reason": "arrived"},
        Action.CHANGE_STAGE,
    ),
    (
        "change-stage:discharge",
        "post",
        "/episodes/{episode}/stage/",
        {"stage": "discharged", "discharge_type": "administrative", "reason": "did not arrive"},
        Action.DISCHARGE,
    ),
    ("audit-log", "get", "/audit/", None, Action.VIEW_AUDIT_LOG),
    ("bed-board", "get", "/beds/", None, Action.VIEW_CENSUS),
    ("mar", "get", "/episodes/{episode}/medications/", None, Action.VIEW_PATIENT),
    ("taper", "get", "/episodes/{episode}/taper/", None, Action.VIEW_PATIENT),
    ("protocols", "get", "/protocols/", None, Action.VIEW_FACILITY),
    ("directory", "get", "/directory/", None, Action.VIEW_DIRECTORY),
    ("emergency-access", "get", "/patients/{patient}/emergency-access/", None, Action.EMERGENCY_ACCESS),
    ("acknowledge-emergency-access", "post", "/emergency-access/{grant}/acknowledge/", None, Action.VIEW_AUDIT_LOG),
    ("staff-list", "get", "/staff/", None, Action.ADMINISTER_STAFF),
    ("GET /api/orders/{order_id}/schedule", "get", "/api/orders/{order}/schedule", None, Action.VIEW_PATIENT),
    ("staff-detail", "get", "/staff/{member}/", None, Action.ADMINISTER_STAFF),
    ("fhir-patient-search", "get", "/fhir/Patient?identifier=SYN-000001", None, Action.VIEW_PATIENT),
    ("fhir-patient", "get", "/fhir/Patient/{patient}", None, Action.VIEW_PATIENT),
    ("fhir-episodeofcare-search", "get", "/fhir/EpisodeOfCare?patient=Patient/{patient}", None, Action.VIEW_PATIENT),
    ("fhir-episodeofcare", "get", "/fhir/EpisodeOfCare/{episode}", None, Action.VIEW_PATIENT),
    ("fhir-encounter-search", "get", "/fhir/Encounter?patient=Patient/{patient}", None, Action.VIEW_PATIENT),
    ("fhir-encounter", "get", "/fhir/Encounter/{episode}", None, Action.VIEW_PATIENT),
    ("fhir-condition-search", "get", "/fhir/Condition?patient=Patient/{patient}", None, Action.VIEW_PATIENT),
    ("fhir-condition", "get", "/fhir/Condition/{episode}", None, Action.VIEW_PATIENT),
    ("fhir-observation-search", "get", "/fhir/Observation?patient=Patient/{patient}", None, Action.VIEW_PATIENT),
    ("fhir-observation", "get", "/fhir/Observation/{episode}", None, Action.VIEW_PATIENT),
    (
        "fhir-medicationrequest-search",
        "get",
        "/fhir/MedicationRequest?patient=Patient/{patient}",
        None,
        Action.VIEW_PATIENT,
    ),
    ("fhir-medicationrequest", "get", "/fhir/MedicationRequest/{order}", None, Action.VIEW_PATIENT),
    (
        "fhir-medicationadministration-search",
        "get",
        "/fhir/MedicationAdministration?patient=Patient/{patient}",
        None,
        Action.VIEW_PATIENT,
    ),
    ("fhir-medicationadministration", "get", "/fhir/MedicationAdministration/{order}", None, Action.VIEW_PATIENT),
    ("fhir-careplan-search", "get", "/fhir/CarePlan?patient=Patient/{patient}", None, Action.VIEW_PATIENT),
    ("fhir-careplan", "get", "/fhir/CarePlan/{episode}", None, Action.VIEW_PATIENT),
    ("fhir-consent-search", "get", "/fhir/Consent?patient=Patient/{patient}", None, Action.VIEW_PATIENT),
    ("fhir-consent", "get", "/fhir/Consent/{consent}", None, Action.VIEW_PATIENT),
    ("fhir-batch", "post", "/fhir", {"x": "y"}, Action.REGISTER_PATIENT),
    ("fhir-export", "get", "/fhir/$export?recipient=x&purpose=y", None, Action.DISCLOSE),
    ("fhir-patient-export", "get", "/fhir/Patient/{patient}/$export?recipient=x&purpose=y", None, Action.DISCLOSE),
    ("fhir-export-status", "get", "/fhir/$export-status/00000000-0000-4000-8000-000000000000", None, Action.DISCLOSE),
    (
        "fhir-export-file",
        "get",
        "/fhir/$export-file/00000000-0000-4000-8000-000000000000/Patient.ndjson",
        None,
        Action.DISCLOSE,
    ),
    ("consents", "get", "/patients/{patient}/consents/", None, Action.VIEW_PATIENT),
    ("add-consent", "post", "/patients/{patient}/consents/add/", {"recipient": "x"}, Action.RECORD_CONSENT),
    ("revoke-consent", "post", "/consents/{consent}/revoke/", None, Action.RECORD_CONSENT),
    (
        "disclose-summary",
        "post",
        "/patients/{patient}/disclosures/summary/",
        {"recipient": "Synthetic Clinic", "purpose": "continuity of care"},
        Action.DISCLOSE,
    ),
    ("aftercare", "get", "/episodes/{episode}/aftercare/", None, Action.VIEW_PATIENT),
    (
        "aftercare-plan",
        "post",
        "/episodes/{episode}/aftercare/plan/",
        {"relapse_prevention": "x"},
        Action.PLAN_AFTERCARE,
    ),
    (
        "aftercare-item",
        "post",
        "/episodes/{episode}/aftercare/items/",
        {"kind": "support_group"},
        Action.PLAN_AFTERCARE,
    ),
    ("aftercare-item-edit", "get", "/aftercare/items/999999/", None, Action.PLAN_AFTERCARE),
    ("aftercare-item-remove", "post", "/aftercare/items/999999/remove/", None, Action.PLAN_AFTERCARE),
    ("aftercare-resources", "get", "/aftercare/resources/?kind=support_group", None, Action.VIEW_DIRECTORY),
    ("aftercare-review", "post", "/episodes/{episode}/aftercare/review/", None, Action.PLAN_AFTERCARE),
    (
        "discharge-checklist",
        "post",
        "/episodes/{episode}/aftercare/checklist/",
        {"naloxone": "dispensed"},
        Action.PLAN_AFTERCARE,
    ),
    (
        "discharge",
        "post",
        "/episodes/{episode}/discharge/",
        {"discharge_type": "administrative", "reason": "no-show"},
        Action.DISCHARGE,
    ),
    ("discharge-document", "get", "/episodes/{episode}/documents/handout.pdf", None, Action.VIEW_PATIENT),
    ("follow-ups", "get", "/follow-ups/", None, Action.CALL_FOLLOW_UP),
    ("record-call", "post", "/follow-ups/{task}/", {"outcome": "reached"}, Action.CALL_FOLLOW_UP),
    ("outcomes", "get", "/outcomes/", None, Action.VIEW_OUTCOMES),
    ("directory-export", "get", "/directory/export.csv", None, Action.VIEW_DIRECTORY),
    ("directory-import", "post", "/directory/import/", None, Action.MANAGE_DIRECTORY),
    ("GET /api/directory", "get", "/api/directory", None, Action.VIEW_DIRECTORY),
    ("unit-mar", "get", "/units/{unit}/mar/", None, Action.VIEW_CENSUS),
    ("protocol-copy", "post", "/protocols/adjuncts/copy/", None, Action.CONFIGURE_RULES),
    ("protocol-edit", "post", "/protocols/adjuncts/edit/", {"line": "0"}, Action.CONFIGURE_RULES),
    ("maintenance-offer", "post", "/episodes/{episode}/taper/maintenance/", {"choice": "taper"}, Action.SIGN_ORDER),
    ("plan-taper", "post", "/episodes/{episode}/taper/plan/", {"reason": "x"}, Action.SIGN_ORDER),
    ("controlled-log", "get", "/controlled-substances/", None, Action.KEEP_CONTROLLED_LOG),
    (
        "controlled-record",
        "post",
        "/controlled-substances/record/",
        {"kind": "received", "medicine_code": "buprenorphine_sl", "quantity_mg": "16", "note": "delivery"},
        Action.KEEP_CONTROLLED_LOG,
    ),
    (
        "controlled-resolve",
        "post",
        "/controlled-substances/{count}/resolve/",
        {"note": "investigated"},
        Action.RESOLVE_DISCREPANCY,
    ),
    ("sign-protocol", "post", "/episodes/{episode}/medications/protocol/", {"protocol": "adjuncts"}, Action.SIGN_ORDER),
    ("sign-order", "post", "/episodes/{episode}/medications/order/", {"medicine_code": "x"}, Action.SIGN_ORDER),
    ("stop-order", "post", "/medications/orders/{order}/stop/", {"reason": "taper finished"}, Action.SIGN_ORDER),
    ("stop-order:confirm", "get", "/medications/orders/{order}/stop/", None, Action.SIGN_ORDER),
    (
        "authorise-override",
        "post",
        "/medications/orders/{order}/override/",
        {"rule_ids": "too-soon", "scope": "next_dose", "reason": "COWS charted on paper"},
        Action.OVERRIDE_SAFETY_STOP,
    ),
    ("GET /api/orders/{order_id}/overrides", "get", "/api/orders/{order}/overrides", None, Action.VIEW_PATIENT),
    (
        "POST /api/orders/{order_id}/overrides",
        "post",
        "/api/orders/{order}/overrides",
        {"reason": "COWS charted on paper", "rule_ids": ["too-soon"]},
        Action.OVERRIDE_SAFETY_STOP,
    ),
    (
        "administer",
        "post",
        "/medications/orders/{order}/administer/",
        {"status": "held", "reason": "asleep"},
        Action.ADMINISTER_DOSE,
    ),
    ("chart-assessment", "get", "/episodes/{episode}/assessments/new/", None, Action.RECORD_ASSESSMENT),
    ("self-report", "get", "/episodes/{episode}/self-report/", None, Action.RECORD_ASSESSMENT),
    ("clinical-rules", "get", "/clinical-rules/", None, Action.VIEW_FACILITY),
    ("override-rule-set", "post", "/clinical-rules/triage/", {"reason": ""}, Action.CONFIGURE_RULES),
    ("bed-housekeeping", "post", "/beds/{bed}/housekeeping/", {"housekeeping": "cleaning"}, Action.ASSIGN_BED),
    ("intake-queue", "get", "/intake-queue/", None, Action.SCREEN_CALLS),
    ("callback-attempt", "post", "/intake-queue/{callback}/attempt/", {"status": "no_answer"}, Action.SCREEN_CALLS),
    ("phone-screen", "get", "/phone-screens/new/", None, Action.SCREEN_CALLS),
    ("phone-screen-result", "get", "/phone-screens/{screen}/", None, Action.SCREEN_CALLS),
    ("book-bed", "get", "/admissions/book/", None, Action.OPEN_EPISODE),
    ("intake", "get", "/episodes/{episode}/intake/", None, Action.VIEW_PATIENT),
    ("intake-assessment", "get", "/episodes/{episode}/intake/assessment/", None, Action.RECORD_INTAKE),
    ("intake-care-team", "post", "/episodes/{episode}/intake/care-team/", None, Action.ASSIGN_CARE_TEAM),
    (
        "intake-decide",
        "post",
        "/episodes/{episode}/intake/decision/",
        {"decision": "confirm"},
        Action.DECIDE_DETOX_METHOD,
    ),
    ("intake-plan", "post", "/episodes/{episode}/intake/plan/", {"goals": "x"}, Action.WRITE_TREATMENT_PLAN),
    ("intake-complete", "post", "/episodes/{episode}/intake/complete/", None, Action.CHANGE_STAGE),
    ("GET /api/facilities", "get", "/api/facilities", None, Action.VIEW_FACILITY),
    ("GET /api/episodes/{episode_id}/orders", "get", "/api/episodes/{episode}/orders", None, Action.VIEW_PATIENT),
    (
        "POST /api/episodes/{episode_id}/maintenance-offer",
        "post",
        "/api/episodes/{episode}/maintenance-offer",
        {"choice": "taper"},
        Action.SIGN_ORDER,
    ),
    ("GET /api/episodes/{episode_id}/tapers", "get", "/api/episodes/{episode}/tapers", None, Action.VIEW_PATIENT),
    (
        "POST /api/orders/{order_id}/tapers",
        "post",
        "/api/orders/{order}/tapers",
        {"method": "linear", "start_mg": "8", "step": "2", "step_days": 1, "start_date": "2026-11-21", "reason": "x"},
        Action.SIGN_ORDER,
    ),
    ("GET /api/controlled-stocks", "get", "/api/controlled-stocks", None, Action.KEEP_CONTROLLED_LOG),
    (
        "POST /api/controlled-stocks/entries",
        "post",
        "/api/controlled-stocks/entries",
        {"kind": "received", "medicine_code": "methadone_oral", "quantity_mg": "50"},
        Action.KEEP_CONTROLLED_LOG,
    ),
    (
        "POST /api/episodes/{episode_id}/orders",
        "post",
        "/api/episodes/{episode}/orders",
        {"protocol": "adjuncts"},
        Action.SIGN_ORDER,
    ),
    (
        "GET /api/episodes/{episode_id}/administrations",
        "get",
        "/api/episodes/{episode}/administrations",
        None,
        Action.VIEW_PATIENT,
    ),
    (
        "POST /api/orders/{order_id}/administrations",
        "post",
        "/api/orders/{order}/administrations",
        {"status": "held", "reason": "asleep"},
        Action.ADMINISTER_DOSE,
    ),
    (
        "GET /api/episodes/{episode_id}/assessments",
        "get",
        "/api/episodes/{episode}/assessments",
        None,
        Action.VIEW_PATIENT,
    ),
    (
        "POST /api/episodes/{episode_id}/assessments",
        "post",
        "/api/episodes/{episode}/assessments",
        {"instrument": "COWS", "items": {}},
        Action.RECORD_ASSESSMENT,
    ),
    ("GET /api/facilities/{facility_id}/units", "get", "/api/facilities/{facility}/units", None, Action.VIEW_FACILITY),
    ("GET /api/patients", "get", "/api/patients", None, Action.VIEW_PATIENT),
    (
        "POST /api/patients",
        "post",
        "/api/patients",
        {
            "mrn": "NEW-1",
            "given_name": "Rowan",
            "family_name": "Exampleby",
            "date_of_birth": "1988-02-03",
            "sex": "male",
        },
        Action.REGISTER_PATIENT,
    ),
    ("GET /api/patients/{patient_id}", "get", "/api/patients/{patient}", None, Action.VIEW_PATIENT),
    (
        "PATCH /api/patients/{patient_id}",
        "patch",
        "/api/patients/{patient}",
        {"phone": "555-0142"},
        Action.EDIT_PATIENT,
    ),
    (
        "POST /api/patients/{patient_id}/allergies",
        "post",
        "/api/patients/{patient}/allergies",
        {"substance": "Latex"},
        Action.EDIT_PATIENT,
    ),
    ("GET /api/episodes", "get", "/api/episodes", None, Action.VIEW_PATIENT),
    ("POST /api/episodes", "post", "/api/episodes", {"patient_id": "{patient}", "reason": "call"}, Action.OPEN_EPISODE),
    ("GET /api/episodes/{episode_id}", "get", "/api/episodes/{episode}", None, Action.VIEW_PATIENT),
    (
        "PUT /api/episodes/{episode_id}/bed",
        "put",
        "/api/episodes/{episode}/bed",
        {"bed_id": "{bed}"},
        Action.ASSIGN_BED,
    ),
    (
        "POST /api/episodes/{episode_id}/arrival",
        "post",
        "/api/episodes/{episode}/arrival",
        {"bed_id": None},
        Action.CHANGE_STAGE,
    ),
    (
        "PUT /api/episodes/{episode_id}/care-team",
        "put",
        "/api/episodes/{episode}/care-team",
        {"user_ids": []},
        Action.ASSIGN_CARE_TEAM,
    ),
    (
        "PUT /api/episodes/{episode_id}/method",
        "put",
        "/api/episodes/{episode}/method",
        {"care_setting": "outpatient", "withdrawal_medication": "buprenorphine"},
        Action.CHANGE_STAGE,
    ),
    (
        "POST /api/episodes/{episode_id}/transitions",
        "post",
        "/api/episodes/{episode}/transitions",
        {"stage": "evaluation", "reason": "arrived"},
        Action.CHANGE_STAGE,
    ),
    (
        "POST /api/episodes/{episode_id}/transitions:discharge",
        "post",
        "/api/episodes/{episode}/transitions",
        {"stage": "discharged", "discharge_type": "administrative", "reason": "did not arrive"},
        Action.DISCHARGE,
    ),
]
# Allowed roles get past the permission check but are refused on the merits: the episode has no intake yet.
# The pre-admission episode has no encounter, intake, assessment, dose or aftercare plan yet, and the
# export id is nobody's: allowed roles get past the check and find nothing.
NOT_FOUND_ON_THE_MERITS = {
    "fhir-export-status",
    "fhir-export-file",
    "fhir-encounter",
    "fhir-condition",
    "fhir-observation",
    "fhir-medicationadministration",
    "fhir-careplan",
    "aftercare-item-edit",  # the pre-admission episode has no aftercare items
    "aftercare-item-remove",
}
REFUSED_ON_THE_MERITS = {
    "fhir-export",  # kicked off without 'Prefer: respond-async'
    "fhir-batch",  # a form post, not a JSON Bundle
    "fhir-patient-export",
    "add-consent",
    "aftercare-review",
    # The episode has an active order: the stage form sends its discharge to the aftercare page's confirmation.
    "change-stage:discharge",
    "POST /api/episodes/{episode_id}/transitions:discharge",
    "directory-import",
    "POST /api/orders/{order_id}/tapers",
    "protocol-edit",
    "plan-taper",
    "POST /api/episodes/{episode_id}/orders",
    "sign-protocol",
    "sign-order",
    "intake-decide",
    "intake-plan",
    "intake-complete",
    "intake-assessment",  # the patient has not arrived: 409, record the arrival first
    "change-stage",  # from pre-admission, evaluation is reached by "Patient arrived", not a bare stage change
    "override-rule-set",
    "POST /api/episodes/{episode_id}/assessments",
}
# Open to anyone signed in (or to everyone): they show no patient data.
UNGUARDED = {
    "healthz",
    "readyz",
    "login",
    "logout",
    "openapi-json",
    "openapi-view",
    "api-root",
    "get-help-index",
    "get-help",
    "get-help-thanks",
    "tablet-locked",
    "fhir-metadata",
    "sign-in-code",
    "two-factor",
    "password-change",
    "favicon",
}


def _page_names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            # The API is walked by its operations below; there is no Django admin to skip.
            if str(pattern.pattern) == "api/":
                continue
            yield from _page_names(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield pattern.name


def test_the_route_table_covers_every_page_and_api_operation():
    listed = {name.split(":")[0] for name, *_ in ROUTES}
    pages = set(_page_names(get_resolver().url_patterns)) - UNGUARDED
    operations = {
        f"{method.upper()} {path}" for path, methods in api.get_openapi_schema()["paths"].items() for method in methods
    }
    assert pages - listed == set(), "pages missing from ROUTES"
    assert operations - listed == set(), "API operations missing from ROUTES"


def staff_of_facility(facility):
    return User.objects.filter(facility=facility).first()


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize(("name", "method", "path", "body", "action"), ROUTES, ids=[r[0] for r in ROUTES])
def test_route_answers_as_the_table_says(client_as, facility, unit, beds, name, method, path, body, action, role):
    episode = EpisodeFactory(facility=facility, patient__facility=facility)
    fresh = EpisodeFactory.build(facility=facility, patient__facility=facility).patient
    fresh.save()
    callback = CallbackRequest.objects.create(
        facility=facility, name="Sky", phone="555-0101", received_at=timezone.now()
    )
    screen = PhoneScreen.objects.create(
        facility=facility,
        caller_name="Sky",
        caller_relationship="self",
        route="smoking",
        pregnancy="no",
        decision="admit",
        free_beds_at_screen=1,
        screened_at=timezone.now(),
        screened_by_name="x",
    )
    order = MedicationRequest.objects.create(
        facility=facility,
        episode=episode,
        medicine_code="ondansetron",
        medicine_name="Ondansetron",
        kind="as_needed",
        dose_mg=4,
        min_interval_minutes=480,
        single_dose_max_mg=8,
        daily_max_mg=24,
        built_from="test",
        starts_at=timezone.now(),
        signed_at=timezone.now(),
        signed_by_name="x",
    )
    count = ControlledLedgerEntry.objects.create(
        facility=facility,
        stock=ControlledStock.objects.create(
            facility=facility, medicine_code="methadone_oral", medicine_name="Methadone oral", last_sequence=1
        ),
        kind="count",
        change_mg=0,
        balance_mg=0,
        counted_mg=5,
        discrepancy_mg=5,
        sequence=1,
        at=timezone.now(),
        by_name="x",
    )
    task = FollowUpTask.objects.create(facility=facility, episode=episode, day=2, due_on=timezone.localdate())
    consent = Consent.objects.create(
        facility=facility,
        patient=episode.patient,
        recipient="Synthetic Clinic",
        categories=["all"],
        purpose="care",
        starts=timezone.localdate(),
        signed_copy_reference="binder 1",
        recorded_by_name="x",
        recorded_at=timezone.now(),
    )
    grant = EmergencyAccess.objects.create(
        facility=facility,
        user=staff_of_facility(facility),
        user_name="x",
        patient=episode.patient,
        reason="test",
        granted_at=timezone.now(),
        expires_at=timezone.now(),
    )
    ids = {
        "member": staff_of_facility(facility).pk,
        "grant": grant.pk,
        "consent": consent.pk,
        "task": task.pk,
        "count": count.pk,
        "order": order.pk,
        "callback": callback.pk,
        "screen": screen.pk,
        "unit": unit.pk,
        "facility": facility.pk,
        "episode": episode.pk,
        "bed": beds[0].pk,
        "patient": fresh.pk
        if "episodes" in path and method == "post" or name == "POST /api/episodes"
        else episode.patient_id,
    }
    client = client_as(role)
    url = _fill(path, ids)
    data = _fill(body, ids) if body else None
    if path.startswith("/api/"):
        response = getattr(client, method)(
            url, data=json.dumps(data) if data else None, content_type="application/json"
        )
    else:
        response = getattr(client, method)(url, data=data or {})
    allowed = role in PERMISSIONS[action]
    if allowed and name in NOT_FOUND_ON_THE_MERITS:
        assert response.status_code == 404, (response.status_code, response.content[:300])
    elif allowed and name in REFUSED_ON_THE_MERITS:
        assert response.status_code in (400, 409, 415), (response.status_code, response.content[:300])
    elif allowed:
        assert response.status_code < 400, (response.status_code, response.content[:300])
    else:
        assert response.status_code == 403, (response.status_code, response.content[:300])
        assert Episode.objects.get(pk=episode.pk).stage == "pre_admission"


def test_no_role_reads_patients_of_another_facility(client_as, other_facility):
    stranger = EpisodeFactory(facility=other_facility, patient__facility=other_facility)
    for role in PERMISSIONS[Action.VIEW_PATIENT]:
        client = client_as(role)
        assert client.get(f"/patients/{stranger.patient_id}/").status_code == 404
        assert client.get(f"/api/patients/{stranger.patient_id}").status_code == 404
        assert client.get(f"/api/episodes/{stranger.pk}").status_code == 404
        listed = client.get("/api/patients").json()["items"]
        assert stranger.patient_id not in [p["id"] for p in listed]

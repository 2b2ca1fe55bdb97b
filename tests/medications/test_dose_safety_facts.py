"""The facts behind the dose safety check, end to end: intake, rule data, orders and doses as the check reads them.

Methadone's first-dose limit on every order, QT-risk adjuncts against the intake QTc, benzodiazepine and
alcohol use before an opioid, acetaminophen with liver disease, every opioid's own induction wait, strict
COWS items on the API, and a fixed number of queries to load it all.
"""

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Role
from detoxflow.assessments import services as assessments
from detoxflow.assessments.models import WithdrawalAssessment
from detoxflow.clinical.rulebook import RuleSet
from detoxflow.clinical.safety import Verdict
from detoxflow.clinical.scales import COWS
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from detoxflow.facilities.models import RuleOverride
from detoxflow.facilities.services import override_rules
from detoxflow.intake.models import IntakeAssessment
from detoxflow.medications import ledger, services
from detoxflow.medications.models import MedicationAdministration, MedicationRequest
from detoxflow.medications.queries import check_order, dose_context
from detoxflow.medications.services import SafetyStop
from detoxflow.patients.models import Allergy

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
ECG_DAY = dt.date(2026, 11, 18)
ZERO = {item.key: 0 for item in COWS.items}
COWS_10 = {**ZERO, "pulse": 2, "sweating": 2, "restlessness": 3, "aches": 2, "yawning": 1}
COWS_14 = {**COWS_10, "runny_nose": 2, "gi_upset": 2}
VITALS = {"heart_rate": 96, "systolic_bp": 130, "diastolic_bp": 82, "respiratory_rate": 16, "spo2": 97, "sedation": "1"}
# Methadone 40 mg written by hand, without the protocol's first-dose fields: within the order, above the label.
METHADONE_40 = {
    "medicine_code": "methadone_oral",
    "kind": "as_needed",
    "dose_mg": 40,
    "min_interval_minutes": 240,
    "single_dose_max_mg": 40,
    "daily_max_mg": 100,
}


def chart(staff: dict[str, User], episode: Episode, at: dt.datetime, answers: dict[str, int] = COWS_10) -> None:
    assessments.record_assessment(staff[Role.NURSE], episode, "COWS", answers, VITALS, now=at, address=None)


def by_hand(staff: dict[str, User], episode: Episode, values: dict[str, Any]) -> MedicationRequest:
    """Sign an order written by hand at T0 - 1 h, as the service takes it."""
    values = {k: Decimal(v) if k.endswith("_mg") else v for k, v in values.items()}
    return services.sign_order(
        staff[Role.PHYSICIAN], episode, values, built_from="Written by hand", starts_at=T0 - H, now=T0 - H, address=None
    )


def ondansetron(staff: dict[str, User], episode: Episode) -> MedicationRequest:
    return by_hand(
        staff,
        episode,
        {
            "medicine_code": "ondansetron",
            "kind": "as_needed",
            "dose_mg": 4,
            "min_interval_minutes": 480,
            "single_dose_max_mg": 8,
            "daily_max_mg": 24,
        },
    )


def acetaminophen(staff: dict[str, User], episode: Episode) -> MedicationRequest:
    return by_hand(
        staff,
        episode,
        {
            "medicine_code": "acetaminophen",
            "kind": "as_needed",
            "dose_mg": 1000,
            "min_interval_minutes": 240,
            "single_dose_max_mg": 1000,
            "daily_max_mg": 3000,
        },
    )


def bup_order(staff: dict[str, User], episode: Episode) -> MedicationRequest:
    (order,) = services.sign_protocol(
        staff[Role.PHYSICIAN], episode, "buprenorphine_induction", now=T0 - H, address=None
    )
    return order


def methadone_in_stock(staff: dict[str, User], episode: Episode) -> None:
    stock = ledger.stock_for(episode.facility_id, episode.unit_id, "methadone_oral")
    ledger.receive(staff[Role.PHYSICIAN], stock, Decimal(100), note="pharmacy delivery", now=T0 - 2 * H, address=None)


def give(
    staff: dict[str, User], order: MedicationRequest, at: dt.datetime, role: str = Role.NURSE, **kwargs: Any
) -> MedicationAdministration:
    args = {"status": "given", "dose_mg": None, "due_at": None, "reason": "", **kwargs}
    return services.record_administration(staff[role], order.pk, now=at, address=None, **args)


def record_at_intake(episode: Episode, **fields: Any) -> None:
    IntakeAssessment.objects.filter(episode=episode).update(**fields)


def verdict_now(order: MedicationRequest, episode: Episode, at: dt.datetime = T0) -> Verdict:
    return check_order(order, order.dose_mg, dose_context(episode, at), at)


def rule_ids(findings: Any) -> set[str]:
    return {f["rule_id"] if isinstance(f, dict) else f.rule_id for f in findings}


def post_json(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


# Methadone's first dose: rule data, whatever the order carries.


def test_a_hand_written_methadone_order_stops_a_40_mg_first_dose_until_a_physician_authorises_an_override(
    client_as, staff, episode
):
    methadone_in_stock(staff, episode)
    chart(staff, episode, T0 - 10 * MINUTE)
    with time_machine.travel(T0, tick=False):
        signed = post_json(client_as(Role.PHYSICIAN), f"/api/episodes/{episode.pk}/orders", METHADONE_40)
        assert signed.status_code == 201
        (order,) = signed.json()
        assert (order["medicine_code"], Decimal(order["dose_mg"])) == ("methadone_oral", 40)
        assert MedicationRequest.objects.get(pk=order["id"]).first_dose_max_mg is None
        url = f"/api/orders/{order['id']}/administrations"

        stopped = post_json(client_as(Role.NURSE), url, {"status": "given"})
        assert stopped.status_code == 409
        body = stopped.json()
        assert body["field"] == "dose"
        assert rule_ids(body["hard_stops"]) == {"methadone-first-dose"}
        (stop,) = body["hard_stops"]
        assert "First methadone dose 40 mg is above the first-dose limit of 30 mg" in stop["message"]
        assert "FDA label: not more than 30 mg" in stop["message"]
        assert not MedicationAdministration.objects.exists()

        authorised = post_json(
            client_as(Role.PHYSICIAN),
            f"/api/orders/{order['id']}/overrides",
            {"reason": "40 mg verified with the patient's OTP this morning"},
        )
        assert authorised.status_code == 201
        assert authorised.json()["rule_ids"] == ["methadone-first-dose"]
        overridden = post_json(client_as(Role.NURSE), url, {"status": "given"})
    assert overridden.status_code == 201
    assert rule_ids(overridden.json()["hard_stops"]) == {"methadone-first-dose"}
    assert overridden.json()["override_id"] == authorised.json()["id"]
    dose = MedicationAdministration.objects.get()
    assert (dose.status, dose.dose_mg) == ("given", 40)
    assert dose.override_reason == "40 mg verified with the patient's OTP this morning"
    assert dose.override_by_name == staff[Role.PHYSICIAN].display_name
    assert dose.by_name == staff[Role.NURSE].display_name
    assert rule_ids(dose.hard_stops) == {"methadone-first-dose"}
    assert "30 mg" in dose.hard_stops[0]["message"]


def test_the_mar_screen_shows_the_methadone_first_dose_stop_and_saves_nothing(client_as, staff, episode):
    methadone_in_stock(staff, episode)
    chart(staff, episode, T0 - 10 * MINUTE)
    with time_machine.travel(T0, tick=False):
        signed = client_as(Role.PHYSICIAN).post(
            f"/episodes/{episode.pk}/medications/order/", {k: str(v) for k, v in METHADONE_40.items()}
        )
        assert signed["Location"] == f"/episodes/{episode.pk}/medications/"
        order = MedicationRequest.objects.get(medicine_code="methadone_oral")
        response = client_as(Role.NURSE).post(
            f"/medications/orders/{order.pk}/administer/", {"status": "given", "dose_mg": "40"}
        )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Hard stop: First methadone dose 40 mg is above the first-dose limit of 30 mg" in page
    assert "(FDA label: not more than 30 mg)" in page
    assert not MedicationAdministration.objects.exists()


def test_a_facility_first_dose_limit_of_40_mg_lets_the_first_dose_through(staff, episode):
    methadone_in_stock(staff, episode)
    order = by_hand(staff, episode, METHADONE_40)
    chart(staff, episode, T0 - 10 * MINUTE)
    assert rule_ids(verdict_now(order, episode).hard_stops) == {"methadone-first-dose"}
    override_rules(
        staff[Role.PHYSICIAN],
        RuleSet.DOSE_SAFETY,
        {"methadone_first_dose_max_mg": 40},
        reason="Medical director: OTP start per 42 CFR 8.12(h), 2026-11-01",
        now=T0 - 3 * H,
        address=None,
    )
    verdict = verdict_now(order, episode)
    assert verdict.allowed, verdict.hard_stops
    dose = give(staff, order, T0)
    assert (dose.dose_mg, dose.hard_stops, dose.override_reason) == (40, [], "")


def test_a_facility_first_dose_limit_above_the_rulebook_bound_is_refused(staff):
    with pytest.raises(InvalidInput) as refused:
        override_rules(
            staff[Role.PHYSICIAN],
            RuleSet.DOSE_SAFETY,
            {"methadone_first_dose_max_mg": 60},
            reason="Medical director",
            now=T0,
            address=None,
        )
    assert refused.value.field == "methadone_first_dose_max_mg"
    assert "from 10 to 50" in refused.value.message
    assert not RuleOverride.objects.exists()


# QT-risk adjuncts against the intake QTc.


@pytest.mark.parametrize(
    ("qtc", "measured_on", "stops", "warnings", "words"),
    [
        (510, ECG_DAY, {"qt-risk"}, set(), "last QTc 510 ms (measured 2026-11-18) is 500 ms or more"),
        (470, ECG_DAY, set(), {"qt-risk"}, "last QTc 470 ms (measured 2026-11-18) is above 450 ms"),
        (470, None, set(), {"qt-risk"}, "last QTc 470 ms (ECG date not recorded)"),
        (430, ECG_DAY, set(), set(), None),
    ],
    ids=["510-stops", "470-warns", "470-undated-warns", "430-passes"],
)
def test_ondansetron_is_held_to_the_last_qtc_and_names_the_ecg_date(
    staff, episode, qtc, measured_on, stops, warnings, words
):
    record_at_intake(episode, last_qtc_ms=qtc, last_qtc_on=measured_on)
    verdict = verdict_now(ondansetron(staff, episode), episode)
    assert rule_ids(verdict.hard_stops) == stops
    assert rule_ids(verdict.warnings) == warnings
    if words:
        (finding,) = verdict.hard_stops + verdict.warnings
        assert words in finding.message


def test_ondansetron_beside_an_active_methadone_order_warns_of_additive_qt_risk(staff, episode):
    record_at_intake(episode, last_qtc_ms=440, last_qtc_on=ECG_DAY)
    by_hand(staff, episode, {**METHADONE_40, "dose_mg": 30})
    verdict = verdict_now(ondansetron(staff, episode), episode)
    assert verdict.allowed
    (warning,) = [w for w in verdict.warnings if w.rule_id == "qt-risk-with-methadone"]
    assert "Ondansetron prolongs the QT interval and methadone is active" in warning.message
    assert "last QTc 440 ms (measured 2026-11-18)" in warning.message


def test_methadone_with_an_active_ondansetron_order_warns_of_additive_qt_risk(staff, episode):
    record_at_intake(episode, last_qtc_ms=440, last_qtc_on=ECG_DAY)
    ondansetron(staff, episode)
    chart(staff, episode, T0 - 10 * MINUTE)
    verdict = verdict_now(by_hand(staff, episode, {**METHADONE_40, "dose_mg": 30}), episode)
    assert verdict.allowed, verdict.hard_stops
    (warning,) = [w for w in verdict.warnings if w.rule_id == "qt-risk-with-methadone"]
    assert "Ondansetron also prolongs the QT interval" in warning.message


def test_a_qt_risk_stop_through_the_writer_saves_nothing(staff, episode):
    record_at_intake(episode, last_qtc_ms=510, last_qtc_on=ECG_DAY)
    order = ondansetron(staff, episode)
    with pytest.raises(SafetyStop) as stopped:
        give(staff, order, T0)
    assert rule_ids(stopped.value.stops) == {"qt-risk"}
    assert "510 ms (measured 2026-11-18)" in stopped.value.message
    assert not MedicationAdministration.objects.exists()


# Benzodiazepine and alcohol use recorded at intake, before an opioid.


@pytest.mark.parametrize(
    ("use", "current_medications", "warns"),
    [
        ({"benzodiazepines": {"last_use": (T0 - 48 * H).isoformat()}}, "", True),
        ({"benzodiazepines": {"last_use": (T0 - 240 * H).isoformat()}}, "", False),
        ({"benzodiazepines": {}}, "", True),
        ({}, "clonazepam 0.5 mg", True),
        ({}, "sertraline 50 mg", False),
        ({"alcohol": {"last_use": (T0 - 6 * H).isoformat()}}, "", True),
        ({"alcohol": {"last_use": (T0 - 72 * H).isoformat()}}, "", False),
    ],
    ids=[
        "benzodiazepine-2-days-ago",
        "benzodiazepine-10-days-ago",
        "benzodiazepine-no-time",
        "clonazepam-prescribed",
        "no-benzodiazepine-prescribed",
        "alcohol-6-h-ago",
        "alcohol-3-days-ago",
    ],
)
def test_sedative_use_at_intake_warns_before_buprenorphine(staff, episode, use, current_medications, warns):
    record_at_intake(
        episode,
        substance_use={"heroin": {"last_use": (T0 - 14 * H).isoformat()}, **use},
        current_medications=current_medications,
    )
    order = bup_order(staff, episode)
    chart(staff, episode, T0 - 10 * MINUTE)
    verdict = verdict_now(order, episode)
    assert verdict.allowed, verdict.hard_stops  # a warning, never a reason to withhold buprenorphine
    assert ("opioid-benzodiazepine" in rule_ids(verdict.warnings)) is warns


def test_benzodiazepine_use_at_intake_warns_before_methadone_too(staff, episode):
    record_at_intake(episode, substance_use={"benzodiazepines": {"last_use": (T0 - 48 * H).isoformat()}})
    chart(staff, episode, T0 - 10 * MINUTE)
    verdict = verdict_now(by_hand(staff, episode, {**METHADONE_40, "dose_mg": 30}), episode)
    (warning,) = [w for w in verdict.warnings if w.rule_id == "opioid-benzodiazepine"]
    assert "Methadone oral with benzodiazepine use recorded at intake" in warning.message
    assert "(within 168 h)" in warning.message


# Acetaminophen with liver disease or alcohol.


@pytest.mark.parametrize(
    ("intake", "lowered_for"),
    [
        ({"liver_disease": True}, "liver disease"),
        ({"substance_use": {"alcohol": {"last_use": (T0 - 30 * H).isoformat()}}}, "heavy alcohol use"),
        ({}, None),
    ],
    ids=["liver-disease-2000", "alcohol-2000", "neither-3000"],
)
def test_acetaminophen_24_hour_maximum_is_lowered_for_liver_disease_or_alcohol(staff, episode, intake, lowered_for):
    record_at_intake(episode, **intake)
    order = acetaminophen(staff, episode)
    give(staff, order, T0 - 10 * H, dose_mg=Decimal(500))
    give(staff, order, T0 - 5 * H)
    if lowered_for is None:
        assert give(staff, order, T0).hard_stops == []
        return
    with pytest.raises(SafetyStop) as stopped:
        give(staff, order, T0)
    assert rule_ids(stopped.value.stops) == {"daily-max"}
    assert (
        "1500 mg given in the last 24 hours; another 1000 mg would exceed the 24-hour maximum of 2000 mg "
        f"(lowered for {lowered_for} recorded at intake)"
    ) in stopped.value.message
    assert MedicationAdministration.objects.count() == 2


# Buprenorphine's first dose: every opioid recorded at intake meets its own wait.


def test_recent_heroin_stops_a_first_buprenorphine_dose_though_methadone_was_long_ago(staff, episode):
    record_at_intake(
        episode,
        substance_use={
            "heroin": {"last_use": (T0 - 2 * H).isoformat()},
            "methadone": {"last_use": (T0 - 100 * H).isoformat()},
        },
    )
    order = bup_order(staff, episode)
    chart(staff, episode, T0 - 10 * MINUTE, COWS_14)
    with pytest.raises(SafetyStop) as stopped:
        give(staff, order, T0)
    assert rule_ids(stopped.value.stops) == {"induction-hours"}
    (stop,) = stopped.value.stops
    assert "2 h since heroin; wait at least 12 h" in stop["message"]
    assert "methadone" not in stop["message"]
    assert not MedicationAdministration.objects.exists()


def test_an_opioid_recorded_without_a_last_use_stops_a_first_buprenorphine_dose(staff, episode):
    record_at_intake(
        episode, substance_use={"heroin": {"last_use": (T0 - 14 * H).isoformat()}, "fentanyl": {"route": "smoked"}}
    )
    order = bup_order(staff, episode)
    chart(staff, episode, T0 - 10 * MINUTE, COWS_14)
    with pytest.raises(SafetyStop) as stopped:
        give(staff, order, T0)
    assert rule_ids(stopped.value.stops) == {"induction-hours"}
    assert "last use of fentanyl is not recorded; it must be at least 24 h ago" in stopped.value.message


# The COWS API takes whole numbers only.


@pytest.mark.parametrize(
    ("value", "shown"),
    [(True, "true"), (2.0, "2.0"), ("2", '"2"'), (None, "null")],
    ids=["true", "float", "string", "null"],
)
def test_the_cows_api_refuses_an_item_that_is_not_a_whole_number(client_as, episode, value, shown):
    response = post_json(
        client_as(Role.NURSE),
        f"/api/episodes/{episode.pk}/assessments",
        {"instrument": "COWS", "items": {**COWS_10, "tremor": value}},
    )
    assert response.status_code == 400
    assert response.json() == {
        "field": "tremor",
        "message": f"Tremor: {shown} is not a whole number of points (allowed: 0, 1, 2, 4).",
    }
    assert not WithdrawalAssessment.objects.exists()


def test_the_cows_api_takes_the_same_item_as_a_whole_number(client_as, episode):
    response = post_json(
        client_as(Role.NURSE),
        f"/api/episodes/{episode.pk}/assessments",
        {"instrument": "COWS", "items": {**COWS_10, "tremor": 2}},
    )
    assert response.status_code == 201
    assert response.json()["total"] == 12


@pytest.mark.parametrize("value", ["96", True, 96.0], ids=["string", "true", "float"])
def test_the_cows_api_refuses_a_vital_sign_that_is_not_a_whole_number(client_as, episode, value):
    response = post_json(
        client_as(Role.NURSE),
        f"/api/episodes/{episode.pk}/assessments",
        {"instrument": "COWS", "items": COWS_10, "vitals": {"heart_rate": value}},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "vitals.heart_rate"
    assert not WithdrawalAssessment.objects.exists()


# Loading the facts: six queries, whatever the history.


@pytest.mark.parametrize(
    ("doses_each", "facility_override"),
    [(3, False), (6, False), (6, True)],
    ids=["three-doses-each", "six-doses-each", "six-doses-each-with-facility-rules"],
)
def test_dose_context_runs_six_queries_whatever_the_history(
    django_assert_num_queries, staff, episode, doses_each, facility_override
):
    Allergy.objects.create(facility=episode.facility, patient=episode.patient, substance="Penicillin")
    Allergy.objects.create(facility=episode.facility, patient=episode.patient, substance="Latex")
    if facility_override:
        override_rules(
            staff[Role.PHYSICIAN],
            RuleSet.DOSE_SAFETY,
            {"alcohol_use_within_hours": 48},
            reason="Medical director",
            now=T0 - 3 * H,
            address=None,
        )
    bup_order(staff, episode)
    antiemetic, analgesic = ondansetron(staff, episode), acetaminophen(staff, episode)
    for k in range(doses_each):
        give(staff, antiemetic, T0 + k * 8 * H)
        give(staff, analgesic, T0 + k * 8 * H + MINUTE)
    now = T0 + doses_each * 8 * H
    chart(staff, episode, now - 10 * MINUTE)
    with django_assert_num_queries(6):
        context = dose_context(episode, now)
    assert len(context.doses) == 2 * doses_each
    assert len(context.active_orders) == 3
    assert context.patient.allergies == ("Latex", "Penicillin")
    assert context.latest is not None
    assert context.latest.cows == 10
    assert context.rules.alcohol_use_within_hours == (48 if facility_override else 24)

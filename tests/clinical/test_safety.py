"""The dose safety check: every rule at its boundary, the 24-hour window, and who may override."""

import dataclasses
import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detoxflow.clinical.formulary import FORMULARY, Family
from detoxflow.clinical.safety import GivenDose, Observation, OrderLimits, PatientFacts, check_dose

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
M = dt.timedelta(minutes=1)
H = dt.timedelta(hours=1)
BUP, METH, CLON, LOFEX, DIAZ, ONDAN = (
    FORMULARY[c] for c in ("buprenorphine_sl", "methadone_oral", "clonidine", "lofexidine", "diazepam", "ondansetron")
)
CALM = Observation(
    at=NOW - 10 * M,
    cows=10,
    systolic_bp=128,
    diastolic_bp=80,
    heart_rate=88,
    respiratory_rate=16,
    spo2=97,
    sedation="1",
)
HEROIN_13H = PatientFacts(last_opioid_use={"short_acting": NOW - 13 * H}, qtc_ms=430)


def limits(dose, **changes):
    base = OrderLimits(dose_mg=D(dose), min_interval_minutes=120, single_dose_max_mg=D(8), daily_max_mg=D(16))
    return dataclasses.replace(base, **changes)


def bup_dose(at, mg=4):
    return GivenDose("buprenorphine_sl", Family.BUPRENORPHINE, D(mg), at)


def rules_of(verdict):
    return {f.rule_id for f in verdict.hard_stops}, {f.rule_id for f in verdict.warnings}


def check(medicine, order, *, patient=HEROIN_13H, latest=CALM, doses=(), active=frozenset()):
    return check_dose(medicine, order, patient=patient, latest=latest, doses=doses, active_families=active, now=NOW)


@pytest.mark.parametrize(
    ("medicine", "order", "kwargs", "stop"),
    [
        (BUP, limits(8), {"doses": (bup_dose(NOW - 3 * H),)}, None),
        (BUP, limits(10, single_dose_max_mg=D(12)), {"doses": (bup_dose(NOW - 3 * H),)}, "single-dose-max"),
        (BUP, limits(4), {"doses": (bup_dose(NOW - 3 * H, 8), bup_dose(NOW - 5 * H, 4))}, None),
        (BUP, limits(4), {"doses": (bup_dose(NOW - 3 * H, 8), bup_dose(NOW - 5 * H, 6))}, "daily-max"),
        (BUP, limits(4), {"doses": (bup_dose(NOW - 3 * H, 8), bup_dose(NOW - 24 * H, 6))}, None),
        (BUP, limits(4), {"doses": (bup_dose(NOW - 3 * H, 8), bup_dose(NOW - 24 * H + M, 6))}, "daily-max"),
        (BUP, limits(2), {"doses": (bup_dose(NOW - 119 * M),)}, "too-soon"),
        (BUP, limits(2), {"doses": (bup_dose(NOW - 120 * M),)}, None),
    ],
    ids=[
        "at-single-max",
        "over-single-max",
        "daily-at-limit",
        "daily-over-limit",
        "dose-24h-ago-outside-window",
        "dose-just-inside-window",
        "one-minute-too-soon",
        "interval-met",
    ],
)
def test_dose_limits_at_their_edges(medicine, order, kwargs, stop):
    stops, _ = rules_of(check(medicine, order, **kwargs))
    assert (stop in stops) if stop else not stops, stops


@pytest.mark.parametrize(
    ("patient", "cows", "stop"),
    [
        (HEROIN_13H, 8, None),
        (HEROIN_13H, 7, "induction-cows"),
        (PatientFacts(last_opioid_use={"short_acting": NOW - 11 * H}), 10, "induction-hours"),
        (PatientFacts(last_opioid_use={"short_acting": NOW - 12 * H}), 10, None),
        (PatientFacts(last_opioid_use={"fentanyl": NOW - 30 * H}), 12, "induction-cows"),
        (PatientFacts(last_opioid_use={"fentanyl": NOW - 23 * H}), 14, "induction-hours"),
        (
            PatientFacts(last_opioid_use={"methadone": NOW - 71 * H, "short_acting": NOW - 80 * H}),
            14,
            "induction-hours",
        ),
        (PatientFacts(last_opioid_use={"methadone": NOW - 72 * H}), 13, None),
    ],
    ids=[
        "heroin-cows-8",
        "heroin-cows-7",
        "heroin-11h",
        "heroin-12h",
        "fentanyl-cows-12",
        "fentanyl-23h",
        "methadone-71h",
        "methadone-72h-cows-13",
    ],
)
def test_buprenorphine_induction_readiness(patient, cows, stop):
    verdict = check(BUP, limits(4), patient=patient, latest=dataclasses.replace(CALM, cows=cows))
    stops, _ = rules_of(verdict)
    assert (stop in stops) if stop else not stops, verdict.hard_stops


def test_induction_needs_a_recent_cows():
    stale = dataclasses.replace(CALM, at=NOW - 61 * M)
    verdict = check(BUP, limits(4), latest=stale)
    assert "no COWS in the last 60 min" in verdict.hard_stops[0].message


def test_readiness_is_checked_only_before_the_first_buprenorphine_dose():
    verdict = check(BUP, limits(4), latest=dataclasses.replace(CALM, cows=2), doses=(bup_dose(NOW - 3 * H),))
    assert verdict.allowed


@pytest.mark.parametrize(
    ("medicine", "vitals", "stop"),
    [
        (CLON, {}, None),
        (CLON, {"systolic_bp": 89}, "alpha2-hold"),
        (CLON, {"systolic_bp": 90}, None),
        (CLON, {"diastolic_bp": 59}, "alpha2-hold"),
        (CLON, {"heart_rate": 59}, "alpha2-hold"),
        (LOFEX, {"heart_rate": 55, "diastolic_bp": 55}, None),
        (LOFEX, {"heart_rate": 49}, "alpha2-hold"),
    ],
    ids=["normal", "sbp-89", "sbp-90", "dbp-59", "hr-59", "lofexidine-hr-55", "lofexidine-hr-49"],
)
def test_alpha2_agonist_hold_parameters(medicine, vitals, stop):
    order = limits(D("0.1") if medicine is CLON else D("0.54"), single_dose_max_mg=D(1), daily_max_mg=D(3))
    verdict = check(medicine, order, latest=dataclasses.replace(CALM, **vitals))
    stops, _ = rules_of(verdict)
    assert (stop in stops) if stop else not stops, verdict.hard_stops


def test_alpha2_agonist_needs_fresh_blood_pressure():
    verdict = check(CLON, limits(D("0.1")), latest=None)
    assert rules_of(verdict)[0] == {"alpha2-vitals"}


@pytest.mark.parametrize(
    ("vitals", "stop"),
    [
        ({"sedation": "2"}, None),
        ({"sedation": "3"}, "sedation"),
        ({"sedation": "S"}, None),
        ({"respiratory_rate": 9}, "respiratory-rate"),
        ({"respiratory_rate": 10}, None),
        ({"spo2": 89}, "spo2"),
        ({"sedation": ""}, "sedation-check"),
    ],
    ids=["poss-2", "poss-3", "asleep", "rr-9", "rr-10", "spo2-89", "no-sedation-score"],
)
def test_sedation_and_breathing_before_opioids_and_benzodiazepines(vitals, stop):
    for medicine, order in ((BUP, limits(4)), (DIAZ, limits(5, single_dose_max_mg=D(10), daily_max_mg=D(30)))):
        verdict = check(medicine, order, latest=dataclasses.replace(CALM, **vitals))
        stops, _ = rules_of(verdict)
        assert (stop in stops) if stop else not stops, (medicine.code, verdict.hard_stops)


def test_opioid_with_active_benzodiazepine_warns_but_does_not_block():
    verdict = check(BUP, limits(4), active=frozenset({Family.BENZODIAZEPINE}))
    assert verdict.allowed
    assert "opioid-benzodiazepine" in rules_of(verdict)[1]
    assert "Do not withhold" in next(w.message for w in verdict.warnings if w.rule_id == "opioid-benzodiazepine")


def methadone_order(dose=20):
    return OrderLimits(
        dose_mg=D(dose),
        min_interval_minutes=120,
        single_dose_max_mg=D(30),
        daily_max_mg=D(100),
        first_dose_max_mg=D(30),
        first_day_max_mg=D(40),
    )


def meth_dose(at, mg):
    return GivenDose("methadone_oral", Family.METHADONE, D(mg), at)


@pytest.mark.parametrize(
    ("dose", "doses", "patient", "stop", "warning"),
    [
        (30, (), PatientFacts(qtc_ms=440), None, None),
        (35, (), PatientFacts(qtc_ms=440), "methadone-first-dose", None),
        (10, (meth_dose(NOW - 4 * H, 30),), PatientFacts(qtc_ms=440), None, None),
        (15, (meth_dose(NOW - 4 * H, 30),), PatientFacts(qtc_ms=440), "methadone-first-day", None),
        (15, (meth_dose(NOW - 25 * H, 30),), PatientFacts(qtc_ms=440), None, None),
        (20, (), PatientFacts(qtc_ms=451), None, "qtc"),
        (20, (), PatientFacts(qtc_ms=500), "qtc", None),
        (20, (), PatientFacts(qtc_ms=None), None, "qtc-unknown"),
    ],
    ids=["first-30", "first-35", "day1-total-40", "day1-total-45", "day2", "qtc-451", "qtc-500", "qtc-unknown"],
)
def test_methadone_first_day_and_qtc(dose, doses, patient, stop, warning):
    verdict = check(METH, methadone_order(dose), patient=patient, doses=doses)
    stops, warnings = rules_of(verdict)
    assert (stop in stops) if stop else not stops, verdict.hard_stops
    if warning:
        assert warning in warnings


def test_allergy_blocks_with_the_recorded_allergy():
    verdict = check(ONDAN, limits(4), patient=PatientFacts(allergies=("Ondansetron",)))
    assert verdict.hard_stops[0].message == "Recorded allergy: Ondansetron"


def test_naloxone_allergy_blocks_the_combination_film():
    film = FORMULARY["buprenorphine_naloxone_film"]
    verdict = check(film, limits(4), patient=dataclasses.replace(HEROIN_13H, allergies=("naloxone",)))
    assert "allergy" in rules_of(verdict)[0]


@pytest.mark.parametrize(("medicine", "warned"), [(CLON, True), (BUP, False)], ids=["clonidine", "buprenorphine"])
def test_pregnancy_warns_on_withdrawal_without_moud(medicine, warned):
    patient = dataclasses.replace(HEROIN_13H, pregnant=True)
    verdict = check(medicine, limits(D("0.1") if medicine is CLON else 4), patient=patient)
    assert ("pregnancy" in rules_of(verdict)[1]) is warned


def test_duplicate_therapy_and_two_opioid_agonists_warn():
    verdict = check(CLON, limits(D("0.1")), active=frozenset({Family.ALPHA2_AGONIST}))
    assert "duplicate-therapy" in rules_of(verdict)[1]
    verdict = check(METH, methadone_order(), patient=PatientFacts(qtc_ms=420), active=frozenset({Family.BUPRENORPHINE}))
    assert "duplicate-opioid-agonist" in rules_of(verdict)[1]


def test_buprenorphine_above_24_mg_a_day_warns_and_above_the_facility_maximum_stops():
    order = limits(8, daily_max_mg=D(40))
    day = tuple(bup_dose(NOW - hours * H, 8) for hours in (3, 6, 9, 12))
    verdict = check(BUP, order, doses=day[:3])  # 24 + 8 = 32: above 24, at the facility maximum
    assert "daily-warn" in rules_of(verdict)[1]
    assert verdict.allowed
    assert "daily-max" in rules_of(check(BUP, order, doses=day))[0]


def test_hard_stops_are_overridable_by_a_physician_only():
    verdict = check(BUP, limits(12))
    assert not verdict.allowed
    assert verdict.overridable_by == {"physician"}


@given(st.lists(st.integers(min_value=0, max_value=48 * 60), max_size=8), st.integers(1, 8))
def test_only_doses_within_the_last_24_hours_count(minutes_ago, dose):
    doses = tuple(bup_dose(NOW - m * M, 2) for m in minutes_ago)
    order = limits(dose, min_interval_minutes=0, daily_max_mg=D(1000), single_dose_max_mg=D(8))
    in_window = sum(2 for m in minutes_ago if m < 24 * 60)
    tight = dataclasses.replace(order, daily_max_mg=D(in_window + dose))
    assert "daily-max" not in rules_of(check(BUP, tight, doses=doses))[0]
    tighter = dataclasses.replace(order, daily_max_mg=D(in_window + dose - 1))
    assert "daily-max" in rules_of(check(BUP, tighter, doses=doses))[0]

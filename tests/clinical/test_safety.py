"""The dose safety check: every rule at its boundary, the 24-hour window, and who may override."""

import dataclasses
import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detoxflow.clinical.formulary import FORMULARY, Family
from detoxflow.clinical.safety import (
    PUBLISHED_SAFETY_RULES,
    GivenDose,
    Observation,
    OrderLimits,
    PatientFacts,
    check_dose,
    names_a_benzodiazepine,
)

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


# --- Every opioid used meets its own induction interval and COWS (reference §4; TIP 63; ASAM 2020/2023) ---

KINDS = {"heroin": 12, "prescription_opioids": 12, "fentanyl": 24, "methadone": 72}
COWS_NEEDED = {"heroin": 8, "prescription_opioids": 8, "fentanyl": 13, "methadone": 13}


@pytest.mark.parametrize(
    ("used", "cows", "stop_words"),
    [
        ({"methadone": 100, "heroin": 2}, 14, ["2 h since heroin; wait at least 12 h"]),
        ({"methadone": 100, "heroin": 13}, 14, []),
        ({"methadone": 48, "heroin": 13}, 14, ["48 h since methadone; wait at least 72 h"]),
        ({"fentanyl": 30, "heroin": 11}, 14, ["11 h since heroin"]),
        ({"fentanyl": 20, "heroin": 5}, 14, ["20 h since fentanyl", "5 h since heroin"]),
        ({"fentanyl": 30, "heroin": 13}, 10, ["COWS 10 is below the 13 required after fentanyl use"]),
        ({"prescription_opioids": 11}, 10, ["11 h since prescription opioids"]),
        ({"heroin": 0.5}, 10, ["30 min since heroin"]),
        ({"heroin": 11.9}, 10, ["11 h since heroin"]),
    ],
    ids=[
        "methadone-100h-heroin-2h",
        "methadone-100h-heroin-13h",
        "methadone-48h-heroin-13h",
        "fentanyl-ok-heroin-11h",
        "both-too-soon-both-named",
        "fentanyl-cows-10",
        "prescription-opioids-11h",
        "heroin-30-min",
        "heroin-11.9h-never-shown-as-12",
    ],
)
def test_every_opioid_used_must_meet_its_own_interval(used, cows, stop_words):
    patient = PatientFacts(last_opioid_use={name: NOW - hours * H for name, hours in used.items()})
    verdict = check(BUP, limits(4), patient=patient, latest=dataclasses.replace(CALM, cows=cows))
    messages = [f.message for f in verdict.hard_stops]
    for words in stop_words:
        assert any(words in m for m in messages), messages
    assert verdict.allowed is (not stop_words)


def test_an_opioid_recorded_without_a_last_use_time_stops_a_first_dose():
    patient = PatientFacts(last_opioid_use={"heroin": NOW - 20 * H}, opioids_without_last_use=frozenset({"methadone"}))
    verdict = check(BUP, limits(4), patient=patient, latest=dataclasses.replace(CALM, cows=14))
    assert [f.rule_id for f in verdict.hard_stops] == ["induction-hours"]
    assert "last use of methadone is not recorded" in verdict.hard_stops[0].message


@given(
    st.dictionaries(
        st.sampled_from(sorted(KINDS)), st.integers(min_value=0, max_value=200 * 60), min_size=1, max_size=4
    ),
    st.integers(0, 48),
)
def test_a_first_dose_is_allowed_only_when_every_interval_and_threshold_is_met(minutes_ago, cows):
    patient = PatientFacts(last_opioid_use={name: NOW - m * M for name, m in minutes_ago.items()})
    verdict = check(BUP, limits(4), patient=patient, latest=dataclasses.replace(CALM, cows=cows))
    every_interval = all(m >= KINDS[name] * 60 for name, m in minutes_ago.items())
    every_cows = all(cows >= COWS_NEEDED[name] for name in minutes_ago)
    assert verdict.allowed is (every_interval and every_cows)
    for name, m in minutes_ago.items():
        named = any(f"since {name.replace('_', ' ')}" in f.message for f in verdict.hard_stops)
        assert named is (m < KINDS[name] * 60), (name, m, verdict.hard_stops)


# --- Methadone first dose and first day from rule data, however the order was written (FDA label; §5) ---


def hand_written_methadone(dose):
    """An order signed by hand or through the API: it carries no first-dose or first-day limit of its own."""
    return OrderLimits(dose_mg=D(dose), min_interval_minutes=120, single_dose_max_mg=D(40), daily_max_mg=D(120))


@pytest.mark.parametrize(
    ("dose", "doses", "stop"),
    [
        (30, (), None),
        (40, (), "methadone-first-dose"),
        (31, (), "methadone-first-dose"),
        (10, (meth_dose(NOW - 3 * H, 30),), None),
        (15, (meth_dose(NOW - 3 * H, 30),), "methadone-first-day"),
        (10, (meth_dose(NOW - 6 * H, 25), meth_dose(NOW - 3 * H, 5)), None),
        (40, (meth_dose(NOW - 25 * H, 30), meth_dose(NOW - 22 * H, 10)), None),
        (15, (meth_dose(NOW - 23 * H, 30), meth_dose(NOW - 2 * H, 10)), "methadone-first-day"),
    ],
    ids=[
        "first-30",
        "first-40-hand-written",
        "first-31",
        "day1-40",
        "day1-45",
        "day1-three-doses-40",
        "day2-40",
        "still-day1-at-23h",
    ],
)
def test_methadone_start_limits_apply_to_a_hand_written_order(dose, doses, stop):
    verdict = check(METH, hand_written_methadone(dose), patient=PatientFacts(qtc_ms=420), doses=doses)
    stops, _ = rules_of(verdict)
    assert (stop in stops) if stop else "methadone-first-dose" not in stops and "methadone-first-day" not in stops


def test_the_methadone_first_dose_stop_names_the_label_and_can_be_overridden_by_a_physician():
    verdict = check(METH, hand_written_methadone(40), patient=PatientFacts(qtc_ms=420))
    stop = next(f for f in verdict.hard_stops if f.rule_id == "methadone-first-dose")
    assert "40 mg is above the first-dose limit of 30 mg" in stop.message
    assert "FDA" in stop.source
    assert verdict.overridable_by == {"physician"}


def test_a_facility_first_dose_limit_replaces_the_label_default_and_an_order_can_only_tighten_it():
    rules = dataclasses.replace(PUBLISHED_SAFETY_RULES, methadone_first_dose_max_mg=40, methadone_first_day_max_mg=50)
    assert check_dose(
        METH,
        hand_written_methadone(40),
        patient=PatientFacts(qtc_ms=420),
        latest=CALM,
        doses=(),
        active_families=frozenset(),
        now=NOW,
        rules=rules,
    ).allowed
    tighter = dataclasses.replace(hand_written_methadone(25), first_dose_max_mg=D(20))
    assert "methadone-first-dose" in rules_of(check(METH, tighter, patient=PatientFacts(qtc_ms=420)))[0]


# --- QT-prolonging adjuncts (reference §5: additive QT drugs; labels; Krantz 2009) ---

QTC_DAY = dt.date(2026, 11, 18)
HYDROX, LOPER, TRAZ = (FORMULARY[c] for c in ("hydroxyzine", "loperamide", "trazodone"))


@pytest.mark.parametrize("medicine", [LOFEX, ONDAN, HYDROX, LOPER, TRAZ], ids=lambda m: m.code)
@pytest.mark.parametrize(
    ("qtc", "outcome"),
    [(440, None), (450, None), (451, "warning"), (499, "warning"), (500, "stop"), (530, "stop")],
    ids=["440", "450", "451", "499", "500", "530"],
)
def test_qt_risk_adjuncts_are_held_to_the_last_qtc(medicine, qtc, outcome):
    order = limits(medicine.strengths_mg[0], single_dose_max_mg=D(1000), daily_max_mg=D(10000))
    patient = PatientFacts(qtc_ms=qtc, qtc_measured_on=QTC_DAY)
    verdict = check(medicine, order, patient=patient)
    stops, warnings = rules_of(verdict)
    assert ("qt-risk" in stops) is (outcome == "stop")
    assert ("qt-risk" in warnings) is (outcome == "warning")
    for finding in (*verdict.hard_stops, *verdict.warnings):
        if finding.rule_id == "qt-risk":
            assert f"QTc {qtc} ms (measured 2026-11-18)" in finding.message


def test_a_medicine_without_qt_risk_ignores_the_qtc():
    verdict = check(CLON, limits(D("0.1")), patient=PatientFacts(qtc_ms=520))
    assert not {"qt-risk", "qt-risk-with-methadone"} & (rules_of(verdict)[0] | rules_of(verdict)[1])


def test_a_qt_risk_adjunct_beside_active_methadone_warns_naming_the_qtc_or_its_absence():
    verdict = check(ONDAN, limits(4), patient=PatientFacts(qtc_ms=440), active=frozenset({Family.METHADONE}))
    finding = next(w for w in verdict.warnings if w.rule_id == "qt-risk-with-methadone")
    assert "QTc 440 ms (ECG date not recorded)" in finding.message
    verdict = check(ONDAN, limits(4), patient=PatientFacts(), active=frozenset({Family.METHADONE}))
    assert "no QTc on record" in next(w.message for w in verdict.warnings if w.rule_id == "qt-risk-with-methadone")


def test_methadone_beside_an_active_qt_risk_adjunct_warns():
    verdict = check_dose(
        METH,
        methadone_order(20),
        patient=PatientFacts(qtc_ms=430, qtc_measured_on=QTC_DAY),
        latest=CALM,
        doses=(),
        active_families=frozenset({Family.ANTIEMETIC}),
        active_medicines=frozenset({"ondansetron"}),
        now=NOW,
    )
    finding = next(w for w in verdict.warnings if w.rule_id == "qt-risk-with-methadone")
    assert finding.message.startswith("Ondansetron also prolongs the QT interval")
    assert "measured 2026-11-18" in finding.message


def test_the_methadone_qtc_messages_name_when_it_was_measured():
    verdict = check(METH, methadone_order(20), patient=PatientFacts(qtc_ms=470, qtc_measured_on=QTC_DAY))
    assert "QTc 470 ms (measured 2026-11-18)" in next(w.message for w in verdict.warnings if w.rule_id == "qtc")


# --- Benzodiazepine or alcohol use recorded at intake (FDA DSC 2016 and 2017; reference §7) ---


@pytest.mark.parametrize(
    ("sedatives", "warned"),
    [
        ({"benzodiazepines": NOW - 48 * H}, True),
        ({"benzodiazepines": NOW - 167 * H}, True),
        ({"benzodiazepines": NOW - 169 * H}, False),
        ({"benzodiazepines": None}, True),
        ({"alcohol": NOW - 6 * H}, True),
        ({"alcohol": NOW - 25 * H}, False),
        ({}, False),
    ],
    ids=["benzo-2-days", "benzo-167h", "benzo-8-days", "benzo-time-unknown", "alcohol-6h", "alcohol-25h", "none"],
)
def test_recorded_sedative_use_warns_before_an_opioid_and_never_blocks_it(sedatives, warned):
    for medicine, order in ((BUP, limits(4)), (METH, methadone_order(20))):
        patient = dataclasses.replace(HEROIN_13H, sedative_use=sedatives)
        verdict = check(medicine, order, patient=patient)
        _, warnings = rules_of(verdict)
        assert ("opioid-benzodiazepine" in warnings) is warned, (medicine.code, verdict.warnings)
        if warned:
            assert "Do not withhold" in next(
                w.message for w in verdict.warnings if w.rule_id == "opioid-benzodiazepine"
            )
        assert "opioid-benzodiazepine" not in rules_of(verdict)[0]


def test_recorded_sedative_use_does_not_warn_before_a_non_opioid():
    patient = dataclasses.replace(HEROIN_13H, sedative_use={"benzodiazepines": NOW - H})
    assert "opioid-benzodiazepine" not in rules_of(check(ONDAN, limits(4), patient=patient))[1]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Clonazepam 0.5 mg twice daily", True),
        ("XANAX 1mg prn", True),
        ("sertraline 50 mg; lorazepam at night", True),
        ("sertraline 50 mg", False),
        ("", False),
        ("diazepamine", False),
    ],
    ids=["clonazepam", "brand-upper-case", "in-a-list", "none", "empty", "not-a-whole-word"],
)
def test_a_prescribed_benzodiazepine_is_found_in_the_medication_list(text, named):
    assert names_a_benzodiazepine(text) is named


# --- Acetaminophen with liver disease or heavy alcohol use (reference §8: ≤2 g/day) ---


def apap(at, mg):
    return GivenDose("acetaminophen", Family.ANALGESIC, D(mg), at)


@pytest.mark.parametrize(
    ("liver", "alcohol", "given", "stop"),
    [
        (False, False, (2000,), False),
        (True, False, (1000,), False),
        (True, False, (1500,), True),
        (False, True, (1000, 500), True),
        (True, True, (500,), False),
    ],
    ids=["no-liver-3g", "liver-2g-exactly", "liver-over-2g", "alcohol-over-2g", "both-under"],
)
def test_acetaminophen_24_hour_maximum_is_lowered_for_the_liver(liver, alcohol, given, stop):
    order = limits(1000, single_dose_max_mg=D(1000), daily_max_mg=D(3000), min_interval_minutes=0)
    doses = tuple(apap(NOW - (i + 1) * 5 * H, mg) for i, mg in enumerate(given))
    patient = PatientFacts(liver_disease=liver, heavy_alcohol_use=alcohol)
    verdict = check(FORMULARY["acetaminophen"], order, patient=patient, doses=doses)
    assert ("daily-max" in rules_of(verdict)[0]) is stop
    if stop:
        finding = next(f for f in verdict.hard_stops if f.rule_id == "daily-max")
        assert "maximum of 2000 mg (lowered for" in finding.message
        assert "≤2 g" in finding.source

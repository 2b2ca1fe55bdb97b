"""Discharge checklist by discharge type, naltrexone timing, follow-up dates."""

import dataclasses
import datetime as dt

import pytest

from detoxflow.clinical.discharge import (
    ChecklistFacts,
    NaloxoneStatus,
    follow_up_dates,
    missing_for_discharge,
    naltrexone_from,
)
from detoxflow.clinical.stages import DischargeType

DONE = ChecklistFacts(
    aftercare_reviewed=True,
    naloxone=NaloxoneStatus.DISPENSED,
    naloxone_decline_reason="",
    overdose_education=True,
    medications_reconciled=True,
    follow_up_booked=True,
)
NOTHING = ChecklistFacts(
    aftercare_reviewed=False,
    naloxone=NaloxoneStatus.NOT_YET,
    naloxone_decline_reason="",
    overdose_education=False,
    medications_reconciled=False,
    follow_up_booked=False,
)


@pytest.mark.parametrize(
    ("discharge", "facts", "missing"),
    [
        (DischargeType.COMPLETED, DONE, ()),
        (
            DischargeType.COMPLETED,
            NOTHING,
            ("naloxone", "overdose education", "medications reconciled", "aftercare plan reviewed", "follow-up booked"),
        ),
        (DischargeType.AGAINST_MEDICAL_ADVICE, NOTHING, ("naloxone", "overdose education")),
        (
            DischargeType.AGAINST_MEDICAL_ADVICE,
            dataclasses.replace(
                NOTHING,
                naloxone=NaloxoneStatus.DECLINED,
                naloxone_decline_reason="left in a hurry",
                overdose_education=True,
            ),
            (),
        ),
        (
            DischargeType.TRANSFER_TO_HIGHER_LEVEL,
            dataclasses.replace(NOTHING, naloxone=NaloxoneStatus.PRESCRIBED, overdose_education=True),
            ("medications reconciled",),
        ),
        (DischargeType.ADMINISTRATIVE, NOTHING, ()),
        (DischargeType.COMPLETED, dataclasses.replace(DONE, naloxone=NaloxoneStatus.DECLINED), ("naloxone",)),
    ],
    ids=[
        "completed-all-done",
        "completed-nothing",
        "ama-nothing",
        "ama-offered",
        "transfer",
        "administrative",
        "declined-without-reason",
    ],
)
def test_checklist_by_discharge_type(discharge, facts, missing):
    found = missing_for_discharge(discharge, facts)
    assert len(found) == len(missing)
    for fragment, text in zip(missing, found, strict=True):
        assert fragment in text


@pytest.mark.parametrize(
    ("short", "long", "expected"),
    [
        (dt.date(2026, 11, 20), None, dt.date(2026, 11, 27)),
        (None, dt.date(2026, 11, 20), dt.date(2026, 12, 4)),
        (dt.date(2026, 11, 25), dt.date(2026, 11, 15), dt.date(2026, 12, 2)),
        (None, None, None),
    ],
    ids=["heroin-7-days", "buprenorphine-14-days", "the-later-wins", "no-opioid-use"],
)
def test_naltrexone_waits_for_the_opioid_free_interval(short, long, expected):
    assert naltrexone_from(short, long) == expected


def test_follow_up_calls_at_2_7_and_30_days():
    assert follow_up_dates(dt.date(2026, 11, 20)) == [
        dt.date(2026, 11, 22),
        dt.date(2026, 11, 27),
        dt.date(2026, 12, 20),
    ]

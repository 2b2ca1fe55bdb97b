"""Facility protocols: copy, edit into new versions, and orders keeping what they were signed with."""

import datetime as dt
from decimal import Decimal

import pytest

from detoxflow.accounts.permissions import Role
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.medications import protocols, services
from detoxflow.medications.models import FacilityProtocol

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


def test_editing_a_protocol_never_changes_a_signed_order(staff, episode):
    physician = staff[Role.PHYSICIAN]
    copy = protocols.copy_published(physician, "buprenorphine_induction", now=T0, address=None)
    (before,) = services.sign_protocol(physician, episode, "buprenorphine_induction", now=T0, address=None)
    edited = protocols.edit_line(
        physician,
        copy,
        0,
        {"cows_at_least": 10, "dose_mg": Decimal(2)},
        reason="Medical director 2026-11-20: later first dose",
        now=T0,
        address=None,
    )
    services.stop_order(physician, before, reason="protocol changed", now=T0, address=None)
    (after,) = services.sign_protocol(physician, episode, "buprenorphine_induction", now=T0, address=None)
    before.refresh_from_db()
    assert (before.cows_at_least, before.dose_mg) == (8, 4)
    assert (after.cows_at_least, after.dose_mg) == (10, 2)
    assert edited.version == 2
    assert "(facility protocol;" in after.built_from
    assert FacilityProtocol.objects.filter(code="buprenorphine_induction").count() == 2


def test_a_second_copy_is_refused(staff):
    protocols.copy_published(staff[Role.PHYSICIAN], "adjuncts", now=T0, address=None)
    with pytest.raises(Conflict):
        protocols.copy_published(staff[Role.PHYSICIAN], "adjuncts", now=T0, address=None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"single_dose_max_mg": Decimal(12)}, "single_dose_max_mg"),
        ({"daily_max_mg": Decimal(40)}, "daily_max_mg"),
        ({"dose_mg": Decimal(9)}, "dose_mg"),
        ({"min_interval_minutes": 0}, "min_interval_minutes"),
    ],
    ids=["single-above-formulary", "daily-above-formulary", "dose-above-line-max", "no-interval"],
)
def test_edits_stay_within_the_formulary(staff, changes, field):
    copy = protocols.copy_published(staff[Role.PHYSICIAN], "buprenorphine_induction", now=T0, address=None)
    with pytest.raises(InvalidInput) as refused:
        protocols.edit_line(staff[Role.PHYSICIAN], copy, 0, changes, reason="x", now=T0, address=None)
    assert refused.value.field == field
    assert FacilityProtocol.objects.count() == 1


def test_protocols_page_copy_and_edit(client_as):
    physician = client_as(Role.PHYSICIAN)
    physician.post("/protocols/alpha2_clonidine/copy/")
    physician.post(
        "/protocols/alpha2_clonidine/edit/",
        {
            "line": "0",
            "dose_mg": "0.1",
            "min_interval_minutes": "360",
            "single_dose_max_mg": "0.2",
            "daily_max_mg": "0.8",
            "reason": "Local cap 0.8 mg/day",
        },
    )
    page = physician.get("/protocols/").content.decode()
    assert "facility version 2" in page
    assert "Local cap 0.8 mg/day" in page
    assert client_as(Role.NURSE).post("/protocols/adjuncts/copy/").status_code == 403

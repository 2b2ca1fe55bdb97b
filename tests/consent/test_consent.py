"""42 CFR part 2: a disclosure goes out only under an active consent that covers it, and is accounted for."""

import datetime as dt

import pytest

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.consent import services
from detoxflow.consent.coverage import Category, ConsentTerms, covering
from detoxflow.consent.models import Disclosure
from detoxflow.errors import InvalidInput
from tests.builders import stabilized_episode
from tests.factories import BedFactory

TODAY = dt.date(2026, 11, 20)


def terms(**changes):
    base = {
        "consent_id": 1,
        "recipient": "Synthetic Family Clinic",
        "categories": frozenset({Category.MEDICATIONS}),
        "starts": dt.date(2026, 11, 1),
        "expires": dt.date(2026, 12, 31),
        "revoked_on": None,
    }
    return ConsentTerms(**{**base, **changes})


@pytest.mark.parametrize(
    ("consents", "recipient", "category", "covered", "reason"),
    [
        ([], "Synthetic Family Clinic", Category.MEDICATIONS, False, "No consent names"),
        ([terms()], "Synthetic Family Clinic", Category.MEDICATIONS, True, ""),
        ([terms()], "  synthetic family   clinic ", Category.MEDICATIONS, True, ""),
        ([terms()], "Another Clinic", Category.MEDICATIONS, False, "No consent names Another Clinic"),
        ([terms()], "Synthetic Family Clinic", Category.ASSESSMENTS, False, "does not include assessments"),
        ([terms(categories=frozenset({Category.ALL}))], "Synthetic Family Clinic", Category.ASSESSMENTS, True, ""),
        (
            [terms(expires=dt.date(2026, 11, 19))],
            "Synthetic Family Clinic",
            Category.MEDICATIONS,
            False,
            "expired on 2026-11-19",
        ),
        (
            [terms(revoked_on=dt.date(2026, 11, 20))],
            "Synthetic Family Clinic",
            Category.MEDICATIONS,
            False,
            "revoked on 2026-11-20",
        ),
        (
            [terms(starts=dt.date(2026, 11, 21))],
            "Synthetic Family Clinic",
            Category.MEDICATIONS,
            False,
            "starts on 2026-11-21",
        ),
        (
            [terms(revoked_on=dt.date(2026, 11, 2)), terms(consent_id=2)],
            "Synthetic Family Clinic",
            Category.MEDICATIONS,
            True,
            "",
        ),
    ],
    ids=[
        "no-consent",
        "right-category",
        "recipient-spacing-and-case",
        "other-recipient",
        "wrong-category",
        "all-records",
        "expired",
        "revoked-today",
        "not-started",
        "second-consent-active",
    ],
)
def test_coverage(consents, recipient, category, covered, reason):
    consent_id, why = covering(consents, recipient, category, TODAY)
    assert (consent_id is not None) is covered
    assert reason in why


def test_a_disclosure_without_consent_is_refused_and_logged(staff, patient):
    with pytest.raises(InvalidInput) as refused:
        services.authorize_disclosure(
            staff[Role.COUNSELOR],
            patient,
            recipient="Synthetic Family Clinic",
            category=Category.DISCHARGE_SUMMARY,
            purpose="continuity",
            what="summary",
            now=dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC),
            address=None,
        )
    assert refused.value.status_code == 403
    assert not Disclosure.objects.exists()
    assert AuditEvent.objects.filter(action="disclosure.refused", outcome="refused").exists()


def test_consent_page_records_discloses_with_the_notice_and_accounts(client_as, staff, patient):
    stabilized_episode(
        staff[Role.PHYSICIAN],
        patient,
        BedFactory(unit__facility=patient.facility),
        dt.datetime(2026, 11, 18, 12, tzinfo=dt.UTC),
    )
    counselor = client_as(Role.COUNSELOR)
    counselor.post(
        f"/patients/{patient.pk}/consents/add/",
        {
            "recipient": "Synthetic Family Clinic",
            "categories": ["discharge_summary"],
            "purpose": "continuity of care",
            "starts": "2026-11-01",
            "signed_copy_reference": "Consent binder, tab 4",
        },
    )
    refused = counselor.post(
        f"/patients/{patient.pk}/disclosures/summary/", {"recipient": "Synthetic Legal Services", "purpose": "court"}
    )
    assert refused.status_code == 403
    assert "No consent names Synthetic Legal Services" in refused.context["disclosure_form"].errors["recipient"][0]
    sent = counselor.post(
        f"/patients/{patient.pk}/disclosures/summary/",
        {"recipient": "Synthetic Family Clinic", "purpose": "continuity of care"},
    )
    assert sent["Content-Type"] == "application/pdf"
    disclosure = Disclosure.objects.get()
    assert "42 CFR part 2" in disclosure.notice
    page = counselor.get(f"/patients/{patient.pk}/consents/").content.decode()
    assert "Accounting of disclosures" in page
    assert "Discharge summary, episode" in page
    consent = patient.consents.get()
    counselor.post(f"/consents/{consent.pk}/revoke/")
    again = counselor.post(
        f"/patients/{patient.pk}/disclosures/summary/",
        {"recipient": "Synthetic Family Clinic", "purpose": "continuity of care"},
    )
    assert again.status_code == 403


def test_a_consent_needs_its_parts(client_as, patient):
    response = client_as(Role.COUNSELOR).post(
        f"/patients/{patient.pk}/consents/add/",
        {
            "recipient": "X",
            "categories": ["all"],
            "purpose": "care",
            "starts": "2026-11-10",
            "expires": "2026-11-01",
            "signed_copy_reference": "binder",
        },
    )
    assert response.status_code == 400
    assert "expires before it starts" in response.context["consent_form"].errors["expires"][0]

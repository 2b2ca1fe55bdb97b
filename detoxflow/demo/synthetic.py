"""Synthetic facilities, staff, patients and episodes for the demo and the benchmarks.

Nothing here describes a real person: names are drawn from short generic lists, phone
numbers sit in the 555-01xx range reserved for fiction, and every record is random.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Role
from detoxflow.admissions.models import CallbackRequest
from detoxflow.assessments.models import WithdrawalAssessment
from detoxflow.clinical.dsm5 import Criterion
from detoxflow.clinical.formulary import FORMULARY
from detoxflow.clinical.protocols import PUBLISHED_PROTOCOLS
from detoxflow.clinical.scales import COWS
from detoxflow.clinical.scales.instrument import score
from detoxflow.clinical.schedule import LastAssessment, next_due
from detoxflow.clinical.stages import CareSetting, DischargeType, Stage, WithdrawalMedication
from detoxflow.consent.models import Consent
from detoxflow.directory.models import Resource
from detoxflow.directory.opening_hours import parse_hours
from detoxflow.episodes.models import Episode, StageTransition
from detoxflow.facilities.models import Bed, Facility, Unit
from detoxflow.intake.models import IntakeAssessment, TreatmentPlan
from detoxflow.medications.models import (
    ControlledLedgerEntry,
    ControlledStock,
    MedicationAdministration,
    MedicationRequest,
)
from detoxflow.patients.models import Allergy, Patient, Sex

DEMO_PASSWORD = "detoxflow-demo"  # noqa: S105  (published on purpose: demo logins only)
UNITS = (("North", "north"), ("South", "south"))
BEDS_PER_UNIT = 16
DEMO_STAFF = (
    ("intake", "Ines", "Intake", Role.INTAKE_COORDINATOR),
    ("nurse", "Nora", "Nurse", Role.NURSE),
    ("physician", "Phil", "Physician", Role.PHYSICIAN),
    ("counselor", "Cora", "Counselor", Role.COUNSELOR),
    ("manager", "Manon", "Manager", Role.UNIT_MANAGER),
    ("admin", "Ada", "Admin", Role.ADMINISTRATOR),
)
GIVEN = (
    "Alex",
    "Sam",
    "Jordan",
    "Casey",
    "Riley",
    "Morgan",
    "Taylor",
    "Jamie",
    "Avery",
    "Quinn",
    "Drew",
    "Rowan",
    "Skyler",
    "Reese",
    "Hayden",
    "Emerson",
    "Parker",
    "Sage",
    "Dakota",
    "Finley",
)
FAMILY = (
    "Testperson",
    "Sampleton",
    "Placeholder",
    "Demoford",
    "Mockridge",
    "Fictus",
    "Synthia",
    "Exampleby",
    "Dummett",
    "Specimen",
    "Prototyp",
    "Fakeley",
    "Notreal",
    "Simulo",
    "Modelton",
    "Draftwell",
)
ALLERGENS = (("Penicillin", "rash"), ("Sulfonamides", "hives"), ("Latex", "itching"), ("Codeine", "nausea"))
# Stage mix of the current census: who is where on an ordinary day on the unit.
CURRENT_STAGES = (
    (Stage.PRE_ADMISSION, 2),
    (Stage.EVALUATION, 3),
    (Stage.STABILIZATION, 6),
    (Stage.TAPERING, 5),
    (Stage.AFTERCARE_PLANNING, 4),
)
PATH = (Stage.PRE_ADMISSION, Stage.EVALUATION, Stage.STABILIZATION, Stage.TAPERING, Stage.AFTERCARE_PLANNING)
DISCHARGE_MIX = (
    (DischargeType.COMPLETED, 60),
    (DischargeType.AGAINST_MEDICAL_ADVICE, 25),
    (DischargeType.TRANSFER_TO_HIGHER_LEVEL, 10),
    (DischargeType.ADMINISTRATIVE, 5),
)
REASONS = {
    Stage.PRE_ADMISSION: "Phone screen: requesting detox",
    Stage.EVALUATION: "Arrived for intake",
    Stage.STABILIZATION: "Intake complete; method agreed",
    Stage.TAPERING: "Stable on current dose; taper started",
    Stage.AFTERCARE_PLANNING: "Taper complete; planning aftercare",
    Stage.DISCHARGED: "Discharged",
}


@dataclass
class SeedCounts:
    """How much one run wrote, for the rate the command reports."""

    facilities: int = 0
    users: int = 0
    patients: int = 0
    episodes: int = 0
    transitions: int = 0

    @property
    def rows(self) -> int:
        return self.facilities + self.users + self.patients + self.episodes + self.transitions


def _patient(facility: Facility, number: int, rng: random.Random, today: dt.date) -> Patient:
    sex = rng.choice((Sex.FEMALE, Sex.MALE, Sex.MALE, Sex.UNKNOWN))
    age_days = rng.randint(19 * 365, 65 * 365)
    return Patient(
        facility=facility,
        mrn=f"{facility.code.upper()}-{number:06d}",
        given_name=rng.choice(GIVEN),
        family_name=rng.choice(FAMILY),
        date_of_birth=today - dt.timedelta(days=age_days),
        sex=sex,
        pregnancy_capable=sex == Sex.FEMALE and age_days < 50 * 365,
        phone=f"555-01{rng.randint(0, 99):02d}",
        emergency_contact_name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
        emergency_contact_phone=f"555-01{rng.randint(0, 99):02d}",
    )


def _walk(stay: _Stay, actor: User) -> list[StageTransition]:
    """The timeline of a stay: one transition per stage, spaced by the stay's hours."""
    episode, discharge = stay.episode, stay.discharge
    rows = []
    at = stay.opened
    previous = ""
    for stage, gap in zip(stay.steps, stay.hours, strict=True):
        at += dt.timedelta(hours=gap)
        rows.append(
            StageTransition(
                facility_id=episode.facility_id,
                episode=episode,
                from_stage=previous,
                to_stage=stage.value,
                discharge_type=discharge.value if stage is Stage.DISCHARGED and discharge else "",
                at=at,
                by=actor,
                by_name=actor.display_name,
                by_role=actor.role,
                reason=REASONS[stage],
            )
        )
        previous = stage.value
    return rows


def _method(rng: random.Random) -> tuple[str, str]:
    medication = rng.choices(
        (WithdrawalMedication.BUPRENORPHINE, WithdrawalMedication.METHADONE, WithdrawalMedication.ALPHA2_AGONIST),
        weights=(6, 2, 2),
    )[0]
    return CareSetting.INPATIENT.value, medication.value


@dataclass
class _Stay:
    """An episode not yet saved and the stage path its timeline walks."""

    episode: Episode
    steps: list[Stage]
    opened: dt.datetime
    hours: list[float]
    discharge: DischargeType | None


def _place_and_staff(index: int, *, demo_logins: bool, password_hash: str) -> tuple[Facility, list[Bed], list[User]]:
    code = "demo" if demo_logins else f"site{index:03d}"
    facility = Facility.objects.create(
        name="Riverside Withdrawal Management Unit (demo)" if demo_logins else f"Synthetic Detox Site {index}",
        code=code,
        admissions_phone="555-0100",
        main_phone="555-0101",  # 555-01xx numbers are reserved for fiction
        address=f"{100 + index} Example Way, Springfield",
    )
    units = [
        Unit.objects.create(facility=facility, name=name, code=unit_code, phone=f"555-01{10 + n:02d}")
        for n, (name, unit_code) in enumerate(UNITS)
    ]
    Bed.objects.bulk_create(
        [
            Bed(facility=facility, unit=unit, label=f"{unit.code[0].upper()}{n:02d}")
            for unit in units
            for n in range(1, BEDS_PER_UNIT + 1)
        ]
    )
    beds = list(Bed.objects.filter(facility=facility).select_related("unit").order_by("unit__name", "label"))
    staff = User.objects.bulk_create(
        [
            User(
                username=username if demo_logins else f"{code}-{username}",
                first_name=first,
                last_name=last,
                role=role.value,
                facility=facility,
                password=password_hash,
                is_staff=role is Role.ADMINISTRATOR,
            )
            for username, first, last, role in DEMO_STAFF
        ]
    )
    return facility, beds, staff


def _current_stay(person: Patient, stage: Stage, bed: Bed | None, now: dt.datetime, rng: random.Random) -> _Stay:
    steps = list(PATH[: PATH.index(stage) + 1])
    hours = [0.0] + [rng.uniform(2, 40) for _ in steps[1:]]
    opened = now - dt.timedelta(hours=sum(hours) + rng.uniform(1, 24))
    setting, medication = _method(rng) if bed else ("", "")
    admitted = opened + dt.timedelta(hours=hours[1]) if len(steps) > 1 else None
    episode = Episode(
        facility_id=person.facility_id,
        patient=person,
        stage=stage.value,
        opened_at=opened,
        admitted_at=admitted,
        bed=bed,
        unit=bed.unit if bed else None,
        care_setting=setting,
        withdrawal_medication=medication,
        # The bed board shows when a booked patient is expected and when an admitted one should leave.
        expected_arrival=now + dt.timedelta(hours=rng.uniform(2, 48)) if admitted is None and bed else None,
        expected_discharge=(admitted + dt.timedelta(days=rng.choice((5, 7, 10)))).date() if admitted else None,
    )
    return _Stay(episode, steps, opened, hours, None)


def _past_stay(person: Patient, beds: list[Bed], history_days: int, now: dt.datetime, rng: random.Random) -> _Stay:
    discharge = rng.choices([d for d, _ in DISCHARGE_MIX], weights=[w for _, w in DISCHARGE_MIX])[0]
    if discharge is DischargeType.COMPLETED:
        steps = [*PATH, Stage.DISCHARGED]
    elif discharge is DischargeType.ADMINISTRATIVE:
        steps = [Stage.PRE_ADMISSION, Stage.DISCHARGED]
    else:
        steps = [*PATH[: rng.randint(2, 4)], Stage.DISCHARGED]
    hours = [0.0] + [rng.uniform(4, 60) for _ in steps[1:]]
    opened = now - dt.timedelta(days=rng.uniform(3, max(history_days, 4)))
    discharged = opened + dt.timedelta(hours=sum(hours))
    if discharged >= now:
        opened -= discharged - now + dt.timedelta(hours=1)
        discharged = opened + dt.timedelta(hours=sum(hours))
    admitted = opened + dt.timedelta(hours=hours[1]) if Stage.EVALUATION in steps else None
    setting, medication = _method(rng) if admitted else ("", "")
    bed = rng.choice(beds) if admitted else None
    episode = Episode(
        facility_id=person.facility_id,
        patient=person,
        stage=Stage.DISCHARGED.value,
        opened_at=opened,
        admitted_at=admitted,
        discharged_at=discharged,
        discharge_type=discharge.value,
        bed=bed,
        unit=bed.unit if bed else None,
        care_setting=setting,
        withdrawal_medication=medication,
    )
    return _Stay(episode, steps, opened, hours, discharge)


@transaction.atomic
def seed_facility(
    index: int,
    *,
    patients: int,
    history_days: int,
    now: dt.datetime,
    rng: random.Random,
    password_hash: str,
    demo_logins: bool,
) -> SeedCounts:
    """One facility: 2 units of 16 beds, a staff member per role, a current census and discharged history."""
    facility, beds, staff = _place_and_staff(index, demo_logins=demo_logins, password_hash=password_hash)
    by_role = {Role(u.role): u for u in staff}
    people = Patient.objects.bulk_create([_patient(facility, n, rng, now.date()) for n in range(1, patients + 1)])
    Allergy.objects.bulk_create(
        [
            Allergy(facility=facility, patient=p, substance=a, reaction=r)
            for p in people
            if rng.random() < 0.15
            for a, r in [rng.choice(ALLERGENS)]
        ]
    )

    current_total = min(patients, sum(n for _, n in CURRENT_STAGES))
    stage_plan = [stage for stage, n in CURRENT_STAGES for _ in range(n)][:current_total]
    free_beds = iter(beds)
    # The first pre-admission patient is booked into a bed (the bed board shows them reserved, with the
    # expected arrival); the others wait for one.
    booked = next((n for n, stage in enumerate(stage_plan) if stage is Stage.PRE_ADMISSION), None)
    stays = [
        _current_stay(
            person, stage, None if stage is Stage.PRE_ADMISSION and n != booked else next(free_beds), now, rng
        )
        for n, (person, stage) in enumerate(zip(people[:current_total], stage_plan, strict=True))
    ]
    stays += [_past_stay(person, beds, history_days, now, rng) for person in people[current_total:]]

    Episode.objects.bulk_create([stay.episode for stay in stays])
    actors = [by_role[Role.INTAKE_COORDINATOR], by_role[Role.NURSE], by_role[Role.PHYSICIAN]]
    transitions = [row for stay in stays for row in _walk(stay, rng.choice(actors))]
    StageTransition.objects.bulk_create(transitions, batch_size=2000)
    care_team = Episode.care_team.through
    care_team.objects.bulk_create(
        [
            care_team(episode_id=stay.episode.pk, user_id=by_role[Role.PHYSICIAN].pk)
            for stay in stays
            if stay.episode.discharged_at is None
        ]
    )
    _intakes_and_callbacks(facility, [s.episode for s in stays if s.episode.admitted_at], by_role, now, rng)
    _withdrawal_history([s.episode for s in stays if s.episode.discharged_at is None], by_role[Role.NURSE], now, rng)
    if demo_logins:
        _medication_history(facility, [s.episode for s in stays if s.episode.discharged_at is None], by_role, now)
        _directory(facility)
        _consents(facility, people, by_role[Role.COUNSELOR], now, rng)
    return SeedCounts(
        facilities=1, users=len(staff), patients=len(people), episodes=len(stays), transitions=len(transitions)
    )


def _withdrawal_history(current: list[Episode], nurse: User, now: dt.datetime, rng: random.Random) -> None:
    """COWS every few hours since admission, easing over the stay; some patients left due or overdue."""
    rows = []
    for episode in current:
        if episode.admitted_at is None:
            continue
        at, last = episode.admitted_at, None
        while at < now - dt.timedelta(minutes=30):
            days = (at - episode.admitted_at).total_seconds() / 86400
            intensity = max(0.05, 0.6 - 0.15 * days)
            answers = {item.key: rng.choice(item.allowed) if rng.random() < intensity else 0 for item in COWS.items}
            result = score(COWS, answers)
            rows.append(
                WithdrawalAssessment(
                    facility_id=episode.facility_id,
                    episode=episode,
                    instrument="COWS",
                    instrument_version=COWS.version,
                    items=answers,
                    total=result.total,
                    band=result.band.label,
                    heart_rate=rng.randint(72, 112),
                    systolic_bp=rng.randint(112, 148),
                    diastolic_bp=rng.randint(68, 92),
                    respiratory_rate=rng.randint(12, 20),
                    spo2=rng.randint(95, 99),
                    assessed_at=at,
                    assessed_by=nurse,
                    assessed_by_name=nurse.display_name,
                )
            )
            last = LastAssessment(at, result.total)
            at = next_due(started=episode.admitted_at, last=last, last_dose_at=None) + dt.timedelta(
                minutes=rng.randint(-20, 20)
            )
        episode.next_assessment_due = next_due(started=episode.admitted_at, last=last, last_dose_at=None)
    WithdrawalAssessment.objects.bulk_create(rows, batch_size=2000)
    Episode.objects.bulk_update(current, ["next_assessment_due"])


def _medication_history(
    facility: Facility, current: list[Episode], by_role: dict[Role, User], now: dt.datetime
) -> None:
    """Demo only: protocol orders for patients on the unit, unit stock, and a day of doses in the controlled log."""
    physician, nurse = by_role[Role.PHYSICIAN], by_role[Role.NURSE]
    on_unit = [e for e in current if e.stage in (Stage.STABILIZATION, Stage.TAPERING, Stage.AFTERCARE_PLANNING)]
    codes = {
        WithdrawalMedication.BUPRENORPHINE.value: "buprenorphine_induction",
        WithdrawalMedication.METHADONE.value: "methadone_stabilization",
        WithdrawalMedication.ALPHA2_AGONIST.value: "alpha2_clonidine",
    }
    orders = []
    for episode in on_unit:
        protocol = PUBLISHED_PROTOCOLS[codes[episode.withdrawal_medication]]
        for line in (*protocol.lines, PUBLISHED_PROTOCOLS["adjuncts"].lines[1]):
            medicine = FORMULARY[line.medicine_code]
            orders.append(
                MedicationRequest(
                    facility=facility,
                    episode=episode,
                    medicine_code=medicine.code,
                    medicine_name=medicine.name,
                    kind=line.kind.value,
                    dose_mg=line.dose_mg,
                    min_interval_minutes=line.min_interval_minutes,
                    single_dose_max_mg=line.single_dose_max_mg,
                    daily_max_mg=line.daily_max_mg,
                    cows_at_least=line.cows_at_least,
                    first_dose_max_mg=line.first_dose_max_mg,
                    first_day_max_mg=line.first_day_max_mg,
                    instructions=line.instructions,
                    built_from=f"{protocol.name} (published protocol; {protocol.source})",
                    starts_at=episode.admitted_at or now,
                    signed_at=episode.admitted_at or now,
                    signed_by=physician,
                    signed_by_name=physician.display_name,
                )
            )
    MedicationRequest.objects.bulk_create(orders)
    given = [
        MedicationAdministration(
            facility=facility,
            episode=o.episode,
            order=o,
            status="given",
            dose_mg=o.dose_mg,
            at=now - dt.timedelta(hours=hours),
            by=nurse,
            by_name=nurse.display_name,
        )
        for o in orders
        if FORMULARY[o.medicine_code].controlled
        for hours in (20, 8)
    ]
    MedicationAdministration.objects.bulk_create(given)
    entries = []
    for code, delivered in (("buprenorphine_sl", Decimal(400)), ("methadone_oral", Decimal(1000))):
        for unit in facility.units.all():
            stock = ControlledStock.objects.create(
                facility=facility, unit=unit, medicine_code=code, medicine_name=FORMULARY[code].name
            )
            balance = delivered
            sequence = 1
            entries.append(
                ControlledLedgerEntry(
                    facility=facility,
                    stock=stock,
                    kind="received",
                    change_mg=delivered,
                    balance_mg=balance,
                    sequence=sequence,
                    at=now - dt.timedelta(days=2),
                    by=nurse,
                    by_name=nurse.display_name,
                    note="Pharmacy delivery (demo)",
                )
            )
            for dose in sorted(
                (g for g in given if g.order.medicine_code == code and g.episode.unit_id == unit.pk), key=lambda g: g.at
            ):
                balance -= dose.dose_mg
                sequence += 1
                entries.append(
                    ControlledLedgerEntry(
                        facility=facility,
                        stock=stock,
                        kind="dispensed",
                        change_mg=-dose.dose_mg,
                        balance_mg=balance,
                        sequence=sequence,
                        administration=dose,
                        at=dose.at,
                        by=nurse,
                        by_name=nurse.display_name,
                    )
                )
            # The stock row carries the newest line's number and balance, as ledger._append keeps it.
            ControlledStock.objects.filter(pk=stock.pk).update(last_sequence=sequence, balance_mg=balance)
    ControlledLedgerEntry.objects.bulk_create(entries)


# Synthetic places around a synthetic town centre (40.00, -75.00); ZZ postcodes exist nowhere.
DEMO_RESOURCES = (
    (
        "otp",
        "Riverside Opioid Treatment Program (demo)",
        "ZZ101",
        40.010,
        -75.010,
        "mon-fri 06:00-14:00; sat 07:00-10:00",
        "methadone|counseling",
        "medicaid|medicare|private",
    ),
    (
        "buprenorphine_prescriber",
        "Hillview Family Practice (demo)",
        "ZZ102",
        40.030,
        -74.990,
        "mon-fri 08:00-17:00",
        "buprenorphine|primary care",
        "medicaid|private|sliding scale",
    ),
    (
        "outpatient",
        "Lakeside Outpatient Recovery (demo)",
        "ZZ103",
        39.980,
        -75.040,
        "mon-thu 09:00-20:00",
        "intensive outpatient|behavioral therapy",
        "medicaid|private",
    ),
    (
        "mental_health",
        "Maple Street Counseling (demo)",
        "ZZ101",
        40.005,
        -75.020,
        "mon-fri 09:00-18:00",
        "behavioral therapy|psychiatry",
        "private|sliding scale",
    ),
    (
        "support_group",
        "Thursday Night NA Meeting (demo)",
        "ZZ104",
        40.020,
        -75.030,
        "thu 19:00-20:30",
        "na meeting",
        "free",
    ),
    (
        "support_group",
        "SMART Recovery Online Evening (demo)",
        "ZZ105",
        40.000,
        -75.000,
        "mon-fri 20:00-21:00",
        "smart recovery",
        "free",
    ),
    ("sober_living", "Oak House Sober Living (demo)", "ZZ106", 40.060, -75.080, "24/7", "sober living", "self pay"),
    (
        "transitional_housing",
        "Second Step Transitional Housing (demo)",
        "ZZ107",
        39.950,
        -74.950,
        "24/7",
        "transitional housing",
        "medicaid|free",
    ),
    (
        "peer_support",
        "Recovery Coaches Collective (demo)",
        "ZZ108",
        40.015,
        -75.005,
        "mon-sun 10:00-22:00",
        "peer support|recovery coach",
        "free",
    ),
    ("hotline", "County Crisis Line (demo)", "", None, None, "24/7", "crisis line", "free"),
)


DEMO_RECIPIENT = "Synthetic Community Clinic"


def _consents(facility: Facility, people: list[Patient], counselor: User, now: dt.datetime, rng: random.Random) -> None:
    """About a third of patients consent to share with one synthetic clinic, so a demo export has something to send."""
    Consent.objects.bulk_create(
        [
            Consent(
                facility=facility,
                patient=person,
                recipient=DEMO_RECIPIENT,
                categories=rng.choice([["all"], ["assessments", "medications"]]),
                purpose="Continuing care after discharge",
                starts=now.date() - dt.timedelta(days=30),
                signed_copy_reference="Consent binder A",
                recorded_by_name=counselor.display_name,
                recorded_at=now - dt.timedelta(days=30),
            )
            for person in people
            if rng.random() < 0.33
        ]
    )


def more_charting(facility: Facility, extra: int, *, batch_size: int = 5000) -> None:
    """`extra` more COWS assessments, copies of the facility's own, for the patients who consent to share.

    For the export benchmark and its memory test, which need a facility whose export grows while its patients do
    not. Copies go back in time, four hours apart and before anything charted, so each timeline stays ordered.
    """
    consenting = Consent.objects.filter(facility=facility).values_list("patient_id", flat=True)
    templates = list(
        WithdrawalAssessment.objects.filter(facility=facility, episode__patient_id__in=consenting).order_by("pk")[:200]
    )
    if not templates:
        raise ValueError(f"{facility} has no charting for consenting patients to copy.")
    earliest = min(t.assessed_at for t in templates)
    batch: list[WithdrawalAssessment] = []
    for n in range(extra):
        row = copy.copy(templates[n % len(templates)])
        row.pk = None
        row.assessed_at = earliest - dt.timedelta(hours=4 * (n // len(templates) + 1))
        batch.append(row)
        if len(batch) == batch_size:
            WithdrawalAssessment.objects.bulk_create(batch)
            batch.clear()
    WithdrawalAssessment.objects.bulk_create(batch)


def _directory(facility: Facility) -> None:
    """Demo only: synthetic local resources; real national lines are on the get-help page."""
    Resource.objects.bulk_create(
        [
            Resource(
                facility=facility,
                kind=kind,
                name=name,
                address=f"{10 + i} Example Street",
                postcode=postcode,
                latitude=lat,
                longitude=lon,
                phone=f"555-01{50 + i:02d}",
                hours_text=hours,
                hours=parse_hours(hours),
                services=services.split("|"),
                payment=payment.split("|"),
                languages=["english", "spanish"],
            )
            for i, (kind, name, postcode, lat, lon, hours, services, payment) in enumerate(DEMO_RESOURCES)
        ]
    )


def _intakes_and_callbacks(
    facility: Facility, admitted: list[Episode], by_role: dict[Role, User], now: dt.datetime, rng: random.Random
) -> None:
    """A confirmed intake and plan for every stay that got past evaluation, and a few waiting call-backs."""
    physician = by_role[Role.PHYSICIAN]
    past_intake = [e for e in admitted if e.admitted_at is not None and e.stage != Stage.EVALUATION.value]
    criteria = [c.value for c in Criterion]
    IntakeAssessment.objects.bulk_create(
        [
            IntakeAssessment(
                facility=facility,
                episode=e,
                substance_use={"heroin": {"last_use": None}},
                suicide_risk="none",
                pregnancy="not_applicable",
                housing=rng.choice(["stable", "unstable"]),
                home_support=rng.random() < 0.6,
                can_attend_daily=rng.random() < 0.5,
                heart_rate=rng.randint(70, 115),
                systolic_bp=rng.randint(110, 150),
                diastolic_bp=rng.randint(65, 95),
                respiratory_rate=rng.randint(12, 20),
                temperature_c=Decimal("36.8"),
                spo2=rng.randint(95, 99),
                urine_drug_screen={"opiates": "positive", "fentanyl": rng.choice(["positive", "negative"])},
                dsm5_criteria=criteria[: rng.randint(4, 11)],
                oud_severity="severe",
                oud_icd10="F11.20",
                recommended_setting=e.care_setting,
                recommended_medication=e.withdrawal_medication,
                recommendation_reasons=[
                    {
                        "factor": "synthetic demo data",
                        "effect": e.care_setting,
                        "text": "Seeded demo intake",
                        "source": "demo",
                    }
                ],
                assessed_at=e.admitted_at or now,
                assessed_by=physician,
                assessed_by_name=physician.display_name,
                decision="confirmed",
                decided_setting=e.care_setting,
                decided_medication=e.withdrawal_medication,
                decided_at=e.admitted_at,
                decided_by=physician,
                decided_by_name=physician.display_name,
            )
            for e in past_intake
        ]
    )
    TreatmentPlan.objects.bulk_create(
        [
            TreatmentPlan(
                facility=facility,
                episode=e,
                protocol_reference="Buprenorphine induction (demo)",
                goals="Comfortable withdrawal; start MOUD; aftercare plan",
                planned_length_days=7,
                written_at=e.admitted_at or now,
                written_by=physician,
                written_by_name=physician.display_name,
            )
            for e in past_intake
        ]
    )
    CallbackRequest.objects.bulk_create(
        [
            CallbackRequest(
                facility=facility,
                name=rng.choice(GIVEN),
                phone=f"555-01{rng.randint(0, 99):02d}",
                best_time=rng.choice(["any", "morning", "evening"]),
                message=message,
                received_at=now - dt.timedelta(minutes=rng.randint(5, 600)),
            )
            for message in ("Calling for my brother", "", "Please call after work")
        ]
    )


def seed(
    facilities: int, *, patients_per_facility: int, history_days: int, now: dt.datetime, seed_value: int = 7
) -> SeedCounts:
    """Build `facilities` synthetic facilities; the first carries the published demo logins."""
    rng = random.Random(seed_value)
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: Argon2 is slow by design
    start = Facility.objects.count()
    total = SeedCounts()
    for offset in range(facilities):
        index = start + offset
        counts = seed_facility(
            index,
            patients=patients_per_facility,
            history_days=history_days,
            now=now,
            rng=rng,
            password_hash=password_hash,
            demo_logins=index == 0,
        )
        for field in ("facilities", "users", "patients", "episodes", "transitions"):
            setattr(total, field, getattr(total, field) + getattr(counts, field))
    return total

"""factory_boy factories for synthetic records; no real names or numbers."""

import datetime as dt

import factory
from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Role
from detoxflow.directory.models import Resource, ResourceKind
from detoxflow.directory.opening_hours import parse_hours
from detoxflow.episodes.models import Episode
from detoxflow.facilities.models import Bed, Facility, Unit
from detoxflow.patients.models import Patient, Sex


class FacilityFactory(factory.django.DjangoModelFactory[Facility]):
    class Meta:
        model = Facility

    name = factory.Sequence(lambda n: f"Test Detox Unit {n}")
    code = factory.Sequence(lambda n: f"test{n}")
    admissions_phone = "555-0100"


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    facility = factory.SubFactory(FacilityFactory)
    name = factory.Sequence(lambda n: f"Unit {n}")
    code = factory.Sequence(lambda n: f"u{n}")


class BedFactory(factory.django.DjangoModelFactory[Bed]):
    class Meta:
        model = Bed

    unit = factory.SubFactory(UnitFactory)
    facility = factory.SelfAttribute("unit.facility")
    label = factory.Sequence(lambda n: f"B{n:02d}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    role = Role.NURSE
    facility = factory.SubFactory(FacilityFactory)
    password = factory.django.Password("correct horse battery")


class PatientFactory(factory.django.DjangoModelFactory[Patient]):
    class Meta:
        model = Patient

    facility = factory.SubFactory(FacilityFactory)
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    given_name = "Sam"
    family_name = factory.Sequence(lambda n: f"Testperson{n}")
    date_of_birth = dt.date(1990, 5, 17)
    sex = Sex.FEMALE
    pregnancy_capable = True


class EpisodeFactory(factory.django.DjangoModelFactory[Episode]):
    class Meta:
        model = Episode

    patient = factory.SubFactory(PatientFactory)
    facility = factory.SelfAttribute("patient.facility")
    opened_at = factory.LazyFunction(timezone.now)


class ResourceFactory(factory.django.DjangoModelFactory[Resource]):
    class Meta:
        model = Resource

    facility = factory.SubFactory(FacilityFactory)
    kind = ResourceKind.OUTPATIENT
    name = factory.Sequence(lambda n: f"Synthetic Resource {n:05d}")
    phone = "555-0100"
    hours_text = "24/7"
    hours = factory.LazyAttribute(lambda r: parse_hours(r.hours_text))
    services = factory.LazyFunction(lambda: ["counseling"])
    payment = factory.LazyFunction(lambda: ["medicaid"])

"""A stabilized episode with an intake (last heroin use recorded), for aftercare tests."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from detoxflow.accounts.permissions import Role
from tests.builders import stabilized_episode

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def episode(staff, patient, beds):
    with time_machine.travel(T0, tick=False):
        return stabilized_episode(
            staff[Role.PHYSICIAN], patient, beds[0], timezone.now(), last_heroin=T0 - dt.timedelta(hours=14)
        )

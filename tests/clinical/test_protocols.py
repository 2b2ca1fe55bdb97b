"""Published protocols and the formulary agree: no protocol allows more than the medicine's limits."""

import pytest

from detoxflow.clinical.formulary import FORMULARY
from detoxflow.clinical.protocols import PUBLISHED_PROTOCOLS

LINES = [(p.code, line) for p in PUBLISHED_PROTOCOLS.values() for line in p.lines]


@pytest.mark.parametrize(("protocol", "line"), LINES, ids=[f"{c}-{line.medicine_code}" for c, line in LINES])
def test_each_line_stays_within_the_medicine_limits(protocol, line):
    medicine = FORMULARY[line.medicine_code]
    assert line.dose_mg <= line.single_dose_max_mg <= medicine.single_dose_max_mg
    assert line.daily_max_mg <= medicine.daily_max_mg
    assert line.min_interval_minutes > 0


def test_every_protocol_and_medicine_names_its_source():
    assert all(p.source for p in PUBLISHED_PROTOCOLS.values())
    assert all(m.source for m in FORMULARY.values())


def test_buprenorphine_induction_is_triggered_at_cows_8():
    (line,) = PUBLISHED_PROTOCOLS["buprenorphine_induction"].lines
    assert line.cows_at_least == 8

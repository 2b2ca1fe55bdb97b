"""Vital-sign plausibility (typos refused) and abnormal flags."""

from decimal import Decimal

import pytest

from detoxflow.clinical.vitals import abnormal, implausible


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("heart_rate", 700, "Heart rate 700 /min is outside what is possible"),
        ("heart_rate", 250, None),
        ("spo2", 101, "Oxygen saturation 101 %"),
        ("temperature_c", Decimal("43.6"), "Temperature 43.6"),
        ("respiratory_rate", 3, "Respiratory rate 3"),
    ],
    ids=["hr-700", "hr-250", "spo2-101", "temp-43.6", "rr-3"],
)
def test_implausible_values_name_the_sign_and_limits(key, value, problem):
    message = implausible(key, Decimal(value))
    assert (message is None) == (problem is None)
    if problem:
        assert problem in message
        assert "check for a typo" in message


@pytest.mark.parametrize(
    ("key", "value", "flag"),
    [
        ("heart_rate", 49, "low"),
        ("heart_rate", 50, None),
        ("heart_rate", 111, "high"),
        ("spo2", 91, "low"),
        ("respiratory_rate", 10, None),
        ("respiratory_rate", 9, "low"),
    ],
    ids=["hr-49", "hr-50", "hr-111", "spo2-91", "rr-10", "rr-9"],
)
def test_abnormal_flags_at_the_edges(key, value, flag):
    assert abnormal(key, Decimal(value)) == flag

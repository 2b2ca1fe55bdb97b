"""Withdrawal scales as data: COWS, SOWS and OOWS, keyed by code."""

from detoxflow.clinical.scales.cows import COWS
from detoxflow.clinical.scales.instrument import Instrument
from detoxflow.clinical.scales.oows import OOWS
from detoxflow.clinical.scales.sows import SOWS

INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (COWS, SOWS, OOWS)}

__all__ = ["COWS", "INSTRUMENTS", "OOWS", "SOWS"]

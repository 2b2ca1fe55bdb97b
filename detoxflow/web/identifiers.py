"""Ids and amounts in URLs and JSON, bounded to what the database can store (fuzzing sent ids past 2**63)."""

from decimal import Decimal
from typing import Annotated

from ninja import Field

MAX_ID = 2**63 - 1

RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


class RecordIdConverter:
    """<id:...> in page URLs: 1 to 18 digits, so every match fits a 64-bit key."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


# Milligram amounts as the database stores them (10 digits, 2 decimals): a larger number is refused by name.
Milligrams = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
Celsius = Annotated[Decimal, Field(ge=0, max_digits=4, decimal_places=1)]

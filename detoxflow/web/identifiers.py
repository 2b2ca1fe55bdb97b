"""Record ids in URLs and JSON, bounded to what the database can store (fuzzing sent ids past 2**63)."""

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

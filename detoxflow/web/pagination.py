"""API paging with both ends bounded: a huge offset overflowed the database's LIMIT/OFFSET (found by fuzzing)."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


class BoundedPagination(LimitOffsetPagination):
    """limit 1-500 (default 100), offset 0-10,000,000; out of range answers 422 naming the field."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

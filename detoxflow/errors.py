"""The one exception services raise for bad input: it names the field and the problem."""

from __future__ import annotations


class InvalidInput(Exception):
    """A request that cannot be carried out as asked; nothing was saved.

    Forms show `message` beside `field`; the API answers 4xx {"field", "message", "errors"}. Where
    several fields are at fault, `field_errors` names each (the first is `field` and `message`).
    """

    status_code = 400

    def __init__(
        self,
        field: str,
        message: str,
        *,
        status_code: int | None = None,
        field_errors: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.field_errors = field_errors or [(field, message)]
        if status_code is not None:
            self.status_code = status_code


class Conflict(InvalidInput):
    """The request clashes with what is already recorded (a taken bed, a duplicate number)."""

    status_code = 409

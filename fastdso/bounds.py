"""Every date and number a user gives is bounded where it is parsed (issue 33
§6): forms, commands, the API (through the forms) and job parameters call
these, so a date like 9999-12-31 or 2173-10-14, or a number like 1e308,
is refused with a message that names the field instead of overflowing a
date sum or running to nonsense.

Dates: from 2000-01-01 to a week after today, the range the sales files
already accept (sales.sales_file). Whether a stock date may be after the
latest snapshot is the stock import's own rule, not this one.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from fastdso.messages import Message

EARLIEST_DATE = dt.date(2000, 1, 1)
DAYS_AHEAD_ALLOWED = 7


class OutOfRange(ValueError):
    """A value outside what its field accepts. `field` names it (a form field,
    a command flag, a policy key); the message is rendered when raised, in
    the active language."""

    def __init__(self, field: str, value: object, low: object, high: object) -> None:
        self.field = field
        self.params = {"field": field, "value": str(value)[:60], "low": str(low), "high": str(high)}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return gettext("%(field)s: «%(value)s» está fuera de rango (de %(low)s a %(high)s).") % self.params

    def as_message(self) -> Message:
        """What a job stores (fastdso.messages)."""
        return Message("bounds.out_of_range", self.params)


class NotADate(ValueError):
    """Text given as a date that is not one."""

    def __init__(self, field: str, value: str) -> None:
        self.params = {"field": field, "value": value[:60]}
        super().__init__(gettext("%(field)s: «%(value)s» no es una fecha AAAA-MM-DD.") % self.params)

    def as_message(self) -> Message:
        return Message("bounds.not_a_date", self.params)


def date_bounds() -> tuple[dt.date, dt.date]:
    """The first and last date a user may give (a week after today)."""
    return EARLIEST_DATE, timezone.localdate() + dt.timedelta(days=DAYS_AHEAD_ALLOWED)


def bounded_date(value: dt.date | str | None, field: str) -> dt.date | None:
    """`value` (a date or ISO text; empty = None) if it is within `date_bounds`,
    else OutOfRange naming `field`. Text that is not a date: ValueError."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value
        try:
            value = dt.date.fromisoformat(text.strip())
        except ValueError:
            raise NotADate(field, text) from None
    if isinstance(value, dt.datetime):
        value = value.date()
    low, high = date_bounds()
    if not low <= value <= high:
        raise OutOfRange(field, value.isoformat(), low.isoformat(), high.isoformat())
    return value


def bounded_number(value: Any, field: str, *, low: float, high: float) -> Any:
    """`value` if it is a finite number within [low, high], else OutOfRange naming `field`."""
    try:
        finite = math.isfinite(value)
    except TypeError:
        raise OutOfRange(field, value, low, high) from None
    if not finite or not low <= value <= high:
        raise OutOfRange(field, value, _plain(low), _plain(high))
    return value


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def validate_date_in_range(value: dt.date | None) -> None:
    """A form field validator (DateField(validators=[...])): the form names the field."""
    if value is None:
        return
    low, high = date_bounds()
    if not low <= value <= high:
        raise ValidationError(
            gettext("Fecha fuera de rango: debe estar entre %(low)s y %(high)s."),
            code="out_of_range",
            params={"low": low.isoformat(), "high": high.isoformat()},
        )

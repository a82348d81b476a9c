"""Every number the UI shows goes through here (SPEC §12, issue 20).

One rule for the whole app: the active locale's separators (Spanish
"1.234,5", English "1,234.5"), thousands always grouped, and rounding
half-up to the decimals shown (33.9167 → "33,92", 0.25 → "0,3"), never
truncation. The same stored figure therefore reads the same on every tab,
in tables, cards, explanations and (through `number_locale`, read by
static/js/app.js) chart axes and tooltips.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import get_language, gettext

EMPTY = "—"


def round_half_up(value: Any, digits: int = 0) -> Decimal | None:
    """`value` as a Decimal rounded half-up to `digits` decimals (None if not a number).

    Floats go through their shortest repr (str), so 0.25 is 0.25, not
    0.2499999…: what the database stored is what is rounded.
    """
    if value is None or isinstance(value, bool) or value == "":
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite():
        return None
    rounded = number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # -0,0 → 0,0


def fmt_number(value: Any, digits: int = 0, *, empty: str = EMPTY, sign: bool = False) -> str:
    """A number in the active locale: grouped thousands, `digits` decimals, half-up."""
    rounded = round_half_up(value, digits)
    if rounded is None:
        return empty if value is None or value == "" else str(value)
    text = formats.number_format(rounded, digits, force_grouping=True)
    return f"+{text}" if sign and rounded > 0 else str(text)


def fmt_percent(value: Any, digits: int = 1, *, empty: str = EMPTY) -> str:
    """A percentage already in 0–100: "12,5 %"."""
    text = fmt_number(value, digits, empty=empty)
    return text if text == empty else f"{text} %"


def number_locale() -> dict[str, str]:
    """The separators of the active language, for the page's JavaScript (charts,
    live job counters), so that the browser's own locale never decides."""
    return {
        "lang": get_language() or "es",
        "decimal": str(formats.get_format("DECIMAL_SEPARATOR")),
        "thousands": str(formats.get_format("THOUSAND_SEPARATOR")),
    }


def parse_localized(text: str) -> float | None:
    """A number written with the active locale's separators back to a float."""
    thousands = number_locale()["thousands"]
    decimal = number_locale()["decimal"]
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(thousands, "").replace(decimal, ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def fmt_trimmed(value: Any, max_digits: int = 3, *, empty: str = EMPTY) -> str:
    """Up to `max_digits` decimals, half-up, without trailing zeros (5,5 · 1,333 · 2)."""
    rounded = round_half_up(value, max_digits)
    if rounded is None:
        return empty if value is None or value == "" else str(value)
    text = format(rounded.normalize(), "f")
    digits = len(text.split(".", 1)[1]) if "." in text else 0
    return fmt_number(rounded, digits)


def _many(values: Any, digits: int, trim: bool) -> np.ndarray:
    """Many numbers as `fmt_number` (trim=False) or `fmt_trimmed` (trim=True)
    would write them, each distinct value once and without Django's per-call
    formatter: the same half-up rounding (Decimal of the shortest repr), then
    Python's grouping with the locale's separators. An export renders 300,000
    lines with this. NaN → EMPTY."""
    codes, uniques = pd.factorize(np.asarray(values))
    decimal_sep = str(formats.get_format("DECIMAL_SEPARATOR"))
    swap = str.maketrans({",": str(formats.get_format("THOUSAND_SEPARATOR")), ".": decimal_sep})
    step = Decimal(1).scaleb(-digits)
    texts = []
    for value in uniques.tolist():
        number = Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
        rounded = number.quantize(step, rounding=ROUND_HALF_UP)
        if not rounded:
            rounded = abs(rounded)  # -0,0 → 0,0
        if trim:
            rounded = rounded.normalize() if rounded != rounded.to_integral_value() else rounded.quantize(Decimal(1))
        places = max(-rounded.as_tuple().exponent, 0) if trim else digits  # type: ignore[operator]
        texts.append(format(rounded, f",.{places}f").translate(swap))
    return np.array([*texts, EMPTY], dtype=object)[codes]  # code -1 (NaN) picks the last: EMPTY


def fmt_number_many(values: Any, digits: int = 0) -> np.ndarray:
    """`fmt_number` of every value of an array (an array of text)."""
    return _many(values, digits, trim=False)


def fmt_trimmed_many(values: Any, max_digits: int = 3) -> np.ndarray:
    """`fmt_trimmed` of every value of an array (an array of text)."""
    return _many(values, max_digits, trim=True)


def localize_decimal_inputs(form: Any) -> None:
    """Decimal fields of `form` are typed and shown in the active locale ("2,0"
    in Spanish, "2.0" in English), like the text around them.

    A browser's <input type="number"> only takes "2.0", so these fields become
    text inputs with the decimal keyboard; Django parses the localised value.
    Where the decimal mark is the comma, a point is read as a decimal point
    ("1.5" is 1,5, never 15), except when it could be a thousands point
    ("1.500"): that is refused with a message, not guessed.
    """
    from django import forms

    for field in form.fields.values():
        if isinstance(field, forms.FloatField | forms.DecimalField):
            attrs = {k: v for k, v in field.widget.attrs.items() if k not in ("step", "min", "max")}
            attrs["inputmode"] = "decimal"
            field.localize = True
            field.widget = forms.TextInput(attrs=attrs)
            field.widget.is_localized = True
            field.to_python = _refusing_thousands_points(field.to_python)


_THOUSANDS_POINTS = re.compile(r"[-+]?\d{1,3}(\.\d{3})+")


def _refusing_thousands_points(to_python: Any) -> Any:
    def parse(value: Any) -> Any:
        text = value.strip() if isinstance(value, str) else ""
        if formats.get_format("DECIMAL_SEPARATOR") == "," and _THOUSANDS_POINTS.fullmatch(text):
            raise ValidationError(
                gettext("«%(value)s» es ambiguo: escriba los decimales con coma (1,5) y sin punto de miles.")
                % {"value": text},
                code="ambiguous",
            )
        return to_python(value)

    return parse

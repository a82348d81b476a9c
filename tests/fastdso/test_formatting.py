"""One number format for the whole UI (issue 20): the active locale's
separators, thousands grouped, half-up rounding to the decimals shown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from fastdso.formatting import fmt_number, fmt_percent, fmt_trimmed, localize_decimal_inputs, round_half_up


@pytest.mark.parametrize(
    ("value", "digits", "es", "en"),
    [
        (39227, 0, "39.227", "39,227"),
        (1234567, 0, "1.234.567", "1,234,567"),
        (86711, 0, "86.711", "86,711"),
        (285.667, 1, "285,7", "285.7"),
        (33.9167, 2, "33,92", "33.92"),  # rounded, not truncated to 33,91
        (38.605, 2, "38,61", "38.61"),  # the stored figure: half-up, not binary float's 38.60
        (0.25, 1, "0,3", "0.3"),
        (0.05, 1, "0,1", "0.1"),
        (2.675, 2, "2,68", "2.68"),
        (-0.04, 1, "0,0", "0.0"),  # no "-0,0"
        (1234.5, 1, "1.234,5", "1,234.5"),
        (Decimal("9999.995"), 2, "10.000,00", "10,000.00"),
        (2, 1, "2,0", "2.0"),
    ],
)
def test_numbers_in_both_locales(value, digits, es, en):
    with translation.override("es"):
        assert fmt_number(value, digits) == es
    with translation.override("en"):
        assert fmt_number(value, digits) == en


def test_half_up_not_bankers_or_truncation():
    assert round_half_up(0.125, 2) == Decimal("0.13")
    assert round_half_up(2.5, 0) == Decimal("3")
    assert round_half_up(None) is None and round_half_up(float("nan")) is None


def test_empty_values_and_percentages_and_trimmed_rates():
    with translation.override("es"):
        assert fmt_number(None) == "—"
        assert fmt_percent(12.345) == "12,3 %"
        assert fmt_trimmed(5.5) == "5,5" and fmt_trimmed(1.3333) == "1,333" and fmt_trimmed(2.0) == "2"
    with translation.override("en"):
        assert fmt_trimmed(1234.5) == "1,234.5"


def test_template_filters_are_builtin():
    template = Template("{{ a|num }} · {{ b|num:2 }} · {{ c|pct }} · {{ d|signed }}")
    with translation.override("es"):
        assert template.render(Context({"a": 39227, "b": 33.9167, "c": 5, "d": 3})) == "39.227 · 33,92 · 5,0 % · +3"
    with translation.override("en"):
        assert template.render(Context({"a": 39227, "b": 33.9167, "c": 5, "d": 3})) == "39,227 · 33.92 · 5.0 % · +3"


def test_table_cells_without_their_own_render_are_formatted():
    template = Template("{{ a|table_cell }} {{ b|table_cell }} {{ c|table_cell }}")
    with translation.override("es"):
        assert template.render(Context({"a": 11265, "b": 2.5, "c": "00012345"})) == "11.265 2,50 00012345"


class _Form(forms.Form):
    woc = forms.FloatField(initial=2.0, min_value=0)
    weeks = forms.IntegerField(initial=12)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        localize_decimal_inputs(self)


def test_decimal_inputs_show_and_read_the_active_locale():
    with translation.override("es"):
        html = str(_Form()["woc"])
        assert 'value="2,0"' in html and 'type="text"' in html and 'inputmode="decimal"' in html
        form = _Form({"woc": "2,5", "weeks": "12"})
        assert form.is_valid() and form.cleaned_data["woc"] == 2.5
        assert _Form({"woc": "-1", "weeks": "1"}).errors["woc"]  # min_value still checked
    with translation.override("en"):
        assert 'value="2.0"' in str(_Form()["woc"])
        form = _Form({"woc": "2.5", "weeks": "12"})
        assert form.is_valid() and form.cleaned_data["woc"] == 2.5


def test_a_point_is_a_decimal_point_unless_it_could_group_thousands():
    """Spanish: "1.5" is one and a half (never 15); "1.500" could be either: refused."""

    def read(text: str) -> float:
        form = _Form({"woc": text, "weeks": "1"})
        assert form.is_valid(), form.errors
        return form.cleaned_data["woc"]

    with translation.override("es"):
        assert read("1.5") == 1.5
        error = _Form({"woc": "1.500", "weeks": "1"}).errors["woc"][0]
        assert "ambiguo" in error and "1,5" in error
    with translation.override("en"):
        assert read("1.500") == 1.5


@pytest.mark.parametrize("language", ["es", "en"])
def test_many_numbers_read_as_one_at_a_time(language):
    """fmt_number_many / fmt_trimmed_many (the explanations of 300,000 lines)
    write each number exactly as fmt_number / fmt_trimmed: separators,
    grouping, half-up (0.0625 → 0,063; 2.675 → 2,68), -0 → 0, NaN → —."""
    import numpy as np

    from fastdso.formatting import fmt_number_many, fmt_trimmed_many

    values = [0, 1, -1, 999, 1000, 1234567, -1234.5, 0.0625, 2.675, 0.25, 1 / 3, 113.25, -0.0004, 12.0, 0.1 + 0.2]
    with translation.override(language):
        for digits in (0, 1, 2, 3):
            floats = np.array(values, dtype="float64")
            assert list(fmt_number_many(floats, digits)) == [fmt_number(v, digits) for v in values]
            assert list(fmt_trimmed_many(floats, digits)) == [fmt_trimmed(v, digits) for v in values]
        assert list(fmt_number_many(np.array([5, 1000, -1234567]))) == [fmt_number(v) for v in (5, 1000, -1234567)]
        assert list(fmt_number_many(np.array([np.nan, 1.5]), 1)) == ["—", fmt_number(1.5, 1)]

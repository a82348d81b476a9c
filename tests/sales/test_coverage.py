"""SPEC v2 §4.3: the as-of week follows what most stores' data reaches, an
as-of date in an incomplete week is refused naming the last complete week,
and pages name the stores whose data ends before the as-of week."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from distribution.models import DistributionRun
from fastdso.messages import render as message_text
from sales import queries
from sales.models import StoreCoverage
from sales.services import macro_sales_import
from tests.distribution.helpers import generate, request_file
from tests.sales.uploads import csv_file, daily

D = dt.date
JAN5, JAN12, JAN19 = D(2026, 1, 5), D(2026, 1, 12), D(2026, 1, 19)
STORES = [f"Tienda {i}" for i in range(1, 6)]


def _network(tmp_path, until: dt.date) -> None:
    """Five stores selling SKU 1 every day from JAN5 to `until`."""
    days = (until - JAN5).days + 1
    lines = [line for store in STORES for line in daily("1", store, JAN5, [1] * days)]
    macro_sales_import(path=csv_file(tmp_path, "red.csv", lines))


def test_each_store_is_covered_until_the_last_date_of_its_loads(db, tmp_path):
    _network(tmp_path, D(2026, 1, 18))
    macro_sales_import(path=csv_file(tmp_path, "t1.csv", daily("1", "Tienda 1", JAN19, [2, 2, 2])))
    coverage = dict(StoreCoverage.objects.values_list("store__name", "covered_until"))
    assert coverage == {"Tienda 1": D(2026, 1, 21), **{s: D(2026, 1, 18) for s in STORES[1:]}}
    # An older file for the store does not move its coverage back.
    macro_sales_import(path=csv_file(tmp_path, "old.csv", daily("1", "Tienda 1", JAN5, [5])))
    assert StoreCoverage.objects.get(store__name="Tienda 1").covered_until == D(2026, 1, 21)


def test_a_one_store_file_does_not_move_the_as_of_week(db, tmp_path):
    _network(tmp_path, D(2026, 1, 18))
    assert queries.default_as_of_week() == JAN12
    # One store's file reaches the end of the next week: the network's as-of week stays.
    macro_sales_import(path=csv_file(tmp_path, "t1.csv", daily("1", "Tienda 1", JAN19, [1] * 7)))
    assert queries.network_covered_until() == D(2026, 1, 18)
    assert queries.default_as_of_week() == JAN12
    # Once 80% of the stores (4 of 5) reach it... the 20th percentile (lower) is still the 5th store's date.
    for store in STORES[1:4]:
        macro_sales_import(path=csv_file(tmp_path, f"{store}.csv", daily("1", store, JAN19, [1] * 7)))
    assert queries.default_as_of_week() == JAN12
    macro_sales_import(path=csv_file(tmp_path, "t5.csv", daily("1", "Tienda 5", JAN19, [1] * 7)))
    assert queries.default_as_of_week() == JAN19


def test_the_20th_percentile_lower_value_of_coverage(db, tmp_path):
    # 10 stores: 9 reach Jan 25, one only Jan 18 → index ⌊0.2 × 9⌋ = 1 of the sorted dates: Jan 25.
    stores = [f"T{i}" for i in range(10)]
    lines = [line for s in stores for line in daily("1", s, JAN5, [1] * 14)]
    macro_sales_import(path=csv_file(tmp_path, "a.csv", lines))
    lines = [line for s in stores[1:] for line in daily("1", s, JAN19, [1] * 7)]
    macro_sales_import(path=csv_file(tmp_path, "b.csv", lines))
    assert queries.network_covered_until() == D(2026, 1, 25)
    assert queries.default_as_of_week() == JAN19
    assert queries.stores_behind(JAN19) == [("T0", D(2026, 1, 18))]


def test_an_as_of_date_in_an_incomplete_week_is_refused_naming_the_last_complete_week(db, tmp_path):
    _network(tmp_path, D(2026, 1, 21))  # a Wednesday: the week of Jan 19 is not complete
    assert queries.resolve_as_of_week(D(2026, 1, 14)) == JAN12
    with pytest.raises(queries.IncompleteWeek) as refused:
        queries.resolve_as_of_week(D(2026, 1, 20))
    message = str(refused.value)
    assert "no está completa" in message and "la del 2026-01-12 al 2026-01-18" in message
    path = request_file(tmp_path, [("1",)])
    with pytest.raises(queries.IncompleteWeek, match="2026-01-12 al 2026-01-18"):
        generate(path, as_of=D(2026, 1, 20))
    assert not DistributionRun.objects.exists()


def test_the_command_refuses_an_incomplete_as_of_week(db, tmp_path):
    _network(tmp_path, D(2026, 1, 21))
    path = request_file(tmp_path, [("1",)])
    with pytest.raises(CommandError, match="última semana completa es la del 2026-01-12 al 2026-01-18"):
        call_command("generate_distribution", str(path), "--as-of", "2026-01-21")
    assert not DistributionRun.objects.exists()
    call_command("generate_distribution", str(path), "--as-of", "2026-01-18")
    assert DistributionRun.objects.get().as_of_week == JAN12


def test_the_form_refuses_an_incomplete_as_of_week(planner_client, tmp_path):
    _network(tmp_path, D(2026, 1, 21))
    upload = request_file(tmp_path, [("1",)])
    with upload.open("rb") as handle:
        response = planner_client.post(
            reverse("distribution:generate"),
            {"request_file": handle, "model": "SMA2", "lookback_weeks": 12, "min_weeks": 1, "target_woc": 2.0,
             "cold_start_min_fill": 2, "cold_start_target_woc": 1.0, "cold_start_top_n": 10,
             "category_window_weeks": 12, "as_of": "2026-01-20"},
        )  # fmt: skip
    assert response.status_code == 200
    assert "2026-01-12 al 2026-01-18" in response.content.decode()


def test_pages_name_the_stores_whose_data_ends_before_the_as_of_week(planner_client, tmp_path):
    stores = [f"Tienda {i}" for i in range(1, 11)]
    lines = [line for s in stores for line in daily("1", s, JAN5, [1] * 14)]
    macro_sales_import(path=csv_file(tmp_path, "a.csv", lines))
    lines = [line for s in stores[1:] for line in daily("1", s, JAN19, [1] * 7)]
    macro_sales_import(path=csv_file(tmp_path, "b.csv", lines))
    assert queries.default_as_of_week() == JAN19
    for name in ("distribution:generate", "sales:macro_upload", "redistribution:plan_create", "home"):
        html = planner_client.get(reverse(name)).content.decode()
        assert "Tienda 1 (datos hasta 2026-01-18)" in html, name
        assert "Tienda 2 (datos" not in html, name
    result = generate(request_file(tmp_path, [("1",)]))
    assert any("Tienda 1 (datos hasta 2026-01-18)" in message_text(w) for w in result.run.warnings)

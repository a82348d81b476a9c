"""Reads of the forecast pages: runs, lines and their totals (the views only render)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet, Sum

from forecast.models import ForecastLine, ForecastRun
from inventory.models import Product


def runs() -> QuerySet[ForecastRun]:
    """Every forecast, newest first (without the backtest and evaluation payloads)."""
    return ForecastRun.objects.select_related("user").defer("backtest", "evaluation")


def run_detail() -> QuerySet[ForecastRun]:
    return ForecastRun.objects.select_related("user", "job")


def run_lines(run: ForecastRun) -> QuerySet[ForecastLine]:
    return ForecastLine.objects.filter(run=run)


def line_totals(lines: QuerySet[ForecastLine]) -> dict[str, Any]:
    """Row count and the sums of the numeric columns of the (filtered) lines, in one query."""
    return lines.aggregate(
        rows=Count("id"),
        window_units=Sum("window_units"),
        avg_weekly=Sum("avg_weekly"),
        coverage_units=Sum("coverage_units"),
        cd_stock=Sum("cd_stock"),
        store_stock=Sum("store_stock"),
        on_hand=Sum("on_hand"),
        reserved=Sum("reserved"),
        in_transit=Sum("in_transit"),
        available=Sum("available"),
        purchase_qty=Sum("purchase_qty"),
    )


def category_size(category: str) -> int:
    """How many products the category has (a small forecast runs inside the request)."""
    return Product.objects.filter(category=category).count()

"""Reads of the redistribution pages: plans, their lines and per-store totals
(the views only render)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from fastdso.models import LifeState
from redistribution.models import TransferLine, TransferPlan


def plans(mode: str | None = None, scope: str | None = None, state: str | None = None) -> QuerySet[TransferPlan]:
    """Plans, newest first, optionally of one mode, scope and lifecycle state (unknown values are ignored)."""
    found = TransferPlan.objects.select_related("user", "destination", "origin").defer("params", "summary", "warnings")
    if mode in TransferPlan.Mode.values:
        found = found.filter(mode=mode)
    if scope in TransferPlan.Scope.values:
        found = found.filter(scope=scope)
    if state in LifeState.values:
        found = found.filter(state=state)
    return found


def plan_detail() -> QuerySet[TransferPlan]:
    return TransferPlan.objects.select_related("user", "destination", "origin", "job")


def top_destinations(plan: TransferPlan, limit: int) -> list[dict[str, Any]]:
    """The destinations that receive most units: name, units, moves."""
    return list(
        TransferLine.objects.filter(plan=plan)
        .values("destination_store__name")
        .annotate(units=Sum("qty"), moves=Count("id"))
        .order_by("-units", "destination_store__name")[:limit]
    )


def top_origins(plan: TransferPlan, limit: int) -> list[dict[str, Any]]:
    """The origins that give most units: name, units, moves, SKUs."""
    return list(
        TransferLine.objects.filter(plan=plan)
        .values("origin_store__name")
        .annotate(units=Sum("qty"), moves=Count("id"), skus=Count("product", distinct=True))
        .order_by("-units", "origin_store__name")[:limit]
    )


def line_store_ids(plan: TransferPlan) -> tuple[list[int], list[int]]:
    """The plan's origin and destination store ids (for the filters' choices)."""
    lines = TransferLine.objects.filter(plan=plan).order_by()
    origins = list(lines.values_list("origin_store_id", flat=True).distinct())
    destinations = list(lines.values_list("destination_store_id", flat=True).distinct())
    return origins, destinations


def plan_lines(plan: TransferPlan) -> QuerySet[TransferLine]:
    return TransferLine.objects.filter(plan=plan).select_related("product", "origin_store", "destination_store")


def received_by_destination(plan: TransferPlan) -> dict[int, dict[str, Any]]:
    """Per destination store id: units, moves and SKUs received."""
    return {
        row["destination_store_id"]: row
        for row in TransferLine.objects.filter(plan=plan)
        .values("destination_store_id")
        .annotate(units=Sum("qty"), moves=Count("id"), skus=Count("product", distinct=True))
        .order_by()
    }


def first_lines_by_destination(
    plan: TransferPlan, store_ids: set[int], per_store: int
) -> dict[int, list[TransferLine]]:
    """The first `per_store` lines of each destination (urgent first, then by SKU), in one query."""
    lines: dict[int, list[TransferLine]] = {sid: [] for sid in store_ids}
    first = (
        TransferLine.objects.filter(plan=plan, destination_store_id__in=store_ids)
        .select_related("product", "origin_store")
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("destination_store_id")],
                order_by=[F("urgent").desc(), F("product__sku").asc(), F("id").asc()],
            )
        )
        .filter(position__lte=per_store)
        .order_by("destination_store_id", "-urgent", "product__sku", "id")
    )
    for line in first:
        lines[line.destination_store_id].append(line)
    return lines

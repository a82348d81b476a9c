"""Reads of runs and their lines, shared by pages, exports and commands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from distribution import explain
from distribution.engine import COLD_MODELS, NO_CD_STOCK, PACK_EXCEEDS_COVER
from distribution.models import DistributionLine, DistributionRun
from inventory.queries import source_lines

GOODS = ("reserved", "shipped", "in_transit", "received")

EXPORT_COLUMNS = [
    "run_id",
    "sku",
    "product_name",
    "category",
    "store",
    "rate",
    "store_stock",
    "suggested_qty",
    "allocated_qty",
    "model_name",
    "reason",
    "explanation",
]
COMPARE_COLUMNS = ["sku", "product_name", "store", "allocated_a", "allocated_b", "delta"]


def run_lines(run: DistributionRun) -> QuerySet[DistributionLine]:
    """The run's store lines (not its exception rows), with product and store."""
    return (
        DistributionLine.objects.filter(run=run, store__isnull=False)
        .exclude(reason=PACK_EXCEEDS_COVER)
        .select_related("product", "store")
        .order_by("product__sku", "priority")
    )


def run_exceptions(run: DistributionRun) -> QuerySet[DistributionLine]:
    """SKUs without a line (no store) and the pairs a pack left empty (with their store, SPEC v3 §5.4a)."""
    return (
        DistributionLine.objects.filter(Q(store__isnull=True) | Q(reason=PACK_EXCEEDS_COVER), run=run)
        .select_related("product", "store")
        .order_by("product__sku", "store__name")
    )


def run_no_cd_stock(run: DistributionRun) -> QuerySet[dict[str, Any]]:
    """SKUs that have lines but no CD stock (nothing allocated), one row each."""
    return (
        DistributionLine.objects.filter(run=run, store__isnull=False, reason=NO_CD_STOCK)
        .values("product__sku", "product__name", "category")
        .annotate(stores=Count("id"), suggested=Sum("suggested_qty"))
        .order_by("product__sku")
    )


def store_totals(lines: QuerySet[DistributionLine]) -> QuerySet[dict[str, Any]]:
    """One row per store of the given store lines: SKUs, stock, suggested and
    allocated units (and the part that is cold start)."""
    cold = Q(model_name__in=COLD_MODELS)
    return (
        lines.filter(store__isnull=False)
        .exclude(reason=PACK_EXCEEDS_COVER)
        .values("store_id", "store__name", "store__code")
        .annotate(
            skus=Count("product_id"),
            suggested=Sum("suggested_qty"),
            allocated=Sum("allocated_qty"),
            cold_start_allocated=Coalesce(Sum("allocated_qty", filter=cold), Value(0)),
            stock=Sum("store_stock"),
        )
        .order_by("-allocated", "store__name")
    )


def run_export_info(run: DistributionRun) -> list[tuple]:
    """The XLSX "parametros" sheet of a run: id, model, as-of, parameters, summary."""
    from fastdso.exports import export_info

    head = {
        "run_id": run.run_id,
        "model": run.model_name,
        "as_of_week": run.as_of_week,
        "request_file_name": run.request_file_name,
    }
    return export_info(head, run.params, run.summary)


def run_export_frame(run: DistributionRun) -> pd.DataFrame:
    """The run as the SPEC §9 table: store lines, then a row per exception
    (empty store, 0 quantities), ordered by SKU; explanations rendered in the
    active language (distribution.explain)."""
    names = ["sku", "product_name", "product_category", "store"]
    fields = [f for f in explain.FIELDS if f not in ("rate", "store_stock", "suggested_qty", "allocated_qty")]
    values = ["rate", "store_stock", "suggested_qty", "allocated_qty", *fields]
    rows = (
        DistributionLine.objects.filter(run=run)
        .order_by("product__sku", "priority")
        .values_list("product__sku", "product__name", "product__category", "store__name", *values)
    )
    frame = pd.DataFrame(list(rows), columns=[*names, *values])
    frame["store_id"] = frame["store_id"].astype("Int64")
    frame["explanation"] = explain.line_explanations(frame, run.params or {})
    frame["category"] = frame["category"].where(frame["category"].notna(), frame["product_category"]).fillna("")
    frame["store"] = frame["store"].fillna("")
    frame["rate"] = frame["rate"].astype("float64").round(4)
    frame.insert(0, "run_id", run.run_id)
    return frame[EXPORT_COLUMNS]


def run_compare(run_a: DistributionRun, run_b: DistributionRun) -> QuerySet[dict[str, Any]]:
    """Allocated units of two runs per (SKU, store), side by side, with the delta (B − A)."""
    return (
        DistributionLine.objects.filter(run__in=[run_a, run_b], store__isnull=False)
        .exclude(reason=PACK_EXCEEDS_COVER)
        .values("product_id", "store_id", "product__sku", "product__name", "store__name")
        .annotate(
            allocated_a=Coalesce(Sum("allocated_qty", filter=Q(run=run_a)), Value(0)),
            allocated_b=Coalesce(Sum("allocated_qty", filter=Q(run=run_b)), Value(0)),
            in_a=Count("id", filter=Q(run=run_a)),
            in_b=Count("id", filter=Q(run=run_b)),
        )
        .annotate(delta=F("allocated_b") - F("allocated_a"))
        .order_by("product__sku", "store__name")
    )


def compare_totals(rows: QuerySet[dict[str, Any]]) -> dict[str, int]:
    """Totals over the compared (SKU, store) rows: allocated A, B, delta and line counts."""
    totals = rows.aggregate(
        total_a=Coalesce(Sum("allocated_a"), Value(0)),
        total_b=Coalesce(Sum("allocated_b"), Value(0)),
        total_lines_a=Coalesce(Sum("in_a"), Value(0)),
        total_lines_b=Coalesce(Sum("in_b"), Value(0)),
        total_pairs=Count("product_id"),
    )
    result = {key.removeprefix("total_"): int(value) for key, value in totals.items()}
    result["allocated_a"], result["allocated_b"] = result.pop("a"), result.pop("b")
    result["delta"] = result["allocated_b"] - result["allocated_a"]
    return result


def compare_frame(rows: QuerySet[dict[str, Any]]) -> pd.DataFrame:
    keys = ["product__sku", "product__name", "store__name", "allocated_a", "allocated_b", "delta"]
    return pd.DataFrame([[row[k] for k in keys] for row in rows], columns=COMPARE_COLUMNS)


def run_all_lines(run: DistributionRun) -> QuerySet[DistributionLine]:
    """Every row of the run: its store lines and its exception rows (no store),
    by SKU then CD priority — what the export and the API list."""
    return (
        DistributionLine.objects.filter(run=run)
        .select_related("product", "store")
        .order_by("product__sku", "priority", "id")
    )


def line_goods_attach(lines: Iterable[DistributionLine], run: DistributionRun) -> None:
    """SPEC v3 §5.7, per line of a page: what is still reserved for it at the CD,
    what shipped, what is on the way and what the store received — as
    `goods_reserved`, `goods_shipped`, `goods_in_transit`, `goods_received`
    (0 for a run never approved). A few queries for the page, not per line."""
    records = list(lines)
    found: dict[tuple[int, int], tuple[int, ...]] = {}
    if run.approved_at is not None and records:
        frame = source_lines(run.run_id, sorted({r.product_id for r in records}))
        for row in frame.itertuples(index=False):
            found[(int(row.product_id), int(row.store_id))] = tuple(int(getattr(row, g)) for g in GOODS)
    for record in records:
        values = found.get((record.product_id, record.store_id or 0), (0, 0, 0, 0))
        for name, value in zip(GOODS, values, strict=True):
            setattr(record, f"goods_{name}", value)

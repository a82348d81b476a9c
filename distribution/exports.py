"""A run's table as it leaves the system: one shape for the export button, the
file kept when the run is marked exported, `export_run` and the API's order.

Columns: run, SKU, product, category, store code and name, rate, stock,
suggested, allocated, units per pack and packs, then model and reason as
labels each followed by its code, and the explanation. The header row is
the labels in the chosen language (or the codes); the XLSX has a frozen,
filtered header and a parameters sheet; the CSV is standard or the
Spanish-Excel dialect (fastdso.exports).

The *order* is the part the warehouse acts on: store lines with allocated
units, by store then SKU. It is what is kept when the run is marked
exported (in Spanish, labels: `WAREHOUSE`), so the API's order answers the
kept bytes. `generate_distribution --output` keeps the SPEC §9 contract
columns instead (distribution.queries.run_export_frame).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from distribution import explain
from distribution.models import DistributionLine, DistributionRun
from distribution.queries import run_export_info
from fastdso.exports import WAREHOUSE, Column, ExportOptions, table_bytes
from fastdso.labels import label

COLUMNS = [
    Column("run_id", _("Run"), text=True),
    Column("sku", _("SKU"), text=True),
    Column("product_name", _("Producto")),
    Column("category", _("Categoría")),
    Column("store_code", _("Código de tienda"), text=True),
    Column("store", _("Tienda"), text=True),
    Column("rate", _("Venta semanal")),
    Column("store_stock", _("Stock tienda")),
    Column("suggested_qty", _("Sugerido")),
    Column("allocated_qty", _("Asignado")),
    Column("pack_size", _("Unidades por caja")),
    Column("packs", _("Cajas")),
    Column("model_label", _("Modelo")),
    Column("model_name", _("Código de modelo")),
    Column("reason_label", _("Motivo")),
    Column("reason", _("Código de motivo")),
    Column("explanation", _("Explicación")),
]
ORDER_FIELDS = ["sku", "product_name", "store_code", "store", "allocated_qty", "pack_size", "packs"]


def _packs(allocated: pd.Series, pack: pd.Series) -> pd.Series:
    """Packs per line: allocated ÷ units per pack (whole when the allocation is
    rounded to packs, else with two decimals)."""
    size = pack.where(pack > 0, 1).astype("int64")
    units = allocated.astype("int64")
    packs = np.round(units / size, 2)
    if (units % size == 0).all():
        return pd.Series(units // size, index=allocated.index, dtype="int64")
    return pd.Series(packs, index=allocated.index, dtype="float64")


def run_table(run: DistributionRun, *, order_only: bool = False) -> pd.DataFrame:
    """Every row of the run (store lines, then exception rows with an empty
    store), or only its order; labels in the active language."""
    names = ["sku", "product_name", "product_category", "store", "store_code"]
    fields = [f for f in explain.FIELDS if f not in ("rate", "store_stock", "suggested_qty", "allocated_qty")]
    values = ["rate", "store_stock", "suggested_qty", "allocated_qty", *fields]
    if "pack_size" not in values:
        values.append("pack_size")
    lines = DistributionLine.objects.filter(run=run)
    if order_only:
        lines = lines.filter(store__isnull=False, allocated_qty__gt=0).order_by("store__name", "product__sku")
    else:
        lines = lines.order_by("product__sku", "priority")
    rows = lines.values_list(
        "product__sku", "product__name", "product__category", "store__name", "store__code", *values
    )
    frame = pd.DataFrame(list(rows), columns=[*names, *values])
    frame["store_id"] = frame["store_id"].astype("Int64")
    frame["explanation"] = explain.line_explanations(frame, run.params or {})
    frame["category"] = frame["category"].where(frame["category"].notna(), frame["product_category"]).fillna("")
    frame["store"] = frame["store"].fillna("")
    frame["store_code"] = frame["store_code"].fillna("")
    frame["rate"] = frame["rate"].astype("float64").round(4)
    frame["packs"] = _packs(frame["allocated_qty"], frame["pack_size"]) if len(frame) else 0
    for column, kind in (("model_name", "model"), ("reason", "reason")):
        codes = frame[column].fillna("").astype(str)
        names_by_code = {code: str(label(kind, code)) if code else "" for code in pd.unique(codes)}
        frame[column.replace("_name", "") + "_label"] = codes.map(names_by_code)
    frame.insert(0, "run_id", run.run_id)
    return frame[[c.code for c in COLUMNS]]


def run_export_bytes(
    run: DistributionRun, fmt: str, *, options: ExportOptions | None = None, order_only: bool = False
) -> tuple[bytes, int]:
    """The run (or its order) as CSV or XLSX bytes and the number of rows."""
    options = (options or ExportOptions()).resolved()
    with translation.override(options.language):
        frame = run_table(run, order_only=order_only)
        info = run_export_info(run)
        info.append(("rows", len(frame)))
        return table_bytes(frame, COLUMNS, fmt, options=options, info=info), len(frame)


def run_order_bytes(run: DistributionRun, fmt: str) -> bytes:
    """The order as the warehouse gets it: what is kept when the run is exported."""
    return run_export_bytes(run, fmt, options=WAREHOUSE, order_only=True)[0]


def run_order_records(run: DistributionRun) -> list[dict[str, object]]:
    """The order as JSON records (the API's `?format=json`)."""
    with translation.override(WAREHOUSE.language):
        frame = run_table(run, order_only=True)
    return [
        {
            "sku": row.sku,
            "product_name": row.product_name,
            "store_code": row.store_code or None,
            "store": row.store,
            "qty": int(row.allocated_qty),
            "pack_size": int(row.pack_size),
            "packs": row.packs.item() if hasattr(row.packs, "item") else row.packs,
        }
        for row in frame.itertuples(index=False)
    ]

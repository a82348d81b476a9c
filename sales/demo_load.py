"""Loads generated demo data through the real import pipelines: the frames
are written as CSV files and read back by the same services as the uploads
and the import commands (products, macro sales, CD stock, store stock).

Everything it creates is marked demo (inventory.demo): the stores and
products, and one finished demo Job per file, so that `clear_demo` finds
every demo row, and the banner shows while they are there."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from pyarrow import csv as pa_csv

from fastdso.demo import DemoData
from fastdso.messages import summary_json
from fastdso.models import Job
from inventory.demo import demo_loading, demo_mark_new
from inventory.models import Product, Store
from inventory.services import cd_stock_import, products_import, store_stock_import
from sales.models import SalesLoad
from sales.services import macro_sales_import


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """CSV with every column as text (SKUs keep their leading zeros)."""
    table = pa.table({column: pa.array(frame[column].astype(str).tolist(), pa.string()) for column in frame.columns})
    pa_csv.write_csv(table, path)
    return path


def _demo_job(kind: str, file_name: str) -> Job:
    """A finished job that stands for one demo file (its rows point at it)."""
    return Job.objects.create(kind=kind, status=Job.Status.RUNNING, file_name=file_name, is_demo=True)


def _demo_job_done(job: Job, summary: dict[str, object]) -> None:
    job.status = Job.Status.DONE
    job.progress = 100
    job.stage = "stage.done"
    job.result = summary_json(summary)
    job.started_at = job.created_at
    job.finished_at = timezone.now()
    job.save()


@transaction.atomic
def demo_load(data: DemoData) -> str:
    product_after = Product.objects.aggregate(m=Max("id"))["m"] or 0
    store_after = Store.objects.aggregate(m=Max("id"))["m"] or 0
    with demo_loading():
        summary = _demo_files_load(data)
    demo_mark_new(product_id_after=product_after, store_id_after=store_after)
    return summary


def _demo_files_load(data: DemoData) -> str:
    jobs = {
        "products": _demo_job("product_import", "demo productos"),
        "sales": _demo_job("macro_sales_import", "demo ventas"),
        "cd": _demo_job("cd_stock_import", "demo stock CD"),
        "stores": _demo_job("store_stock_import", "demo stock tiendas"),
    }
    with tempfile.TemporaryDirectory(prefix="fastdso-demo-") as folder:
        base = Path(folder)
        products = products_import(
            path=_write_csv(data.products[["sku", "product_name", "category"]], base / "productos.csv"),
            file_name="demo productos",
            job=jobs["products"],
        )
        sales = data.sales[["sku", "store", "date", "quantity"]].copy()
        sales["date"] = pd.to_datetime(sales["date"]).dt.strftime("%Y-%m-%d")
        macro = macro_sales_import(
            path=_write_csv(sales, base / "ventas.csv"),
            mode=str(SalesLoad.Mode.REPLACE_RANGE),
            file_name="demo ventas",
            job=jobs["sales"],
        )
        cd = cd_stock_import(
            path=_write_csv(data.cd_stock[["sku", "quantity"]], base / "stock_cd.csv"),
            snapshot_date=data.stock_date,
            file_name="demo stock CD",
            job=jobs["cd"],
        )
        stores = store_stock_import(
            path=_write_csv(data.store_stock[["sku", "store", "quantity"]], base / "stock_tiendas.csv"),
            snapshot_date=data.stock_date,
            file_name="demo stock tiendas",
            job=jobs["stores"],
        )
    for key, result in (("products", products), ("sales", macro), ("cd", cd), ("stores", stores)):
        _demo_job_done(jobs[key], result.summary())
    return (
        f"{macro.store_count} tiendas, {products.sku_count} SKUs, {macro.rows_read} filas diarias, "
        f"{macro.weekly_rows} semanales, stock CD de {cd.sku_count} SKUs, "
        f"stock de tiendas {stores.rows_read} filas ({data.stock_date:%Y-%m-%d})"
    )

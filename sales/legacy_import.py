"""The legacy subset sales import (SPEC §4.5): raw daily history into
DistributionRecord, one row per SKU, store and date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import connection, transaction

from fastdso.db import is_postgres, temp_table_load
from fastdso.jobs import no_progress
from fastdso.messages import Message, msg
from fastdso.uploads import upload_finish
from sales.models import DistributionRecord
from sales.sales_file import BASE_MONDAY, Progress, sales_file_catalogue, sales_file_read


@dataclass
class LegacyImportResult:
    rows_read: int
    records: int  # distinct (sku, store, date) rows in the file
    rows_written: int  # inserted or changed
    sku_count: int
    store_count: int
    first_date: dt.date
    last_date: dt.date
    new_products: int
    new_stores: int
    category_warnings: list[Message] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "rows_read": self.rows_read,
            "records": self.records,
            "records_written": self.rows_written,
            "skus": self.sku_count,
            "stores": self.store_count,
            "date_range": msg("date_range_value", first=self.first_date, last=self.last_date),
            "new_products": self.new_products,
            "new_stores": self.new_stores,
            "category_warnings": len(self.category_warnings),
        }


def legacy_sales_import(
    *,
    path: str | Path,
    user: Any = None,
    progress: Progress = no_progress,
    file_name: str = "",
    job: Any = None,
    max_bytes: int | None = None,
) -> LegacyImportResult:
    """Load a subset sales file into DistributionRecord (raw history, SPEC §4.5):
    one row per SKU, store and date; a date loaded again replaces its units."""
    progress(1, "stage.reading_file")
    data = sales_file_read(path, weekly=False, progress=progress, max_bytes=max_bytes)
    with transaction.atomic():
        catalogue = sales_file_catalogue(data, job=job, dataset="legacy_sales", progress=progress)
        products, stores = catalogue.products, catalogue.stores
        product_ids, store_ids = catalogue.product_ids, catalogue.store_ids
        keys = data.keys
        frame = pd.DataFrame(
            {
                "product_id": product_ids[keys >> 40],
                "store_id": store_ids[(keys >> 20) & 0xFFFFF],
                "sale_date": BASE_MONDAY + (keys & 0xFFFFF).astype("timedelta64[D]"),
                "units": data.days[:, 0],
            }
        )
        frame = frame.groupby(["product_id", "store_id", "sale_date"], as_index=False)["units"].sum()
        table = DistributionRecord._meta.db_table
        types = {"product_id": "bigint", "store_id": "bigint", "sale_date": "date", "units": "integer"}
        progress(40, "stage.writing_subset", rows_read=data.rows_read)
        tmp = temp_table_load(frame, prefix="legacy", types=types, unique=("product_id", "store_id", "sale_date"))
        job_id = job.pk if job is not None and job.pk else None
        distinct = "IS DISTINCT FROM" if is_postgres() else "IS NOT"
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} AS t (product_id, store_id, sale_date, units, job_id) "  # noqa: S608
                    f"SELECT s.product_id, s.store_id, s.sale_date, s.units, %s FROM {tmp.name} s WHERE 1 = 1 "
                    f"ORDER BY s.product_id, s.store_id, s.sale_date "
                    f"ON CONFLICT (product_id, store_id, sale_date) DO UPDATE SET units = excluded.units, "
                    f"job_id = excluded.job_id WHERE t.units {distinct} excluded.units",
                    [job_id],
                )
                written = max(cursor.rowcount, 0)
        finally:
            tmp.drop()
        result = LegacyImportResult(
            rows_read=data.rows_read,
            records=len(frame),
            rows_written=written,
            sku_count=len(data.skus),
            store_count=len(set(store_ids.tolist())),
            first_date=data.first_date,
            last_date=data.last_date,
            new_products=products.created,
            new_stores=stores.created,
            category_warnings=products.category_warnings,
        )
        upload_finish(
            user=user,
            job=job,
            progress=progress,
            object_repr=msg("sales.audit_subset", file=file_name or Path(path).name),
            details={"kind": "legacy_sales", "rows": data.rows_read, "records": len(frame), "rows_written": written},
            rows_read=data.rows_read,
            rows_written=written,
        )
    return result

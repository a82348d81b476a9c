"""The inventory app's uploads (SPEC §3, §9): products, stores file, CD and
store stock, shipments and receipts — one declaration each; the web page,
the command, the API endpoint and the background job read it
(fastdso.uploads)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from fastdso.bounds import NotADate, OutOfRange, bounded_date
from fastdso.jobs import JobInputError
from fastdso.models import Job
from fastdso.uploads import UploadForm, UploadKind, upload_register
from inventory.forms import CDStockUploadForm, MovementUploadForm, StockUploadForm
from inventory.services import cd_stock_import, movements_import, products_import, store_stock_import, stores_import

PRODUCT_IMPORT = "product_import"
CD_STOCK_IMPORT = "cd_stock_import"
STORE_STOCK_IMPORT = "store_stock_import"
STORE_IMPORT = "store_import"
SHIPMENTS_IMPORT = "shipments_import"
RECEIPTS_IMPORT = "receipts_import"


def _snapshot_date(job: Job) -> dt.date | None:
    """The stock's date from the job's params, bounded (issue 33 §6): refused, naming the field."""
    try:
        return bounded_date(job.params.get("date"), "date")
    except (OutOfRange, NotADate) as exc:
        raise JobInputError(exc.as_message()) from None


def _backfill(job: Job) -> dict[str, Any]:
    return {"backfill": bool(job.params.get("backfill"))}


upload_register(
    UploadKind(
        kind=PRODUCT_IMPORT,
        service=products_import,
        rows_written=lambda r: r.created + r.renamed,
        form=UploadForm,
        title=_("Carga de productos"),
        template="inventory/product_upload.html",
        api_name="products",
        api_serializer="ProductsUpload",
        api_summary="Upload products",
    )
)
upload_register(
    UploadKind(
        kind=CD_STOCK_IMPORT,
        service=cd_stock_import,
        rows_written=lambda r: r.sku_count,
        form=CDStockUploadForm,
        params=lambda job: {
            "snapshot_date": _snapshot_date(job),
            "partial": bool(job.params.get("partial")),
            **_backfill(job),
        },
        title=_("Carga de stock CD"),
        template="inventory/cd_stock_upload.html",
        api_name="cd_stock",
        api_serializer="StockUpload",
        api_summary="Upload the CD stock",
        api_form=StockUploadForm,  # the API has no `partial` (yet): as before the upload registry
        api_renames={"snapshot_date": "date"},
    )
)
upload_register(
    UploadKind(
        kind=STORE_STOCK_IMPORT,
        service=store_stock_import,
        rows_written=lambda r: r.rows_read,
        form=StockUploadForm,
        params=lambda job: {"snapshot_date": _snapshot_date(job), **_backfill(job)},
        title=_("Carga de stock de tiendas"),
        template="inventory/store_stock_upload.html",
        api_name="store_stock",
        api_serializer="StockUpload",
        api_summary="Upload store stock",
        api_renames={"snapshot_date": "date"},
    )
)
upload_register(
    UploadKind(
        kind=STORE_IMPORT,
        service=stores_import,
        rows_written=lambda r: r.created + r.updated,
        form=UploadForm,
        title=_("Carga de tiendas"),
        template="inventory/store_upload.html",
        api_name="stores",
        api_serializer="StoresUpload",
        api_summary=(
            "Upload the stores file (store; optional code, opened_on, like_store, size_factor, lead_time_days, active)"
        ),
    )
)
upload_register(
    UploadKind(
        kind=SHIPMENTS_IMPORT,
        service=movements_import,
        rows_written=lambda r: r.rows_read,
        form=MovementUploadForm,
        params=lambda job: {"kind": "shipments", **_backfill(job)},
        title=_("Carga de despachos"),
        template="inventory/shipments_upload.html",
        api_name="shipments",
        api_serializer="MovementUpload",
        api_summary="Upload shipment confirmations (run_id or plan_id, sku, store, qty, shipped_on)",
    )
)
upload_register(
    UploadKind(
        kind=RECEIPTS_IMPORT,
        service=movements_import,
        rows_written=lambda r: r.rows_read,
        form=MovementUploadForm,
        params=lambda job: {"kind": "receipts", **_backfill(job)},
        title=_("Carga de recepciones"),
        template="inventory/receipts_upload.html",
        api_name="receipts",
        api_serializer="MovementUpload",
        api_summary="Upload store receipts (run_id or plan_id, sku, store, qty, received_on)",
    )
)

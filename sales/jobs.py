"""The sales uploads (SPEC §4): macro sales, legacy subset sales and the
promotions calendar — one declaration each; the web page, the command, the
API endpoint and the background job read it (fastdso.uploads)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fastdso.uploads import UploadForm, UploadKind, upload_register
from sales.forms import MacroUploadForm, PromotionUploadForm
from sales.models import SalesLoad
from sales.services import legacy_sales_import, macro_sales_import, promotions_import

MACRO_SALES_IMPORT = "macro_sales_import"
LEGACY_SALES_IMPORT = "legacy_sales_import"
PROMOTION_IMPORT = "promotion_import"

MACRO_SALES = upload_register(
    UploadKind(
        kind=MACRO_SALES_IMPORT,
        service=macro_sales_import,
        rows_written=lambda r: r.rows_written,
        form=MacroUploadForm,
        params=lambda job: {"mode": job.params.get("mode") or SalesLoad.Mode.REPLACE_RANGE},
        title=_("Carga de ventas macro"),
        template="sales/macro_upload.html",
        api_name="macro_sales",
        api_serializer="MacroSalesUpload",
        api_summary="Upload macro sales (sku, store, date, quantity)",
    )
)
upload_register(
    UploadKind(
        kind=LEGACY_SALES_IMPORT,
        service=legacy_sales_import,
        rows_written=lambda r: r.rows_written,
        form=UploadForm,
        title=_("Carga de ventas (subset)"),
        template="sales/legacy_upload.html",
    )
)
upload_register(
    UploadKind(
        kind=PROMOTION_IMPORT,
        service=promotions_import,
        rows_written=lambda r: r.created + r.renamed,
        form=PromotionUploadForm,
        params=lambda job: {"replace_range": bool(job.params.get("replace_range"))},
        title=_("Carga de promociones"),
        template="sales/promotion_upload.html",
        api_name="promotions",
        api_serializer="PromotionsUpload",
        api_summary="Upload the promotions calendar (sku, start_date, end_date, optional store and name)",
    )
)

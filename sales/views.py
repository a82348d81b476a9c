"""Sales upload pages: macro (full catalog, SPEC §4.1) and legacy subset (§4.5)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from inventory.upload_views import UploadJobView
from sales.forms import MacroUploadForm, PromotionUploadForm
from sales.jobs import LEGACY_SALES_IMPORT, MACRO_SALES_IMPORT, PROMOTION_IMPORT
from sales.models import SalesLoad
from sales.queries import default_as_of_week, last_loaded_sale_date, stores_behind


class MacroUploadView(UploadJobView):
    template_name = "sales/macro_upload.html"
    form_class = MacroUploadForm
    job_kind = MACRO_SALES_IMPORT
    title = _("Carga de ventas macro")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["last_sale_date"] = last_loaded_sale_date()
        context["as_of_week"] = default_as_of_week()
        context["stores_behind"] = stores_behind(context["as_of_week"])
        context["recent_loads"] = SalesLoad.objects.select_related("user")[:5]
        return context


class LegacyUploadView(UploadJobView):
    template_name = "sales/legacy_upload.html"
    job_kind = LEGACY_SALES_IMPORT
    title = _("Carga de ventas (subset)")


class PromotionUploadView(UploadJobView):
    template_name = "sales/promotion_upload.html"
    form_class = PromotionUploadForm
    job_kind = PROMOTION_IMPORT
    title = _("Carga de promociones")

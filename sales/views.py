"""Sales upload pages: macro (full catalog, SPEC §4.1) with what is loaded so
far; the legacy subset (§4.5) and the promotions calendar are the plain upload
page of their declaration (sales/jobs.py, fastdso.uploads)."""

from __future__ import annotations

from typing import Any

from fastdso.uploads import UploadJobView
from sales.jobs import MACRO_SALES_IMPORT
from sales.models import SalesLoad
from sales.queries import default_as_of_week, last_loaded_sale_date, stores_behind


class MacroUploadView(UploadJobView):
    job_kind = MACRO_SALES_IMPORT

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["last_sale_date"] = last_loaded_sale_date()
        context["as_of_week"] = default_as_of_week()
        context["stores_behind"] = stores_behind(context["as_of_week"])
        context["recent_loads"] = SalesLoad.objects.select_related("user")[:5]
        return context

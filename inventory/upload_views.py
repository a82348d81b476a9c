"""Upload pages of products and stock (SPEC §3, §9), and the base view of
every upload page: validate the request, start the import job, go to its page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from fastdso.forms import submit_token
from fastdso.jobs import job_start
from fastdso.models import Job
from fastdso.roles import PlannerRequiredMixin
from inventory.forms import CDStockUploadForm, MovementUploadForm, StockUploadForm, UploadForm
from inventory.jobs import (
    CD_STOCK_IMPORT,
    PRODUCT_IMPORT,
    RECEIPTS_IMPORT,
    SHIPMENTS_IMPORT,
    STORE_IMPORT,
    STORE_STOCK_IMPORT,
)


class UploadJobView(PlannerRequiredMixin, FormView):
    """Planner-only upload page: the file goes to a background job; the
    response is the job's page, which shows live progress and the summary."""

    form_class = UploadForm
    job_kind = ""
    title: Any = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["max_upload_mb"] = settings.FASTDSO_MAX_UPLOAD_MB
        context["recent_jobs"] = (
            Job.objects.filter(kind=self.job_kind)
            .select_related("user")
            .only("id", "kind", "status", "file_name", "created_at", "user__username")[:5]
        )
        return context

    def form_valid(self, form: UploadForm) -> HttpResponse:
        job = job_start(
            kind=self.job_kind,
            user=self.request.user,
            params=form.job_params(),
            upload=form.cleaned_data["file"],
            submit_token=submit_token(self.request.POST),
        )
        return HttpResponseRedirect(reverse("job_detail", args=[job.pk]))


class ProductUploadView(UploadJobView):
    template_name = "inventory/product_upload.html"
    job_kind = PRODUCT_IMPORT
    title = _("Carga de productos")


class CDStockUploadView(UploadJobView):
    template_name = "inventory/cd_stock_upload.html"
    form_class = CDStockUploadForm
    job_kind = CD_STOCK_IMPORT
    title = _("Carga de stock CD")


class StoreStockUploadView(UploadJobView):
    template_name = "inventory/store_stock_upload.html"
    form_class = StockUploadForm
    job_kind = STORE_STOCK_IMPORT
    title = _("Carga de stock de tiendas")


class StoreFileUploadView(UploadJobView):
    template_name = "inventory/store_upload.html"
    job_kind = STORE_IMPORT
    title = _("Carga de tiendas")


class ShipmentsUploadView(UploadJobView):
    template_name = "inventory/shipments_upload.html"
    form_class = MovementUploadForm
    job_kind = SHIPMENTS_IMPORT
    title = _("Carga de despachos")


class ReceiptsUploadView(UploadJobView):
    template_name = "inventory/receipts_upload.html"
    form_class = MovementUploadForm
    job_kind = RECEIPTS_IMPORT
    title = _("Carga de recepciones")

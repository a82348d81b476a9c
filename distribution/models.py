"""Distribution runs (CD → stores) and their lines."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fastdso.models import Lifecycle
from inventory.models import Product, Store


class DistributionRun(Lifecycle):
    class Status(models.TextChoices):
        RUNNING = "running", _("En curso")
        DONE = "done", _("Terminada")
        FAILED = "failed", _("Fallida")

    run_id = models.CharField(_("run"), max_length=40, unique=True)
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("usuario")
    )
    job = models.ForeignKey("fastdso.Job", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finalizada"), null=True, blank=True)
    model_name = models.CharField(_("modelo"), max_length=10, default="SMA2")
    as_of_week = models.DateField(_("semana de corte"), null=True, blank=True)
    params = models.JSONField(_("parámetros"), default=dict, blank=True)
    request_file_name = models.CharField(_("archivo de solicitud"), max_length=255, blank=True)
    request_sha256 = models.CharField(_("SHA-256 de la solicitud"), max_length=64, blank=True)
    summary = models.JSONField(_("resumen"), default=dict, blank=True)
    scope_sku_count = models.PositiveIntegerField(_("SKUs solicitados"), default=0)
    line_count = models.PositiveIntegerField(_("líneas"), default=0)
    total_suggested = models.PositiveBigIntegerField(_("unidades sugeridas"), default=0)
    total_allocated = models.PositiveBigIntegerField(_("unidades asignadas"), default=0)
    warnings = models.JSONField(_("advertencias"), default=list, blank=True)

    class Meta:
        verbose_name = _("run de distribución")
        verbose_name_plural = _("runs de distribución")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.run_id

    def get_absolute_url(self) -> str:
        return reverse("distribution:run_detail", args=[self.run_id])


def _number(verbose_name: Any, default: int = 0) -> models.IntegerField:
    return models.IntegerField(verbose_name, default=default, db_default=default)


class DistributionLine(models.Model):
    """One suggestion (SKU, store) of a run; with no store it is the SKU's
    exception row, which says why the SKU got nothing.

    Run, product and store are foreign keys without a database constraint: a
    run writes its lines in one COPY, and PostgreSQL's deferred check of each
    key of each line at commit cost more than the COPY itself (300,000 lines,
    three checks each: docs/performance.md, "Line explanations and the line
    save"). What keeps the keys true: the service writes the run and its lines
    in one transaction, from ids it read in that transaction (the scope's
    products, the stores frame); the ORM deletes a run's lines with the run
    (CASCADE) and refuses to delete a product or a store a line points at
    (PROTECT), both enforced by Django, not by the database."""

    run = models.ForeignKey(
        DistributionRun, on_delete=models.CASCADE, db_constraint=False, related_name="lines", verbose_name=_("run")
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, db_constraint=False, verbose_name=_("producto"))
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, db_constraint=False, null=True, blank=True, verbose_name=_("tienda")
    )
    # The category the line was computed with (the product's, else the request's).
    category = models.CharField(_("categoría"), max_length=120, null=True, blank=True)
    rate = models.FloatField(_("venta semanal"), default=0)
    category_rate = models.FloatField(_("venta semanal categoría"), null=True, blank=True)
    store_stock = models.IntegerField(_("stock tienda"), default=0)
    cd_stock = models.IntegerField(_("stock CD"), default=0)
    suggested_qty = models.IntegerField(_("sugerido"), default=0)
    allocated_qty = models.IntegerField(_("asignado"), default=0)
    priority = models.PositiveIntegerField(_("prioridad CD"), default=0)
    model_name = models.CharField(_("modelo"), max_length=30, blank=True)
    reason = models.CharField(_("motivo"), max_length=200, blank=True)
    # Runs made before explanations were rendered when shown keep their text
    # here (shown as stored); new lines leave it empty and store the numbers below.
    explanation = models.TextField(_("explicación"), blank=True, default="", db_default="")
    # SPEC §5.7, what the line was planned with: CD units other runs held for
    # this SKU (cd_stock is already net of them), units in transit to this
    # store (store_stock already includes them), and the runs/plans involved.
    cd_reserved = models.IntegerField(_("reservado en CD por otros"), default=0, db_default=0)
    in_transit = models.IntegerField(_("en tránsito"), default=0, db_default=0)
    reserved_by = models.CharField(_("reservado por"), max_length=300, blank=True, default="", db_default="")
    in_transit_by = models.CharField(_("en tránsito por"), max_length=300, blank=True, default="", db_default="")
    cd_snapshot = _number(_("stock CD de la foto"))
    # The numbers the explanation is rendered from (distribution.engine.EXPLAIN_COLUMNS).
    weeks_with_sales = _number(_("semanas con venta"))
    recent_1 = _number(_("venta semana de corte"))
    recent_2 = _number(_("venta semana anterior"))
    recent_3 = _number(_("venta dos semanas antes"))
    pack_size = _number(_("unidades por caja"), 1)
    cd_available = _number(_("CD disponible en su turno"))
    cd_wanted = _number(_("sugerido del SKU"))
    category_units = _number(_("unidades de la categoría"))
    category_skus = _number(_("SKUs de la categoría con venta"))
    category_rank = _number(_("puesto en la categoría"))
    category_stores = _number(_("tiendas del top"))
    candidate_stores = _number(_("tiendas candidatas"))
    # v3 (SPEC §4.6, §5.2–§5.4a): the numbers of the new rules' explanations.
    window_weeks = _number(_("semanas promediadas"))
    in_stock_units = _number(_("unidades hasta la última venta"))
    in_stock_weeks = _number(_("semanas hasta la última venta"))
    display_min = _number(_("exhibición mínima"))
    promo_weeks = _number(_("semanas promocionadas por delante"))
    promo_lift = models.FloatField(_("alza de promoción"), default=0, db_default=0)
    factor = models.FloatField(_("factor de lanzamiento o de tamaño"), default=0, db_default=0)
    like_name = models.CharField(_("SKU o tienda similar"), max_length=120, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("línea de distribución")
        verbose_name_plural = _("líneas de distribución")
        indexes = [
            models.Index(fields=["run", "product"], name="distline_run_product_idx"),
            models.Index(fields=["run", "store"], name="distline_run_store_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.product_id}→{self.store_id}: {self.allocated_qty}"

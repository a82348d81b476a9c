"""A purchase forecast is kept as a run with its lines, so that its results
have their own URL, pagination, sorting and exports (SPEC §6)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ForecastRun(models.Model):
    class Scope(models.TextChoices):
        SKUS = "skus", _("Lista de SKUs")
        CATEGORY = "category", _("Categoría")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("usuario")
    )
    job = models.ForeignKey("fastdso.Job", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("tarea"))
    created_at = models.DateTimeField(_("creado"), auto_now_add=True, db_index=True)
    scope = models.CharField(_("alcance"), max_length=10, choices=Scope.choices)
    category = models.CharField(_("categoría"), max_length=120, blank=True)
    input_name = models.CharField(_("entrada"), max_length=255, blank=True)
    # Empty = every store. Names are kept as they were at run time for display.
    store_ids = models.JSONField(_("tiendas (ids)"), default=list, blank=True)
    store_names = models.JSONField(_("tiendas"), default=list, blank=True)

    class Method(models.TextChoices):
        SEASONAL = "seasonal", _("Estacional (v3)")
        SMA = "sma", _("Promedio móvil (V2)")

    # Runs made before v3 were V2 (sma); new runs default to seasonal in the service.
    method = models.CharField(_("método"), max_length=10, choices=Method.choices, default=Method.SMA)
    weeks = models.PositiveSmallIntegerField(_("semanas de historia"))
    coverage_weeks = models.PositiveSmallIntegerField(_("semanas de cobertura"))
    as_of_week = models.DateField(_("semana de corte"))
    window_start = models.DateField(_("inicio de la ventana"))
    sku_count = models.PositiveIntegerField(_("SKUs"), default=0)
    macro_count = models.PositiveIntegerField(_("SKUs con ventas macro"), default=0)
    proxy_count = models.PositiveIntegerField(_("SKUs con proxy de categoría"), default=0)
    no_history_count = models.PositiveIntegerField(_("SKUs sin historial"), default=0)
    unknown_count = models.PositiveIntegerField(_("SKUs fuera del catálogo"), default=0)
    purchase_units = models.BigIntegerField(_("unidades a comprar"), default=0)
    coverage_units = models.BigIntegerField(_("unidades de cobertura"), default=0)
    eol_weeks = models.PositiveSmallIntegerField(_("semanas sin venta para fin de vida"), default=8)
    eol_count = models.PositiveIntegerField(_("SKUs en fin de vida"), default=0)
    backtest_weeks = models.PositiveSmallIntegerField(_("semanas de backtest"), default=8)
    # The v3 evaluation (SPEC §6): {"horizon", "origin_weeks", "rows": [{level, key,
    # method, wape, bias, mase, n}] at category level and ALL, "winners", "seconds"}.
    evaluation = models.JSONField(_("evaluación de métodos"), default=dict, blank=True)
    # {"target_weeks": [...], "methods": [...], "weekly": {...}, "best": "SMA4"}
    backtest = models.JSONField(_("backtest"), default=dict, blank=True)

    class Meta:
        verbose_name = _("pronóstico de compra")
        verbose_name_plural = _("pronósticos de compra")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Pronóstico #{self.pk} · {self.scope_label}"

    def get_absolute_url(self) -> str:
        return reverse("forecast:run_detail", args=[self.pk])

    @property
    def scope_label(self) -> str:
        if self.scope == self.Scope.CATEGORY:
            return f"{_('Categoría')} {self.category}"
        return self.input_name or str(_("Lista de SKUs"))

    @property
    def window_weeks(self) -> list[dt.date]:
        return [self.window_start + dt.timedelta(weeks=i) for i in range(self.weeks)]


class ForecastLine(models.Model):
    class Source(models.TextChoices):
        MACRO = "MACRO", _("Ventas macro")
        CATEGORY_PROXY = "CATEGORY_PROXY", _("Proxy de categoría")
        NO_HISTORY = "NO_HISTORY", _("Sin historial macro")

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="lines", verbose_name=_("pronóstico"))
    position = models.PositiveIntegerField(_("#"))
    product = models.ForeignKey(
        "inventory.Product", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("producto")
    )
    # Copies as they were at run time (and for SKUs not in the catalogue).
    sku = models.CharField(_("SKU"), max_length=64)
    product_name = models.CharField(_("producto"), max_length=255, blank=True)
    category = models.CharField(_("categoría"), max_length=120, blank=True)
    source = models.CharField(_("fuente"), max_length=16, choices=Source.choices)
    window_units = models.IntegerField(_("unidades en la ventana"), default=0)
    avg_weekly = models.FloatField(_("promedio semanal"), null=True, blank=True)
    proxy_skus = models.PositiveIntegerField(_("SKUs con venta en la categoría"), null=True, blank=True)
    cd_stock = models.IntegerField(_("stock CD"), default=0)
    store_stock = models.IntegerField(_("stock tiendas"), default=0)
    coverage_units = models.IntegerField(_("cobertura (unidades)"), default=0)
    purchase_qty = models.IntegerField(_("compra sugerida"), default=0)
    # method = seasonal: the numbers behind the forecast (SPEC v3 §6).
    level = models.FloatField(_("nivel desestacionalizado"), null=True, blank=True)
    alpha = models.FloatField(_("α"), null=True, blank=True)
    season_factor = models.FloatField(_("índice estacional medio"), null=True, blank=True)
    forecast_units = models.FloatField(_("pronóstico de la cobertura"), null=True, blank=True)
    # The stock position as Stock Query says it (SPEC v3 §5.7): the CD plus the
    # selected stores; purchase = coverage − available.
    on_hand = models.IntegerField(_("existencias"), default=0)
    reserved = models.IntegerField(_("reservado"), default=0)
    in_transit = models.IntegerField(_("en tránsito"), default=0)
    available = models.IntegerField(_("disponible"), default=0)
    end_of_life = models.BooleanField(_("fin de vida"), default=False)
    unflagged_qty = models.IntegerField(_("compra sin la marca de fin de vida"), default=0)
    # Units per week of the window, oldest first, at the selected stores (sparkline).
    history = models.JSONField(_("historia semanal"), default=list, blank=True)
    note = models.CharField(_("nota"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("línea de pronóstico")
        verbose_name_plural = _("líneas de pronóstico")
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "sku"], name="forecastline_run_sku_uniq")]
        indexes = [
            models.Index(fields=["run", "position"], name="forecastline_run_pos_idx"),
            models.Index(fields=["run", "source"], name="forecastline_run_source_idx"),
            models.Index(fields=["run", "purchase_qty"], name="forecastline_run_purchase_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.sku}: {self.purchase_qty}"

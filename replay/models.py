"""A replay (SPEC §13): its parameters and its results, per policy and per week."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ReplayRun(models.Model):
    class Scope(models.TextChoices):
        SKUS = "skus", _("Archivo de SKUs")
        CATEGORY = "category", _("Categoría")
        TOP = "top", _("Top N SKUs")

    replay_id = models.CharField(_("replay"), max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("usuario")
    )
    job = models.ForeignKey("fastdso.Job", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True, db_index=True)
    scope = models.CharField(_("alcance"), max_length=10, choices=Scope.choices)
    scope_label = models.CharField(_("entrada"), max_length=255, blank=True)
    category = models.CharField(_("categoría"), max_length=120, blank=True)
    top_n = models.PositiveIntegerField(_("top N"), null=True, blank=True)
    skus = models.JSONField(_("SKUs"), default=list, blank=True)
    sku_count = models.PositiveIntegerField(_("SKUs"), default=0)
    weeks = models.PositiveSmallIntegerField(_("semanas"), default=8)
    cd_supply = models.FloatField(_("abastecimiento CD"), default=1.0)
    # SPEC v3 §13: v3 puts policies on equal footing; v2 keeps the v2 replay.
    rules = models.CharField(_("reglas"), max_length=4, default="v3")
    cd_mode = models.CharField(_("abastecimiento del CD"), max_length=10, default="purchase")
    supplier_lead_weeks = models.PositiveSmallIntegerField(_("plazo del proveedor (semanas)"), default=2)
    as_of_week = models.DateField(_("semana de corte"))
    first_week = models.DateField(_("primera semana"))
    # [{name, text, overrides, params}] in the order given
    policies = models.JSONField(_("políticas"), default=list, blank=True)
    # [{name, totals: {...}, start_stock, weekly: [{week_start, ...}]}], same order
    results = models.JSONField(_("resultados"), default=list, blank=True)
    best_fill_policy = models.CharField(_("mejor nivel de servicio"), max_length=40, blank=True)
    lowest_stock_policy = models.CharField(_("menor stock"), max_length=40, blank=True)
    warnings = models.JSONField(_("advertencias"), default=list, blank=True)

    class Meta:
        verbose_name = _("replay")
        verbose_name_plural = _("replays")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.replay_id

    def get_absolute_url(self) -> str:
        return reverse("replay:detail", args=[self.replay_id])

    @property
    def policy_names(self) -> list[str]:
        return [p.get("name", "") for p in self.policies or []]

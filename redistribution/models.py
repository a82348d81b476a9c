"""Store-to-store transfer plans and their lines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fastdso.models import Lifecycle
from inventory.models import Product, Store


class TransferPlan(Lifecycle):
    class Mode(models.TextChoices):
        AUTO = "auto", _("Automático")
        MANUAL = "manual", _("Manual asistido")

    class Scope(models.TextChoices):
        SKUS = "skus", _("Lista de SKUs")
        CATEGORY = "category", _("Categoría")

    plan_id = models.CharField(_("plan"), max_length=40, unique=True)
    mode = models.CharField(_("modo"), max_length=10, choices=Mode.choices, default=Mode.AUTO)
    scope = models.CharField(_("alcance"), max_length=10, choices=Scope.choices, default=Scope.SKUS)
    category = models.CharField(_("categoría"), max_length=120, blank=True)
    # No destination store means "all stores".
    destination = models.ForeignKey(
        Store, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("destino")
    )
    origin = models.ForeignKey(
        Store, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("origen")
    )
    params = models.JSONField(_("parámetros"), default=dict, blank=True)
    summary = models.JSONField(_("resumen"), default=dict, blank=True)
    warnings = models.JSONField(_("advertencias"), default=list, blank=True)
    line_count = models.PositiveIntegerField(_("movimientos"), default=0)
    total_units = models.PositiveBigIntegerField(_("unidades"), default=0)
    request_file_name = models.CharField(_("archivo"), max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("usuario")
    )
    job = models.ForeignKey("fastdso.Job", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("plan de redistribución")
        verbose_name_plural = _("planes de redistribución")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.plan_id

    def get_absolute_url(self) -> str:
        return reverse("redistribution:plan_detail", args=[self.plan_id])


class TransferLine(models.Model):
    """One move of a plan. Plan, product and stores are foreign keys without a
    database constraint, as on distribution lines (written in one COPY; the ORM
    cascades and protects): see DistributionLine."""

    plan = models.ForeignKey(
        TransferPlan, on_delete=models.CASCADE, db_constraint=False, related_name="lines", verbose_name=_("plan")
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, db_constraint=False, verbose_name=_("producto"))
    origin_store = models.ForeignKey(
        Store, on_delete=models.PROTECT, db_constraint=False, related_name="+", verbose_name=_("origen")
    )
    destination_store = models.ForeignKey(
        Store, on_delete=models.PROTECT, db_constraint=False, related_name="+", verbose_name=_("destino")
    )
    qty = models.PositiveIntegerField(_("unidades"))
    origin_stock = models.IntegerField(_("stock origen"), default=0)
    origin_retain = models.IntegerField(_("piso origen"), default=0)
    origin_demand = models.FloatField(_("demanda origen"), default=0)
    destination_stock = models.IntegerField(_("stock destino"), default=0)
    destination_demand = models.FloatField(_("demanda destino"), default=0)
    cover_before = models.FloatField(_("cobertura antes"), null=True, blank=True)
    cover_after = models.FloatField(_("cobertura después"), null=True, blank=True)
    urgent = models.BooleanField(_("urgente"), default=False)
    reason = models.CharField(_("motivo"), max_length=60, blank=True)
    # Plans made before explanations were rendered when shown keep their text
    # here (shown as stored); new lines leave it empty (redistribution.explain).
    explanation = models.TextField(_("explicación"), blank=True, default="", db_default="")
    destination_need = models.IntegerField(_("necesidad destino"), default=0, db_default=0)

    class Meta:
        verbose_name = _("traslado")
        verbose_name_plural = _("traslados")
        indexes = [
            models.Index(fields=["plan", "destination_store"], name="transfer_plan_dest_idx"),
            models.Index(fields=["plan", "product"], name="transfer_plan_product_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.product_id} {self.origin_store_id}→{self.destination_store_id}: {self.qty}"

"""The macro sales layer (weekly, full catalog) and the legacy subset sales."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inventory.models import Product, Store
from sales.engine import DAY_FIELDS  # day columns of a weekly row, Monday first

__all__ = [
    "DAY_FIELDS",
    "CategorySalesState",
    "CategoryStoreSales",
    "DistributionRecord",
    "Promotion",
    "SalesLoad",
    "SalesWeeklyAgg",
    "StoreCoverage",
]


class SalesWeeklyAgg(models.Model):
    """Units sold of one product at one store in one Monday–Sunday week.

    The row keeps its seven daily figures so that `replace_range` can replace
    exactly the days a file covers, even in a week that straddles two files
    (SPEC §4.2); `units` is their sum, and is what every planner reads.
    """

    # Bulk-loaded fact table (millions of rows per file): no single-column FK
    # indexes (the unique (product, week_start, store) and the (store,
    # week_start) index lead with them) and no database FK constraint, whose
    # per-row check at commit would cost more than the load itself. The macro
    # import writes only ids it has just resolved in the same transaction, and
    # Django still cascades deletes of products and stores.
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, verbose_name=_("producto"), db_index=False, db_constraint=False
    )
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, verbose_name=_("tienda"), db_index=False, db_constraint=False
    )
    week_start = models.DateField(_("semana (lunes)"))
    units = models.IntegerField(_("unidades"))
    mon = models.IntegerField(default=0)
    tue = models.IntegerField(default=0)
    wed = models.IntegerField(default=0)
    thu = models.IntegerField(default=0)
    fri = models.IntegerField(default=0)
    sat = models.IntegerField(default=0)
    sun = models.IntegerField(default=0)
    # Copy of Product.category for category-wide reads without a join;
    # the services that set a category keep it in sync.
    category = models.CharField(_("categoría"), max_length=120, null=True, blank=True)

    class Meta:
        verbose_name = _("venta semanal (macro)")
        verbose_name_plural = _("ventas semanales (macro)")
        constraints = [
            # Week before store: every product read is "these SKUs in a window
            # of weeks", which is then one contiguous range of this index
            # whatever the length of the history behind it.
            models.UniqueConstraint(
                fields=["product", "week_start", "store"], name="salesweekly_product_week_store_uniq"
            ),
            models.CheckConstraint(
                condition=Q(units=F("mon") + F("tue") + F("wed") + F("thu") + F("fri") + F("sat") + F("sun")),
                name="salesweekly_units_is_sum_of_days",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "week_start"], name="salesweekly_store_week_idx"),
            models.Index(fields=["category", "week_start", "store"], name="salesweekly_cat_week_store_idx"),
            models.Index(fields=["week_start"], name="salesweekly_week_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.store_id} {self.week_start}: {self.units}"


class SalesLoad(models.Model):
    """One macro sales file loaded: its date range is the coverage (SPEC §4.3)."""

    class Mode(models.TextChoices):
        REPLACE_RANGE = "replace_range", _("Reemplazar rango")
        APPEND_RANGE = "append_range", _("Sumar al rango")

    job = models.ForeignKey("fastdso.Job", on_delete=models.SET_NULL, null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    file_name = models.CharField(_("archivo"), max_length=255, blank=True)
    mode = models.CharField(_("modo"), max_length=20, choices=Mode.choices, default=Mode.REPLACE_RANGE)
    first_date = models.DateField(_("primera fecha"))
    last_date = models.DateField(_("última fecha"), db_index=True)
    rows_read = models.PositiveIntegerField(_("filas leídas"), default=0)
    rows_written = models.PositiveIntegerField(_("filas semanales escritas"), default=0)
    sku_count = models.PositiveIntegerField(_("SKUs"), default=0)
    store_count = models.PositiveIntegerField(_("tiendas"), default=0)
    week_count = models.PositiveIntegerField(_("semanas"), default=0)
    created_at = models.DateTimeField(_("cargado"), auto_now_add=True)

    class Meta:
        verbose_name = _("carga de ventas macro")
        verbose_name_plural = _("cargas de ventas macro")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.first_date}–{self.last_date}"


class StoreCoverage(models.Model):
    """covered_until(store) (SPEC §4.3): the latest last date of the macro loads
    that included the store. The network's as-of week follows what most
    stores reached, so a file for a few stores never moves it."""

    store = models.OneToOneField(
        Store, on_delete=models.CASCADE, primary_key=True, related_name="sales_coverage", verbose_name=_("tienda")
    )
    covered_until = models.DateField(_("datos hasta"))

    class Meta:
        verbose_name = _("cobertura de ventas por tienda")
        verbose_name_plural = _("coberturas de ventas por tienda")

    def __str__(self) -> str:
        return f"{self.store_id}: {self.covered_until}"


class CategoryStoreSales(models.Model):
    """Kept summary for the cold start (SPEC §5.3): per category and store, the
    units over one window of weeks and how many of the category's SKUs sold
    there. Reading it costs milliseconds where grouping the window's weekly
    rows costs half a second; `sales.summary` keeps it and says when it is
    valid (CategorySalesState)."""

    category = models.CharField(_("categoría"), max_length=120)
    # Derived data: no FK constraint (a store delete marks the summary stale).
    store = models.ForeignKey(
        Store, on_delete=models.DO_NOTHING, verbose_name=_("tienda"), db_index=False, db_constraint=False
    )
    units = models.BigIntegerField(_("unidades"))
    skus = models.IntegerField(_("SKUs con venta"))

    class Meta:
        verbose_name = _("venta de categoría por tienda (resumen)")
        verbose_name_plural = _("ventas de categoría por tienda (resumen)")
        constraints = [
            models.UniqueConstraint(fields=["category", "store"], name="categorystoresales_category_store_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.store_id}: {self.units}"


class CategorySalesState(models.Model):
    """The one row saying which window CategoryStoreSales holds and whether it
    still matches SalesWeeklyAgg: database triggers on every write to the
    weekly table set `stale` (sales.summary), a refill clears it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    stale = models.BooleanField(_("desactualizado"), default=True)
    as_of_week = models.DateField(_("semana de referencia"), null=True, blank=True)
    weeks = models.PositiveSmallIntegerField(_("semanas"), null=True, blank=True)
    filled_at = models.DateTimeField(_("calculado"), null=True, blank=True)

    class Meta:
        verbose_name = _("estado del resumen de categorías")
        verbose_name_plural = _("estado del resumen de categorías")

    def __str__(self) -> str:
        return f"{self.as_of_week}/{self.weeks}{' (stale)' if self.stale else ''}"


class DistributionRecord(models.Model):
    """Legacy raw "subset" sales, one row per SKU, store and date. Raw history
    only: nothing plans from it (the macro layer is the single sales source)."""

    # product_id is covered by the unique (product, store, sale_date).
    product = models.ForeignKey(Product, on_delete=models.CASCADE, verbose_name=_("producto"), db_index=False)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, verbose_name=_("tienda"))
    sale_date = models.DateField(_("fecha"))
    units = models.IntegerField(_("unidades"))
    job = models.ForeignKey("fastdso.Job", on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("venta subset (legado)")
        verbose_name_plural = _("ventas subset (legado)")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "store", "sale_date"], name="distrecord_product_store_date_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.store_id} {self.sale_date}: {self.units}"


class Promotion(models.Model):
    """A promotion of one SKU over a date range, at one store or (store empty) every store.

    A (SKU, store, week) is *promoted* when a promotion covers any of its days
    (SPEC v3 §4.6): rate windows skip those weeks, and a promotion ahead
    raises a line's target by the category's lift.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, verbose_name=_("producto"))
    # Empty: every store.
    store = models.ForeignKey(Store, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("tienda"))
    start_date = models.DateField(_("desde"))
    end_date = models.DateField(_("hasta"))
    name = models.CharField(_("nombre"), max_length=200, blank=True, default="")
    is_demo = models.BooleanField(_("demo"), default=False, editable=False)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        verbose_name = _("promoción")
        verbose_name_plural = _("promociones")
        ordering = ["start_date", "product_id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="promotion_end_not_before_start"),
            # The natural key (SKU, store or every store, dates): an identical row is never stored twice.
            models.UniqueConstraint(
                fields=["product", "store", "start_date", "end_date"],
                condition=Q(store__isnull=False),
                name="promotion_store_dates_uniq",
            ),
            models.UniqueConstraint(
                fields=["product", "start_date", "end_date"],
                condition=Q(store__isnull=True),
                name="promotion_every_store_dates_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "start_date"], name="promotion_product_start_idx"),
            models.Index(fields=["end_date"], name="promotion_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.start_date}–{self.end_date}"

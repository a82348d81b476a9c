"""Stores, products and stock snapshots (CD and stores)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower, Now
from django.utils.translation import gettext_lazy as _


def normalise_store_name(name: str) -> str:
    """Store names compare trimmed, with inner whitespace collapsed, case-insensitively."""
    return " ".join(str(name).split())


def store_name_key(name: str) -> str:
    return normalise_store_name(name).casefold()


class Store(models.Model):
    name = models.CharField(_("nombre"), max_length=200)
    # The matching key: files may spell a store "  tienda  CENTRO"; it is the same store.
    name_key = models.CharField(_("clave del nombre"), max_length=200, unique=True, editable=False)
    code = models.CharField(_("código"), max_length=50, unique=True, null=True, blank=True)
    # Date of this store's latest stock snapshot, kept by the stock import:
    # "current stock" is read at this date without a max() over history.
    stock_date = models.DateField(_("fecha de stock"), null=True, blank=True, editable=False)
    # Loaded by seed_demo: every fact row of a demo store is demo (clear_demo).
    is_demo = models.BooleanField(_("demo"), default=False, editable=False)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    # Stores file (SPEC v3 §4.7). An *opening* store plans from its like store
    # until it has `new_store_weeks` weeks of its own sales.
    opened_on = models.DateField(_("apertura"), null=True, blank=True)
    like_store = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tienda similar"),
    )
    size_factor = models.FloatField(_("factor de tamaño"), default=1.0)
    # Truck time CD → store; in-transit units end at shipped_on + lead time (§5.7).
    lead_time_days = models.PositiveSmallIntegerField(_("días de tránsito"), default=2)
    # An inactive store gets no lines and no transfers; it can still donate (§7).
    active = models.BooleanField(_("activa"), default=True)

    class Meta:
        verbose_name = _("tienda")
        verbose_name_plural = _("tiendas")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size_factor__gt=0), name="store_size_factor_gt_0"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        # Normalising the key is part of the row's identity, not business logic.
        self.name = normalise_store_name(self.name)
        self.name_key = store_name_key(self.name)
        if self.code is not None:
            self.code = self.code.strip() or None
        super().save(*args, **kwargs)


class Product(models.Model):
    # Text, never a number: "00012345" and "12345" are different products.
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("nombre"), max_length=255, blank=True)
    category = models.CharField(_("categoría"), max_length=120, null=True, blank=True, db_index=True)
    # Units per case (SPEC §5.4a): the CD ships whole cases when runs round to packs.
    pack_size = models.PositiveIntegerField(
        _("unidades por caja"), default=1, help_text=_("Entero ≥ 1. El CD despacha cajas completas.")
    )
    # Units a store shows on the shelf whatever it sells (SPEC v3 §5.2).
    display_min = models.PositiveIntegerField(_("exhibición mínima"), default=0)
    # Loaded by seed_demo: every fact row of a demo product is demo (clear_demo).
    is_demo = models.BooleanField(_("demo"), default=False, editable=False)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)

    class Meta:
        verbose_name = _("producto")
        verbose_name_plural = _("productos")
        ordering = ["sku"]
        indexes = [models.Index(Lower("name"), name="product_name_lower_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(pack_size__gte=1), name="product_pack_size_gte_1")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}".strip()


class CDStockSnapshot(models.Model):
    """Units at the distribution centre on a date. Current = latest date.

    `counted_on`: the date the quantity was counted. A `--partial` import
    copies the SKUs its file does not name with the date they were counted
    (older than the snapshot); the reservations of approved runs end only
    with a count after their approval (SPEC §5.7). Empty: counted on
    `snapshot_date` (rows written before the field existed).
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, verbose_name=_("producto"))
    units = models.IntegerField(_("unidades"))
    snapshot_date = models.DateField(_("fecha"))
    counted_on = models.DateField(_("contado el"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock CD")
        verbose_name_plural = _("stock CD")
        constraints = [
            models.UniqueConstraint(fields=["snapshot_date", "product"], name="cdstock_date_product_uniq"),
        ]

    def __str__(self) -> str:
        return f"CD {self.product_id} {self.snapshot_date}: {self.units}"


class StoreStockSnapshot(models.Model):
    """Units at a store on a date. A store's current stock is its own latest date."""

    # Both FKs lead one of the indexes below: no single-column indexes (faster bulk loads).
    store = models.ForeignKey(Store, on_delete=models.CASCADE, verbose_name=_("tienda"), db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, verbose_name=_("producto"), db_index=False)
    units = models.IntegerField(_("unidades"))
    snapshot_date = models.DateField(_("fecha"))

    class Meta:
        verbose_name = _("stock tienda")
        verbose_name_plural = _("stock tiendas")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "snapshot_date", "product"], name="storestock_store_date_product_uniq"
            ),
        ]
        indexes = [models.Index(fields=["product", "store", "snapshot_date"], name="storestock_product_idx")]

    def __str__(self) -> str:
        return f"{self.store_id}/{self.product_id} {self.snapshot_date}: {self.units}"


class StockCommitment(models.Model):
    """Stock promised by an approved run or plan (SPEC §5.7 v3), until it ships.

    `units` is the signed effect on the stock a planner reads: a run's CD
    reservation is negative on the CD (store empty) and positive at its
    store; a transfer plan is negative at the donor and positive at the
    destination. What is still promised is these units less what shipped
    (StockMovement); never-shipped units stay promised until cancel or close
    set `is_open` off (the rows stay as history). Without any shipment
    confirmation of its source, a count dated `cd_pick_days` after
    `exported_on` (plus the store's lead time at a destination) ends it.
    The rules are inventory.commitments.positions.
    """

    class Kind(models.TextChoices):
        CD_RESERVED = "cd_reserved", _("reservado en CD")
        IN_TRANSIT = "in_transit", _("en tránsito")
        DONOR_OUT = "donor_out", _("sale del donante")

    source = models.CharField(_("origen"), max_length=40)  # DR-… / TP-…
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, verbose_name=_("producto"), db_index=False)
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("tienda"), db_index=False
    )
    units = models.IntegerField(_("unidades"))
    approved_on = models.DateField(_("aprobado el"))
    # Set when the run or plan is marked exported: without shipment
    # confirmations, a count `cd_pick_days` after it ends the reservation (v3 §5.7).
    exported_on = models.DateField(_("exportado el"), null=True, blank=True)
    is_open = models.BooleanField(_("vigente"), default=True, db_default=True)
    released_at = models.DateTimeField(_("liberado"), null=True, blank=True)

    class Meta:
        verbose_name = _("compromiso de stock")
        verbose_name_plural = _("compromisos de stock")
        indexes = [
            models.Index(fields=["source"], name="commitment_source_idx"),
            models.Index(
                fields=["product", "store"], condition=models.Q(is_open=True), name="commitment_open_product_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.product_id}/{self.store_id}: {self.units}"


class StockMovement(models.Model):
    """A confirmed shipment or receipt of a run's or plan's line (SPEC v3 §5.7).

    A shipment (`origin` empty: from the CD) ends that part of the line's
    reservation; its units are in transit to `store` until a receipt or a
    snapshot of that store dated on or after `due_on` (shipped_on + the
    store's lead time when it shipped). Units that left a place stay counted
    out of it until a count of that place dated after `moved_on`; received
    units stay counted in until a count dated on or after it."""

    class Kind(models.TextChoices):
        SHIPPED = "shipped", _("despachado")
        RECEIVED = "received", _("recibido")

    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("origen"), max_length=40)  # DR-… / TP-…
    product = models.ForeignKey(Product, on_delete=models.CASCADE, verbose_name=_("producto"), db_index=False)
    origin = models.ForeignKey(
        Store,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tienda de origen"),
        db_index=False,
    )
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="+", verbose_name=_("tienda"), db_index=False
    )
    units = models.PositiveIntegerField(_("unidades"))
    moved_on = models.DateField(_("fecha"))
    due_on = models.DateField(_("llega el"), null=True, blank=True)
    # Dated before the latest count of the place it left or reached: the planner confirmed it.
    backfill = models.BooleanField(_("con fecha pasada"), default=False, db_default=False)
    job = models.ForeignKey(
        "fastdso.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )
    created_at = models.DateTimeField(_("registrado"), db_default=Now())

    class Meta:
        verbose_name = _("movimiento de stock")
        verbose_name_plural = _("movimientos de stock")
        indexes = [
            models.Index(fields=["source", "product", "store"], name="movement_source_idx"),
            models.Index(fields=["product", "store"], name="movement_product_idx"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(units__gt=0), name="movement_units_gt_0")]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.product_id}→{self.store_id}: {self.units} ({self.moved_on})"


# Longest text each identifier column of a file may carry (the model fields' max_length).
TEXT_LIMITS: dict[str, int] = {
    "sku": Product._meta.get_field("sku").max_length,
    "store": Store._meta.get_field("name").max_length,
    "category": Product._meta.get_field("category").max_length,
}

"""Cross-cutting tables: background jobs and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _


class _UploadsStorage(LazyObject):
    """settings.STORAGES["uploads"], looked up on first use (a field's storage
    is otherwise fixed when the model is imported)."""

    def _setup(self) -> None:
        self._wrapped = storages["uploads"]


_uploads = _UploadsStorage()


@receiver(setting_changed)
def _uploads_storage_reset(*, setting: str, **kwargs: object) -> None:
    if setting == "STORAGES":  # tests switch storages, as Django does for default_storage
        _uploads._wrapped = empty


def uploads_storage() -> Storage:
    """Where uploaded files are kept until their job ends (settings.STORAGES["uploads"])."""
    return _uploads


class Job(models.Model):
    """One background task (an upload, a run, a plan) and what it did."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En cola")
        RUNNING = "running", _("En curso")
        DONE = "done", _("Terminada")
        FAILED = "failed", _("Fallida")

    kind = models.CharField(_("tipo"), max_length=50, db_index=True)
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progreso %"), default=0)
    stage = models.CharField(_("etapa"), max_length=200, blank=True)
    params = models.JSONField(_("parámetros"), default=dict, blank=True)
    counts = models.JSONField(_("conteos"), default=dict, blank=True)
    result = models.JSONField(_("resumen"), default=dict, blank=True)
    warnings = models.JSONField(_("advertencias"), default=list, blank=True)
    errors = models.JSONField(_("errores"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("número de errores"), default=0)
    # Why the job failed, as a message (fastdso.messages: {"code", "params"}).
    message = models.JSONField(_("mensaje"), default=dict, blank=True)
    file = models.FileField(
        _("archivo"), upload_to="uploads/%Y/%m/", storage=uploads_storage, blank=True, max_length=300
    )
    file_name = models.CharField(_("nombre del archivo"), max_length=255, blank=True)
    result_url = models.CharField(_("enlace al resultado"), max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("usuario")
    )
    # Demo data loads and the runs/plans made on demo data (clear_demo removes them).
    is_demo = models.BooleanField(_("demo"), default=False, editable=False)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("iniciada"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finalizada"), null=True, blank=True)
    # The attempt that claimed the job (queued → running) and the worker
    # ("host:pid") running it: only that attempt may finish the job.
    attempt = models.CharField(_("intento"), max_length=32, blank=True)
    worker = models.CharField(_("proceso"), max_length=120, blank=True)
    # The token of the form that started the job: the same form sent twice
    # (a double click) returns this job instead of starting another.
    submit_token = models.CharField(_("token del formulario"), max_length=32, null=True, blank=True, editable=False)
    # What an upload wrote (its dataset, stores and dates), recorded under the
    # imports lock in the transaction of its data: an older upload of an
    # overlapping scope is refused once a newer one is applied
    # (fastdso.jobs.upload_order_check; the job's id is its submission order).
    scope = models.JSONField(_("alcance"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("tarea")
        verbose_name_plural = _("tareas")
        ordering = ["-created_at", "-id"]
        permissions = [("plan", _("Puede cargar archivos, generar, planificar y exportar"))]
        constraints = [models.UniqueConstraint(fields=["user", "submit_token"], name="job_one_per_submit_token")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def summary_items(self) -> list[tuple[str, object]]:
        """`result` as (code, value) pairs in order: a list of {"code", "value"}
        (fastdso.messages.summary_json; a list keeps its order on PostgreSQL,
        where jsonb sorts object keys)."""
        if isinstance(self.result, dict):
            return list(self.result.items())
        return [
            (str(item["code"]), item.get("value")) if isinstance(item, dict) else (str(item[0]), item[1])
            for item in self.result or []
        ]

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class AuditEvent(models.Model):
    """Who did what, when, to which object: uploads, runs, plans, exports, admin."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("usuario")
    )
    action = models.CharField(_("acción"), max_length=50, db_index=True)
    object_type = models.CharField(_("tipo de objeto"), max_length=100, blank=True)
    object_id = models.CharField(_("id del objeto"), max_length=100, blank=True)
    object_repr = models.CharField(_("objeto"), max_length=300, blank=True)
    object_url = models.CharField(_("enlace"), max_length=300, blank=True)
    details = models.JSONField(_("detalle"), default=dict, blank=True)
    # The object's name when it is a phrase ("Despachos: <file>"), as a
    # message rendered in the viewer's language; else object_repr is shown.
    object_label = models.JSONField(_("nombre del objeto"), default=dict, blank=True)
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("evento de auditoría")
        verbose_name_plural = _("eventos de auditoría")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"]), models.Index(fields=["action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_repr}"


class LifeState(models.TextChoices):
    """The lifecycle of a distribution run or a transfer plan (SPEC §5.7)."""

    DRAFT = "draft", _("Borrador")
    APPROVED = "approved", _("Aprobado")
    EXPORTED = "exported", _("Exportado")
    SHIPPED = "shipped", _("Despachado")
    CLOSED = "closed", _("Cerrado")
    CANCELLED = "cancelled", _("Cancelado")


class Lifecycle(models.Model):
    """The lifecycle fields that runs and plans share (the state machine is
    fastdso.lifecycle). `state` is the plan's business state; a run's `status`
    is its job's (running/done/failed) and stays apart."""

    state = models.CharField(
        _("estado del plan"), max_length=10, choices=LifeState.choices, default=LifeState.DRAFT, db_index=True
    )
    approved_at = models.DateTimeField(_("aprobado"), null=True, blank=True)
    exported_at = models.DateTimeField(_("exportado"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("despachado"), null=True, blank=True)
    closed_at = models.DateTimeField(_("cerrado"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelado"), null=True, blank=True)
    # The file sent to the warehouse when marked exported, kept byte for byte.
    export_file = models.FileField(_("archivo exportado"), upload_to="exports/%Y/%m/", blank=True, max_length=300)
    export_format = models.CharField(_("formato exportado"), max_length=4, blank=True)
    export_sha256 = models.CharField(_("SHA-256 del archivo exportado"), max_length=64, blank=True)

    class Meta:
        abstract = True


class IdSequence(models.Model):
    """The last number given per readable-id stem ("DR-20261207-", "TP-…"):
    run and plan ids are never given twice, even after their rows are
    deleted (clear_demo, the admin) — a file sent with an id names one run."""

    stem = models.CharField(_("prefijo"), max_length=40, unique=True)
    last = models.PositiveIntegerField(_("último número"), default=0)

    class Meta:
        verbose_name = _("secuencia de ids")
        verbose_name_plural = _("secuencias de ids")

    def __str__(self) -> str:
        return f"{self.stem}{self.last:04d}"

"""Messages as data: what services, engines and jobs say is stored as a code
and its parameters, and rendered in the viewer's language when shown.

    from fastdso.messages import msg
    job.warnings = [msg("forecast.unknown_skus", n=3, skus="A, B, C").as_json()]

A `Message` is `{"code": ..., "params": {...}}` in JSON (Job rows, audit
details, run and plan warnings, the API). Each app declares what its codes
say in `<app>/messages.py` as `MESSAGES`, a dict code → Template (or the
Spanish text itself); the registry finds them the way the menu finds
`<app>/menu.py` (the core imports no feature app). `render()` looks the code
up, translates the template through the catalogue (ngettext when the
template has a plural form), and formats the parameters for the locale:
integers grouped, decimals half-up, labelled codes by their label, nested
messages rendered. Engines cannot import this module (they are pure): they
return the same JSON form, `{"code": ..., "params": {...}}`, which
`message_from` accepts.

The source language is Spanish, so a template is its msgid: the English
text is in locale/en/LC_MESSAGES/django.po.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext

from fastdso.formatting import fmt_number, fmt_trimmed

# A message whose text predates the codes and matched none of them when the
# rows were converted (migration fastdso 0010): shown as it was stored.
LEGACY = "legacy_text"
RAW = -1  # Template.digits: a number shown as written (an id), not grouped


@dataclass(frozen=True)
class Template:
    """What a code says: a Spanish msgid, a plural msgid when a count is
    involved (`count` names the parameter), parameters shown as labels
    (`labels`: parameter → registry of fastdso.labels, e.g. "reason") and
    decimals per numeric parameter (`digits`; RAW: as written; default:
    integers grouped, up to 2 decimals). A vocabulary word (a reason, a
    parameter) may carry a `help` msgid: the legend or tooltip that explains it."""

    text: str
    plural: str = ""
    count: str = "n"
    labels: Mapping[str, str] = field(default_factory=dict)
    digits: Mapping[str, int] = field(default_factory=dict)
    help: str = ""


def plural(singular: str, plural_text: str, count: str = "n", **options: Any) -> Template:
    """A template with a plural form chosen by the parameter `count`."""
    return Template(singular, plural_text, count=count, **options)


def text(template: str, **options: Any) -> Template:
    """A template without a plural (options: labels=, digits=)."""
    return Template(template, **options)


def vocabulary(kind: str, words: Mapping[str, str | tuple[str, str]]) -> dict[str, Template]:
    """Catalogue entries of a vocabulary (fastdso.labels: reason, model,
    job_kind, audit_action, param, value): code → label, or (label, help)."""
    entries: dict[str, Template] = {}
    for code, word in words.items():
        label_text, help_text = word if isinstance(word, tuple) else (word, "")
        entries[f"{kind}.{code}"] = Template(label_text, help=help_text)
    return entries


@dataclass(frozen=True)
class Message:
    """A code and its parameters (JSON values: numbers, text, lists, nested messages)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": {k: _jsonable(v) for k, v in self.params.items()}}

    def __str__(self) -> str:
        return render(self)


def msg(code: str, /, **params: Any) -> Message:
    """A message: `msg("jobs.internal_error", ref="3F2A9C01")`."""
    return Message(code, params)


def msg_json(code: str, /, **params: Any) -> dict[str, Any]:
    """The stored form of a message (what Job rows and runs keep)."""
    return Message(code, params).as_json()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Message):
        return value.as_json()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, tuple | list | set | frozenset):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def message_from(data: Any) -> Message:
    """A Message from what is stored: its JSON form, a Message, or a bare
    code (stages are stored as their code). Text that is not a code is
    kept as legacy text."""
    if isinstance(data, Message):
        return data
    if isinstance(data, Mapping) and "code" in data:
        return Message(str(data["code"]), dict(data.get("params") or {}))
    text_value = "" if data is None else str(data)
    if text_value in catalogue() or not text_value:
        return Message(text_value)
    return Message(LEGACY, {"text": text_value})


def is_message(data: Any) -> bool:
    """Whether `data` is a message's JSON form."""
    return isinstance(data, Mapping) and isinstance(data.get("code"), str) and set(data) <= {"code", "params"}


@cache
def catalogue() -> dict[str, Template]:
    """Every app's `MESSAGES`, by code. Two apps declaring one code is an error."""
    found: dict[str, Template] = {}
    owners: dict[str, str] = {}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.messages")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.messages":
                raise
            continue
        for code, entry in getattr(module, "MESSAGES", {}).items():
            if code in found:
                raise ValueError(f"message code {code!r} declared by {owners[code]} and {config.name}")
            found[code] = entry if isinstance(entry, Template) else Template(str(entry))
            owners[code] = config.name
    return found


def render(message: Any, language: str | None = None) -> str:
    """The message in `language` (default: the active one)."""
    if language:
        with translation.override(language):
            return _render(message_from(message))
    return _render(message_from(message))


def render_all(messages: Iterable[Any], language: str | None = None) -> list[str]:
    return [render(m, language) for m in messages]


def _render(message: Message) -> str:
    if message.code == LEGACY:
        return str(message.params.get("text", ""))
    template = catalogue().get(message.code)
    if template is None:
        return message.code
    values = {name: _param_text(template, name, value) for name, value in message.params.items()}
    if template.plural:
        count = message.params.get(template.count) or 0
        pattern = ngettext(template.text, template.plural, int(count) if _is_number(count) else 0)
    else:
        pattern = gettext(template.text)
    if "%(" not in pattern:
        return pattern
    try:
        return pattern % values
    except (KeyError, TypeError, ValueError):
        return pattern


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _param_text(template: Template, name: str, value: Any) -> str:
    if name in template.labels:
        from fastdso.labels import label

        return label(template.labels[name], value)
    if name in template.digits and _is_number(value):
        digits = template.digits[name]
        if digits == RAW:  # an id or a bound: as written, no thousands separator
            return f"{value:g}" if isinstance(value, float) else str(value)
        return fmt_number(value, digits)
    return value_text(value)


def value_text(value: Any) -> str:
    """One parameter or summary value as the viewer reads it: integers
    grouped, decimals with up to two places, messages rendered, lists joined."""
    if isinstance(value, bool):
        return gettext("sí") if value else gettext("no")
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return fmt_number(value)
    if isinstance(value, float | Decimal):
        return fmt_trimmed(value, 2)
    if is_message(value) or isinstance(value, Message):
        return render(value)
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value)
    if value is None:
        return "—"
    return str(value)


def label_of(code: Any) -> str:
    """The label of a summary or detail key: its catalogue entry, else the
    parameter label of fastdso.labels, else the key."""
    from fastdso.labels import label

    text_value = str(code)
    if text_value in catalogue():
        return _render(Message(text_value))
    return label("param", text_value)


def summary_json(items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[dict[str, Any]]:
    """A job summary as stored and served: [{"code": ..., "value": ...}] in order."""
    pairs = items.items() if isinstance(items, Mapping) else items
    return [{"code": str(code), "value": _jsonable(value)} for code, value in pairs]


def as_api(value: Any) -> dict[str, Any]:
    """A stored message as the API serves it: code, params and the message
    rendered in the request's language."""
    message = message_from(value)
    return {"code": message.code, "params": _jsonable(dict(message.params)), "message": _render(message)}


def stored(value: Any) -> dict[str, Any]:
    """The JSON form of a message (a Message, its JSON form or a code)."""
    return message_from(value).as_json()


def stored_list(values: Iterable[Any]) -> list[dict[str, Any]]:
    """Warnings as stored on a job, run or plan: a list of message JSON forms."""
    return [stored(value) for value in values]


# --- What the core says (jobs, files, lifecycle, audit) -----------------------
N_ = gettext_noop

MESSAGES: dict[str, Template | str] = {
    LEGACY: text("%(text)s"),
    # Job stages every app uses.
    # clear_demo cannot split a real run or plan from its demo store (fastdso.demo_clear).
    "demo.clear_refused": N_(
        "No se borró nada: %(objects)s tiene como destino u origen una tienda de demostración y "
        "también usa datos reales: no se puede separar. Cancélelo y bórrelo (administración) "
        "antes de borrar la demostración."
    ),
    "stage.starting": N_("Iniciando"),
    "stage.done": N_("Terminada"),
    "stage.failed": N_("Fallida"),
    "stage.reading_file": N_("Leyendo y validando el archivo"),
    "stage.reading_input": N_("Leyendo la entrada"),
    "stage.computing": N_("Calculando"),
    "stage.saving": N_("Guardando"),
    # Jobs.
    "jobs.no_own_file": N_("La tarea no tiene un archivo propio que leer."),
    "jobs.foreign_file": N_("La tarea nombra un archivo que no guardó ella misma: no se lee."),
    "jobs.worker_died": N_("El proceso se detuvo; no se guardó nada. Vuelva a enviar la tarea si todavía la necesita."),
    "jobs.internal_error": N_(
        "Error interno (referencia %(ref)s): no se guardó nada. El detalle quedó en el registro del servidor."
    ),
    "jobs.not_enqueued": N_(
        "El servicio de tareas no respondió al enviar esta tarea: no se inició y no se guardó nada. "
        "Vuelva a enviarla cuando el servicio esté disponible."
    ),
    "jobs.newer_upload_applied": text(
        N_(
            "Una carga enviada después de esta (tarea #%(job)s) ya se aplicó a las mismas tiendas y fechas: "
            "esta carga, más antigua, no se aplicó para no sobrescribirla. No se guardó nada; "
            "vuelva a enviarla si todavía la necesita."
        ),
        digits={"job": RAW},
    ),
    "jobs.failed": N_("La tarea falló."),
    # The file reader (fastdso.files).
    "files.unreadable": N_("El archivo no se pudo leer."),
    "files.too_big": text(N_("El archivo pesa %(size)s MB y el máximo permitido es %(limit)s MB."), digits={"size": 1}),
    "files.xlsx_inflated": N_(
        "La planilla XLSX descomprimida es demasiado grande (más de %(mb)s MB o de %(cells)s celdas): "
        "guárdela como CSV o divídala."
    ),
    "files.xlsx_shared_strings": N_(
        "La planilla XLSX repite textos compartidos hasta más de %(mb)s MB al leerla: guárdela como CSV o divídala."
    ),
    "files.zip_not_xlsx": N_("El archivo es un ZIP pero no una planilla XLSX."),
    "files.xlsx_damaged": N_("El archivo parece XLSX pero está dañado o incompleto."),
    "files.xlsx_unreadable": N_("No se pudo leer la planilla XLSX (dañada o incompleta): %(detail)s"),
    "files.empty": N_("El archivo está vacío."),
    "files.bad_utf16": N_("El archivo dice ser texto UTF-16 pero su contenido no lo es."),
    "files.row_not_utf8": N_("la fila no es UTF-8 válido (el resto del archivo sí lo es)"),
    "files.mixed_encodings": plural(
        N_(
            "El archivo mezcla codificaciones: %(n)s fila no es UTF-8 y el resto sí. "
            "Guarde el archivo completo como CSV UTF-8; no se cargó nada."
        ),
        N_(
            "El archivo mezcla codificaciones: %(n)s filas no son UTF-8 y el resto sí. "
            "Guarde el archivo completo como CSV UTF-8; no se cargó nada."
        ),
    ),
    "files.nul_bytes": N_("El archivo contiene bytes nulos (NUL): no es un CSV de texto. Guárdelo como CSV UTF-8."),
    "files.csv_unreadable": N_("El CSV no se pudo leer (¿comillas sin cerrar?): %(detail)s"),
    "files.ragged_rows": plural(
        N_("%(n)s fila no tiene el número de columnas del encabezado."),
        N_("%(n)s filas no tienen el número de columnas del encabezado."),
    ),
    "files.ragged_row": N_("la fila tiene %(found)s columnas y el encabezado %(expected)s"),
    "files.duplicate_header": N_("Encabezado duplicado: «%(first)s» y «%(second)s» son la misma columna (%(column)s)."),
    "files.old_xls": N_("Formato .xls antiguo no soportado: guárdelo como .xlsx o .csv."),
    "files.binary": N_("El archivo no es un CSV ni un XLSX (su contenido es binario)."),
    "files.bad_header": N_("El encabezado del CSV no se pudo leer: %(detail)s."),
    "files.missing_columns": N_("Faltan columnas obligatorias: %(missing)s. Columnas encontradas: %(found)s."),
    "files.missing_column": N_("columna obligatoria ausente"),
    "files.header_only": N_("El archivo solo tiene el encabezado: no hay filas de datos."),
    "files.rows_refused": plural(
        N_("El archivo tiene %(n)s error; no se cargó nada. Corrija la fila indicada."),
        N_("El archivo tiene %(n)s errores; no se cargó nada. Corrija las filas indicadas."),
    ),
    "files.refused": plural(
        N_("El archivo tiene %(n)s error; no se cargó nada."),
        N_("El archivo tiene %(n)s errores; no se cargó nada."),
    ),
    "files.blank": N_("valor vacío"),
    "files.not_a_number": N_("no es un número"),
    "files.not_an_integer": N_("debe ser un número entero"),
    "files.below_min": text(N_("debe ser mayor o igual a %(n)s"), digits={"n": RAW}),
    "files.out_of_range": N_("valor fuera de rango"),
    "files.too_long": N_("texto demasiado largo (máximo %(n)s caracteres)"),
    "files.bad_date": N_("fecha inválida (use AAAA-MM-DD o DD/MM/AAAA)"),
    "files.between": N_("debe estar entre %(low)s y %(high)s"),
    "files.greater_than_zero": N_("debe ser mayor que 0"),
    # Bounds of dates and numbers (fastdso.bounds).
    "bounds.out_of_range": N_("%(field)s: «%(value)s» está fuera de rango (de %(low)s a %(high)s)."),
    "bounds.not_a_date": N_("%(field)s: «%(value)s» no es una fecha AAAA-MM-DD."),
    # The lifecycle of runs and plans (fastdso.lifecycle.TransitionRefused).
    "lifecycle.unknown_action": N_("Acción «%(action)s» desconocida: use approve, export, ship, close o cancel."),
    "lifecycle.refused_from_one": text(
        N_("No se puede %(action)s %(id)s: está «%(state)s»; solo se puede desde «%(allowed)s». Nada cambió."),
        labels={"state": "life_state", "allowed": "life_state"},
    ),
    "lifecycle.refused_from_two": text(
        N_(
            "No se puede %(action)s %(id)s: está «%(state)s»; solo se puede desde «%(allowed)s» o «%(other)s». "
            "Nada cambió."
        ),
        labels={"state": "life_state", "allowed": "life_state", "other": "life_state"},
    ),
    "lifecycle.not_an_id": N_("«%(id)s» no es un id de run (DR-…) ni de plan (TP-…)."),
    "lifecycle.unknown_format": N_("Formato «%(fmt)s» desconocido: use csv o xlsx."),
    "lifecycle.not_found": N_("No existe %(id)s."),
    "lifecycle.nothing_to_ship": N_("%(id)s: todas sus líneas ya se despacharon; nada por despachar. Nada cambió."),
    "lifecycle.action.approve": N_("aprobar"),
    "lifecycle.action.export": N_("marcar como exportado"),
    "lifecycle.action.ship": N_("marcar como despachado"),
    "lifecycle.action.close": N_("cerrar"),
    "lifecycle.action.cancel": N_("cancelar"),
    # Keys of job summaries and audit details the core writes.
    "message": N_("Mensaje"),
}

# Its words: labels (and help) of the codes it owns, read by fastdso.labels.label().
MESSAGES |= vocabulary(
    "audit_action",
    {
        "upload": N_("Carga"),
        "export": N_("Exportación"),
        "lifecycle": N_("Cambio de estado"),
        "admin_export": N_("Exportación (admin)"),
        "demo_clear": N_("Borrado de datos de demostración"),
        "job_failed": N_("Tarea fallida"),
        "admin_add": N_("Alta (admin)"),
        "admin_change": N_("Cambio (admin)"),
        "admin_delete": N_("Baja (admin)"),
    },
)
MESSAGES |= vocabulary(
    "param",
    {
        "bytes": N_("Tamaño (bytes)"),
        "sha256": N_("Huella SHA-256 del archivo"),
        "before": N_("Antes del"),
        "destination": N_("Destino"),
        "window_end": N_("Fin de la ventana"),
        "model": N_("Modelo"),
        "as_of": N_("Fecha de corte pedida"),
        "as_of_week": N_("Semana de corte"),
        "lookback_weeks": N_("Semanas de historia"),
        "min_weeks": N_("Semanas mínimas con venta"),
        "target_woc": (N_("Cobertura objetivo (sem)"), N_("Semanas de venta que cada destino debe cubrir.")),
        "cold_start_top_n": N_("Top tiendas de la categoría"),
        "limit_by_cd": N_("Limitar por stock CD"),
        "cd_rule": N_("Regla de reparto del CD"),
        "rules": (N_("Reglas"), N_("v3 por defecto; v2 vuelve a todas las reglas anteriores a la vez.")),
        "pack_size": N_("Unidades por caja"),
        "partial": N_("Parcial"),
        "history_weeks": (N_("Semanas de historia"), N_("Semanas de venta usadas para la demanda de cada tienda.")),
        "min_woc": (N_("Cobertura mínima (sem)"), N_("Bajo esta cobertura un destino es urgente.")),
        "max_woc": (N_("Cobertura máxima (sem)"), N_("Sobre esta cobertura una tienda tiene excedente.")),
        "min_fill": (N_("Traslado mínimo (u)"), N_("No se envían traslados más chicos a un destino urgente.")),
        "top_n": N_("Top SKUs de la categoría"),
        "weeks": N_("Semanas de historia"),
        "method": N_("Método"),
        "origins": N_("Orígenes de la evaluación"),
        "mode": N_("Modo"),
        "scope": N_("Alcance"),
        "category": N_("Categoría"),
        "origin": N_("Origen"),
        "path": N_("Archivo"),
        "scope_skus": N_("SKUs solicitados"),
        "line_count": N_("Líneas"),
        "total_allocated": N_("Unidades asignadas"),
        "sku_count": N_("SKUs"),
        "moves": N_("Movimientos"),
        "units": N_("Unidades"),
        "skus": N_("SKUs"),
        "stores": N_("Tiendas"),
        "rows": N_("Filas"),
        "count": N_("Cantidad"),
        "format": N_("Formato"),
        "filters": N_("Filtros"),
        "lines": N_("Líneas"),
        "warnings": N_("Advertencias"),
        "errors": N_("Errores"),
        "change": N_("Cambio"),
        "kind": N_("Tipo"),
        "file": N_("Archivo"),
        "category_warnings": N_("Advertencias de categoría"),
        "rows_read": N_("Filas leídas"),
        "rows_written": N_("Filas escritas"),
        "from": N_("De"),
        "to": N_("A"),
        "state": N_("Estado"),
        "action": N_("Acción"),
        "released_units": N_("Unidades liberadas"),
        "cd_reserved": N_("Reservadas en CD"),
        "in_transit": N_("En tránsito"),
        "reserved_by": N_("Reservado por"),
        "store_units": N_("Unidades en tiendas"),
        "run_id": N_("Run"),
        "plan_id": N_("Plan"),
        "request_file_name": N_("Solicitud"),
        "window_start": N_("Inicio de la ventana"),
        "store_count": N_("Tiendas"),
        "seconds": N_("Segundos"),
        "macro": N_("Con ventas macro"),
        "compare_rows": N_("Filas"),
        "date": N_("Fecha"),
        "kept": N_("Conservados"),
        "replaced": N_("Reemplazados"),
        "created": N_("Creados"),
        "renamed": N_("Renombrados"),
        "new_products": N_("Productos nuevos"),
        "new_stores": N_("Tiendas nuevas"),
        "promotions": N_("Promociones"),
        "unchanged": N_("Sin cambios"),
        "updated": N_("Actualizadas"),
        "opening": N_("Con apertura"),
        "inactive": N_("Inactivas"),
        "sources": N_("Runs y planes"),
        "shipped_units": N_("Unidades despachadas"),
        "errores": N_("Errores"),
        "mensaje": N_("Mensaje"),
        "formato": N_("Formato"),
        "filas": N_("Filas"),
        "unidades": N_("Unidades"),
    },
)

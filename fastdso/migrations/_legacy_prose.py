"""A frozen copy of the phrases jobs, runs, plans and audit events stored as
Spanish text before messages became data (issue 30), and the codes they are
now. Only the data migrations that convert old rows use it; nothing at run
time parses text any more. Do not edit: it describes rows already written.

`convert_text` turns one stored phrase into {"code", "params"}; a phrase it
does not know is kept as {"code": "legacy_text", "params": {"text": ...}},
which renders as it was stored."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

LEGACY = "legacy_text"

# Fixed phrases → code.
PHRASES: dict[str, str] = {
    "Iniciando": "stage.starting",
    "Terminada": "stage.done",
    "Terminado": "stage.done",
    "Fallida": "stage.failed",
    "Leyendo y validando el archivo": "stage.reading_file",
    "Actualizando productos y tiendas": "stage.updating_products_stores",
    "Actualizando productos": "stage.updating_products",
    "Escribiendo ventas semanales": "stage.writing_weekly",
    "Resumiendo ventas por categoría": "stage.category_summary",
    "Escribiendo ventas subset": "stage.writing_subset",
    "Leyendo las ventas ya cargadas del rango": "stage.reading_range",
    "Comparando con lo ya cargado": "stage.comparing",
    "Calculando la salud de tiendas": "stage.store_health",
    "Guardando productos": "stage.saving_products",
    "Guardando stock CD": "stage.saving_cd_stock",
    "Guardando stock de tiendas": "stage.saving_store_stock",
    "Guardando promociones": "stage.saving_promotions",
    "Guardando tiendas": "stage.saving_stores",
    "Leyendo la entrada": "stage.reading_input",
    "Leyendo ventas macro": "stage.reading_macro_sales",
    "Preparando la lista de SKUs": "stage.preparing_skus",
    "Calculando proxies de categoría y stock": "stage.category_proxies",
    "Backtest de métodos": "stage.backtest",
    "Evaluación de métodos": "stage.evaluation",
    "Guardando el pronóstico": "stage.saving_forecast",
    "Leyendo la solicitud": "stage.reading_request",
    "Leyendo stock": "stage.reading_stock",
    "Calculando": "stage.computing",
    "Guardando el run": "stage.saving_run",
    "Validando tiendas": "stage.validating_stores",
    "Eligiendo SKUs": "stage.choosing_skus",
    "Leyendo ventas y stock": "stage.reading_sales_stock",
    "Calculando traslados": "stage.computing_transfers",
    "Guardando el plan": "stage.saving_plan",
    "Plan listo": "stage.plan_ready",
    "Comprobando las líneas": "stage.checking_lines",
    "Guardando": "stage.saving",
    "Preparando el alcance": "stage.preparing_scope",
    "Leyendo la historia de ventas": "stage.reading_sales_history",
    "Guardando el replay": "stage.saving_replay",
    # Warnings, refusals and row errors.
    "No hay stock CD cargado: con el límite por CD activo no se asigna nada.": "distribution.no_cd_stock",
    "La columna qty del archivo se ignoró: el sistema decide las cantidades.": "redistribution.qty_ignored",
    "El archivo no trae la columna qty: el sistema decide las cantidades.": "redistribution.no_qty_column",
    "El archivo está vacío.": "files.empty",
    "valor vacío": "files.blank",
    "no es un número": "files.not_a_number",
    "debe ser un número entero": "files.not_an_integer",
    "valor fuera de rango": "files.out_of_range",
    "fecha inválida (use AAAA-MM-DD o DD/MM/AAAA)": "files.bad_date",
    "columna obligatoria ausente": "files.missing_column",
    "SKU desconocido": "unknown_sku",
    "tienda desconocida": "inventory.unknown_store",
    "la fecha de fin es anterior a la de inicio": "sales.end_before_start",
    "tienda similar desconocida (no está en la base ni en el archivo)": "inventory.unknown_like_store",
    "una tienda no puede ser su propia tienda similar": "inventory.own_like_store",
    "debe ser mayor que 0": "files.greater_than_zero",
    "use sí/no, yes/no, true/false o 1/0": "inventory.yes_no",
    "el código ya es de otra tienda": "inventory.code_taken",
    "falta run_id o plan_id": "inventory.source_missing",
    "indique run_id o plan_id, no ambos": "inventory.source_both",
    "run o plan inexistente": "inventory.source_unknown",
    "tienda de origen desconocida": "inventory.unknown_origin",
    "fecha posterior a hoy": "inventory.date_after_today",
    "el run o plan no tiene esa línea (SKU y tienda)": "inventory.no_such_line",
    "el plan trae ese SKU a esa tienda desde varias tiendas: indique origin": "inventory.several_origins",
    "fecha anterior al último conteo de stock de ese lugar: confirme la carga con fecha pasada (--backfill)": (
        "inventory.backfill_needed"
    ),
    "El archivo solo tiene el encabezado: no hay filas de datos.": "files.header_only",
    "La solicitud no tiene SKUs: no se creó ningún run.": "distribution.empty_request",
    "No hay ventas macro cargadas: ningún SKU tiene ventas y el arranque en frío no tiene "
    "ventas de categoría. Cargue ventas macro y vuelva a generar.": "distribution.no_macro_sales",
    "No hay ventas macro cargadas: cargue ventas en «Carga de ventas macro» antes de planificar "
    "una redistribución (la demanda sale de esa capa).": "redistribution.no_macro_sales",
    "No hay tiendas: cargue stock o ventas de tiendas antes de redistribuir.": "redistribution.no_stores",
    "No hay una semana completa de ventas cargada para usar como referencia.": "redistribution.no_complete_week",
    "La lista de SKUs está vacía: indique al menos un SKU.": "forecast.empty_sku_list",
    "No hay ventas macro cargadas: cargue ventas o indique una fecha de corte (as-of).": "forecast.no_macro_sales",
    "No hay ventas macro cargadas: cargue ventas o indique una semana de corte (as-of).": "replay.no_macro_sales",
    "El archivo tiene demasiados SKUs o tiendas distintos.": "sales.too_many_keys",
    "Las cantidades de un día suman más de lo que admite la base de datos.": "sales.day_overflow",
    "El proceso se detuvo; no se guardó nada. Vuelva a enviar la tarea si todavía la necesita.": "jobs.worker_died",
    "El servicio de tareas no respondió al enviar esta tarea: no se inició y no se guardó nada. "
    "Vuelva a enviarla cuando el servicio esté disponible.": "jobs.not_enqueued",
    "La tarea no tiene un archivo propio que leer.": "jobs.no_own_file",
    "La tarea nombra un archivo que no guardó ella misma: no se lee.": "jobs.foreign_file",
    "El archivo es un ZIP pero no una planilla XLSX.": "files.zip_not_xlsx",
    "El archivo parece XLSX pero está dañado o incompleto.": "files.xlsx_damaged",
    "El archivo dice ser texto UTF-16 pero su contenido no lo es.": "files.bad_utf16",
    "la fila no es UTF-8 válido (el resto del archivo sí lo es)": "files.row_not_utf8",
    "El archivo contiene bytes nulos (NUL): no es un CSV de texto. Guárdelo como CSV UTF-8.": "files.nul_bytes",
    "Formato .xls antiguo no soportado: guárdelo como .xlsx o .csv.": "files.old_xls",
    "El archivo no es un CSV ni un XLSX (su contenido es binario).": "files.binary",
    "Datos de demostración": "inventory.audit_demo_data",
}

# Phrases with values → code; %(name)s is any text. Numbers named in
# NUMERIC are stored back as numbers (they were written without grouping).
TEMPLATES: list[tuple[str, str]] = [
    ("inventory.category_kept", "SKU %(sku)s: el archivo dice categoría «%(new)s», se mantiene «%(old)s»."),
    ("distribution.no_category", "SKU %(sku)s: sin ventas y sin categoría; no se distribuye (%(reason)s)."),
    (
        "distribution.like_fallback",
        "SKU %(sku)s: el SKU similar «%(like)s» no existe o no tiene ventas; se planifica por categoría.",
    ),
    ("distribution.launch_factor_range", "launch_factor debe estar entre 0 y %(max)s: no se creó ningún run."),
    ("files.rows_refused", "El archivo tiene %(n)s error(es); no se cargó nada. Corrija las filas indicadas."),
    ("files.refused", "El archivo tiene %(n)s error(es); no se cargó nada."),
    ("files.too_long", "texto demasiado largo (máximo %(n)s caracteres)"),
    ("files.too_long", "texto demasiado largo (máximo %(n)s)"),
    ("files.below_min", "debe ser mayor o igual a %(n)s"),
    ("files.missing_columns", "Faltan columnas obligatorias: %(missing)s. Columnas encontradas: %(found)s."),
    ("forecast.unknown_skus", "%(n)s SKU(s) no están en el catálogo de productos: %(skus)s."),
    ("forecast.repeated_skus", "%(n)s SKU(s) repetidos en la entrada se consideraron una sola vez."),
    ("redistribution.unknown_skus", "SKUs que no existen en el maestro (se omiten): %(skus)s"),
    (
        "jobs.internal_error",
        "Error interno (referencia %(ref)s): no se guardó nada. El detalle quedó en el registro del servidor.",
    ),
    (
        "jobs.newer_upload_applied",
        "Una carga enviada después de esta (tarea #%(job)s) ya se aplicó a las mismas tiendas y fechas: "
        "esta carga, más antigua, no se aplicó para no sobrescribirla. No se guardó nada; "
        "vuelva a enviarla si todavía la necesita.",
    ),
    ("redistribution.repeated_skus", "SKUs repetidos en el archivo (se suman sus cantidades): %(skus)s"),
    ("redistribution.unknown_eligible", "Tiendas elegibles desconocidas (id): %(ids)s"),
    (
        "redistribution.category_without_products",
        "La categoría «%(cat)s» no tiene productos: no hay nada que redistribuir.",
    ),
    (
        "redistribution.category_without_sales",
        "La categoría «%(cat)s» no tiene ventas en las %(weeks)s semanas hasta %(as_of)s.",
    ),
    ("redistribution.no_known_sku", "Ninguno de los %(n)s SKUs del archivo existe en el maestro de productos."),
    ("redistribution.skus_without_category", "SKUs sin categoría (solo cuenta su propia demanda): %(skus)s"),
    ("redistribution.cap_hit", "Se alcanzó el tope %(cap)s: quedan destinos sin atender (vea «destinos aún cortos»)."),
    ("forecast.category_without_products", "La categoría «%(cat)s» no tiene productos en el catálogo."),
    ("forecast.unknown_stores", "Tienda(s) inexistente(s): %(stores)s."),
    ("inventory.repeated_sku_row", "SKU repetido (también en la fila %(row)s)"),
    ("inventory.repeated_sku_store_row", "SKU y tienda repetido (también en la fila %(row)s)"),
    ("date_out_of_range", "fecha fuera de rango: debe estar entre %(first)s y %(last)s"),
    ("sales.promotion_too_long", "la promoción dura más de %(n)s días"),
    ("sales.promotion_repeated", "promoción repetida con otro nombre (también en la fila %(row)s)"),
    ("inventory.repeated_store", "tienda repetida (también en la fila %(row)s)"),
    ("files.between", "debe estar entre %(low)s y %(high)s"),
    ("inventory.ship_over", "despacha %(total)s u; la línea tiene %(limit)s y ya se despacharon %(done)s"),
    ("inventory.receive_over", "recibe %(total)s u; se despacharon %(limit)s y ya se recibieron %(done)s"),
    ("inventory.stock_date_future", "La fecha del stock %(date)s es posterior a hoy (%(today)s): no se cargó nada."),
    (
        "inventory.stock_date_backfill",
        "La fecha del stock %(date)s es anterior al último conteo (%(latest)s): "
        "confirme la carga con fecha pasada (--backfill). No se cargó nada.",
    ),
    ("files.ragged_row", "la fila tiene %(found)s columnas y el encabezado %(expected)s"),
    ("replay.few_selling_skus", "Solo %(n)s SKU(s) vendieron en las %(weeks)s semanas: se usan esos."),
    ("replay.unknown_skus", "%(n)s SKU(s) no están en el catálogo y no se simulan: %(skus)s."),
    ("replay.unknown_category", "Categoría desconocida: «%(cat)s»."),
    # Names of audited objects.
    ("inventory.audit_shipments", "Despachos: %(file)s"),
    ("inventory.audit_receipts", "Recepciones: %(file)s"),
    ("sales.audit_subset", "Ventas subset: %(file)s"),
    ("inventory.audit_products", "Productos: %(file)s"),
    ("sales.audit_promotions", "Promociones: %(file)s"),
    ("inventory.audit_stores", "Tiendas: %(file)s"),
    ("inventory.audit_cd_stock", "Stock CD %(date)s: %(file)s"),
    ("inventory.audit_store_stock", "Stock tiendas %(date)s: %(file)s"),
]
NUMERIC = {"n", "row", "total", "limit", "done", "weeks", "job", "found", "expected", "cap", "max"}

# Labels of job summaries → their code (by job kind where one label meant two things).
SUMMARY_LABELS: dict[str, str] = {
    "Run": "run_id",
    "Plan": "plan_id",
    "Pronóstico": "forecast_id",
    "Replay": "replay_id",
    "SKUs solicitados": "scope_skus",
    "SKUs por venta (SMA)": "sales_based_skus",
    "SKUs arranque en frío": "cold_start_skus",
    "SKUs sin línea": "skipped_skus",
    "Sin línea, por motivo": "skipped_by_reason",
    "SKUs sin stock CD": "no_cd_stock_skus",
    "Líneas": "line_count",
    "Líneas por modelo": "lines_by_model",
    "Líneas por motivo": "lines_by_reason",
    "Tiendas sin stock sin línea (caja sobre la cobertura)": "pack_exceeds_pairs",
    "Unidades sugeridas": "total_suggested",
    "Unidades asignadas": "total_allocated",
    "Unidades CD a arranque en frío": "cold_start_allocated",
    "Unidades CD retenidas por runs abiertos": "cd_reserved_units",
    "Advertencias de categoría": "category_warnings",
    "Filas leídas": "rows_read",
    "Filas escritas": "rows_written",
    "Registros (SKU, tienda, fecha)": "records",
    "Registros escritos (nuevos o cambiados)": "records_written",
    "Fecha del stock": "snapshot_date",
    "Tiendas": "stores",
    "tiendas": "stores",
    "Unidades": "units",
    "Tiendas nuevas": "new_stores",
    "Productos nuevos": "new_products",
    "Semanas": "weeks_loaded",
    "Movimientos": "moves",
    "Movimientos de menos de 3 u": "small_moves",
    "SKUs": "skus",
    "Categorías asignadas": "categories_set",
    "Unidades por caja cambiadas": "packs_changed",
    "Exhibiciones mínimas cambiadas": "display_min_set",
    "Filas reemplazadas de la misma fecha": "rows_replaced",
    "SKUs que mantienen su cantidad": "skus_kept",
    "Filas semanales del rango puestas en 0": "weekly_rows_cleared",
    "Filas semanales en el archivo": "weekly_rows",
    "Filas semanales escritas (nuevas o cambiadas)": "weekly_rows_written",
    "Modo": "mode",
    "Nombres actualizados": "names_updated",
    "Rango de fechas": "date_range",
    "SKUs en el alcance": "scope_skus_health",
    "quiebres con demanda": "stockouts",
    "bajo cobertura mínima": "below_min",
    "sobre cobertura máxima": "above_max",
    "SKUs con traslados": "skus_moved",
    "Tiendas afectadas": "stores_affected",
    "Destinos aún cortos": "destinations_short",
    "Semana de corte": "as_of_week",
    "Con ventas macro": "macro",
    "Proxy de categoría": "category_proxy",
    "Sin historial macro": "no_history",
    "Unidades a comprar": "purchase_units_total",
    "Método": "method",
    "Fin de vida": "end_of_life_skus",
    "Promociones en el archivo": "promotions_in_file",
    "Promociones nuevas": "promotions_created",
    "Promociones ya cargadas (sin cambios)": "promotions_unchanged",
    "Filas repetidas en el archivo": "repeated_rows",
    "Promociones borradas del rango": "promotions_removed",
    "Promociones en todas las tiendas": "promotions_every_store",
    "Tiendas actualizadas": "stores_updated",
    "Tiendas sin cambios": "stores_unchanged",
    "Tiendas con fecha de apertura": "stores_opening",
    "Tiendas con tienda similar": "stores_with_like",
    "Tiendas inactivas en el archivo": "stores_inactive",
    "Runs y planes": "sources",
    "Con fecha pasada (backfill)": "backfill",
    "Alcance": "scope",
}
SUMMARY_BY_KIND: dict[tuple[str, str], str] = {("replay", "Semanas"): "replay.weeks"}
SUMMARY_VALUES: dict[str, str] = {
    "Parcial: solo se actualizaron los SKUs del archivo": "inventory.cd_partial",
    "Completo: los SKUs ausentes del archivo quedan en 0": "inventory.cd_complete",
}
_POLICY_VALUE = re.compile(r"^nivel de servicio (?P<fill>—|-?[\d.]+) %?, ?(?P<units>-?\d+) u\. enviadas$")
_DATE_RANGE = re.compile(r"^(?P<first>\d{4}-\d{2}-\d{2}) → (?P<last>\d{4}-\d{2}-\d{2})$")

# Keys of audit details stored in Spanish → their code.
DETAIL_KEYS = {
    "errores": "errors",
    "mensaje": "message",
    "movimientos": "moves",
    "formato": "format",
    "filas": "rows",
    "unidades": "units",
    "tiendas": "stores",
    "modelo": "model",
}


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for code, template in TEMPLATES:
        parts = re.split(r"%\((\w+)\)s", template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        compiled.append((re.compile(f"^{regex}$", re.S), code))
    return compiled


def _number(text: str) -> Any:
    plain = text.replace(".", "") if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text) else text
    try:
        return int(plain)
    except ValueError:
        try:
            return float(plain)
        except ValueError:
            return text


def convert_text(text: Any) -> dict[str, Any]:
    """One stored phrase as a message's JSON form."""
    if isinstance(text, dict) and "code" in text:
        return text  # already converted
    value = "" if text is None else str(text)
    if value in PHRASES:
        return {"code": PHRASES[value], "params": {}}
    for pattern, code in _patterns():
        match = pattern.match(value)
        if match:
            params = {k: _number(v) if k in NUMERIC else v for k, v in match.groupdict().items()}
            return {"code": code, "params": params}
    return {"code": LEGACY, "params": {"text": value}}


def convert_stage(stage: str) -> str:
    """A job's stage: its code (a stage stored as text it does not know stays as it was)."""
    return PHRASES.get(stage, stage)


def _summary_value(value: Any) -> Any:
    if isinstance(value, str):
        if value in SUMMARY_VALUES:
            return {"code": SUMMARY_VALUES[value], "params": {}}
        dates = _DATE_RANGE.match(value)
        if dates:
            return {"code": "date_range_value", "params": dates.groupdict()}
        if value == "—":
            return None
    return value


def convert_summary(result: Any, kind: str = "") -> Any:
    """A job's summary (a dict or [[label, value]] pairs) as [{"code", "value"}]."""
    if isinstance(result, dict):
        pairs = list(result.items())
    elif isinstance(result, list):
        pairs = [(item[0], item[1]) for item in result if isinstance(item, list | tuple) and len(item) == 2]
        if len(pairs) != len(result):
            return result  # already converted
    else:
        return result
    converted = []
    for label, value in pairs:
        label = str(label)
        if label.startswith("Política "):
            converted.append({"code": "replay.policy", "value": _policy_value(label[len("Política ") :], value)})
            continue
        code = SUMMARY_BY_KIND.get((kind, label)) or SUMMARY_LABELS.get(label, label)
        converted.append({"code": code, "value": _summary_value(value)})
    return converted


def _policy_value(name: str, value: Any) -> Any:
    match = _POLICY_VALUE.match(str(value))
    if not match:
        return {"code": LEGACY, "params": {"text": f"{name}: {value}"}}
    units = int(match.group("units"))
    if match.group("fill") == "—":
        return {"code": "replay.policy_result_no_fill", "params": {"policy": name, "units": units}}
    return {
        "code": "replay.policy_result",
        "params": {"policy": name, "fill": float(match.group("fill")), "units": units},
    }


def convert_details(details: Any) -> Any:
    """An audit event's details: Spanish keys as codes, phrases as messages."""
    if not isinstance(details, dict):
        return details
    converted: dict[str, Any] = {}
    for key, value in details.items():
        code = DETAIL_KEYS.get(key, key)
        if code == "message" and value and not isinstance(value, dict):
            value = convert_text(value)
        converted[code] = value
    return converted


def convert_object_label(object_repr: str) -> dict[str, Any]:
    """The message naming an audited object, or {} when its name is no phrase."""
    message = convert_text(object_repr)
    return message if message["code"].startswith(("inventory.audit_", "sales.audit_")) else {}


def convert_list(items: Any) -> Any:
    """Warnings as a list of messages."""
    if not isinstance(items, list):
        return items
    return [convert_text(item) for item in items]


def convert_errors(errors: Any) -> Any:
    """Row errors: their message as a message."""
    if not isinstance(errors, list):
        return errors
    return [
        {**error, "message": convert_text(error.get("message", ""))} if isinstance(error, dict) else error
        for error in errors
    ]


def warnings_forward(app_label: str, model_name: str) -> Any:
    """A RunPython function converting `warnings` of every row of one model
    (distribution 0007, redistribution 0005, replay 0003), 500 rows a batch."""

    def forward(apps: Any, schema_editor: Any) -> None:
        Model = apps.get_model(app_label, model_name)
        batch = []
        for row in Model.objects.only("id", "warnings").iterator(chunk_size=500):
            row.warnings = convert_list(row.warnings)
            batch.append(row)
            if len(batch) >= 500:
                Model.objects.bulk_update(batch, ["warnings"])
                batch = []
        if batch:
            Model.objects.bulk_update(batch, ["warnings"])

    return forward

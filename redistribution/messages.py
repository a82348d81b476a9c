"""What redistribution plans say (fastdso.messages): warnings, refusals,
stages and the labels of their summary, by code."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from fastdso.messages import RAW, Template, text, vocabulary

MESSAGES: dict[str, Template | str] = {
    "stage.validating_stores": N_("Validando tiendas"),
    "stage.choosing_skus": N_("Eligiendo SKUs"),
    "stage.reading_sales_stock": N_("Leyendo ventas y stock"),
    "stage.computing_transfers": N_("Calculando traslados"),
    "stage.saving_plan": N_("Guardando el plan"),
    "stage.plan_ready": N_("Plan listo"),
    # Parameters (redistribution.engine.RedistParams.errors).
    "redistribution.param_between": text(
        N_("%(name)s debe estar entre %(low)s y %(high)s."), digits={"low": RAW, "high": RAW}
    ),
    "redistribution.param_negative": N_("%(name)s no puede ser negativo."),
    "redistribution.param_at_least_other": N_("%(name)s debe ser mayor o igual que %(other)s."),
    "redistribution.param_at_least_one": N_("%(name)s debe ser al menos 1."),
    "redistribution.max_units_at_least_one": N_("MAX_UNITS debe ser al menos 1 (o vacío: sin tope global)."),
    "redistribution.rules_unknown": N_("rules debe ser v2 o v3."),
    # The request (redistribution.services.request_problems).
    "redistribution.no_macro_sales": N_(
        "No hay ventas macro cargadas: cargue ventas en «Carga de ventas macro» antes de planificar "
        "una redistribución (la demanda sale de esa capa)."
    ),
    "redistribution.unknown_mode": N_("Modo desconocido: use auto o manual."),
    "redistribution.choose_category": N_("Elija una categoría."),
    "redistribution.upload_sku_file": N_("Suba un archivo con la columna sku (qty opcional)."),
    "redistribution.qty_needs_skus": N_(
        "Las cantidades del archivo solo aplican a una lista de SKUs: con categoría decide el sistema."
    ),
    "redistribution.choose_origin": N_("Elija una tienda de origen o active «elegir donantes automáticamente»."),
    "redistribution.same_store": N_("El origen y el destino no pueden ser la misma tienda."),
    "redistribution.destination_not_eligible": N_("La tienda de destino no está entre las tiendas elegibles."),
    "redistribution.origin_not_eligible": N_("La tienda de origen no está entre las tiendas elegibles."),
    "redistribution.request_refused": N_("%(problems)s"),
    # Warnings and refusals of the plan.
    "redistribution.repeated_skus": N_("SKUs repetidos en el archivo (se suman sus cantidades): %(skus)s"),
    "redistribution.unknown_eligible": N_("Tiendas elegibles desconocidas (id): %(ids)s"),
    "redistribution.destination_missing": text(N_("La tienda de destino no existe (id %(id)s)."), digits={"id": RAW}),
    "redistribution.origin_missing": text(N_("La tienda de origen no existe (id %(id)s)."), digits={"id": RAW}),
    "redistribution.no_stores": N_("No hay tiendas: cargue stock o ventas de tiendas antes de redistribuir."),
    "redistribution.category_without_products": N_(
        "La categoría «%(cat)s» no tiene productos: no hay nada que redistribuir."
    ),
    "redistribution.category_without_sales": N_(
        "La categoría «%(cat)s» no tiene ventas en las %(weeks)s semanas hasta %(as_of)s."
    ),
    "redistribution.qty_ignored": N_("La columna qty del archivo se ignoró: el sistema decide las cantidades."),
    "redistribution.no_qty_column": N_("El archivo no trae la columna qty: el sistema decide las cantidades."),
    "redistribution.unknown_skus": N_("SKUs que no existen en el maestro (se omiten): %(skus)s"),
    "redistribution.no_known_sku": N_("Ninguno de los %(n)s SKUs del archivo existe en el maestro de productos."),
    "redistribution.skus_without_category": N_("SKUs sin categoría (solo cuenta su propia demanda): %(skus)s"),
    "redistribution.cap_hit": N_(
        "Se alcanzó el tope %(cap)s: quedan destinos sin atender (vea «destinos aún cortos»)."
    ),
    "redistribution.no_complete_week": N_("No hay una semana completa de ventas cargada para usar como referencia."),
}

# Its words: labels (and help) of the codes it owns, read by fastdso.labels.label().
MESSAGES |= vocabulary(
    "reason",
    {
        "URGENT": (N_("Urgente"), N_("Destino bajo la cobertura mínima (min_woc).")),
        "BELOW_TARGET": (N_("Bajo el objetivo"), N_("Destino bajo la cobertura objetivo (target_woc).")),
        "MIN_FILL": (N_("Subido al mínimo"), N_("Subido a la cantidad mínima de traslado (destino urgente).")),
        "FILE_QTY": (N_("Tope del archivo"), N_("La cantidad del archivo es el máximo a trasladar.")),
        "FILE_QTY_OVERRIDE": (N_("Cantidad del archivo"), N_("La cantidad del archivo es la necesidad (override).")),
        "NO_DONOR_EXCESS": (N_("Sin excedente en donantes"), N_("Ninguna tienda donante tiene stock sobre su piso.")),
        "BELOW_MIN_FILL": (N_("Bajo el mínimo de traslado"), N_("Lo que falta es menos que la cantidad mínima.")),
        "MAX_UNITS_PER_SKU_PER_DEST": (N_("Tope por SKU y destino"), N_("Se alcanzó el máximo por SKU y destino.")),
        "MAX_ROWS": (N_("Tope de filas del plan"), N_("El plan llegó a su máximo de filas.")),
        "MAX_UNITS": (N_("Tope global de unidades"), N_("El plan llegó a su máximo de unidades.")),
        "BELOW_MIN_MOVE_UNITS": (
            N_("Bajo el traslado mínimo (v3)"),
            N_("Lo que falta, o lo que puede dar el donante, es menos que min_move_units."),
        ),
        "NO_WORTHWHILE_DONOR": (
            N_("Ningún donante vale el viaje"),
            N_(
                "Ningún donante pasa la prueba de v3: destino urgente y donante no, "
                "destino que vende min_gain veces el donante, o donante que queda sobre max_woc."
            ),
        ),
    },
)
MESSAGES |= vocabulary(
    "job_kind",
    {
        "redistribution_plan": N_("Plan de redistribución"),
    },
)
MESSAGES |= vocabulary(
    "audit_action",
    {
        "plan": N_("Plan"),
    },
)
MESSAGES |= vocabulary(
    "param",
    {
        "max_retain_woc": (N_("Cobertura que retiene el donante (sem)"), N_("El donante conserva esta cobertura.")),
        "min_store_stock": N_("Stock mínimo del donante (u)"),
        "sku_weight": N_("Peso de la venta propia del SKU"),
        "max_rows": N_("Máximo de filas del plan"),
        "max_units_per_sku_per_dest": N_("Máximo por SKU y destino (u)"),
        "max_units": N_("Máximo de unidades del plan"),
        "min_move_units": (N_("Traslado mínimo v3 (u)"), N_("Un traslado de menos unidades no se hace.")),
        "min_gain": (
            N_("Ganancia mínima de demanda"),
            N_("El destino debe vender al menos este múltiplo de lo que vende el donante (salvo urgencia o exceso)."),
        ),
        "small_moves": N_("Movimientos de menos de 3 u"),
        "small_moves_share": N_("Parte de movimientos de menos de 3 u"),
        "override_qty": N_("La cantidad del archivo es la necesidad"),
        "auto_pick_donors": N_("Elegir donantes automáticamente"),
        "eligible_store_ids": N_("Tiendas elegibles"),
        "skus_considered": N_("SKUs analizados"),
        "skus_moved": N_("SKUs con traslados"),
        "origin_stores": N_("Tiendas donantes"),
        "destination_stores": N_("Tiendas destino"),
        "stores_affected": N_("Tiendas afectadas"),
        "urgent_moves": N_("Urgentes atendidos"),
        "destinations_short": N_("Destinos aún cortos"),
        "short_pairs": N_("SKU-tienda aún cortos"),
        "short_units": N_("Unidades faltantes"),
        "short_urgent_pairs": N_("SKU-tienda urgentes aún cortos"),
        "short_reasons": N_("Faltantes por motivo"),
        "short_by_store": N_("Faltantes por tienda"),
        "cap_hit": N_("Tope alcanzado"),
        "eligible_stores": N_("Tiendas elegibles"),
        "system_decides": N_("El sistema decide las cantidades"),
        "movimientos": N_("Movimientos"),
    },
)

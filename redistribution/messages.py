"""What redistribution plans say (fastdso.messages): warnings, refusals,
stages and the labels of their summary, by code."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from fastdso.messages import RAW, Template, text

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

"""What purchase forecasts say (fastdso.messages): warnings, refusals,
stages and the labels of their summary, by code."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from fastdso.messages import RAW, Template, plural, text

MESSAGES: dict[str, Template | str] = {
    "stage.preparing_skus": N_("Preparando la lista de SKUs"),
    "stage.category_proxies": N_("Calculando proxies de categoría y stock"),
    "stage.saving_forecast": N_("Guardando el pronóstico"),
    "stage.backtest": N_("Backtest de métodos"),
    "stage.evaluation": N_("Evaluación de métodos"),
    "forecast.audit_category": text(N_("Pronóstico #%(id)s · Categoría %(category)s"), digits={"id": RAW}),
    "forecast.audit_list": text(N_("Pronóstico #%(id)s · %(name)s"), digits={"id": RAW}),
    "forecast.audit_sku_list": text(N_("Pronóstico #%(id)s · Lista de SKUs"), digits={"id": RAW}),
    "forecast.category_without_products": N_("La categoría «%(cat)s» no tiene productos en el catálogo."),
    "forecast.empty_sku_list": N_("La lista de SKUs está vacía: indique al menos un SKU."),
    "forecast.unknown_skus": plural(
        N_("%(n)s SKU no está en el catálogo de productos: %(skus)s."),
        N_("%(n)s SKUs no están en el catálogo de productos: %(skus)s."),
    ),
    "forecast.repeated_skus": plural(
        N_("%(n)s SKU repetido en la entrada se consideró una sola vez."),
        N_("%(n)s SKUs repetidos en la entrada se consideraron una sola vez."),
    ),
    "forecast.unknown_method": N_("Método desconocido: «%(method)s» (seasonal o sma)."),
    "forecast.no_macro_sales": N_("No hay ventas macro cargadas: cargue ventas o indique una fecha de corte (as-of)."),
    "forecast.unknown_stores": plural(
        N_("Tienda inexistente: %(stores)s."),
        N_("Tiendas inexistentes: %(stores)s."),
    ),
    "forecast.coverage_range": N_("Las semanas de cobertura deben estar entre 1 y 52."),
    "forecast.origins_range": N_("Los orígenes deben estar entre 1 y 52."),
    # Summary keys the core's parameter labels do not name.
    "purchase_units_total": N_("Unidades a comprar"),
    "end_of_life_skus": N_("Fin de vida"),
}

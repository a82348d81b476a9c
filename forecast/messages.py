"""What purchase forecasts say (fastdso.messages): warnings, refusals,
stages and the labels of their summary, by code."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from fastdso.messages import RAW, Template, plural, text, vocabulary

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

# Its words: labels (and help) of the codes it owns, read by fastdso.labels.label().
MESSAGES |= vocabulary(
    "reason",
    {
        "MACRO": (N_("Ventas macro"), N_("Promedio de las ventas macro del SKU en la ventana.")),
        "CATEGORY_PROXY": (N_("Proxy de categoría"), N_("SKU sin ventas: promedio por SKU de su categoría.")),
        "NO_HISTORY": (N_("Sin historial macro"), N_("Sin ventas propias ni de su categoría.")),
        "NET_SALES_NOT_POSITIVE": (N_("Venta neta no positiva"), N_("Las devoluciones igualan o superan la venta.")),
        "END_OF_LIFE": (
            N_("Fin de vida"),
            N_(
                "Vendió en la historia pero no en las últimas semanas de fin de vida con stock en tiendas: "
                "no se compra."
            ),
        ),
    },
)
MESSAGES |= vocabulary(
    "model",
    {
        "seasonal": (
            N_("Estacional"),
            N_("Índice estacional de la categoría × nivel por suavizado exponencial (α por SKU)."),
        ),
        "sma": (N_("Promedio móvil (V2)"), N_("Promedio de las semanas de historia × semanas de cobertura.")),
        "naive": (N_("Ingenuo"), N_("La venta de la última semana, repetida.")),
        "seasonal_naive": (N_("Ingenuo estacional"), N_("Las mismas semanas de hace 52 semanas.")),
        "autoets": (N_("AutoETS (statsforecast)"), N_("ETS automático de la biblioteca de referencia, por SKU.")),
    },
)
MESSAGES |= vocabulary(
    "job_kind",
    {
        "purchase_forecast": N_("Pronóstico de compra"),
    },
)
MESSAGES |= vocabulary(
    "param",
    {
        "coverage_weeks": N_("Semanas de cobertura"),
        "end_of_life": N_("SKUs en fin de vida"),
        "eol_weeks": N_("Semanas sin venta para fin de vida"),
        "eol_override": N_("Fin de vida comprado igual"),
        "purchase_units": N_("Compra sugerida (u.)"),
        "coverage_units": N_("Cobertura (u.)"),
        "skus_read": N_("SKUs leídos"),
        "forecast_id": N_("Pronóstico"),
        "category_proxy": N_("Proxy de categoría"),
        "no_history": N_("Sin historial macro"),
    },
)

"""What the Store Health refresh says (fastdso.messages), by code."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from fastdso.messages import Template, vocabulary

MESSAGES: dict[str, Template | str] = {
    "stage.store_health": N_("Calculando la salud de tiendas"),
    # The refresh job's summary.
    "scope_skus_health": N_("SKUs en el alcance"),
    "stockouts": N_("quiebres con demanda"),
    "below_min": N_("bajo cobertura mínima"),
    "above_max": N_("sobre cobertura máxima"),
}

# Its words: labels (and help) of the codes it owns, read by fastdso.labels.label().
MESSAGES |= vocabulary(
    "reason",
    {
        "OUT_OF_STOCK_WITH_DEMAND": (N_("Quiebre con demanda"), N_("Stock 0 en una tienda que vende el SKU.")),
        "BELOW_MIN_WOC": (N_("Cobertura bajo el mínimo"), N_("Menos semanas de stock que el mínimo.")),
        "ABOVE_MAX_WOC": (N_("Cobertura sobre el máximo"), N_("Más semanas de stock que el máximo.")),
    },
)
MESSAGES |= vocabulary(
    "job_kind",
    {
        "store_health_refresh": N_("Cálculo de salud de tiendas"),
    },
)

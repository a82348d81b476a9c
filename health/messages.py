"""What the Store Health refresh says (fastdso.messages), by code."""

from __future__ import annotations

from django.utils.translation import gettext_noop as N_

from fastdso.messages import Template

MESSAGES: dict[str, Template | str] = {
    "stage.store_health": N_("Calculando la salud de tiendas"),
    # The refresh job's summary.
    "scope_skus_health": N_("SKUs en el alcance"),
    "stockouts": N_("quiebres con demanda"),
    "below_min": N_("bajo cobertura mínima"),
    "above_max": N_("sobre cobertura máxima"),
}

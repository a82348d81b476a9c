"""Transfer line explanations, rendered when shown (issue 20).

    texts = line_explanations(lines, plan.params)   # one sentence per line, active language

A transfer line stores its numbers (demand, stock, cover, need, donor stock,
retain floor, reason); this module says why this quantity, from whom, to
whom, in the viewer's language, numbers through `fastdso.formatting`.
Pages render their page of lines, exports and the API theirs, with this one
code. Lines of plans made before keep their stored text, returned as is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fastdso.formatting import fmt_number
from redistribution import engine
from redistribution.engine import RedistParams

REASON_LABELS = {
    engine.REASON_URGENT: gettext_lazy("destino urgente (bajo la cobertura mínima)"),
    engine.REASON_BELOW_TARGET: gettext_lazy("destino bajo la cobertura objetivo"),
    engine.REASON_MIN_FILL: gettext_lazy("subido al traslado mínimo (destino urgente)"),
    engine.REASON_FILE_QTY: gettext_lazy("cantidad del archivo como máximo"),
    engine.REASON_OVERRIDE: gettext_lazy("cantidad del archivo (override)"),
}
# What the renderer reads of a line (store names through its foreign keys).
FIELDS = [
    "destination_store",
    "destination_demand",
    "destination_stock",
    "cover_before",
    "cover_after",
    "destination_need",
    "urgent",
    "origin_store",
    "origin_stock",
    "origin_retain",
    "origin_demand",
    "reason",
    "explanation",
]


def plan_params(params: Mapping[str, Any]) -> RedistParams:
    """The plan's stored parameters (its `params` JSON) as RedistParams."""
    names = RedistParams.__dataclass_fields__
    return RedistParams(**{k: v for k, v in params.items() if k in names})


class LineExplainer:
    """Says each line's sentence: why this quantity, from whom, to whom.

    Translations and parameters are looked up once per plan, not per line.
    """

    def __init__(self, params: RedistParams) -> None:
        self.template = _(
            "%(dest)s: demanda %(d)s u/sem, stock %(stock)s u (cobertura %(before)s → %(after)s sem; "
            "objetivo %(target)s sem, necesita %(need)s u)%(urgent)s. %(origin)s tiene %(ostock)s u y "
            "retiene %(retain)s u (max(ceil(%(mrw)s × %(od)s), %(mss)s)). Motivo: %(reason)s."
        )
        self.reasons = {code: str(label) for code, label in REASON_LABELS.items()}
        self.fixed = {
            "target": self.num(params.target_woc),
            "mrw": self.num(params.max_retain_woc),
            "mss": fmt_number(params.min_store_stock),
        }
        self.urgent = _(", urgente: bajo %(min)s sem") % {"min": self.num(params.min_woc)}

    def num(self, value: float | None, digits: int = 1, stored: int = 3) -> str:
        """As the pages show the stored figure: rounded to what the line stores
        (`stored` decimals), then half-up to `digits`."""
        if value is None or value != value:  # None or NaN
            return "—"
        return fmt_number(round(float(value), stored), digits)

    def __call__(self, row: Any) -> str:
        return self.template % {
            **self.fixed,
            "dest": row.destination_store,
            "d": self.num(row.destination_demand, 2, 4),
            "stock": fmt_number(row.destination_stock),
            "before": self.num(row.cover_before),
            "after": self.num(row.cover_after),
            "need": fmt_number(row.destination_need),
            "urgent": self.urgent if row.urgent else "",
            "origin": row.origin_store,
            "ostock": fmt_number(row.origin_stock),
            "retain": fmt_number(row.origin_retain),
            "od": self.num(row.origin_demand, 2, 4),
            "reason": self.reasons.get(row.reason, row.reason),
        }


def line_explanations(lines: pd.DataFrame, params: Mapping[str, Any]) -> pd.Series:
    """One sentence per line (`FIELDS` columns, store names as text) of one plan."""
    stored = lines["explanation"].fillna("").astype(str)
    todo = stored == ""
    if not todo.any():
        return stored
    explainer = LineExplainer(plan_params(params))
    out = stored.copy()
    out[todo] = [explainer(row) for row in lines[todo].itertuples(index=False)]
    return out


def explain_records(records: Iterable[Any], params: Mapping[str, Any]) -> None:
    """Set `explanation_text` on each TransferLine of a page (store names from its relations)."""
    records = list(records)
    if not records:
        return
    frame = pd.DataFrame(
        {name: [_value(record, name) for record in records] for name in FIELDS},
    )
    for record, text in zip(records, line_explanations(frame, params), strict=True):
        record.explanation_text = text


def _value(record: Any, name: str) -> Any:
    value = getattr(record, name)
    return value.name if name.endswith("_store") else value


def explanation_of(line: Any) -> str:
    """One TransferLine's explanation (queries for its plan and store names)."""
    explain_records([line], line.plan.params or {})
    return str(line.explanation_text)

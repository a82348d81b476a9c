"""The list of replays (paginated 10/25/50, newest first)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from replay.models import ReplayRun


class ReplayRunTable(tables.Table):
    replay_id = tables.LinkColumn("replay:detail", args=[tables.A("replay_id")], verbose_name=_("replay"))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("fecha"))
    user = tables.Column(verbose_name=_("usuario"))
    scope_label = tables.Column(verbose_name=_("alcance"))
    sku_count = tables.Column(verbose_name=_("SKUs"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    weeks = tables.Column(verbose_name=_("semanas"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    as_of_week = tables.DateColumn(format="Y-m-d", verbose_name=_("corte"))
    cd_supply = tables.Column(verbose_name=_("abast. CD"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    policies = tables.Column(verbose_name=_("políticas"), orderable=False)
    best_fill_policy = tables.Column(verbose_name=_("mejor servicio"))

    class Meta:
        model = ReplayRun
        fields = ("replay_id", "created_at", "user", "scope_label", "sku_count", "weeks", "as_of_week", "cd_supply")
        sequence = (*fields, "policies", "best_fill_policy")
        order_by = "-created_at"

    def render_policies(self, record: ReplayRun) -> str:
        return ", ".join(record.policy_names)

    def render_cd_supply(self, value: float) -> str:
        return f"{value:g}"

"""What the API answers: jobs, runs, plans, their lines, stock, forecasts.

The request serializers are built from the web forms (api.forms_bridge), so
the API takes exactly the web's parameters."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.forms_bridge import form_serializer
from distribution.forms import DistributionGenerateForm
from distribution.models import DistributionLine, DistributionRun
from fastdso.jobs import job_status
from fastdso.labels import key_label
from fastdso.lifecycle import ACTIONS, EXPORT_FORMATS
from fastdso.messages import as_api, is_message
from fastdso.models import Job
from fastdso.uploads import upload_kinds
from forecast.forms import ForecastForm
from forecast.models import ForecastLine, ForecastRun
from inventory.messages import stock_gap_warning
from inventory.queries import stock_date_gap
from redistribution.forms import PlanForm
from redistribution.models import TransferLine, TransferPlan
from replay.engine import MAX_POLICIES
from replay.forms import ReplayForm
from replay.models import ReplayRun

ERRORS_SHOWN = 100

# --- Requests (from the web forms) --------------------------------------------


def _upload_serializers() -> dict[str, type[serializers.Serializer]]:
    """One request serializer per upload type with an endpoint (fastdso.uploads),
    by OpenAPI name; kinds that name the same component share it."""
    made: dict[str, type[serializers.Serializer]] = {}
    for upload in upload_kinds():
        if upload.api_name and upload.api_serializer not in made:
            form = upload.api_form or upload.form
            made[upload.api_serializer] = form_serializer(form, name=upload.api_serializer, renames=upload.api_renames)
    return made


UPLOAD_SERIALIZERS = _upload_serializers()
RunCreateSerializer = form_serializer(DistributionGenerateForm, name="RunCreate", renames={"request_file": "file"})
PlanCreateSerializer = form_serializer(PlanForm, name="PlanCreate", renames={"sku_file": "file"})
ForecastCreateSerializer = form_serializer(ForecastForm, name="ForecastCreate")


def _with_policies(base: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The replay form adds its policy fields when built (policy_1…policy_N): the API has them too."""
    policy = "Policy «name:key=value,…», e.g. «high:model=SMA3,target_woc=3» (empty = unused)."
    attrs = {
        f"policy_{i}": serializers.CharField(required=False, allow_blank=True, max_length=500, help_text=policy)
        for i in range(1, MAX_POLICIES + 1)
    }
    return type(base.__name__, (base,), attrs)


ReplayCreateSerializer = _with_policies(form_serializer(ReplayForm, name="ReplayCreate"))


class TransitionSerializer(serializers.Serializer):
    """A lifecycle change: approve, export, close or cancel."""

    action = serializers.ChoiceField(choices=ACTIONS)
    export_format = serializers.ChoiceField(
        choices=EXPORT_FORMATS, default="csv", help_text="The file kept when marked exported."
    )


# --- Jobs ----------------------------------------------------------------------


class MessageSerializer(serializers.Serializer):
    """A warning, error or stage: a stable code, its parameters, and the
    message in the request's language (Accept-Language)."""

    code = serializers.CharField()
    params = serializers.DictField(child=serializers.JSONField())
    message = serializers.CharField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return as_api(instance)


class MessageListField(serializers.ListField):
    child = MessageSerializer()

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        return [as_api(item) for item in data or []]


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="Row of the file (1 = the header), or null.")
    column = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)
    code = serializers.CharField(help_text="The problem's stable code.")
    params = serializers.DictField(child=serializers.JSONField())
    message = serializers.CharField(help_text="The problem, in the request's language.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        row = instance.get("row")
        return {
            "row": int(row) if isinstance(row, int | float) else None,
            "column": str(instance.get("column") or ""),
            "value": str(instance.get("value") if instance.get("value") is not None else ""),
            **as_api(instance.get("message") or ""),
        }


class SummaryItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable key (rows_read, line_count, …).")
    label = serializers.CharField(help_text="The key's label in the request's language.")
    value = serializers.JSONField(help_text="A number, a text, a mapping, or a message (code, params, message).")


class JobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()
    errors_url = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    counts = serializers.DictField(child=serializers.JSONField())
    warnings = MessageListField()
    message = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = (
            "id", "url", "web_url", "kind", "status", "progress", "stage", "counts", "summary", "result",
            "warnings", "message", "error_count", "errors", "errors_url", "file_name",
            "created_at", "started_at", "finished_at",
        )  # fmt: skip

    def to_representation(self, job: Job) -> dict[str, Any]:
        data = super().to_representation(job)
        # While the job runs, its progress lives in the cache (what the web job page polls).
        live = job_status(job)
        data.update(progress=live["progress"], stage=live["stage"], counts=live["counts"] or {})
        return data

    def get_url(self, job: Job) -> str:
        return reverse("api:job_detail", args=[job.pk])

    def get_web_url(self, job: Job) -> str:
        return reverse("job_detail", args=[job.pk])

    @extend_schema_field(SummaryItemSerializer(many=True))
    def get_summary(self, job: Job) -> list[dict[str, Any]]:
        return [
            {"code": code, "label": key_label(code), "value": as_api(value) if is_message(value) else value}
            for code, value in job.summary_items
        ]

    @extend_schema_field(MessageSerializer(allow_null=True))
    def get_message(self, job: Job) -> dict[str, Any] | None:
        """Why the job failed (null when it did not)."""
        return as_api(job.message) if job.message else None

    @extend_schema_field(RowErrorSerializer(many=True))
    def get_errors(self, job: Job) -> list[dict[str, Any]]:
        return RowErrorSerializer(job.errors[:ERRORS_SHOWN], many=True).data

    @extend_schema_field({"type": "string", "nullable": True})
    def get_errors_url(self, job: Job) -> str | None:
        return reverse("api:job_errors", args=[job.pk]) if job.error_count else None

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"type": {"type": "string"}, "id": {"type": "string"}, "url": {"type": "string"}},
        }
    )
    def get_result(self, job: Job) -> dict[str, str] | None:
        """What the job made (a run, a plan, a forecast), with its API URL."""
        return self.context.get("results", {}).get(job.pk)


# --- Distribution runs -----------------------------------------------------------


class RunSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    lines_url = serializers.SerializerMethodField()
    order_url = serializers.SerializerMethodField()
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)
    user = serializers.CharField(source="user.username", default=None, allow_null=True, read_only=True)
    job = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = DistributionRun
        fields: tuple[str, ...] = (
            "run_id", "url", "lines_url", "order_url", "web_url", "status", "user", "job", "created_at", "finished_at",
            "model_name", "as_of_week", "request_file_name", "request_sha256", "scope_sku_count", "line_count",
            "total_suggested", "total_allocated", "state", "approved_at", "exported_at", "shipped_at", "closed_at",
            "cancelled_at",
        )  # fmt: skip

    def get_url(self, run: DistributionRun) -> str:
        return reverse("api:run_detail", args=[run.run_id])

    def get_lines_url(self, run: DistributionRun) -> str:
        return reverse("api:run_lines", args=[run.run_id])

    def get_order_url(self, run: DistributionRun) -> str:
        return reverse("api:run_order", args=[run.run_id])


class StockWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    stock_date = serializers.DateField()
    as_of_week = serializers.DateField()
    days = serializers.IntegerField()
    message = serializers.CharField()


class RunDetailSerializer(RunSerializer):
    params = serializers.DictField(child=serializers.JSONField())
    summary = serializers.DictField(child=serializers.JSONField())
    warnings = MessageListField()
    stock_warning = serializers.SerializerMethodField()

    class Meta(RunSerializer.Meta):
        fields = (*RunSerializer.Meta.fields, "params", "summary", "warnings", "stock_warning")

    @extend_schema_field(StockWarningSerializer(allow_null=True))
    def get_stock_warning(self, run: DistributionRun) -> dict[str, Any] | None:
        """When the latest stock snapshot and the run's as-of week are more than two weeks apart."""
        warning = stock_gap_warning(stock_date_gap(run.as_of_week))
        return None if warning is None else StockWarningSerializer(warning).data


class RunLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    product_name = serializers.CharField(source="product.name")
    store = serializers.CharField(source="store.name", default=None, allow_null=True)
    store_code = serializers.CharField(source="store.code", default=None, allow_null=True)
    store_id = serializers.IntegerField(allow_null=True)
    explanation = serializers.SerializerMethodField()
    # SPEC v3 §5.7: the line's goods since approval.
    reserved_qty = serializers.IntegerField(
        source="goods_reserved", default=0, read_only=True, help_text="Still reserved at the CD (not shipped)."
    )
    shipped_qty = serializers.IntegerField(source="goods_shipped", default=0, read_only=True)
    in_transit_qty = serializers.IntegerField(
        source="goods_in_transit", default=0, read_only=True, help_text="Shipped, not received nor counted yet."
    )
    received_qty = serializers.IntegerField(source="goods_received", default=0, read_only=True)

    class Meta:
        model = DistributionLine
        fields = (
            "id", "sku", "product_name", "category", "store_id", "store_code", "store", "rate", "category_rate",
            "store_stock", "cd_stock", "suggested_qty", "allocated_qty", "priority", "model_name", "reason",
            "explanation", "reserved_qty", "shipped_qty", "in_transit_qty", "received_qty",
        )  # fmt: skip

    @extend_schema_field(str)
    def get_explanation(self, line: DistributionLine) -> str:
        """Rendered for the page by the view (distribution.explain), in the request's language."""
        return getattr(line, "explanation_text", line.explanation)


class OrderLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    product_name = serializers.CharField()
    store_code = serializers.CharField(allow_null=True)
    store = serializers.CharField()
    qty = serializers.IntegerField(help_text="Units allocated to the store.")
    pack_size = serializers.IntegerField(help_text="Units per pack.")
    packs = serializers.FloatField(help_text="qty ÷ pack_size.")


class PlanOrderLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    product_name = serializers.CharField()
    origin_store_code = serializers.CharField(allow_null=True)
    origin_store = serializers.CharField()
    destination_store_code = serializers.CharField(allow_null=True)
    destination_store = serializers.CharField()
    qty = serializers.IntegerField(help_text="Units moved from the origin to the destination.")


# --- Transfer plans ----------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    lines_url = serializers.SerializerMethodField()
    order_url = serializers.SerializerMethodField()
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)
    user = serializers.CharField(source="user.username", default=None, allow_null=True, read_only=True)
    destination = serializers.CharField(source="destination.name", default=None, allow_null=True, read_only=True)
    destination_code = serializers.CharField(source="destination.code", default=None, allow_null=True, read_only=True)
    origin = serializers.CharField(source="origin.name", default=None, allow_null=True, read_only=True)
    origin_code = serializers.CharField(source="origin.code", default=None, allow_null=True, read_only=True)
    job = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = TransferPlan
        fields: tuple[str, ...] = (
            "plan_id", "url", "lines_url", "order_url", "web_url", "mode", "scope", "category", "destination",
            "destination_code", "origin", "origin_code",
            "user", "job", "created_at", "request_file_name", "line_count", "total_units", "state", "approved_at",
            "exported_at", "shipped_at", "closed_at", "cancelled_at",
        )  # fmt: skip

    def get_url(self, plan: TransferPlan) -> str:
        return reverse("api:plan_detail", args=[plan.plan_id])

    def get_lines_url(self, plan: TransferPlan) -> str:
        return reverse("api:plan_lines", args=[plan.plan_id])

    def get_order_url(self, plan: TransferPlan) -> str:
        return reverse("api:plan_order", args=[plan.plan_id])


class PlanDetailSerializer(PlanSerializer):
    params = serializers.DictField(child=serializers.JSONField())
    summary = serializers.DictField(child=serializers.JSONField())
    warnings = MessageListField()

    class Meta(PlanSerializer.Meta):
        fields = (*PlanSerializer.Meta.fields, "params", "summary", "warnings")


class PlanLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    product_name = serializers.CharField(source="product.name")
    origin_store = serializers.CharField(source="origin_store.name")
    origin_store_code = serializers.CharField(source="origin_store.code", allow_null=True)
    destination_store = serializers.CharField(source="destination_store.name")
    destination_store_code = serializers.CharField(source="destination_store.code", allow_null=True)
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = TransferLine
        fields = (
            "id", "sku", "product_name", "origin_store_id", "origin_store_code", "origin_store",
            "destination_store_id", "destination_store_code", "destination_store", "qty", "origin_stock",
            "origin_retain", "origin_demand", "destination_stock", "destination_demand",
            "cover_before", "cover_after", "urgent", "reason", "explanation",
        )  # fmt: skip

    @extend_schema_field(str)
    def get_explanation(self, line: TransferLine) -> str:
        """Rendered for the page by the view (redistribution.explain), in the request's language."""
        return getattr(line, "explanation_text", line.explanation)


# --- Forecasts -------------------------------------------------------------------------


class ForecastSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)
    user = serializers.CharField(source="user.username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = ForecastRun
        fields = (
            "id", "url", "web_url", "user", "created_at", "scope", "category", "input_name", "store_names",
            "weeks", "coverage_weeks", "as_of_week", "window_start", "sku_count", "macro_count", "proxy_count",
            "no_history_count", "unknown_count", "purchase_units", "coverage_units", "backtest_weeks",
            "method", "eol_weeks", "eol_count", "evaluation_url",
        )  # fmt: skip

    evaluation_url = serializers.SerializerMethodField()

    def get_url(self, run: ForecastRun) -> str:
        return reverse("api:forecast_detail", args=[run.pk])

    def get_evaluation_url(self, run: ForecastRun) -> str:
        return reverse("api:forecast_evaluation", args=[run.pk])


class EvaluationRowSerializer(serializers.Serializer):
    level = serializers.CharField(
        help_text="sku (key ALL: pooled), category_sku (SKU errors pooled per category), category"
    )
    key = serializers.CharField()
    method = serializers.CharField(help_text="naive, seasonal_naive, sma, seasonal (autoets with statsforecast)")
    wape = serializers.FloatField(allow_null=True)
    bias = serializers.FloatField(allow_null=True)
    mase = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()


class ForecastEvaluationSerializer(serializers.Serializer):
    """The method evaluation beside a forecast: rolling origins over the last weeks."""

    id = serializers.IntegerField()
    method = serializers.CharField(help_text="The method the forecast used.")
    horizon = serializers.IntegerField(allow_null=True)
    origin_weeks = serializers.ListField(child=serializers.DateField())
    rows = EvaluationRowSerializer(many=True)
    winners = serializers.DictField(child=serializers.CharField(), help_text="Category → method with the least WAPE.")


class ForecastLineSerializer(serializers.ModelSerializer):
    history = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        model = ForecastLine
        fields = (
            "position", "sku", "product_name", "category", "source", "window_units", "avg_weekly", "proxy_skus",
            "cd_stock", "store_stock", "coverage_units", "purchase_qty", "history", "note",
            "level", "alpha", "season_factor", "forecast_units", "on_hand", "reserved", "in_transit", "available",
            "end_of_life", "unflagged_qty",
        )  # fmt: skip


# --- Stock of one SKU -------------------------------------------------------------------


class StoreStockSerializer(serializers.Serializer):
    store_id = serializers.IntegerField()
    store_code = serializers.CharField(allow_null=True)
    store = serializers.CharField()
    stock = serializers.IntegerField(help_text="Available: on_hand − reserved + in_transit.")
    on_hand = serializers.IntegerField(help_text="The store's latest count.")
    reserved = serializers.IntegerField(
        help_text="Promised out of the store (transfer plans), or shipped after the count."
    )
    in_transit = serializers.IntegerField(help_text="Promised to the store, on the way, or received after the count.")
    stock_date = serializers.DateField(allow_null=True)
    weekly_demand = serializers.FloatField()
    cover_weeks = serializers.FloatField(allow_null=True, help_text="Weeks of cover; null without demand.")
    alert = serializers.CharField(allow_null=True)
    last_sale_week = serializers.DateField(allow_null=True)


class WeekUnitsSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    units = serializers.IntegerField()


class StoreWeeksSerializer(serializers.Serializer):
    store_id = serializers.IntegerField()
    units = serializers.ListField(child=serializers.IntegerField(), help_text="Units per week of `weeks`.")


class StockSerializer(serializers.Serializer):
    sku = serializers.CharField()
    product_name = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    cd_stock = serializers.IntegerField(help_text="Available at the CD: cd_on_hand − cd_reserved.")
    cd_on_hand = serializers.IntegerField(help_text="The CD's latest count.")
    cd_reserved = serializers.IntegerField(help_text="Promised to open runs, or shipped after the count.")
    cd_stock_date = serializers.DateField(allow_null=True)
    as_of_week = serializers.DateField(allow_null=True)
    stores = StoreStockSerializer(many=True)
    weekly_sales = WeekUnitsSerializer(many=True, help_text="Units of the whole network per week.")
    weekly_sales_by_store = StoreWeeksSerializer(many=True)


# --- Lifecycle and replays ---------------------------------------------------------------


class TransitionResultSerializer(serializers.Serializer):
    id = serializers.CharField(source="object_id")
    action = serializers.CharField()
    from_state = serializers.CharField()
    state = serializers.CharField(source="to_state")
    url = serializers.CharField()


class ReplaySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)
    user = serializers.CharField(source="user.username", default=None, allow_null=True, read_only=True)
    job = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ReplayRun
        fields: tuple[str, ...] = (
            "replay_id", "url", "web_url", "user", "job", "created_at", "scope", "scope_label", "category", "top_n",
            "sku_count", "weeks", "cd_supply", "as_of_week", "first_week", "best_fill_policy", "lowest_stock_policy",
        )  # fmt: skip

    def get_url(self, run: ReplayRun) -> str:
        return reverse("api:replay_detail", args=[run.replay_id])


class ReplayDetailSerializer(ReplaySerializer):
    skus = serializers.ListField(child=serializers.CharField())
    policies = serializers.ListField(child=serializers.DictField(child=serializers.JSONField()))
    results = serializers.ListField(child=serializers.DictField(child=serializers.JSONField()))
    warnings = MessageListField()

    class Meta(ReplaySerializer.Meta):
        fields = (*ReplaySerializer.Meta.fields, "skus", "policies", "results", "warnings")


# --- Answers ------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """A 400: each refused field (or non_field_errors) with its messages."""

    field_name = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)

"""The REST API (/api/v1/). Thin: each write parses its input with the web
form (api.forms_bridge) and starts the same job as the web page; reads use
the same queries as the pages. Roles, tokens and throttling are DRF settings
(fastdso/settings.py REST_FRAMEWORK)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import exceptions, generics, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api import queries
from api import serializers as s
from api.exceptions import message_error
from api.filters import PlanFilter, PlanLineFilter, RunFilter
from api.forms_bridge import form_validate
from distribution import jobs as distribution_jobs
from distribution.explain import explain_records
from distribution.exports import run_order_bytes, run_order_records
from distribution.filters import LineFilter
from distribution.models import DistributionLine, DistributionRun
from distribution.queries import line_goods_attach, run_all_lines
from fastdso.audit import audit_record
from fastdso.exports import CONTENT_TYPES
from fastdso.jobs import job_start
from fastdso.lifecycle import TransitionRefused, run_transition
from fastdso.models import Job
from fastdso.uploads import UploadKind, upload_kinds
from forecast import jobs as forecast_jobs
from forecast.forms import INPUT_FILE
from forecast.models import ForecastLine
from health.queries import stock_query
from inventory.queries import store_codes
from redistribution import jobs as redistribution_jobs
from redistribution.explain import explain_records as plan_explain_records
from redistribution.lifecycle import plan_order_bytes, plan_order_frame
from redistribution.models import TransferLine, TransferPlan
from replay import jobs as replay_jobs
from replay.models import ReplayRun


def job_response(job: Job, request: Request) -> Response:
    """202 Accepted with the job (its URL in Location); when the job already ran
    (inline), its outcome is there: a bad file's row errors, or what it made."""
    data = s.JobSerializer(job, context={"request": request, "results": queries.jobs_results([job])}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


MULTIPART = "multipart/form-data"
ACCEPTED = {202: s.JobSerializer}


class NotFoundView(generics.GenericAPIView):
    """Every method of an unknown /api/ URL: 404 as JSON (after authentication)."""

    schema = None  # not an endpoint

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()


# --- Uploads ------------------------------------------------------------------------


class UploadView(generics.GenericAPIView):
    """Upload a file (multipart field `file`): the same import job as the web upload page."""

    job_kind = ""

    @extend_schema(responses=ACCEPTED)
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = form_validate(serializer)
        job = job_start(
            kind=self.job_kind, user=request.user, params=form.job_params(), upload=form.cleaned_data["file"]
        )
        return job_response(job, request)


def _upload_view(upload: UploadKind) -> type[UploadView]:
    serializer = s.UPLOAD_SERIALIZERS[upload.api_serializer]
    name = f"{upload.api_serializer}View"
    view = type(name, (UploadView,), {"job_kind": upload.kind, "serializer_class": serializer})
    return extend_schema_view(
        post=extend_schema(
            summary=upload.api_summary, request={MULTIPART: serializer}, responses=ACCEPTED, tags=["uploads"]
        )
    )(view)


# One endpoint per upload type that names one (fastdso.uploads): /api/v1/uploads/<api_name>/.
UPLOAD_VIEWS = {upload.api_name: _upload_view(upload) for upload in upload_kinds() if upload.api_name}


# --- Jobs ----------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(summary="A job: status, progress, summary, first 100 errors", tags=["jobs"]))
class JobDetailView(generics.RetrieveAPIView):
    """A job: status, progress, summary, the first 100 row errors and the link to all."""

    serializer_class = s.JobSerializer
    queryset = Job.objects.select_related("user")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        job = self.get_object()
        context = {**self.get_serializer_context(), "results": queries.jobs_results([job])}
        return Response(s.JobSerializer(job, context=context).data)


@extend_schema_view(get=extend_schema(summary="Every row error of a job (paginated)", tags=["jobs"]))
class JobErrorsView(generics.ListAPIView):
    """Every row error of a job (paginated)."""

    serializer_class = s.RowErrorSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        job = generics.get_object_or_404(Job.objects.only("id", "errors"), pk=self.kwargs["pk"])
        return list(job.errors)


# --- Distribution runs -------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(summary="List distribution runs", tags=["runs"]),
    post=extend_schema(
        summary="Generate a distribution run from a request file (the generator form's parameters)",
        request={MULTIPART: s.RunCreateSerializer},
        responses=ACCEPTED,
        tags=["runs"],
    ),
)
class RunListView(generics.ListAPIView):
    serializer_class = s.RunSerializer
    filterset_class = RunFilter

    def get_queryset(self) -> QuerySet:
        return queries.runs()

    def post(self, request: Request) -> Response:
        serializer = s.RunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = form_validate(serializer)
        upload = form.cleaned_data["request_file"]
        job = job_start(kind=distribution_jobs.KIND, user=request.user, upload=upload, params=form.job_params())
        return job_response(job, request)


RUN_ID = OpenApiParameter("run_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="DR-YYYYMMDD-NNNN")
PLAN_ID = OpenApiParameter("plan_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="TP-YYYYMMDD-NNNN")


@extend_schema_view(get=extend_schema(summary="A run: summary and parameters", parameters=[RUN_ID], tags=["runs"]))
class RunDetailView(generics.RetrieveAPIView):
    serializer_class = s.RunDetailSerializer

    def get_object(self) -> Any:
        return queries.run_get(self.kwargs["run_id"])


@extend_schema_view(
    get=extend_schema(summary="A run's lines and exception rows (paginated)", parameters=[RUN_ID], tags=["runs"])
)
class RunLinesView(generics.ListAPIView):
    serializer_class = s.RunLineSerializer
    filterset_class = LineFilter

    @cached_property
    def run(self) -> Any:
        return queries.run_get(self.kwargs["run_id"])

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return DistributionLine.objects.none()  # the schema reads the model only
        return run_all_lines(self.run)

    def paginate_queryset(self, queryset: QuerySet) -> list | None:
        """The page's explanations, rendered at once in the request's language."""
        page = super().paginate_queryset(queryset)
        if page is not None:
            explain_records(page, self.run.params or {})
            line_goods_attach(page, self.run)  # SPEC v3 §5.7: reserved, shipped, in transit, received
        return page


class BytesRenderer(BaseRenderer):
    """A file the view built (CSV or XLSX bytes) as it is; anything else (an error) as JSON."""

    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class CSVRenderer(BytesRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(BytesRenderer):
    media_type = CONTENT_TYPES["xlsx"]
    format = "xlsx"


ORDER_FORMATS = ("json", "csv", "xlsx")


def _order_schema(what: str, path_id: OpenApiParameter, serializer: Any, lines: str, tag: str) -> Any:
    return extend_schema_view(
        get=extend_schema(
            summary=f"A {what}'s order as sent to the warehouse",
            description=(
                f"{lines} CSV or XLSX (the same bytes as the file kept when the {what} was marked exported) "
                "or JSON, chosen by `?format=` or the Accept header."
            ),
            parameters=[
                path_id,
                OpenApiParameter(
                    "format", OpenApiTypes.STR, enum=list(ORDER_FORMATS), description="json, csv or xlsx."
                ),
            ],
            responses={
                (200, "application/json"): serializer(many=True),
                (200, "text/csv"): OpenApiTypes.BINARY,
                (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            },
            tags=[tag],
        )
    )


class OrderView(generics.GenericAPIView):
    """What the warehouse gets for a run or a plan: the kept file's bytes when
    it was kept in that format, else the same bytes built now; or JSON."""

    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]
    extra_query_params = ("format",)
    pagination_class = None

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        """An unknown ?format= is a bad parameter (400), not a missing page."""
        fmt = request.query_params.get("format")
        if not force and fmt is not None and fmt not in ORDER_FORMATS:
            raise exceptions.ValidationError({"format": [f"«{fmt[:20]}»: json, csv, xlsx."]})
        return super().perform_content_negotiation(request, force=force)

    def handle_exception(self, exc: Exception) -> Response:
        """Errors answer JSON whatever format was asked for."""
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)

    def order(self, obj: Any, object_id: str, records: Any, build: Any) -> Response:
        self.filter_queryset(self.get_queryset())  # refuses unknown parameters
        fmt = self.request.accepted_renderer.format
        if fmt == "json":
            rows = records(obj)
            audit_record(user=self.request.user, action="export", obj=obj, details={"format": fmt, "rows": len(rows)})
            return Response(self.get_serializer(rows, many=True).data)
        if obj.export_file and obj.export_format == fmt:
            with obj.export_file.open("rb") as handle:
                body = handle.read()
        else:
            body = build(obj, fmt)
        audit_record(user=self.request.user, action="export", obj=obj, details={"format": fmt, "bytes": len(body)})
        response = Response(body, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{object_id}_pedido.{fmt}"'
        return response


@_order_schema(
    "run",
    RUN_ID,
    s.OrderLineSerializer,
    "Only the store lines with allocated units: store code and name, SKU, units and packs.",
    "runs",
)
class RunOrderView(OrderView):
    queryset = DistributionRun.objects.none()
    serializer_class = s.OrderLineSerializer

    def get(self, request: Request, run_id: str) -> Response:
        return self.order(queries.run_get(run_id), run_id, run_order_records, run_order_bytes)


# --- Transfer plans ------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(summary="List transfer plans", tags=["plans"]),
    post=extend_schema(
        summary="Plan store-to-store redistribution",
        request={MULTIPART: s.PlanCreateSerializer},
        responses=ACCEPTED,
        tags=["plans"],
    ),
)
class PlanListView(generics.ListAPIView):
    serializer_class = s.PlanSerializer
    filterset_class = PlanFilter

    def get_queryset(self) -> QuerySet:
        return queries.plans()

    def post(self, request: Request) -> Response:
        serializer = s.PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = form_validate(serializer)
        plan_request = form.plan_request()
        job = job_start(
            kind=redistribution_jobs.KIND,
            user=request.user,
            params={"request": plan_request.to_json()},
            upload=form.cleaned_data.get("sku_file") if plan_request.scope == "skus" else None,
        )
        return job_response(job, request)


@extend_schema_view(get=extend_schema(summary="A transfer plan", parameters=[PLAN_ID], tags=["plans"]))
class PlanDetailView(generics.RetrieveAPIView):
    serializer_class = s.PlanDetailSerializer

    def get_object(self) -> Any:
        return queries.plan_get(self.kwargs["plan_id"])


@extend_schema_view(get=extend_schema(summary="A plan's transfers (paginated)", parameters=[PLAN_ID], tags=["plans"]))
class PlanLinesView(generics.ListAPIView):
    serializer_class = s.PlanLineSerializer
    filterset_class = PlanLineFilter

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return TransferLine.objects.none()
        return queries.plan_lines(queries.plan_get(self.kwargs["plan_id"]))

    def paginate_queryset(self, queryset: QuerySet) -> list | None:
        """The page's explanations, rendered at once in the request's language."""
        page = super().paginate_queryset(queryset)
        if page is not None:
            plan_explain_records(page, queries.plan_get(self.kwargs["plan_id"]).params or {})
        return page


# --- Lifecycle of runs and plans (SPEC §5.7) ---------------------------------------------------


class StatusView(generics.GenericAPIView):
    """Approve, mark exported, close or cancel: the web's lifecycle buttons (fastdso.lifecycle)."""

    serializer_class = s.TransitionSerializer
    id_kwarg = ""
    detail_url = ""

    def find(self, object_id: str) -> Any:
        raise NotImplementedError

    def post(self, request: Request, **kwargs: Any) -> Response:
        object_id = kwargs[self.id_kwarg]
        self.find(object_id)  # 404 if there is no such run (or plan)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = run_transition(
                run_id=object_id,
                action=serializer.validated_data["action"],
                user=request.user,
                export_format=serializer.validated_data["export_format"],
            )
        except TransitionRefused as exc:
            return Response(message_error(exc.message), status=status.HTTP_409_CONFLICT)
        result.url = reverse(self.detail_url, args=[object_id])  # type: ignore[attr-defined]
        return Response(s.TransitionResultSerializer(result).data)


STATUS_RESPONSES = {200: s.TransitionResultSerializer, 409: s.ErrorSerializer}


@extend_schema_view(
    post=extend_schema(
        summary="Change a run's lifecycle state: approve, export, close or cancel",
        parameters=[RUN_ID],
        responses=STATUS_RESPONSES,
        tags=["runs"],
    )
)
class RunStatusView(StatusView):
    id_kwarg = "run_id"
    detail_url = "api:run_detail"

    def find(self, object_id: str) -> Any:
        return queries.run_get(object_id)


@extend_schema_view(
    post=extend_schema(
        summary="Change a plan's lifecycle state: approve, export, close or cancel",
        parameters=[PLAN_ID],
        responses=STATUS_RESPONSES,
        tags=["plans"],
    )
)
class PlanStatusView(StatusView):
    id_kwarg = "plan_id"
    detail_url = "api:plan_detail"

    def find(self, object_id: str) -> Any:
        return queries.plan_get(object_id)


def _plan_order_records(plan: Any) -> list[dict[str, Any]]:
    frame = plan_order_frame(plan)
    return [
        {
            "sku": row.sku,
            "product_name": row.product_name,
            "origin_store_code": row.origin_store_code or None,
            "origin_store": row.origin_store,
            "destination_store_code": row.destination_store_code or None,
            "destination_store": row.destination_store,
            "qty": int(row.qty),
        }
        for row in frame.itertuples(index=False)
    ]


@_order_schema(
    "plan",
    PLAN_ID,
    s.PlanOrderLineSerializer,
    "Only the moves with units: origin and destination store (code and name), SKU, units.",
    "plans",
)
class PlanOrderView(OrderView):
    queryset = TransferPlan.objects.none()
    serializer_class = s.PlanOrderLineSerializer

    def get(self, request: Request, plan_id: str) -> Response:
        return self.order(queries.plan_get(plan_id), plan_id, _plan_order_records, plan_order_bytes)


# --- Replays (SPEC §13) ------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(summary="List replays", tags=["replays"]),
    post=extend_schema(
        summary="Replay past weeks under one to four policies",
        request={MULTIPART: s.ReplayCreateSerializer},
        responses=ACCEPTED,
        tags=["replays"],
    ),
)
class ReplayListView(generics.ListAPIView):
    serializer_class = s.ReplaySerializer

    def get_queryset(self) -> QuerySet:
        return queries.replays()

    def post(self, request: Request) -> Response:
        serializer = s.ReplayCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = form_validate(serializer)
        upload = form.cleaned_data.get("file") if form.cleaned_data["scope"] == ReplayRun.Scope.SKUS else None
        params = form.job_params()
        if upload is not None:
            params["input_name"] = upload.name
        job = job_start(kind=replay_jobs.KIND, user=request.user, params=params, upload=upload)
        return job_response(job, request)


REPLAY_ID = OpenApiParameter("replay_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The replay's id")


@extend_schema_view(
    get=extend_schema(
        summary="A replay: parameters and results per policy and week", parameters=[REPLAY_ID], tags=["replays"]
    )
)
class ReplayDetailView(generics.RetrieveAPIView):
    serializer_class = s.ReplayDetailSerializer

    def get_object(self) -> Any:
        return queries.replay_get(self.kwargs["replay_id"])


# --- Purchase forecast ----------------------------------------------------------------------


@extend_schema_view(
    post=extend_schema(
        summary="Run a purchase forecast",
        request={MULTIPART: s.ForecastCreateSerializer},
        responses=ACCEPTED,
        tags=["forecast"],
    )
)
class ForecastCreateView(generics.GenericAPIView):
    serializer_class = s.ForecastCreateSerializer

    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = form_validate(serializer)
        upload = form.cleaned_data.get("file") if form.cleaned_data["input"] == INPUT_FILE else None
        job = job_start(kind=forecast_jobs.KIND, user=request.user, params=form.job_params(), upload=upload)
        return job_response(job, request)


@extend_schema_view(get=extend_schema(summary="A purchase forecast", tags=["forecast"]))
class ForecastDetailView(generics.RetrieveAPIView):
    serializer_class = s.ForecastSerializer

    def get_object(self) -> Any:
        return queries.forecast_get(self.kwargs["pk"])


@extend_schema_view(get=extend_schema(summary="A purchase forecast's method evaluation", tags=["forecast"]))
class ForecastEvaluationView(generics.RetrieveAPIView):
    serializer_class = s.ForecastEvaluationSerializer

    def get_object(self) -> Any:
        run = queries.forecast_get(self.kwargs["pk"])
        data = run.evaluation or {}
        return {
            "id": run.pk,
            "method": run.method,
            "horizon": data.get("horizon"),
            "origin_weeks": data.get("origin_weeks") or [],
            "rows": data.get("rows") or [],
            "winners": data.get("winners") or {},
        }


@extend_schema_view(get=extend_schema(summary="A purchase forecast's lines (paginated)", tags=["forecast"]))
class ForecastLinesView(generics.ListAPIView):
    serializer_class = s.ForecastLineSerializer

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return ForecastLine.objects.none()
        return queries.forecast_lines(queries.forecast_get(self.kwargs["pk"]))


class SchemaView(SpectacularJSONAPIView):
    """The OpenAPI document in one language: English, whatever the request's
    (summaries are written in English; field labels and help texts are the
    forms' and models' lazy translations, rendered here in English too)."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # the lazy texts, while English is active
        return response


# --- Stock of one SKU ---------------------------------------------------------------------------


def _none_if_missing(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


@extend_schema_view(
    get=extend_schema(
        summary="A SKU's CD stock, per-store stock and cover, and weekly sales",
        parameters=[OpenApiParameter("sku", OpenApiTypes.STR, OpenApiParameter.PATH, description="Exact SKU (text).")],
        tags=["stock"],
    )
)
class StockView(generics.GenericAPIView):
    serializer_class = s.StockSerializer

    def get(self, request: Request, sku: str) -> Response:
        product = queries.product_get(sku)
        result = stock_query(product)
        codes = store_codes()
        stores = [
            {
                "store_id": int(row.store_id),
                "store_code": codes.get(int(row.store_id)),
                "store": row.name,
                "stock": int(row.stock),
                "on_hand": int(row.on_hand),
                "reserved": int(row.reserved),
                "in_transit": int(row.in_transit),
                "stock_date": _none_if_missing(row.stock_date),
                "weekly_demand": float(row.weekly_demand),
                "cover_weeks": _cover(row.woc),
                "alert": _none_if_missing(row.alert) or None,
                "last_sale_week": _none_if_missing(row.last_sale_week),
            }
            for row in result.stores.itertuples(index=False)
        ]
        data = {
            "sku": product.sku,
            "product_name": product.name,
            "category": product.category,
            "cd_stock": result.cd_stock,
            "cd_on_hand": result.cd_on_hand,
            "cd_reserved": result.cd_reserved,
            "cd_stock_date": result.cd_stock_date,
            "as_of_week": result.as_of_week,
            "stores": stores,
            "weekly_sales": [
                {"week_start": week, "units": units}
                for week, units in zip(result.weeks, result.network_units, strict=True)
            ],
            "weekly_sales_by_store": [
                {"store_id": store_id, "units": units} for store_id, units in sorted(result.store_units.items())
            ],
        }
        return Response(s.StockSerializer(data).data)


def _cover(value: Any) -> float | None:
    value = _none_if_missing(value)
    if value is None:
        return None
    value = float(value)
    return value if value != float("inf") else None

"""Reads of the api app: find a token by its key, list a user's tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from api.models import ApiToken
from api.services import KEY_PREFIX, key_hash
from distribution.models import DistributionRun
from fastdso.models import Job
from forecast.models import ForecastLine, ForecastRun
from inventory.models import Product
from redistribution.models import TransferLine, TransferPlan
from replay.models import ReplayRun


def api_token_lookup(key: str) -> ApiToken | None:
    """The active token whose key this is (by hash, one indexed query), else None."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200 or "\x00" in key:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def user_tokens(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


# --- What the API lists (reads of the apps below; the pages read the same rows) ---


def jobs_results(jobs: list[Job]) -> dict[int, dict[str, str]]:
    """What each finished job made (a run, a plan, a forecast or a replay) with its API URL: four small queries."""
    ids = [job.pk for job in jobs if job.status == Job.Status.DONE]
    if not ids:
        return {}
    found: dict[int, dict[str, str]] = {}
    for job_id, run_id in DistributionRun.objects.filter(job_id__in=ids).values_list("job_id", "run_id"):
        found[job_id] = {"type": "run", "id": run_id, "url": reverse("api:run_detail", args=[run_id])}
    for job_id, plan_id in TransferPlan.objects.filter(job_id__in=ids).values_list("job_id", "plan_id"):
        found[job_id] = {"type": "plan", "id": plan_id, "url": reverse("api:plan_detail", args=[plan_id])}
    for job_id, pk in ForecastRun.objects.filter(job_id__in=ids).values_list("job_id", "pk"):
        found[job_id] = {"type": "forecast", "id": str(pk), "url": reverse("api:forecast_detail", args=[pk])}
    for job_id, replay_id in ReplayRun.objects.filter(job_id__in=ids).values_list("job_id", "replay_id"):
        found[job_id] = {"type": "replay", "id": replay_id, "url": reverse("api:replay_detail", args=[replay_id])}
    return found


def runs() -> QuerySet[DistributionRun]:
    return DistributionRun.objects.select_related("user").defer("params", "summary", "warnings")


def run_get(run_id: str) -> DistributionRun:
    return get_object_or_404(DistributionRun.objects.select_related("user"), run_id=_text_id(run_id))


def plans() -> QuerySet[TransferPlan]:
    return TransferPlan.objects.select_related("user", "destination", "origin").defer("params", "summary", "warnings")


def plan_get(plan_id: str) -> TransferPlan:
    return get_object_or_404(
        TransferPlan.objects.select_related("user", "destination", "origin"), plan_id=_text_id(plan_id)
    )


def plan_lines(plan: TransferPlan) -> QuerySet[TransferLine]:
    return (
        TransferLine.objects.filter(plan=plan)
        .select_related("product", "origin_store", "destination_store")
        .order_by("product__sku", "destination_store__name", "origin_store__name", "id")
    )


def forecast_get(pk: int) -> ForecastRun:
    return get_object_or_404(ForecastRun.objects.select_related("user"), pk=pk)


def forecast_lines(run: ForecastRun) -> QuerySet[ForecastLine]:
    return ForecastLine.objects.filter(run=run).order_by("position")


def product_get(sku: str) -> Product:
    """The product with exactly this SKU (SKUs are text: "00012" is not "12")."""
    return get_object_or_404(Product, sku=_text_id(sku))


def _text_id(value: str) -> str:
    """An identifier from a URL; NUL cannot be stored (PostgreSQL refuses it), so it names nothing."""
    if "\x00" in value:
        raise Http404
    return value


def replays() -> QuerySet[ReplayRun]:
    return ReplayRun.objects.select_related("user").defer("skus", "policies", "results", "warnings")


def replay_get(replay_id: str) -> ReplayRun:
    return get_object_or_404(ReplayRun.objects.select_related("user"), replay_id=_text_id(replay_id))

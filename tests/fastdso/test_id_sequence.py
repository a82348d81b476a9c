"""Run and plan ids are never given twice (SPEC v3, issue 27): the next id
after a deleted run (clear_demo, the admin) is a new number, not max()+1 of
the rows left."""

from __future__ import annotations

from django.utils import timezone

from distribution.models import DistributionRun
from fastdso.db import readable_id_save
from fastdso.models import IdSequence
from redistribution.models import TransferPlan


def _run() -> DistributionRun:
    run = DistributionRun.objects.create(run_id=f"tmp-{DistributionRun.objects.count()}")
    readable_id_save(run, field="run_id", prefix="DR")
    return run


def test_a_deleted_runs_id_is_not_given_again(db):
    stem = f"DR-{timezone.localdate():%Y%m%d}-"
    first = _run()
    assert first.run_id == f"{stem}0001"
    first.delete()  # what clear_demo does to a demo run
    assert _run().run_id == f"{stem}0002"  # max()+1 of the rows left would say 0001 again
    assert IdSequence.objects.get(stem=stem).last == 2


def test_ids_stored_before_the_sequence_are_skipped_and_plans_count_apart(db):
    stem = f"DR-{timezone.localdate():%Y%m%d}-"
    DistributionRun.objects.create(run_id=f"{stem}0007")
    assert _run().run_id == f"{stem}0008"
    plan = TransferPlan.objects.create(plan_id="tmp")
    readable_id_save(plan, field="plan_id", prefix="TP")
    assert plan.plan_id == f"TP-{timezone.localdate():%Y%m%d}-0001"

"""Settings of the real `qcluster` processes started by tests/fastdso/test_qcluster_faults.py."""

from fastdso.settings import *  # noqa: F403
from fastdso.settings import DATABASES, INSTALLED_APPS, IS_POSTGRES, Q_CLUSTER

INSTALLED_APPS = [*INSTALLED_APPS, "tests.qcluster_app.apps.QclusterTestConfig"]
Q_CLUSTER = {**Q_CLUSTER, "workers": 2, "poll": 0.2}

# A short busy timeout on SQLite, so that a job waiting for another job's
# write lock (a held upload of 30 s) outwaits it and must try again
# (fastdso.jobs._claim) instead of losing its task.
if not IS_POSTGRES:
    DATABASES["default"]["OPTIONS"]["timeout"] = 5

"""Settings of the real `qcluster` processes started by tests/fastdso/test_qcluster_faults.py."""

from fastdso.settings import *  # noqa: F403
from fastdso.settings import INSTALLED_APPS, Q_CLUSTER

INSTALLED_APPS = [*INSTALLED_APPS, "tests.qcluster_app.apps.QclusterTestConfig"]
Q_CLUSTER = {**Q_CLUSTER, "workers": 2, "poll": 0.2}

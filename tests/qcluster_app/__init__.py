"""A test-only app loaded by the real `qcluster` of tests/fastdso/test_qcluster_faults.py."""

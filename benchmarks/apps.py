from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The `bench` command (SPEC §11): the top of the layers, it drives every app."""

    name = "benchmarks"
    verbose_name = "Benchmarks"

"""Chart.js settings, built in one place. Views hand these dicts to templates,
which render them with `json_script` next to a `<canvas data-chart=…>`
(static/js/charts.js draws them). Colours are the app's palette (Bootstrap's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# The palette: Bootstrap's colours plus the brand blue.
BRAND = "#1f4e79"
BRAND_FILL = "rgba(31,78,121,.15)"
DANGER = "#dc3545"
WARNING = "#ffc107"
SUCCESS = "#198754"
INFO = "#0dcaf0"
MUTED = "#adb5bd"
GREY = "#6c757d"
ORANGE = "#fd7e14"
PURPLE = "#6f42c1"
DARK = "#212529"
# Lines that are compared with one another, in this order.
SERIES = ["#0d6efd", "#6610f2", "#d63384", ORANGE, "#20c997", GREY]


def dataset(label: Any, data: Sequence[Any], colour: str | Sequence[str] | None = None, **extra: Any) -> dict[str, Any]:
    """One dataset; `colour` fills bars and slices (several colours: one per bar or slice)."""
    entry: dict[str, Any] = {"label": label, "data": list(data)}
    if colour is not None:
        entry["backgroundColor"] = colour if isinstance(colour, str) else list(colour)
    entry.update(extra)
    return entry


def line_dataset(
    label: Any, data: Sequence[Any], colour: str, *, fill: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A line; `fill`: the colour of the area under it (none: the line's colour, no area)."""
    entry = {"label": label, "data": list(data), "borderColor": colour, "backgroundColor": fill or colour}
    if fill:
        entry["fill"] = True
    entry.update(extra)
    return entry


def chart(kind: str, labels: Sequence[Any], datasets: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    """A Chart.js configuration: type, data (labels, datasets) and options."""
    config: dict[str, Any] = {"type": kind, "data": {"labels": list(labels), "datasets": datasets}}
    if options:
        config["options"] = options
    return config


def legend(position: str | None = None, *, display: bool = True) -> dict[str, Any]:
    """The `plugins` option that places (or hides) the legend."""
    if not display:
        return {"legend": {"display": False}}
    return {"legend": {"position": position}} if position else {"legend": {"display": True}}


def weekly_line_chart(labels: Sequence[str], datasets: list[dict[str, Any]], y_title: Any) -> dict[str, Any]:
    """Units per week: a legend only with several lines, y from zero with its title."""
    return chart(
        "line",
        labels,
        datasets,
        plugins={"legend": {"display": len(datasets) > 1}},
        scales={"y": {"beginAtZero": True, "title": {"display": True, "text": y_title}}},
        elements={"point": {"radius": 2}},
    )


def horizontal_bars(labels: Sequence[Any], datasets: list[dict[str, Any]], *, stacked: bool = False) -> dict[str, Any]:
    """Bars along x, one row per label (every label shown)."""
    if stacked:
        return chart(
            "bar",
            labels,
            datasets,
            indexAxis="y",
            scales={"x": {"stacked": True}, "y": {"stacked": True, "ticks": {"autoSkip": False}}},
            plugins=legend("bottom"),
        )
    return chart(
        "bar",
        labels,
        datasets,
        indexAxis="y",
        plugins=legend(display=False),
        scales={"y": {"ticks": {"autoSkip": False}}},
    )


def doughnut(labels: Sequence[Any], values: Sequence[Any], colours: Sequence[str] | None = None) -> dict[str, Any]:
    """Shares of a whole, legend on the right."""
    entry: dict[str, Any] = {"data": list(values)}
    if colours is not None:
        entry["backgroundColor"] = list(colours)
    return chart("doughnut", labels, [entry], plugins=legend("right"))

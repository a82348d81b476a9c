"""Chart.js settings come from one helper (fastdso.charts)."""

from fastdso import charts


def test_weekly_line_chart_shows_a_legend_only_for_several_lines():
    one = charts.weekly_line_chart(["2026-01-05"], [charts.line_dataset("red", [3], charts.BRAND)], "u/sem")
    assert one["type"] == "line" and one["data"] == {
        "labels": ["2026-01-05"],
        "datasets": [{"label": "red", "data": [3], "borderColor": "#1f4e79", "backgroundColor": "#1f4e79"}],
    }
    assert one["options"]["plugins"]["legend"]["display"] is False
    assert one["options"]["scales"]["y"]["title"]["text"] == "u/sem"
    two = charts.weekly_line_chart(["w"], [charts.line_dataset(s, [1], c) for s, c in (("a", "#1"), ("b", "#2"))], "")
    assert two["options"]["plugins"]["legend"]["display"] is True


def test_filled_line_stacked_bars_and_doughnut():
    filled = charts.line_dataset("red", [1, 2], charts.BRAND, fill=charts.BRAND_FILL, tension=0.2)
    assert (filled["backgroundColor"], filled["fill"], filled["tension"]) == (charts.BRAND_FILL, True, 0.2)
    bars = charts.horizontal_bars(["A", "B"], [charts.dataset("x", [1, 2], charts.DANGER)], stacked=True)
    assert bars["options"]["indexAxis"] == "y" and bars["options"]["scales"]["x"] == {"stacked": True}
    pie = charts.doughnut(["a", "b"], [1, 3])
    assert pie["data"]["datasets"] == [{"data": [1, 3]}]
    assert pie["options"] == {"plugins": {"legend": {"position": "right"}}}

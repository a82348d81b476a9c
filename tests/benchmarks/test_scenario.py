"""The planning scenario: deterministic, with the features issue 26 asks for, and its truth held out."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from benchmarks.scenario import AS_OF_WEEK, PACKS, daily_split, generate


@pytest.fixture(scope="module")
def sc():
    return generate("small", seed=26)


def test_same_seed_same_scenario_and_another_seed_differs(sc):
    again = generate("small", seed=26)
    pd.testing.assert_frame_equal(sc.truth, again.truth)
    pd.testing.assert_frame_equal(sc.sales_frame(), again.sales_frame())
    pd.testing.assert_frame_equal(sc.cd_stock, again.cd_stock)
    other = generate("small", seed=27)
    assert not sc.sales_frame()["units"].equals(other.sales_frame()["units"])


def test_calendar_holds_out_the_last_four_weeks(sc):
    assert len(sc.weeks) == 64 and sc.held_out == 4
    assert sc.as_of_week == AS_OF_WEEK and sc.snapshot_date == AS_OF_WEEK + dt.timedelta(days=6)
    assert sc.held_out_weeks[0] == AS_OF_WEEK + dt.timedelta(weeks=1)
    sales = sc.sales_frame()
    assert sales["week_start"].max() == pd.Timestamp(sc.as_of_week)
    assert (sales["units"] > 0).all()
    assert all(w.weekday() == 0 for w in sc.weeks)


def test_observed_sales_are_censored_demand(sc):
    loaded = len(sc.loaded_weeks)
    assert (sc.sales <= sc.demand[:, :loaded]).all()
    assert (sc.sales < sc.demand[:, :loaded]).any()  # some stores ran out
    t = sc.truth
    stuck = t[(t["oos_weeks"] >= 3) & (t["demand"] > 0)]
    assert len(stuck) > 0 and (stuck["stock"] == 0).all()
    rows = np.flatnonzero(((sc.truth["oos_weeks"] >= 3) & (sc.truth["demand"] > 0)).to_numpy())
    assert (sc.sales[rows, -3:] == 0).all() and (sc.demand[rows, -3:].sum() > 0)


def test_december_peak_in_the_held_out_weeks(sc):
    weekly = sc.weekly_truth("sku", held_out_only=False).groupby("week_start")["expected"].sum()
    october = weekly[weekly.index.month == 10].mean()
    december = weekly[weekly.index.month == 12].mean()
    assert december > 1.2 * october


def test_stores_open_close_and_have_like_stores(sc):
    s = sc.stores.set_index("store")
    opening = s[s["kind"] == "opening"]
    assert len(opening) == 2 and opening["like_store"].isin(s.index[s["kind"] == "regular"]).all()
    assert (opening["opened_on"] > sc.weeks[-10]).all()
    inactive = s.index[~s["active"]]
    assert list(s.loc[inactive, "kind"]) == ["inactive"]
    t = sc.truth
    assert t.loc[t["store"].isin(inactive), "demand"].sum() == 0  # closing: no demand ahead
    assert sc.sales_frame()["store"].isin(inactive).any()  # … but a history
    assert t.loc[t["store"].isin(opening.index), "demand"].sum() > 0


def test_products_packs_display_and_lifecycle(sc):
    p = sc.products.set_index("sku")
    assert set(p["pack_size"]) == set(PACKS)
    assert (p["display_min"] > 0).any()
    sold = set(sc.sales_frame()["sku"])
    new = p.index[p["kind"] == "new"]
    assert len(new) == 4 and not set(new) & sold
    launches = p[p["kind"].isin(["new", "launching"])]
    assert launches["like_sku"].isin(p.index[p["kind"] == "regular"]).all()
    assert (p.loc[launches["like_sku"], "category"].to_numpy() == launches["category"].to_numpy()).all()
    eol = p.index[p["kind"] == "eol"]
    assert sc.truth.loc[sc.truth["sku"].isin(eol), "demand"].sum() == 0
    recent = sc.sales_frame()
    recent = recent[recent["week_start"] >= pd.Timestamp(sc.loaded_weeks[-3])]
    assert not recent["sku"].isin(eol).any()


def test_request_names_like_skus_for_launches(sc):
    request = sc.request.set_index("sku")
    assert set(request.index) == set(sc.products["sku"])
    named = request[request["like_sku"].notna()]
    assert set(named.index) == set(sc.skus_of("new", "launching"))


def test_promotions_and_cd_shortage(sc):
    p = sc.products.set_index("sku")
    promos = sc.promotions
    last = promos[promos["start_date"] == sc.as_of_week]
    assert set(last["sku"]) == set(p.index[p["promo_last_week"]])
    assert (p.loc[p["promo_last_week"], "pack_size"] == 1).all()
    assert set(promos.loc[promos["start_date"] == sc.held_out_weeks[0], "sku"]) == set(p.index[p["promo_ahead"]])
    assert (promos["end_date"] >= promos["start_date"]).all()
    cd = sc.cd_stock.set_index("sku")["quantity"]
    weekly = sc.truth.groupby("sku")["rate"].sum()
    short = p.index[p["cd_short"]]
    # Short: fewer packs than the stores want (2 weeks of the base rate less stock,
    # one pack at least per store), yet one pack per empty shelf at an active store.
    t = sc.truth[sc.truth["sku"].isin(short)].assign(pack=lambda f: f["sku"].map(p["pack_size"]))
    t["wanted"] = np.ceil(np.maximum(np.ceil(2 * t["base_rate"]) - t["stock"], 0) / t["pack"])
    active = set(sc.stores.loc[sc.stores["active"], "store"])
    t["empty"] = (t["stock"] <= 0) & (t["rate"] > 0) & t["store"].isin(active)
    packs = cd[short] // p.loc[short, "pack_size"]
    assert packs.sum() < t["wanted"].sum()
    assert (packs >= t.groupby("sku")["empty"].sum().reindex(short, fill_value=0)).all()
    ranged = weekly.index[weekly > 0]
    assert (cd[p.index[p["kind"] == "regular"].difference(short).intersection(ranged)] > 0).all()


def test_truth_frames_agree(sc):
    by_sku = sc.weekly_truth("sku")
    assert by_sku["demand"].sum() == sc.truth["demand"].sum()
    assert by_sku["observed"].isna().all()  # held-out weeks: nothing observed
    pairs = sc.weekly_truth("pair")
    assert len(pairs) == 4 * len(sc.truth)
    full = sc.weekly_truth("sku", held_out_only=False)
    loaded = full[full["week_start"] <= pd.Timestamp(sc.as_of_week)]
    assert loaded["observed"].sum() == sc.sales_frame()["units"].sum()


def test_stock_snapshot_matches_truth(sc):
    stock = sc.store_stock.set_index(["sku", "store"])["quantity"]
    t = sc.truth.set_index(["sku", "store"])["stock"]
    assert (stock > 0).all()
    assert stock.equals(t[t > 0])


def test_daily_split_keeps_the_week_total():
    units = np.array([0, 1, 7, 250])
    days = daily_split(units, np.random.default_rng(1))
    assert days.shape == (4, 7) and (days.sum(axis=1) == units).all() and (days >= 0).all()


def test_unknown_size_and_non_monday_are_refused():
    with pytest.raises(ValueError, match="size"):
        generate("huge")
    with pytest.raises(ValueError, match="Monday"):
        generate("small", as_of_week=dt.date(2026, 11, 24))

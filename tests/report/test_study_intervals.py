"""The study's headline connectedness intervals, the pre vs post change, the descriptive statistics and the
VIRF statement, as a run folder holds them (the tiny demo study of tests/report/conftest.py)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

TOL = 1e-9  # files are written with 12 significant digits; equal cells are compared to far better than that


def _main(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["job"] == "main") & (frame["model"] == "group_var")]


def test_headline_tables_carry_intervals(tiny_demo_run: Path) -> None:
    static = _main(pd.read_csv(tiny_demo_run / "connectedness/static.csv", keep_default_na=False, na_values=[""]))
    assert {"lower", "upper"} <= set(static.columns)
    assert static[["lower", "upper"]].notna().all().all()
    assert (static["lower"] <= static["upper"] + TOL).all()
    labels = set(static["receiver"]) | set(static["transmitter"])
    assert {"NET", "TOTAL", "FROM others", "TO others"} <= labels  # every margin of the table has an interval
    groups = _main(pd.read_csv(tiny_demo_run / "connectedness/groups.csv"))
    cells = static.set_index(["receiver", "transmitter"])
    for r in groups.itertuples():
        # the gross pair is the table cell, with the same interval; net pairwise has its own interval
        assert abs(r.spillover - cells.loc[(r.receiver, r.transmitter), "value"]) < TOL
        assert abs(r.spillover_lower - cells.loc[(r.receiver, r.transmitter), "lower"]) < TOL
        assert abs(r.net - (r.spillover - cells.loc[(r.transmitter, r.receiver), "value"])) < 1e-8
        assert r.net_lower <= r.net_upper
    # the net pairwise intervals are antisymmetric: i -> j is minus j -> i
    pairs = groups.set_index(["transmitter", "receiver"])
    for (t, r), row in pairs.iterrows():
        assert abs(row["net_lower"] + pairs.loc[(r, t), "net_upper"]) < 1e-8
    # every robustness job gets intervals too (same headline section)
    every = pd.read_csv(tiny_demo_run / "connectedness/static.csv")
    assert every[(every["model"] == "group_var")]["lower"].notna().all()


def test_change_is_like_for_like(tiny_demo_run: Path) -> None:
    change = pd.read_csv(tiny_demo_run / "connectedness/change.csv", keep_default_na=False, na_values=[""])
    main_info = next(j for j in json.loads((tiny_demo_run / "manifest.json").read_text())["jobs"]
                     if j["name"] == "main")["info"]
    assert (change["job"] == "main").all()
    assert set(change["lags"]) == {main_info["var"]["lag_order"]}   # main's lag order in both windows
    r = change[change["measure"] == "total"].iloc[0]
    assert r["before_end"] < "2025-01-27" <= r["after_start"]
    # fixed membership: the two windows split the main sample, so they hold all of its observations
    assert r["before_n_obs"] + r["after_n_obs"] == main_info["sample"]["n_obs"]
    assert abs(r["difference"] - (r["after"] - r["before"])) < 1e-8
    assert 0.0 < r["p_value"] <= 1.0
    info = main_info["connectedness_change"]
    assert info["members"] == main_info["members"]
    jobs = {j["name"]: j["info"] for j in json.loads((tiny_demo_run / "manifest.json").read_text())["jobs"]}
    pre_info = jobs["pre-event"]
    static = pd.read_csv(tiny_demo_run / "connectedness/static.csv")
    pre_total = static[(static["job"] == "pre-event") & (static["receiver"] == "TOTAL")]["value"].iloc[0]
    same = pre_info["members"] == main_info["members"] and pre_info["var"]["lag_order"] == main_info["var"]["lag_order"]
    if same:  # same window, lags, members and weekday terms as the pre-event job: the same TCI
        assert abs(pre_total - r["before"]) < 1e-6
    md = (tiny_demo_run / "report.md").read_text(encoding="utf-8")
    assert "Did connectedness change after DeepSeek R1" in md


def test_descriptive_statistics_files(tiny_demo_run: Path) -> None:
    from statsmodels.tsa.stattools import adfuller

    table = pd.read_csv(tiny_demo_run / "tables/descriptive_statistics.csv")
    assert set(table["kind"]) == {"log_variance_index", "log_return"}
    assert set(table["series"]) == {"ai_equity", "crypto_major", "ai_token"}
    panel = pd.read_parquet(tiny_demo_run / "data/panel.parquet")
    index = panel[(panel["level"] == "group") & (panel["series"] == "crypto_major")].set_index("date")["value"]
    row = table[(table["series"] == "crypto_major") & (table["kind"] == "log_variance_index")].iloc[0]
    assert row["n_obs"] == len(index)
    assert abs(row["mean"] - index.mean()) < 1e-9 and abs(row["sd"] - index.std()) < 1e-9
    with warnings.catch_warnings():  # statsmodels >= 0.15 announces a result object (entry 0 is unchanged)
        warnings.simplefilter("ignore", FutureWarning)
        adf = adfuller(index.to_numpy(), regression="c", autolag="AIC")[0]
    assert abs(row["adf_stat"] - adf) < 1e-8
    assert ((table["kpss_p_value"] >= 0.01) & (table["kpss_p_value"] <= 0.1)).all()
    assert (table["ljung_box_sq_q10"] > 0).all() and np.isfinite(table["jb_p_value"]).all()
    tex = (tiny_demo_run / "tables/descriptive_statistics.tex").read_text(encoding="utf-8")
    assert r"crypto\_major" in tex and "crypto_major" not in tex.replace(r"crypto\_major", "")
    assert "Descriptive statistics" in (tiny_demo_run / "report.md").read_text(encoding="utf-8")


def test_virf_section_states_baseline_and_margins(tiny_demo_run: Path) -> None:
    md = (tiny_demo_run / "report.md").read_text(encoding="utf-8").replace("\\", "")
    section = md.split("### Volatility impulse responses", 1)[1].split("\n### ", 1)[0]
    assert "Baseline: the zero shock" in section and "Gabauer (2020)" in section
    assert "Hafner and Herwartz (2006, eq. 5)" in section
    assert "cannot move BTC-USD's" in section and "DCC correlation recursion" in section

"""`contagion.load_run` (issue 14 item 6): the run's frames back in Python, equal to the files, with every
file's SHA-256 checked against the manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import contagion
from contagion.errors import DataError
from contagion.report.load import TABLES, RunFolder


def test_frames_equal_the_files(tiny_demo_run: Path) -> None:
    run = contagion.load_run(tiny_demo_run)
    assert isinstance(run, RunFolder)
    assert set(run.frames) == set(TABLES)  # the tiny study writes every table (facts included)
    for name, stem in TABLES.items():
        csv, parquet = tiny_demo_run / f"{stem}.csv", tiny_demo_run / f"{stem}.parquet"
        if csv.is_file():
            header = pd.read_csv(csv, nrows=0).columns
            expected = pd.read_csv(csv, parse_dates=[c for c in ("date", "event_date") if c in header])
        else:
            expected = pd.read_parquet(parquet)
        pd.testing.assert_frame_equal(run.to_frame(name), expected, check_exact=True, obj=name)
    # the Parquet twin holds the same numbers (the CSV text has 12 significant digits, the writer's rounding)
    pd.testing.assert_frame_equal(run.var_irf, pd.read_parquet(tiny_demo_run / "irf/var_irf.parquet"),
                                  check_dtype=False, atol=1e-12)
    assert run.manifest["study"]["name"] == "demo-tiny"
    assert {"estimate", "lower", "upper"} <= set(run.var_irf.columns)
    assert set(run.tests) == {"forbes_rigobon", "correlation_shift", "granger_in_variance"}
    assert set(run.events) == {"abnormal_returns", "car"} and len(run.facts)
    assert (run.dcc_params["asset"] == "dcc").any() and len(run.dcc_correlations) and len(run.rolling)
    assert pd.api.types.is_datetime64_any_dtype(run.rolling["date"])


def test_summary_repr_and_to_frame(tiny_demo_run: Path) -> None:
    run = contagion.load_run(str(tiny_demo_run))
    text = str(run.summary())
    assert "demo-tiny" in text and "SIMULATED" in text and "var_irf" in text
    assert "<table" in run._repr_html_() and "irf/var_irf" in run._repr_html_()
    frame = run.to_frame("var_irf")
    frame.loc[:, "estimate"] = 0.0
    assert not (run.var_irf["estimate"] == 0.0).all()  # to_frame hands out copies
    with pytest.raises(KeyError, match="not a table of run folders"):
        run.to_frame("nope")


def test_a_changed_file_is_named(tiny_demo_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / tiny_demo_run.name
    shutil.copytree(tiny_demo_run, copy)
    target = copy / "connectedness" / "static.csv"
    target.write_text(target.read_text(encoding="utf-8").replace("main", "mian", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"connectedness/static\.csv does not match the SHA-256"):
        contagion.load_run(copy)
    target.unlink()
    with pytest.raises(DataError, match=r"static\.csv is listed in the manifest but missing"):
        contagion.load_run(copy)


def test_not_a_run_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"holds no manifest\.json"):
        contagion.load_run(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="cannot be read as JSON"):
        contagion.load_run(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"study": {}}), encoding="utf-8")
    with pytest.raises(DataError, match="lists no file hashes"):
        contagion.load_run(tmp_path)

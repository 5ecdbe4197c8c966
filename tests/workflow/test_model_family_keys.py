"""The [connectedness] keys of the model families (issue 13 item 5): the infinite period as TOML's ``inf``,
strict validation with the key and line in the message, and the built-in study switching all four on."""

from __future__ import annotations

import pytest

from contagion.errors import SpecificationError
from contagion.workflow.spec import Study, load_study, parse_study

BASE = """
name = "x"
title = "X"
[groups]
a = ["NVDA"]
b = ["BTC-USD"]
[data]
start = 2024-01-01
end = 2024-12-31
[connectedness]
frequency = true
"""


def _parse(extra: str) -> Study:
    return parse_study(BASE + extra, source="x.toml")


def test_defaults_leave_the_families_off() -> None:
    conn = _parse("").connectedness
    assert conn.frequency and not conn.quantile and not conn.dcc_connectedness
    assert conn.asset_network_estimator == "ols"
    assert conn.frequency_band_periods == [(2.0, 5.0), (5.0, 20.0), (20.0, None)]


@pytest.mark.parametrize("inf", ["inf", '"inf"', "+inf"])
def test_infinite_period_is_toml_inf_and_survives_the_manifest(inf: str) -> None:
    study = _parse(f"frequency_bands = [[2, 8], [8, {inf}]]")
    assert study.connectedness.frequency_band_periods == [(2.0, 8.0), (8.0, None)]
    # the jobs re-validate the JSON form of the study (inf is recorded as null)
    resolved = study.resolved()
    assert resolved["connectedness"]["frequency_bands"] == [[2.0, 8.0], [8.0, None]]
    assert Study.model_validate(resolved).connectedness.frequency_band_periods == study.connectedness.frequency_band_periods


@pytest.mark.parametrize(("bands", "message"), [
    ("[[2, 5], [6, inf]]", "contiguous"),
    ("[[2, 5], [4, inf]]", "contiguous"),
    ("[[3, 5], [5, inf]]", "must start at period 2"),
    ("[[2, 5], [5, 20]]", "must end at inf"),
    ("[[2, 5], [5, 5], [5, inf]]", "must exceed period_low"),
    ("[[-1, 5], [5, inf]]", "positive"),
    ("[]", "at least one"),
])
def test_bad_bands_name_the_key_and_line(bands: str, message: str) -> None:
    with pytest.raises(SpecificationError) as err:
        _parse(f"frequency_bands = {bands}")
    text = str(err.value)
    assert "connectedness.frequency_bands" in text and "x.toml, line 12" in text and message in text


@pytest.mark.parametrize(("line", "key"), [
    ("quantiles = [0.05, 1.0]", "connectedness.quantiles"),
    ("quantiles = [0.5, 0.5]", "connectedness.quantiles"),
    ("quantile_window = 5", "connectedness.quantile_window"),
    ("asset_network_penalty = -0.1", "connectedness.asset_network_penalty"),
    ("asset_network_penalty = \"aic\"", "connectedness.asset_network_penalty"),
    ("asset_network_estimator = \"lars\"", "connectedness.asset_network_estimator"),
    ("asset_network_l1_ratio = 0", "connectedness.asset_network_l1_ratio"),
    ("dcc_convention = \"standardized\"", "connectedness.dcc_convention"),
    ("frequency_horizon = 1", "connectedness.frequency_horizon"),
])
def test_bad_values_are_refused(line: str, key: str) -> None:
    with pytest.raises(SpecificationError, match=key.replace(".", r"\.")):
        _parse(line)


def test_network_dates_in_order() -> None:
    with pytest.raises(SpecificationError, match="asset_network_start"):
        _parse("asset_network_start = 2024-06-01\nasset_network_end = 2024-05-01")


def test_quantiles_sorted_and_penalty_number() -> None:
    conn = _parse('quantiles = [0.95, 0.05]\nasset_network_penalty = 0.05\nasset_network_estimator = "lasso"'
                  ).connectedness
    assert conn.quantiles == (0.05, 0.95) and conn.asset_network_penalty == 0.05


def test_builtin_study_switches_all_four_on() -> None:
    conn = load_study("deepseek-2025").connectedness
    assert conn.frequency and conn.frequency_rolling and conn.quantile and conn.dcc_connectedness
    assert conn.asset_network_estimator == "lasso" and conn.asset_network_penalty == "bic"
    assert conn.quantiles == (0.05, 0.5, 0.95) and conn.quantile_window is not None
    # dcc_connectedness without a DCC fit is not an error: the run reports the section as not available
    study = load_study("deepseek-2025").with_overrides(**{"dcc.enabled": False})
    assert study.connectedness.dcc_connectedness

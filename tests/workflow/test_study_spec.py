"""Study specs: the built-in study, strict validation with file, line and key in every message."""

from __future__ import annotations

from pathlib import Path

import pytest

from contagion.errors import SpecificationError
from contagion.workflow.spec import BUILTIN_STUDIES, Study, list_studies, load_study, parse_study

MINIMAL = """
name = "mini"
title = "A minimal study"

[groups]
ai_equity = ["NVDA", "AMD"]
crypto_major = ["BTC-USD"]

[data]
start = 2024-01-01
end = 2024-12-31
"""


def test_builtin_deepseek_study_matches_issue() -> None:
    study = load_study("deepseek-2025")
    assert study.name == "deepseek-2025"
    assert list(study.groups) == ["ai_equity", "miner", "crypto_major", "altcoin", "ai_token", "benchmark"]
    assert study.groups["ai_equity"] == ("NVDA", "AMD", "AVGO", "TSM", "MSFT", "GOOGL", "META", "ASML", "SMCI")
    assert study.groups["miner"] == ("MARA", "RIOT", "CLSK", "CORZ", "IREN")
    assert study.groups["crypto_major"] == ("BTC-USD", "ETH-USD")
    assert len(study.groups["altcoin"]) == 5 and len(study.groups["ai_token"]) == 8
    assert study.groups["benchmark"] == ("SPY", "QQQ")  # ^VIX is a volatility index: not in a variance index
    assert [(e.name, e.date.isoformat()) for e in study.events] == [  # DeepSeek first, then the comparison shocks
        ("DeepSeek R1", "2025-01-27"), ("Yen carry-trade unwind", "2024-08-05"), ("Tariff crash", "2025-04-07")]
    # robustness: pre/post windows, alternative calendar policies, at least two other volatility estimators
    windows = {v.window for v in study.robustness}
    assert {"pre", "post"} <= windows
    calendars = {v.calendar for v in study.robustness if v.calendar}
    assert {"monday_saturday", "monday_sunday"} <= calendars
    measures = {v.measure for v in study.robustness if v.measure} | {study.data.measure}
    assert len(measures) >= 3
    # historical-shock VIRF for the event date
    assert any(s.date is not None and s.date.isoformat() == "2025-01-27" for s in study.virf.shocks)
    assert "NVDA" in study.dcc.assets and "BTC-USD" in study.dcc.assets


def test_list_studies_names_every_builtin() -> None:
    assert [name for name, _ in list_studies()] == list(BUILTIN_STUDIES)


def test_minimal_study_defaults() -> None:
    study = parse_study(MINIMAL, "mini.toml")
    assert study.data.source == "yahoo" and study.data.calendar == "exchange"
    assert study.tickers == ("NVDA", "AMD", "BTC-USD")
    assert study.group_of["BTC-USD"] == "crypto_major"
    assert Study.model_validate(study.resolved()) == study


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_unknown_key_names_file_line_and_key() -> None:
    text = MINIMAL.replace("end = 2024-12-31", "end = 2024-12-31\nfrequency = 'daily'")
    line = _line(text, "frequency")
    with pytest.raises(SpecificationError, match=rf"mini\.toml, line {line}, key 'data\.frequency': unknown key"):
        parse_study(text, "mini.toml")


def test_bad_value_names_file_line_and_key() -> None:
    text = MINIMAL + "\n[var]\nlags = 2\ndraws = -3\n"
    line = _line(text, "draws = -3")
    with pytest.raises(SpecificationError, match=rf"mini\.toml, line {line}, key 'var\.draws'.*greater than or equal to 2.*-3"):
        parse_study(text, "mini.toml")


def test_bad_value_in_array_of_tables() -> None:
    text = MINIMAL + """
[[events]]
name = "x"
date = 2024-06-03

[[robustness]]
name = "a"
calendar = "exchange"

[[robustness]]
name = "b"
calendar = "weeky"
"""
    line = _line(text, "weeky")
    with pytest.raises(SpecificationError, match=rf"line {line}, key 'robustness\[1\]\.calendar'.*'weeky'"):
        parse_study(text, "mini.toml")


def test_invalid_toml_names_the_line() -> None:
    with pytest.raises(SpecificationError, match=r"bad\.toml: invalid TOML: .*line 3"):
        parse_study('name = "x"\ntitle = "t"\ngroups = \nseed = 1\n', "bad.toml")


def test_missing_required_key() -> None:
    with pytest.raises(SpecificationError, match=r"key 'data': required key is missing"):
        parse_study(MINIMAL.split("[data]")[0], "mini.toml")


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (("start = 2024-01-01", "start = 2025-01-01"), "must be before end"),
        (('crypto_major = ["BTC-USD"]', 'crypto_major = ["NVDA"]'), "appears in both group"),
        (('crypto_major = ["BTC-USD"]', "crypto_major = []"), "lists no tickers"),
        (('name = "mini"', 'name = "Mini Study"'), "lower-case identifier"),
    ],
)
def test_semantic_checks(patch: tuple[str, str], message: str) -> None:
    with pytest.raises(SpecificationError, match=message):
        parse_study(MINIMAL.replace(*patch), "mini.toml")


def test_event_outside_sample_and_virf_asset_checked() -> None:
    with pytest.raises(SpecificationError, match="outside the sample"):
        parse_study(MINIMAL + '\n[[events]]\nname = "e"\ndate = 2026-01-01\n', "mini.toml")
    text = MINIMAL + '\n[dcc]\nassets = ["NVDA", "BTC-USD"]\n[virf]\nshocks = [{ name = "s", asset = "AMD" }]\n'
    with pytest.raises(SpecificationError, match=r"not in dcc\.assets"):
        parse_study(text, "mini.toml")


def test_unknown_study_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecificationError, match=r"unknown study 'no-such-study'.*deepseek-2025"):
        load_study("no-such-study")
    with pytest.raises(SpecificationError, match="does not exist"):
        load_study(tmp_path / "absent.toml")


def test_load_from_path_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    study = load_study(path)
    changed = study.with_overrides(**{"seed": 7, "data.source": "demo"})
    assert (changed.seed, changed.data.source) == (7, "demo")
    assert study.seed == 0  # immutable original
    with pytest.raises(SpecificationError, match="seed"):
        study.with_overrides(seed=-1)


def test_run_seed_accepts_an_int_or_a_generator():
    """`seed` follows the package rule (int | Generator | None); the run records the integer it used."""
    import numpy as np

    from contagion.workflow.runner import resolve_study

    first = resolve_study("deepseek-2025", seed=np.random.default_rng(3))
    again = resolve_study("deepseek-2025", seed=np.random.default_rng(3))
    assert first.seed == again.seed and 0 <= first.seed < 2**32
    assert resolve_study("deepseek-2025", seed=7).seed == 7
    assert resolve_study("deepseek-2025").seed == load_study("deepseek-2025").seed  # None keeps the study's
    with pytest.raises(SpecificationError, match="seed"):
        resolve_study("deepseek-2025", seed=True)


def test_event_study_block_and_context_events_are_validated() -> None:
    from contagion.errors import SpecificationError
    from contagion.workflow.spec import load_study, parse_study

    study = load_study("deepseek-2025")
    assert [e.date.isoformat() for e in study.events] == ["2025-01-27", "2024-08-05", "2025-04-07"]
    assert "2025-02-03" in {e.date.isoformat() for e in study.context_events}
    assert study.event_study.crypto_index == ("crypto_major", "altcoin")
    base = importlib_text("demo-tiny.toml")
    with pytest.raises(SpecificationError, match="summary_window"):
        parse_study(base + "\n[event_study]\nsummary_window = [0, 3]\n")
    with pytest.raises(SpecificationError, match="crypto_index: 'nope' is not a group"):
        parse_study(base + "\n[event_study]\ncrypto_index = ['nope']\n")
    with pytest.raises(SpecificationError, match="names must be unique"):
        parse_study(base + "\n[[context_events]]\nname = 'DeepSeek R1'\ndate = 2025-02-03\n")


def importlib_text(name: str) -> str:
    from tests._runner_support import FIXTURES

    return (FIXTURES / name).read_text(encoding="utf-8")

"""The shared seed rule and the deprecation helpers."""

from __future__ import annotations

import numpy as np
import pytest

from contagion._compat import deprecated_alias, renamed_kwargs, resolve_seed
from contagion.errors import SpecificationError


def test_resolve_seed_accepts_int_generator_and_none() -> None:
    assert resolve_seed(7) == 7 and resolve_seed(np.int64(7)) == 7
    assert resolve_seed(np.random.default_rng(1)) == resolve_seed(np.random.default_rng(1))
    assert isinstance(resolve_seed(None), int)
    for bad in (-1, True, 1.5, "3"):
        with pytest.raises(SpecificationError, match="seed must be"):
            resolve_seed(bad)  # type: ignore[arg-type]


def test_renamed_kwargs_warn_and_forward() -> None:
    @renamed_kwargs(nobs="n_obs")
    def f(*, n_obs: int) -> int:
        return n_obs

    with pytest.warns(DeprecationWarning, match="nobs= is deprecated; use n_obs="):
        assert f(nobs=3) == 3  # type: ignore[call-arg]
    with pytest.raises(SpecificationError, match="pass n_obs= only"):
        f(nobs=3, n_obs=4)  # type: ignore[call-arg]


def test_deprecated_alias_property() -> None:
    class R:
        n_obs = 5
        nobs = deprecated_alias("n_obs", old="nobs")

    with pytest.warns(DeprecationWarning, match=r"R.nobs is deprecated; use .n_obs"):
        assert R().nobs == 5

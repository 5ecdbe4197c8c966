r"""Did connectedness change? The difference of every measure between two samples, with intervals and p-values.

Both samples get a VAR of the **same lag order** (a criterion picks it on each sample and the larger order is
used for both, so the comparison is like for like) and the same horizon, FEVD kind and variables. Each table
is bootstrapped independently (the samples do not overlap), the draws of the difference are
:math:`\Delta^* = m^*_{after} - m^*_{before}`, the interval is the basic bootstrap interval of
:math:`\hat\Delta`, and the p-value of :math:`H_0: \Delta = 0` is the centred-bootstrap p-value
(:func:`contagion.spillover._bands.change_pvalues`).

References
----------
.. [1] Diebold, F. X. and Yilmaz, K. (2012). Better to give than to receive: Predictive directional
   measurement of volatility spillovers. International Journal of Forecasting, 28(1), 57-66.
.. [2] Hall, P. and Wilson, S. R. (1991). Two guidelines for bootstrap hypothesis testing. Biometrics,
   47(2), 757-762.
.. [3] Davison, A. C. and Hinkley, D. V. (1997). Bootstrap Methods and their Application. Cambridge
   University Press, Section 5.2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from contagion._compat import SeedLike, resolve_seed
from contagion._summary import Summary, SummaryReprMixin
from contagion._typing import Float64Array
from contagion.errors import SpecificationError
from contagion.spillover import _bands
from contagion.spillover._utility import ConnectednessKind, Progress, check_int, group_matrix, parse_groups
from contagion.spillover.results import ConnectednessResult
from contagion.spillover.static import connectedness

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ConnectednessChangeResult", "connectedness_change"]

_COLUMNS = ["measure", "receiver", "transmitter", "before", "after", "difference", "lower", "upper", "p_value"]


@dataclass(frozen=True, kw_only=True)
class ConnectednessChangeResult(SummaryReprMixin):
    """The change of connectedness between two samples (``after - before``).

    Attributes
    ----------
    before, after : ConnectednessResult
        The two fits, each with its bootstrap draws.
    n_lags : int
        The lag order used in both samples.
    lag_choice : dict
        How it was chosen: the criterion and the order it picked on each sample (or the given order).
    groups : dict or None
        Group membership when group measures were compared.
    table : DataFrame
        One row per measure: ``measure, receiver, transmitter, before, after, difference, lower, upper,
        p_value`` (group measures are prefixed ``group_``).
    level : float
    """

    before: ConnectednessResult
    after: ConnectednessResult
    n_lags: int
    lag_choice: Mapping[str, Any]
    groups: Mapping[str, tuple[str, ...]] | None
    table: pd.DataFrame
    level: float

    def to_frame(self) -> pd.DataFrame:
        """The long table of differences (a copy)."""
        return self.table.copy()

    def row(self, measure: str, name: str | None = None) -> pd.Series:
        """One row of :attr:`table`: a scalar measure (``"total"``) or a per-name one (``"net", "NVDA"``)."""
        t = self.table
        mask = t["measure"] == measure
        if name is not None:
            mask &= (t["receiver"] == name) | (t["transmitter"] == name)
            mask &= ~t["measure"].isin(["table", "pairwise_net", "group_table", "group_pairwise_net"])
        if mask.sum() != 1:
            raise SpecificationError(f"no single row for measure={measure!r}, name={name!r} in this comparison.")
        return t.loc[mask].iloc[0]

    def summary(self) -> Summary:
        """Samples and lag order; main table: TCI, TO, FROM and NET (and group NET) before, after, change."""
        b, a = self.before, self.after
        header = (
            f"before: {b.start} .. {b.end} ({b.n_obs} obs); after: {a.start} .. {a.end} ({a.n_obs} obs)",
            f"VAR({self.n_lags}) in both samples ({_describe_choice(self.lag_choice)}), horizon {b.horizon}, "
            f"{b.kind} FEVD",
            f"{'residual' if b.bands == 'bootstrap' else 'wild'} bootstrap, {b.reps} draws per sample, {100 * self.level:g}% basic intervals, "
            "centred-bootstrap p-values of no change",
        )
        shown = self.table[self.table["measure"].isin(["total", "to", "from", "net", "group_net"])]
        main = shown.set_index(["measure", "receiver", "transmitter"])[
            ["before", "after", "difference", "lower", "upper", "p_value"]]
        return Summary("Change in connectedness (after - before, percent points)", header=header,
                       tables=(("change", main),))

    def plot(self, measure: str = "net", ax: Any = None) -> Figure:
        """Differences of a per-variable measure (default NET) with their intervals, and the TCI change."""
        import matplotlib.pyplot as plt

        rows = self.table[self.table["measure"] == measure]
        labels = [r if r is not None else t for r, t in zip(rows["receiver"], rows["transmitter"], strict=True)]
        if ax is None:
            fig, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(rows) + 2), 3.5))
        else:
            fig = ax.figure
        diff = rows["difference"].to_numpy()
        err = np.vstack([diff - rows["lower"].to_numpy(), rows["upper"].to_numpy() - diff])
        ax.bar(range(len(rows)), diff, yerr=err, capsize=3, color="#4c72b0")
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set_xticks(range(len(rows)), labels, rotation=45, ha="right")
        total = self.row("total")
        ax.set_title(f"change in {measure} (after - before); TCI {total['difference']:+.2f} "
                     f"[{total['lower']:+.2f}, {total['upper']:+.2f}], p = {total['p_value']:.3f}")
        fig.tight_layout()
        return fig


def _describe_choice(choice: Mapping[str, Any]) -> str:
    if choice.get("criterion") is None:
        return "lag order given"
    return (f"{str(choice['criterion']).upper()} picked {choice['before']} before and {choice['after']} after; "
            "the larger is used in both")


def _lag_order(before: pd.DataFrame, after: pd.DataFrame, lags: int | str,
               max_lags: int, exog: Sequence[pd.DataFrame | None]) -> tuple[int, dict[str, Any]]:
    if not isinstance(lags, str):
        n_lags = check_int("lags", lags, 1)
        return n_lags, {"criterion": None, "before": n_lags, "after": n_lags}
    from contagion.var.model import VAR

    picked = {name: VAR(frame, lags=lags, max_lags=max_lags, exog=x).fit().n_lags
              for name, frame, x in (("before", before, exog[0]), ("after", after, exog[1]))}
    return max(picked.values()), {"criterion": lags, **picked}


def _with_terms(frame: pd.DataFrame, n_lags: int, exog: pd.DataFrame | None) -> Any:
    """The sample itself, or its fitted ``VAR(frame, exog=exog)`` when it has deterministic terms."""
    if exog is None:
        return frame
    from contagion.var.model import VAR

    return VAR(frame, lags=n_lags, exog=exog).fit()


def _align(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(before, pd.DataFrame) or not isinstance(after, pd.DataFrame):
        raise SpecificationError("connectedness_change needs two DataFrames (dates x variables): before, after.")
    if set(before.columns) != set(after.columns):
        missing = sorted(set(before.columns) ^ set(after.columns), key=str)
        raise SpecificationError(
            f"the two samples must hold the same variables; {missing} are in only one of them. Keep the "
            "composition equal (drop those columns from both) so the comparison is like for like."
        )
    return after[list(before.columns)]


def _change_rows(prefix: str, names: tuple[str, ...], est: tuple[dict[str, Float64Array], ...],
                 draws: tuple[dict[str, Float64Array], ...], level: float) -> pd.DataFrame:
    """Rows of :attr:`ConnectednessChangeResult.table` for one family of measures (variables or groups)."""
    (est_b, est_a), (draws_b, draws_a) = est, draws
    frame = _bands.measure_labels(names, est_a)
    columns: dict[str, list[Float64Array]] = {c: [] for c in ("before", "after", "difference", "lower", "upper",
                                                               "p_value")}
    for key in est_a:
        diff, diff_draws = est_a[key] - est_b[key], draws_a[key] - draws_b[key]
        # a difference is not a share: its interval is not clipped at 0
        lower, upper = _bands.basic_interval(diff, diff_draws, level, nonnegative=False)
        for name, value in (("before", est_b[key]), ("after", est_a[key]), ("difference", diff),
                            ("lower", lower), ("upper", upper),
                            ("p_value", _bands.change_pvalues(diff, diff_draws))):
            columns[name].append(np.ravel(value))
    for name, values in columns.items():
        frame[name] = np.concatenate(values)
    frame["measure"] = prefix + frame["measure"]
    return frame[_COLUMNS]


def connectedness_change(
    before: pd.DataFrame,
    after: pd.DataFrame,
    lags: int | str = 1,
    horizon: int = 10,
    kind: ConnectednessKind = "generalized",
    *,
    bands: Literal["bootstrap", "wild"] = "bootstrap",
    reps: int = 1000,
    level: float = 0.95,
    seed: SeedLike = None,
    groups: Mapping[str, str] | Mapping[str, Sequence[str]] | None = None,
    max_lags: int = 10,
    progress: Progress | None = None,
    exog: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> ConnectednessChangeResult:
    r"""Change of every connectedness measure from ``before`` to ``after``, with intervals and p-values.

    Parameters
    ----------
    before, after : DataFrame
        The two samples (dates x the same variables; ``after``'s columns are put in ``before``'s order).
    lags : int or {"aic", "bic", "hqic", "fpe"}
        The lag order used in **both** samples, or a criterion: the order it picks on each sample
        (1..``max_lags``) and the larger of the two is used for both (recorded in ``lag_choice``).
    horizon, kind
        As :func:`contagion.connectedness`.
    bands, reps, level, seed
        Bootstrap of each sample (as :func:`contagion.connectedness`); one seed draws both samples' seeds.
    groups : mapping, optional
        Also compare group measures (``{group: [variables]}`` or ``{variable: group}``).
    progress : callable(done, total), optional
    exog : (DataFrame, DataFrame), optional
        Deterministic terms of each sample's VAR (e.g. day-of-week dummies, as ``VAR(exog=)``); each sample
        is then fitted as ``VAR(frame, lags=n_lags, exog=x)`` and bootstrapped with its terms.

    Returns
    -------
    ConnectednessChangeResult
        ``.table`` with ``before, after, difference, lower, upper, p_value`` for ``total``,
        ``corrected_total``, ``to``, ``from``, ``net``, ``pairwise_net``, ``table`` (and ``group_*``).

    Raises
    ------
    SpecificationError
        Different variables in the two samples; bad lags, bands, reps or level.
    """
    after = _align(before, after)
    terms = (None, None) if exog is None else exog
    n_lags, choice = _lag_order(before, after, lags, max_lags, terms)
    rng = np.random.default_rng(resolve_seed(seed))
    seeds = rng.integers(2**63, size=2)
    fits = tuple(
        connectedness(_with_terms(frame, n_lags, x), lags=n_lags, horizon=horizon, kind=kind, bands=bands,
                      reps=reps, level=level, seed=int(s), progress=progress)
        for frame, x, s in zip((before, after), terms, seeds, strict=True)
    )
    names = fits[0].names
    draws = tuple(f.draws for f in fits if f.draws is not None)
    if len(draws) != 2:
        raise SpecificationError("connectedness_change needs bootstrap draws: pass bands='bootstrap' or 'wild'.")
    parts = [_change_rows("", names, tuple(_bands.variable_measures(f.values) for f in fits),
                          tuple(_bands.variable_measures(d) for d in draws), level)]
    members = None
    if groups is not None:
        members = parse_groups(groups, names)
        indicator = group_matrix(members, names)
        parts.append(_change_rows("group_", tuple(members),
                                  tuple(_bands.group_measures(f.values, indicator) for f in fits),
                                  tuple(_bands.group_measures(d, indicator) for d in draws), level))
    return ConnectednessChangeResult(before=fits[0], after=fits[1], n_lags=n_lags, lag_choice=choice,
                                     groups=members, table=pd.concat(parts, ignore_index=True), level=level)

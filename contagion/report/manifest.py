"""``manifest.json``, ``CITATION.cff`` and ``references.bib`` of a run folder.

The manifest records everything needed to reproduce and audit a run: the resolved study spec, the data
source (by kind, folder name and the SHA-256 of each file read; never an absolute local path), the SHA-256 of every input series, the calendar policy, the package versions, the project version
and git commit (when the package runs from a git checkout), the seed, the jobs with their content hashes,
warnings and the SHA-256 of every other file of the folder.

Volatile fields
---------------
Everything that legitimately differs between two runs with the same inputs and seed lives under the single
top-level key ``"run"`` (see :data:`VOLATILE_KEYS`): the run id, the output folder, the UTC start and end
times, the wall-clock timings of each stage and job (seconds), and which jobs were loaded from the result
cache. Determinism checks compare the manifests with that key removed; all other files of the folder that
are CSV, Parquet or JSON are byte-identical.
"""

from __future__ import annotations

import platform
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from contagion._io import sha256_file as file_sha256
from contagion._version import __version__

__all__ = [
    "PACKAGES",
    "VOLATILE_KEYS",
    "citation_cff",
    "file_sha256",
    "git_commit",
    "package_versions",
    "pip_install_line",
    "portable_study",
    "references_bib",
    "source_record",
]

#: Top-level manifest keys that hold run-specific values (times, run id, cache hits); ignored when comparing.
VOLATILE_KEYS: tuple[str, ...] = ("run",)

#: The direct dependencies, used as the roots of :func:`package_versions` when the package metadata of
#: ``contagion`` itself is unavailable (running from a source tree that was never installed).
PACKAGES: tuple[str, ...] = (
    "numpy", "pandas", "scipy", "statsmodels", "arch", "matplotlib", "pyarrow", "pydantic", "jinja2",
    "exchange-calendars", "yfinance", "click", "rich", "tomlkit", "platformdirs",
)


def _requirements(dist: metadata.Distribution, extras: frozenset[str]) -> list[tuple[str, frozenset[str]]]:
    """``(name, extras)`` of each requirement of ``dist`` that applies here (markers evaluated for ``extras``)."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    out = []
    for raw in dist.requires or []:
        try:
            req = Requirement(raw)
        except InvalidRequirement:  # a malformed third-party entry: not ours to judge
            continue
        if req.marker is not None:
            environments = [{"extra": extra} for extra in sorted(extras)] or [{"extra": ""}]
            if not any(req.marker.evaluate(env) for env in environments):
                continue
        out.append((str(canonicalize_name(req.name)), frozenset(req.extras)))
    return out


def package_versions(extras: Iterable[str] = ()) -> dict[str, str | None]:
    """Exact versions of Python, ``contagion`` and every installed distribution it depends on.

    The dependency set is the transitive closure of ``contagion``'s requirements (and of ``extras``, e.g.
    ``("dask",)``), with environment markers evaluated for this interpreter; names are canonical (PEP 503)
    and sorted. A requirement that is not installed maps to ``None``. This one function feeds the manifest's
    ``packages`` block and ``contagion env``, so both always list the same set.
    """
    from packaging.utils import canonicalize_name

    versions: dict[str, str | None] = {}
    try:
        todo = _requirements(metadata.distribution("contagion"), frozenset(extras))
    except metadata.PackageNotFoundError:
        todo = [(str(canonicalize_name(name)), frozenset()) for name in PACKAGES]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, wanted = todo.pop()
        if (name, wanted) in seen or name == "contagion":
            continue
        seen.add((name, wanted))
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            versions.setdefault(name, None)
            continue
        versions[name] = dist.version
        todo.extend(_requirements(dist, wanted))
    return {"python": platform.python_version(), "contagion": __version__, **dict(sorted(versions.items()))}


def pip_install_line(versions: Mapping[str, str | None]) -> str:
    """``pip install name==version ...`` for every installed dependency in ``versions`` (not Python, not
    contagion itself, which is installed from its source at the recorded commit)."""
    pins = [f"{name}=={version}" for name, version in versions.items()
            if version is not None and name not in ("python", "contagion")]
    return "pip install " + " ".join(pins)


def git_commit() -> str | None:
    """The commit of the git checkout this package runs from, or ``None`` (installed from a wheel, no git)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def citation_cff(*, title: str, study: str, run_id: str, commit: str | None, simulated: bool,
                 date_released: str) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the run folder, citing the software in ``references``."""
    prefix = "SIMULATED DATA (demo run): " if simulated else ""
    abstract = (f"{prefix}Report folder of the contagion study '{study}' (run {run_id}): impulse responses, "
                "connectedness tables, DCC-GARCH correlations and volatility impulse responses.")
    lines = [
        "# Citation for this run folder (Citation File Format 1.2.0, https://citation-file-format.github.io).",
    ]
    if simulated:
        lines.append("# SIMULATED DATA: this run used the built-in demo market (contagion run --demo).")
    lines += [
        "cff-version: 1.2.0",
        'message: "If you use these results, please cite this run folder and the contagion software."',
        "type: dataset",
        f"title: {_yaml_str(prefix + title + ' (run ' + run_id + ')')}",
        f"abstract: {_yaml_str(abstract)}",
        "authors:",
        '  - name: "contagion developers"',
        f"version: {_yaml_str(run_id)}",
        f"date-released: {_yaml_str(date_released)}",
        "keywords:",
        '  - "volatility spillovers"',
        '  - "Diebold-Yilmaz connectedness"',
        '  - "DCC-GARCH"',
        '  - "volatility impulse response"',
        "references:",
        "  - type: software",
        '    title: "contagion"',
        '    authors:',
        '      - name: "contagion developers"',
        f"    version: {_yaml_str(__version__)}",
    ]
    if commit:
        lines.append(f"    commit: {_yaml_str(commit)}")
    lines.append('    license: "BSD-3-Clause"')
    return "\n".join(lines) + "\n"


_BIB: dict[str, str] = {
    "diebold2012": """@article{diebold2012,
  author  = {Diebold, Francis X. and Yilmaz, Kamil},
  title   = {Better to give than to receive: Predictive directional measurement of volatility spillovers},
  journal = {International Journal of Forecasting},
  volume  = {28}, number = {1}, pages = {57--66}, year = {2012},
  doi     = {10.1016/j.ijforecast.2011.02.006}
}""",
    "diebold2014": """@article{diebold2014,
  author  = {Diebold, Francis X. and Yilmaz, Kamil},
  title   = {On the network topology of variance decompositions: Measuring the connectedness of financial firms},
  journal = {Journal of Econometrics},
  volume  = {182}, number = {1}, pages = {119--134}, year = {2014},
  doi     = {10.1016/j.jeconom.2014.04.012}
}""",
    "pesaran1998": """@article{pesaran1998,
  author  = {Pesaran, M. Hashem and Shin, Yongcheol},
  title   = {Generalized impulse response analysis in linear multivariate models},
  journal = {Economics Letters},
  volume  = {58}, number = {1}, pages = {17--29}, year = {1998},
  doi     = {10.1016/S0165-1765(97)00214-0}
}""",
    "kilian1998": """@article{kilian1998,
  author  = {Kilian, Lutz},
  title   = {Small-sample confidence intervals for impulse response functions},
  journal = {Review of Economics and Statistics},
  volume  = {80}, number = {2}, pages = {218--230}, year = {1998},
  doi     = {10.1162/003465398557465}
}""",
    "antonakakis2020": """@article{antonakakis2020,
  author  = {Antonakakis, Nikolaos and Chatziantoniou, Ioannis and Gabauer, David},
  title   = {Refined measures of dynamic connectedness based on time-varying parameter vector autoregressions},
  journal = {Journal of Risk and Financial Management},
  volume  = {13}, number = {4}, pages = {84}, year = {2020},
  doi     = {10.3390/jrfm13040084}
}""",
    "barunik2018": """@article{barunik2018,
  author  = {Barun{\'i}k, Jozef and K{\v{r}}ehl{\'i}k, Tom{\'a}{\v{s}}},
  title   = {Measuring the frequency dynamics of financial connectedness and systemic risk},
  journal = {Journal of Financial Econometrics},
  volume  = {16}, number = {2}, pages = {271--296}, year = {2018},
  doi     = {10.1093/jjfinec/nby001}
}""",
    "ando2022": """@article{ando2022,
  author  = {Ando, Tomohiro and Greenwood-Nimmo, Matthew and Shin, Yongcheol},
  title   = {Quantile connectedness: Modeling tail behavior in the topology of financial networks},
  journal = {Management Science},
  volume  = {68}, number = {4}, pages = {2401--2431}, year = {2022}
}""",
    "gabauer2020": """@article{gabauer2020,
  author  = {Gabauer, David},
  title   = {Volatility impulse response analysis for {DCC-GARCH} models: The role of volatility transmission
             mechanisms},
  journal = {Journal of Forecasting},
  volume  = {39}, number = {5}, pages = {788--796}, year = {2020}
}""",
    "demirer2018": """@article{demirer2018,
  author  = {Demirer, Mert and Diebold, Francis X. and Liu, Laura and Yilmaz, Kamil},
  title   = {Estimating global bank network connectedness},
  journal = {Journal of Applied Econometrics},
  volume  = {33}, number = {1}, pages = {1--15}, year = {2018},
  doi     = {10.1002/jae.2585}
}""",
    "engle2002": """@article{engle2002,
  author  = {Engle, Robert},
  title   = {Dynamic conditional correlation: A simple class of multivariate generalized autoregressive
             conditional heteroskedasticity models},
  journal = {Journal of Business \\& Economic Statistics},
  volume  = {20}, number = {3}, pages = {339--350}, year = {2002},
  doi     = {10.1198/073500102288618487}
}""",
    "engle2001": """@techreport{engle2001,
  author      = {Engle, Robert F. and Sheppard, Kevin},
  title       = {Theoretical and empirical properties of dynamic conditional correlation multivariate GARCH},
  institution = {National Bureau of Economic Research},
  type        = {Working Paper}, number = {8554}, year = {2001},
  doi         = {10.3386/w8554}
}""",
    "hafner2006": """@article{hafner2006,
  author  = {Hafner, Christian M. and Herwartz, Helmut},
  title   = {Volatility impulse responses for multivariate GARCH models: An exchange rate illustration},
  journal = {Journal of International Money and Finance},
  volume  = {25}, number = {5}, pages = {719--740}, year = {2006},
  doi     = {10.1016/j.jimonfin.2006.04.006}
}""",
    "garman1980": """@article{garman1980,
  author  = {Garman, Mark B. and Klass, Michael J.},
  title   = {On the estimation of security price volatilities from historical data},
  journal = {Journal of Business},
  volume  = {53}, number = {1}, pages = {67--78}, year = {1980},
  doi     = {10.1086/296072}
}""",
    "parkinson1980": """@article{parkinson1980,
  author  = {Parkinson, Michael},
  title   = {The extreme value method for estimating the variance of the rate of return},
  journal = {Journal of Business},
  volume  = {53}, number = {1}, pages = {61--65}, year = {1980},
  doi     = {10.1086/296071}
}""",
    "yang2000": """@article{yang2000,
  author  = {Yang, Dennis and Zhang, Qiang},
  title   = {Drift-independent volatility estimation based on high, low, open, and close prices},
  journal = {Journal of Business},
  volume  = {73}, number = {3}, pages = {477--492}, year = {2000},
  doi     = {10.1086/209650}
}""",
    "rogers1991": """@article{rogers1991,
  author  = {Rogers, L. C. G. and Satchell, S. E.},
  title   = {Estimating variance from high, low and closing prices},
  journal = {Annals of Applied Probability},
  volume  = {1}, number = {4}, pages = {504--512}, year = {1991},
  doi     = {10.1214/aoap/1177005835}
}""",
    "forbes2002": """@article{forbes2002,
  author  = {Forbes, Kristin J. and Rigobon, Roberto},
  title   = {No contagion, only interdependence: Measuring stock market comovements},
  journal = {Journal of Finance},
  volume  = {57}, number = {5}, pages = {2223--2261}, year = {2002},
  doi     = {10.1111/0022-1082.00494}
}""",
    "chiang2007": """@article{chiang2007,
  author  = {Chiang, Thomas C. and Jeon, Bang Nam and Li, Huimin},
  title   = {Dynamic correlation analysis of financial contagion: Evidence from Asian markets},
  journal = {Journal of International Money and Finance},
  volume  = {26}, number = {7}, pages = {1206--1228}, year = {2007},
  doi     = {10.1016/j.jimonfin.2007.06.005}
}""",
    "cheung1996": """@article{cheung1996,
  author  = {Cheung, Yin-Wong and Ng, Lilian K.},
  title   = {A causality-in-variance test and its application to financial market prices},
  journal = {Journal of Econometrics},
  volume  = {72}, number = {1--2}, pages = {33--48}, year = {1996},
  doi     = {10.1016/0304-4076(94)01714-X}
}""",
    "boehmer1991": """@article{boehmer1991,
  author  = {Boehmer, Ekkehart and Musumeci, Jim and Poulsen, Annette B.},
  title   = {Event-study methodology under conditions of event-induced variance},
  journal = {Journal of Financial Economics},
  volume  = {30}, number = {2}, pages = {253--272}, year = {1991},
  doi     = {10.1016/0304-405X(91)90032-F}
}""",
}


#: Plain-text form of each BibTeX entry, for the "How to cite" section of the pages.
REFERENCE_TEXT: dict[str, str] = {
    "diebold2012": "Diebold, F. X. and Yilmaz, K. (2012). Better to give than to receive: Predictive directional "
                   "measurement of volatility spillovers. International Journal of Forecasting 28(1), 57-66.",
    "diebold2014": "Diebold, F. X. and Yilmaz, K. (2014). On the network topology of variance decompositions: "
                   "Measuring the connectedness of financial firms. Journal of Econometrics 182(1), 119-134.",
    "pesaran1998": "Pesaran, M. H. and Shin, Y. (1998). Generalized impulse response analysis in linear "
                   "multivariate models. Economics Letters 58(1), 17-29.",
    "kilian1998": "Kilian, L. (1998). Small-sample confidence intervals for impulse response functions. Review of "
                  "Economics and Statistics 80(2), 218-230.",
    "antonakakis2020": "Antonakakis, N., Chatziantoniou, I. and Gabauer, D. (2020). Refined measures of dynamic "
                       "connectedness based on time-varying parameter vector autoregressions. Journal of Risk and "
                       "Financial Management 13(4), 84.",
    "barunik2018": "Barunik, J. and Krehlik, T. (2018). Measuring the frequency dynamics of financial connectedness "
                   "and systemic risk. Journal of Financial Econometrics 16(2), 271-296.",
    "ando2022": "Ando, T., Greenwood-Nimmo, M. and Shin, Y. (2022). Quantile connectedness: Modeling tail behavior in "
                "the topology of financial networks. Management Science 68(4), 2401-2431.",
    "gabauer2020": "Gabauer, D. (2020). Volatility impulse response analysis for DCC-GARCH models: The role of "
                   "volatility transmission mechanisms. Journal of Forecasting 39(5), 788-796.",
    "demirer2018": "Demirer, M., Diebold, F. X., Liu, L. and Yilmaz, K. (2018). Estimating global bank network "
                   "connectedness. Journal of Applied Econometrics 33(1), 1-15.",
    "engle2002": "Engle, R. (2002). Dynamic conditional correlation: A simple class of multivariate generalized "
                 "autoregressive conditional heteroskedasticity models. Journal of Business & Economic Statistics "
                 "20(3), 339-350.",
    "engle2001": "Engle, R. F. and Sheppard, K. (2001). Theoretical and empirical properties of dynamic conditional "
                 "correlation multivariate GARCH. NBER Working Paper 8554.",
    "hafner2006": "Hafner, C. M. and Herwartz, H. (2006). Volatility impulse responses for multivariate GARCH "
                  "models: An exchange rate illustration. Journal of International Money and Finance 25(5), 719-740.",
    "garman1980": "Garman, M. B. and Klass, M. J. (1980). On the estimation of security price volatilities from "
                  "historical data. Journal of Business 53(1), 67-78.",
    "parkinson1980": "Parkinson, M. (1980). The extreme value method for estimating the variance of the rate of "
                     "return. Journal of Business 53(1), 61-65.",
    "yang2000": "Yang, D. and Zhang, Q. (2000). Drift-independent volatility estimation based on high, low, open, "
                "and close prices. Journal of Business 73(3), 477-492.",
    "rogers1991": "Rogers, L. C. G. and Satchell, S. E. (1991). Estimating variance from high, low and closing "
                  "prices. Annals of Applied Probability 1(4), 504-512.",
    "forbes2002": "Forbes, K. J. and Rigobon, R. (2002). No contagion, only interdependence: Measuring stock market "
                  "comovements. Journal of Finance 57(5), 2223-2261.",
    "chiang2007": "Chiang, T. C., Jeon, B. N. and Li, H. (2007). Dynamic correlation analysis of financial "
                  "contagion: Evidence from Asian markets. Journal of International Money and Finance 26(7), "
                  "1206-1228.",
    "cheung1996": "Cheung, Y.-W. and Ng, L. K. (1996). A causality-in-variance test and its application to "
                  "financial market prices. Journal of Econometrics 72(1-2), 33-48.",
    "boehmer1991": "Boehmer, E., Musumeci, J. and Poulsen, A. B. (1991). Event-study methodology under conditions "
                   "of event-induced variance. Journal of Financial Economics 30(2), 253-272.",
}


def reference_lines(keys: Iterable[str]) -> list[str]:
    """Plain-text references for ``keys`` in the fixed order of :data:`REFERENCE_TEXT`."""
    wanted = set(keys)
    return [text for key, text in REFERENCE_TEXT.items() if key in wanted]


def references_bib(keys: Iterable[str], *, simulated: bool = False) -> str:
    """BibTeX entries of the methods a run used (unknown keys are ignored), in a fixed order."""
    wanted = set(keys)
    lines = ["% References for the methods used in this run (generated by contagion)."]
    if simulated:
        lines.append("% SIMULATED DATA: the results of this run come from the built-in demo market.")
    entries = [entry for key, entry in _BIB.items() if key in wanted]
    return "\n".join(lines) + "\n\n" + "\n\n".join(entries) + "\n"


def method_keys(study: Mapping[str, Any], measures: Iterable[str], sections: Iterable[str]) -> list[str]:
    """BibTeX keys for a resolved study: connectedness, GIRF, bands, TVP, DCC, VIRF and the measures used."""
    keys = ["diebold2012", "diebold2014", "pesaran1998"]
    var = study.get("var", {})
    if var.get("bands") in ("kilian",):
        keys.append("kilian1998")
    conn = study.get("connectedness", {})
    if conn.get("tvp"):
        keys.append("antonakakis2020")
    # the model families beyond the headline VAR, as the study switches them on
    keys += [key for key, on in (("barunik2018", conn.get("frequency")), ("ando2022", conn.get("quantile")),
                                 ("gabauer2020", conn.get("dcc_connectedness")),
                                 ("demirer2018", conn.get("asset_network_estimator", "ols") != "ols")) if on]
    present = set(sections)
    if "dcc" in present:
        keys += ["engle2002", "engle2001"]
    if "virf" in present:
        keys.append("hafner2006")
    if "contagion_tests" in present:
        keys += ["forbes2002", "chiang2007"]
    if "granger_in_variance" in present:
        keys.append("cheung1996")
    if "events" in present:
        keys.append("boehmer1991")
    measure_keys = {"garman_klass": "garman1980", "parkinson": "parkinson1980", "yang_zhang": "yang2000",
                    "rogers_satchell": "rogers1991", "gkyz": "yang2000"}
    for measure in measures:
        if measure in measure_keys:
            keys.append(measure_keys[measure])
    return list(dict.fromkeys(keys))


def manifest_document(**fields: Any) -> dict[str, Any]:
    """Assemble the manifest; the volatile ``run`` block must be passed explicitly."""
    if "run" not in fields:
        raise ValueError("the manifest needs its 'run' block")
    return dict(fields)


# ---------------------------------------------------------------------- the data source, without local paths
def _portable(value: Any) -> Any:
    """``value`` with every absolute path replaced by its last component (a folder or file name)."""
    if isinstance(value, Mapping):
        return {str(k): _portable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_portable(v) for v in value]
    if isinstance(value, str) and (value.startswith(("/", "~")) or (len(value) > 2 and value[1:3] in (":\\", ":/"))):
        return Path(value).name
    return value


def source_record(source: Any, tickers: Iterable[str]) -> dict[str, Any]:
    """How a run's data source is recorded in the manifest and on the pages: by kind, folder *name* and the
    SHA-256 of every file read, never by an absolute local path (a user's home folder must not end up in a
    paper's supplement).

    ``source.describe()`` is the starting point; any absolute path in it becomes its last component. A
    source that reads files (``path_for(ticker)``, as :class:`~contagion.data.sources.CsvSource`) adds
    ``files``: ``{"NVDA.csv": "<sha256>", ...}`` for the ``tickers`` read. The Yahoo source's cache folder is
    a machine-local detail and is left out.
    """
    raw = dict(source.describe()) if hasattr(source, "describe") else {"kind": type(source).__name__}
    raw.pop("cache", None)
    record: dict[str, Any] = _portable(raw)
    path_for = getattr(source, "path_for", None)
    if callable(path_for):
        files: dict[str, str] = {}
        for ticker in tickers:
            path = Path(path_for(ticker))
            files[path.name] = file_sha256(path)
        record["files"] = dict(sorted(files.items()))
    return record


def portable_study(resolved: Mapping[str, Any]) -> dict[str, Any]:
    """The resolved study as recorded in the manifest: a CSV folder by its name, not its absolute path."""
    out = dict(resolved)
    data = dict(out.get("data", {}))
    if data.get("data_dir"):
        data["data_dir"] = Path(str(data["data_dir"])).name
    out["data"] = data
    return out

"""``contagion env``: the exact versions of the running environment and the ``pip install`` line that
recreates them.

The list comes from :func:`contagion.report.manifest.package_versions`, the same function that fills the
``packages`` block of every run's ``manifest.json``, so a run folder and this command never disagree.
"""

from __future__ import annotations

import json

import click


@click.command("env")
@click.option("--extra", "extras", multiple=True, metavar="NAME",
              help="Also list the dependencies of this extra (dev, dask, docs, bench); repeat for several.")
@click.option("--json", "as_json", is_flag=True, help="Print the versions as one JSON object.")
def env_command(extras: tuple[str, ...], as_json: bool) -> None:
    """Print Python, contagion and every dependency with its exact version, and a pip line that recreates them."""
    from contagion.report.manifest import git_commit, package_versions, pip_install_line

    versions = package_versions(extras)
    if as_json:
        click.echo(json.dumps(versions, indent=2, sort_keys=False))
        return
    commit = git_commit()
    width = max(len(name) for name in versions)
    for name, version in versions.items():
        click.echo(f"{name:<{width}}  {version if version is not None else '(not installed)'}")
    click.echo("")
    click.echo(f"# recreate these versions (Python {versions['python']}), then install contagion "
               f"{versions['contagion']} itself with: pip install --no-deps -e ."
               + (f" (at commit {commit})" if commit else ""))
    click.echo(pip_install_line(versions))

"""``veracity evaluate …``: quality measurements on public benchmarks (filled in below)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Measure quality on public benchmarks.", no_args_is_help=True)

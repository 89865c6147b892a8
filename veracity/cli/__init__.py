"""The ``veracity`` command line (typer)."""

"""``python -m veracity`` runs the command line."""

from veracity.cli.main import main

main()

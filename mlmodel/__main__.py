"""``python -m mlmodel`` runs the command line."""

from mlmodel.cli import main

main()

"""`python -m openscope` runs the CLI."""

from openscope.cli import main

main()

"""The `coverage-bot` command line."""

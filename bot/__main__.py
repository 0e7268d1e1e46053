"""`python -m bot`: the same as `coverage-bot run`."""

import sys

from retrieval import CoverageError, Settings

from .main import run_bot


def main() -> int:
    try:
        settings = Settings.from_env()
    except CoverageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return run_bot(settings)


if __name__ == "__main__":
    sys.exit(main())

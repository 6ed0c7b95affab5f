"""``python -m tradelane ...`` is the same as the ``tradelane`` command."""

import sys

from tradelane.cli import main

if __name__ == "__main__":
    sys.exit(main())

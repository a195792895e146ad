"""``python -m nn train [DIR]`` and ``python -m nn predict WEIGHTS IMAGE...``: the ``stepgrad`` command."""

import sys

from nn.cli import main

if __name__ == "__main__":
    sys.exit(main())

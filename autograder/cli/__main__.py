"""``python -m autograder.cli``: the ``course`` command."""

import sys

from autograder.cli import console

sys.exit(console())

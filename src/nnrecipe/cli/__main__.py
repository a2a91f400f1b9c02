"""``python -m nnrecipe.cli``: the same as the ``nnrecipe`` command."""

import sys

from .main import main

sys.exit(main())

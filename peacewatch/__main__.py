"""``python -m peacewatch``: the ``peacewatch`` command."""

import sys

from peacewatch.cli import main

sys.exit(main())

import sys

from kyodo_rules.cli import main

sys.exit(main())

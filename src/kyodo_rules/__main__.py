import sys

from kyodo_rules.cli.main import main

sys.exit(main())

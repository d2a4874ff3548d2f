"""The `kyodo-rules` command: one module per subcommand under `commands/`."""

from kyodo_rules.cli.main import main

__all__ = ["main"]

"""Subcommands of `kyodo-rules`; see `kyodo_rules.cli`."""

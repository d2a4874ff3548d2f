"""Bytes in and out, safely: bounded reads, strict YAML/JSON, atomic writes, the xlsx guard,
cell escaping, where the shipped data is, and the operating-system edge.

Below the rulebase so that rule files, case files and inventories are all read one way.
"""

"""The vocabulary of codes, the records a call takes and gives (`Case`, `Result`), errors
and input validation.

The bottom layer: it imports nothing else of the package.
"""

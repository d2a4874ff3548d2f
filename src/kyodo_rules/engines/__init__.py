"""The two backends that evaluate the compiled conditions: durable-rules (the engine of
record) and plain Python (its check). Both answer the same question the same way.
"""

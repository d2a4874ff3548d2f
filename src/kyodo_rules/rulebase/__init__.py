"""Rules as checked data: the schema, the condition language, readings of a case's facts,
loading (with profiles), the case library, the sources map and the interview's questions.
"""

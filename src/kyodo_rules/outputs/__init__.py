"""What a person or a program receives: terminal text, Markdown, HTML, JSON, the inventory
(CSV/xlsx) and the generated docs pages.
"""

"""Every word a person reads, Japanese and English, from one catalog.
"""

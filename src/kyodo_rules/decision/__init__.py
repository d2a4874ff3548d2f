"""From facts to a decision: the combination policy, the strict and provisional readings,
the open questions and the what-if. Codes and rule references only, no words.
"""

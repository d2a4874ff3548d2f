"""Reading the rulebase and its decisions as a whole: the checker, the derivation (`explain`)
and the trainer's demo.
"""

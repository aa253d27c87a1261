"""An attacker in the test suite: a leader who writes down every number and solves for small groups.

reader.py turns every leadership page, brief and CSV into constraints, solver.py finds each small group's
smallest and largest size under them (HiGHS), populations.py plants the small populations.
"""

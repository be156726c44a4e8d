"""Checks Candour's XmR charts against an independent implementation of
NHS "Making Data Count": the PyPI package abspc (pinned in .ci/run).

Reads from standard input a JSON list of charts as Candour drew them
(values, mean, upper, lower, near_upper, near_lower, run_length) and writes
a JSON list of what abspc makes of each: its own mean and limits, and its
four rules' flags applied to the same values and limits (abspc's limits use
3/1.128 where Making Data Count rounds to 2.66, so the rules are run on
Candour's limits and the limits compared within a tolerance).
"""
import json
import sys

import numpy as np
import pandas as pd
from abspc import spc

charts = json.load(sys.stdin)
out = []
for c in charts:
    values = np.array(c["values"], dtype=float)
    limits = spc.calculate_control_limits(pd.DataFrame({"value": values}), "XmR")
    mean = np.array(c["mean"], dtype=float)
    upper = np.array(c["upper"], dtype=float)
    lower = np.array(c["lower"], dtype=float)
    near_upper = np.array(c["near_upper"], dtype=float)
    near_lower = np.array(c["near_lower"], dtype=float)
    n = int(c["run_length"])
    out.append({
        "mean": float(limits["mean"].iloc[0]),
        "upper": float(limits["ucl"].iloc[0]),
        "lower": float(limits["lcl"].iloc[0]),
        "astronomical": [bool(x) for x in spc._rule1_astronomical(values, upper, lower)],
        "shift": [bool(x) for x in spc._rule2_shift(values, mean, run_length=n)],
        "trend": [bool(x) for x in spc._rule3_trend(values, run_length=n)],
        "two_of_three": [bool(x) for x in spc._rule4_two_in_three(values, mean, upper, lower, near_upper, near_lower)],
    })
json.dump(out, sys.stdout)

#!/usr/bin/python3
"""numpy's busday_offset on the inputs calendar-bench wrote, timed the same
way (best of five), and every answer compared with casewatch's."""
import sys
import time

import numpy as np

d = sys.argv[1]
dates = np.fromfile(f"{d}/dates.i32", dtype=np.int32).astype("datetime64[D]")
ns = np.fromfile(f"{d}/n.i32", dtype=np.int32)
ours = np.fromfile(f"{d}/casewatch.i32", dtype=np.int32)
hols = np.fromfile(f"{d}/holidays.i32", dtype=np.int32).astype("datetime64[D]")

cal = np.busdaycalendar(weekmask="1111100", holidays=hols)
best = float("inf")
for _ in range(5):
    t0 = time.perf_counter()
    # "backward" rolls a weekend or holiday back to the last working day, so
    # adding n gives the n-th working day after the date: casewatch's day 0.
    got = np.busday_offset(dates, ns, roll="backward", busdaycal=cal)
    best = min(best, time.perf_counter() - t0)

mismatch = int(np.count_nonzero(got.astype(np.int64) != ours.astype(np.int64)))
print(f"numpy_version {np.__version__}")
print(f"numpy_seconds {best:.6f}")
print(f"numpy_per_second {len(ns) / best:.0f}")
print(f"mismatches {mismatch}")

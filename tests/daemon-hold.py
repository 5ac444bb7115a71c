#!/usr/bin/python3
"""Hold a write transaction on a SQLite database, as another application
writing to the case database would.

    daemon-hold.py DB MODE LOG RELEASE MAX_SECONDS SQL...

BEGIN MODE (EXCLUSIVE or IMMEDIATE), run each SQL statement, append
"locked" to LOG, then wait until the file RELEASE exists (or MAX_SECONDS
have passed), COMMIT and append "released". Each LOG line carries the
CLOCK_MONOTONIC time, as notify-listen.py's do."""
import os
import sqlite3
import sys
import time

db, mode, log, release, max_seconds = sys.argv[1:6]
statements = sys.argv[6:]


def note(what):
    with open(log, "a") as out:
        out.write("%.3f %s\n" % (time.monotonic(), what))


con = sqlite3.connect(db, isolation_level=None, timeout=30)
con.execute("BEGIN " + mode)
for sql in statements:
    con.execute(sql)
note("locked")
deadline = time.monotonic() + float(max_seconds)
while not os.path.exists(release) and time.monotonic() < deadline:
    time.sleep(0.05)
con.execute("COMMIT")
con.close()
note("released")

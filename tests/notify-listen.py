#!/usr/bin/python3
"""Bind an AF_UNIX datagram socket at PATH, as systemd does for NOTIFY_SOCKET,
and append every message the daemon sends to LOG, one line per assignment,
each prefixed with the time received (CLOCK_MONOTONIC seconds)."""
import os
import socket
import sys
import time

path, log = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(log, "a", buffering=1) as out:
    out.write("listening\n")
    while True:
        data = s.recv(65536).decode("utf-8", "replace")
        t = time.monotonic()
        for line in data.split("\n"):
            if line:
                out.write("%.3f %s\n" % (t, line))

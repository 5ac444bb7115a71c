#!/usr/bin/python3
"""Stand in for journald: bind its native socket at PATH and write each
entry received to LOG as one JSON object per line (journal native protocol:
FIELD=value lines; a field holding a newline comes as FIELD, a 64-bit
little-endian length and the bytes)."""
import json
import os
import socket
import struct
import sys

path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(log, "a", buffering=1) as out:
    out.write("{}\n")
    while True:
        data = s.recv(1 << 20)
        fields, i = {}, 0
        while i < len(data):
            nl = data.find(b"\n", i)
            eq = data.find(b"=", i, nl)
            if eq >= 0:
                fields[data[i:eq].decode()] = data[eq + 1:nl].decode("utf-8", "replace")
                i = nl + 1
            else:
                name = data[i:nl].decode()
                (n,) = struct.unpack("<Q", data[nl + 1:nl + 9])
                fields[name] = data[nl + 9:nl + 9 + n].decode("utf-8", "replace")
                i = nl + 9 + n + 1
        out.write(json.dumps(fields) + "\n")

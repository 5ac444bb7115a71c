#!/usr/bin/python3
"""Run a command with its standard error on a terminal, as a person would.

Usage: pty-run.py COLUMNS STDOUT RAW SCREEN COMMAND...

COMMAND runs with standard input and standard error on a new
pseudo-terminal COLUMNS wide, and standard output into the file STDOUT, or
on the terminal too when STDOUT is "-". Everything written to the terminal
goes, byte for byte, into the file RAW, and into SCREEN as a terminal shows
it once the command is done: a carriage return goes back to the start of
the line, a line end goes to the next line, and every other character is
written over what is there; trailing spaces are dropped. Exits with
COMMAND's status.
"""
import fcntl
import os
import pty
import struct
import sys
import termios

cols, out, raw_path, screen_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
command = sys.argv[5:]

master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    os.dup2(slave, 0)
    os.dup2(slave, 2)
    if out == "-":
        os.dup2(slave, 1)
    else:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.close(fd)
    os.close(master)
    os.close(slave)
    os.execvp(command[0], command)
os.close(slave)
data = bytearray()
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: every copy of the terminal's other end is closed
        break
    if not chunk:
        break
    data += chunk
_, status = os.waitpid(pid, 0)
with open(raw_path, "wb") as f:
    f.write(data)

lines, line, col = [], [], 0
for ch in data.decode("utf-8", "replace"):
    if ch == "\r":
        col = 0
    elif ch == "\n":
        lines.append("".join(line).rstrip(" "))
        line, col = [], 0
    else:
        if col < len(line):
            line[col] = ch
        else:
            line.extend(" " * (col - len(line)))
            line.append(ch)
        col += 1
if line and "".join(line).strip(" "):
    lines.append("".join(line).rstrip(" "))
with open(screen_path, "w") as f:
    f.write("".join(l + "\n" for l in lines))
sys.exit(os.waitstatus_to_exitcode(status))

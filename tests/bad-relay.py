#!/usr/bin/python3
"""An SMTP relay on 127.0.0.1 that misbehaves, for tests/send-bounds.sh.

  bad-relay.py MODE [--port-file F] [--interval SECONDS]

MODE is one of:

  silent           accepts each connection and never says anything
  trickle          greets at once, then sends each reply one byte every
                   --interval seconds (default 2): every read the client
                   makes gets something, and no reply ever ends in time
  hang-after-data  a normal SMTP server (no PIPELINING, no STARTTLS) until
                   the end of DATA, then never answers again on that
                   connection
  data-250         a normal SMTP server that answers DATA with 250, not
                   354, as if the message had been taken before it was sent
  no-quit-reply    a normal SMTP server that takes every message and never
                   answers QUIT
  syn-drop         a listening socket with a backlog of 0 that never
                   accepts: one connection of its own fills the kernel's
                   accept queue, so that the kernel drops every further SYN
                   and a client's connect() hangs (retransmitting its SYN
                   for about two minutes); a second one of its own is
                   left waiting

The port is written to --port-file F once the server is ready (write then
rename). Logs to stderr, one line a connection ("connection N") and a
command received; exits cleanly on SIGTERM or SIGINT.
"""
import argparse
import asyncio
import logging
import os
import signal
import socket
import sys

log = logging.getLogger("bad-relay")
MODES = ("silent", "trickle", "hang-after-data", "data-250", "no-quit-reply", "syn-drop")


class Relay(asyncio.Protocol):
    count = 0

    def __init__(self, mode, interval):
        self.mode = mode
        self.interval = interval
        self.buf = b""
        self.in_data = False
        self.hung = False
        self.tasks = []

    def connection_made(self, transport):
        Relay.count += 1
        self.n = Relay.count
        self.transport = transport
        log.info("connection %d (%s)", self.n, self.mode)
        if self.mode == "silent":
            return
        # trickle greets at once: the client's wait is for its replies.
        self.transport.write(b"220 relay.test ESMTP bad relay\r\n")

    def connection_lost(self, exc):
        log.info("connection %d closed", self.n)
        for t in self.tasks:
            t.cancel()

    def reply(self, text):
        data = text.encode() + b"\r\n"
        if self.mode == "trickle":
            self.tasks.append(asyncio.get_running_loop().create_task(self.trickle(data)))
        else:
            self.transport.write(data)

    async def trickle(self, data):
        for i in range(len(data)):
            await asyncio.sleep(self.interval)
            if self.transport.is_closing():
                return
            self.transport.write(data[i:i + 1])

    def data_received(self, data):
        if self.mode == "silent" or self.hung:
            return
        self.buf += data
        while True:
            if self.in_data:
                end = self.buf.find(b"\r\n.\r\n")
                if end < 0:
                    return
                self.buf = self.buf[end + 5:]
                self.in_data = False
                if self.mode == "hang-after-data":
                    log.info("connection %d: end of DATA: not answering from now on", self.n)
                    self.hung = True
                    return
                self.reply("250 2.0.0 OK")
                continue
            eol = self.buf.find(b"\r\n")
            if eol < 0:
                return
            line, self.buf = self.buf[:eol].decode("ascii", "replace"), self.buf[eol + 2:]
            verb = line.split(" ", 1)[0].split(":", 1)[0].upper()
            log.info("connection %d: %s", self.n, line)
            if verb in ("EHLO", "HELO"):
                self.reply("250 relay.test")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 2.0.0 OK")
            elif verb == "DATA" and self.mode == "data-250":
                self.reply("250 2.0.0 OK")
            elif verb == "DATA":
                self.in_data = True
                self.reply("354 End data with <CR><LF>.<CR><LF>")
            elif verb == "QUIT" and self.mode == "no-quit-reply":
                log.info("connection %d: QUIT: not answering", self.n)
                self.hung = True
                return
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                self.transport.close()
                return
            else:
                self.reply("502 5.5.2 Command not recognised")


def syn_drop():
    """A listening socket whose accept queue is full; returns it and the
    connections of our own that fill it (kept open for the whole run)."""
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(0)
    port = lsock.getsockname()[1]
    fillers = []
    for _ in range(2):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(c)
    return lsock, fillers


async def serve(args):
    loop = asyncio.get_running_loop()
    keep = None
    if args.mode == "syn-drop":
        lsock, fillers = syn_drop()
        keep = (lsock, fillers)
        port = lsock.getsockname()[1]
        server = None
    else:
        server = await loop.create_server(lambda: Relay(args.mode, args.interval), host="127.0.0.1", port=0)
        port = server.sockets[0].getsockname()[1]
    log.info("listening on 127.0.0.1:%d (%s, interval %.2f s)", port, args.mode, args.interval)
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping")
    if server:
        server.close()
    if keep:
        for c in keep[1]:
            c.close()
        keep[0].close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=MODES)
    p.add_argument("--port-file")
    p.add_argument("--interval", type=float, default=2.0)
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())

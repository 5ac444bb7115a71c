#!/usr/bin/python3
"""A webhook receiver for the tests: a real HTTP (or HTTPS) server on
127.0.0.1 that answers POSTs as told and appends one JSON line per request
to --out:

  {"method", "path", "status", "conn", "idempotency_key", "signature_ok",
   "content_type", "user_agent", "body"}

conn numbers the connection the request came on (1, 2, ... in the order
they were accepted), so that a test can see connections reused.
signature_ok is null without --secret-file; with it, a request whose
X-Casewatch-Signature is not sha256=<hex HMAC-SHA256 of the body> is
answered 401. body is the parsed JSON, or the text when it is not JSON.

An error status is answered with the body "status N for PATH" and a second
line, so that a test can see what a client makes of a body that echoes its
URL. Standard library only; run with /usr/bin/python3.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0, help="0: any free port")
    p.add_argument("--port-file", help="written with the port once listening")
    p.add_argument("--out", required=True, help="the request log, appended to")
    p.add_argument("--secret-file", help="verify X-Casewatch-Signature with this secret")
    p.add_argument("--script", action="append", default=[], metavar="PATH=CODE,CODE...",
                   help="successive statuses for PATH; the last one repeats (default 200)")
    p.add_argument("--retry-after", help="the Retry-After value sent with every 429")
    p.add_argument("--redirect", action="append", default=[], metavar="PATH",
                   help="answer 302 to PATH, with Location: /redirected")
    p.add_argument("--sleep", action="append", default=[], metavar="PATH=SECONDS",
                   help="wait this long before answering PATH")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS")
    return p.parse_args()


def read_secret(path):
    # As casewatch reads one: the bytes less one trailing line end.
    with open(path, "rb") as f:
        data = f.read()
    if data.endswith(b"\n"):
        data = data[:-1]
    if data.endswith(b"\r"):
        data = data[:-1]
    return data


def split_assignment(arg, what):
    path, sep, value = arg.partition("=")
    if not sep or not path.startswith("/"):
        sys.exit("http-receiver: bad %s %r: want /PATH=VALUE" % (what, arg))
    return path, value


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.out = open(args.out, "a", buffering=1, encoding="utf-8")
        self.secret = read_secret(args.secret_file) if args.secret_file else None
        self.scripts = {}
        for s in args.script:
            path, codes = split_assignment(s, "--script")
            try:
                self.scripts[path] = [int(c) for c in codes.split(",")]
            except ValueError:
                sys.exit("http-receiver: bad --script %r" % s)
        self.sleeps = {}
        for s in args.sleep:
            path, secs = split_assignment(s, "--sleep")
            self.sleeps[path] = float(secs)
        self.redirects = set(args.redirect)
        self.retry_after = args.retry_after
        self.seen = {}
        self.conns = 0

    def next_conn(self):
        with self.lock:
            self.conns += 1
            return self.conns

    def next_status(self, path):
        with self.lock:
            codes = self.scripts.get(path, [200])
            n = self.seen.get(path, 0)
            self.seen[path] = n + 1
            return codes[min(n, len(codes) - 1)]

    def log(self, record):
        with self.lock:
            self.out.write(json.dumps(record) + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a client can reuse
    server_version = "http-receiver"

    def setup(self):
        super().setup()
        self.conn = self.server.state.next_conn()

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json" if status < 300 else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        st = self.server.state
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)

        sig_ok = None
        if st.secret is not None:
            want = "sha256=" + hmac.new(st.secret, raw, hashlib.sha256).hexdigest()
            got = self.headers.get("X-Casewatch-Signature") or ""
            sig_ok = hmac.compare_digest(want.encode(), got.encode())

        extra = []
        if sig_ok is False:
            status = 401
        elif path in st.redirects:
            status = 302
            extra.append(("Location", "/redirected"))
        else:
            status = st.next_status(path)
            if status == 429 and st.retry_after is not None:
                extra.append(("Retry-After", st.retry_after))

        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = raw.decode("utf-8", "replace")
        # Logged before the answer goes, so that it is there by the time
        # the client has its answer.
        st.log({
            "method": self.command,
            "path": self.path,
            "status": status,
            "conn": self.conn,
            "idempotency_key": self.headers.get("Idempotency-Key"),
            "signature_ok": sig_ok,
            "content_type": self.headers.get("Content-Type"),
            "user_agent": self.headers.get("User-Agent"),
            "body": body,
        })

        delay = st.sleeps.get(path)
        if delay:
            time.sleep(delay)
        if 200 <= status < 300:
            reply = b'{"ok":true}\n'
        elif status == 401:
            reply = b"bad signature\n"
        else:
            reply = ("status %d for %s\nsecond line\n" % (status, self.path)).encode()
        try:
            self.answer(status, reply, extra)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, as a test may want it to

    # Anything else is logged and answered the same way, so that a client
    # that followed a redirect (as a GET) is seen doing it.
    do_GET = do_PUT = do_PATCH = do_DELETE = do_POST


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    tls = None

    def finish_request(self, request, client_address):
        # The handshake in the request's thread, not the accept loop's: a
        # client that refuses the certificate fails only its own request.
        if self.tls:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        if isinstance(e, (ConnectionError, ssl.SSLError, socket.timeout)):
            return
        super().handle_error(request, client_address)


def main():
    args = parse_args()
    state = State(args)
    server = Server(("127.0.0.1", args.port), Handler)
    server.state = state
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        server.tls = ctx

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % server.server_address[1])
        os.rename(tmp, args.port_file)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

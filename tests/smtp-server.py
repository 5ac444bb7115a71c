#!/usr/bin/python3
"""A real SMTP server on 127.0.0.1 for the mail tests (aiosmtpd).

  smtp-server.py [--port N] [--port-file F] --out DIR [--tls CERT KEY]
                 [--auth USER:PASS] [--script ADDR=CODE,CODE...]...
                 [--sender-script ADDR=CODE,CODE...]... [--fail-data N]
                 [--greeting-code N] [--data-delay MS] [--drop-after N]

--port 0 (the default) takes a free port; --port-file F gets the port
written once the server listens (write then rename, so a reader never sees
half of it). Each message accepted is saved as DIR/<n>.eml (n from 1, the
bytes as received after dot-unstuffing) and one line is appended to
DIR/log per recipient:

  <recipient> TAB <Message-ID header> TAB <sha256 of the data>

--tls offers STARTTLS and refuses MAIL before it; --auth requires AUTH
(PLAIN and LOGIN, after STARTTLS when --tls is given, allowed in plain
text otherwise). --script gives one recipient's successive RCPT TO replies
across the whole run ("a@x=450,250": first 450, then 250 for ever after;
"bad@x=550": always 550); unscripted recipients get 250. --sender-script
does the same for MAIL FROM (a 5xx there is a policy refusal, 5.7.1).
--fail-data N
answers 451 at the end of DATA for the first N messages. --greeting-code N
greets with N (e.g. 421) and closes. --data-delay MS answers each DATA
after MS milliseconds, as a relay that takes its time (so that two
senders' work overlaps). --drop-after N closes the connection once it
has answered the Nth message saved (once in the run), as a relay that
goes away mid-session. Logs to stderr; exits cleanly on
SIGTERM or SIGINT.
"""
import argparse
import asyncio
import email.parser
import email.policy
import hashlib
import logging
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

log = logging.getLogger("smtp-server")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--out", required=True)
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth", metavar="USER:PASS")
    p.add_argument("--script", action="append", default=[], metavar="ADDR=CODE,...")
    p.add_argument("--sender-script", action="append", default=[], metavar="ADDR=CODE,...")
    p.add_argument("--fail-data", type=int, default=0, metavar="N")
    p.add_argument("--greeting-code", type=int, metavar="N")
    p.add_argument("--data-delay", type=int, default=0, metavar="MS")
    p.add_argument("--drop-after", type=int, default=0, metavar="N")
    a = p.parse_args()
    def scripts(option, values):
        out = {}
        for s in values:
            addr, sep, codes = s.partition("=")
            try:
                out[addr.lower()] = [int(c) for c in codes.split(",")]
            except ValueError:
                p.error(option + " wants ADDR=CODE,CODE...: " + s)
            if not sep or not addr or not all(200 <= c < 600 for c in out[addr.lower()]):
                p.error(option + " wants ADDR=CODE,CODE...: " + s)
        return out
    a.scripts = scripts("--script", a.script)
    a.sender_scripts = scripts("--sender-script", a.sender_script)
    if a.auth and ":" not in a.auth:
        p.error("--auth wants USER:PASS")
    return a


REPLIES = {
    2: "2.1.5 OK",
    4: "4.2.1 Mailbox temporarily unavailable, try again later",
    5: "5.1.1 Mailbox unavailable",
}


SENDER_REPLIES = {
    2: "2.1.0 OK",
    4: "4.3.0 Sender temporarily refused",
    5: "5.7.1 Sender address rejected: not owned by user",
}


def scripted(scripts, seen, address):
    """The next scripted code for address, or None."""
    key = address.lower()
    script = scripts.get(key)
    if not script:
        return None
    n = seen.get(key, 0)
    seen[key] = n + 1
    return script[min(n, len(script) - 1)]


class Handler:
    def __init__(self, args):
        self.out = args.out
        self.scripts = args.scripts
        self.sender_scripts = args.sender_scripts
        self.rcpt_seen = {}
        self.sender_seen = {}
        self.fail_data = args.fail_data
        self.data_delay = args.data_delay / 1000.0
        self.drop_after = args.drop_after
        self.saved = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        code = scripted(self.sender_scripts, self.sender_seen, address) or 250
        log.info("MAIL FROM:<%s> -> %d", address, code)
        if code // 100 != 2:
            return "%d %s" % (code, SENDER_REPLIES.get(code // 100, "Scripted reply"))
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = scripted(self.scripts, self.rcpt_seen, address) or 250
        log.info("RCPT TO:<%s> -> %d", address, code)
        if code // 100 == 2:
            envelope.rcpt_tos.append(address)
        return "%d %s" % (code, REPLIES.get(code // 100, "Scripted reply"))

    async def handle_DATA(self, server, session, envelope):
        if self.data_delay > 0:
            await asyncio.sleep(self.data_delay)
        if self.fail_data > 0:
            self.fail_data -= 1
            log.info("DATA from %s refused (451), %d more to refuse", envelope.mail_from, self.fail_data)
            return "451 4.3.0 Scripted failure of DATA"
        data = envelope.original_content
        msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
        ids = msg.get_all("Message-ID") or []
        digest = hashlib.sha256(data).hexdigest()
        self.saved += 1
        path = os.path.join(self.out, "%d.eml" % self.saved)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.rename(path + ".tmp", path)
        with open(os.path.join(self.out, "log"), "a") as f:
            for rcpt in envelope.rcpt_tos:
                f.write("%s\t%s\t%s\n" % (rcpt, " ".join(i.strip() for i in ids), digest))
        log.info("saved %s: from %s to %s, Message-ID %s, tls %s, auth %s", path, envelope.mail_from,
                 ",".join(envelope.rcpt_tos), ids, session.ssl is not None, session.authenticated)
        if self.drop_after and self.saved == self.drop_after:
            # Once the reply has gone: the client has the verdict, and
            # loses the connection on its next command.
            log.info("dropping the connection after message %d", self.saved)
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 2.0.0 OK saved as %d" % self.saved


class GreetingRefuser(asyncio.Protocol):
    """Greets with an error code and hangs up, as a relay that is busy does."""

    def __init__(self, code):
        self.code = code

    def connection_made(self, transport):
        transport.write(b"%d 4.3.2 Service not available, closing channel\r\n" % self.code)
        transport.close()


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        log.info("AUTH %s as %r: %s", mechanism,
                 auth_data.login if isinstance(auth_data, LoginPassword) else None, "ok" if ok else "refused")
        return AuthResult(success=ok, handled=False)
    return check


async def serve(args):
    loop = asyncio.get_running_loop()
    handler = Handler(args)
    tls = None
    if args.tls:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls[0], args.tls[1])
    kwargs = {"hostname": "smtp.test", "ident": "casewatch test SMTP server"}
    if tls:
        kwargs.update(tls_context=tls, require_starttls=True)
    if args.auth:
        user, _, password = args.auth.partition(":")
        kwargs.update(authenticator=authenticator(user, password), auth_required=True,
                      auth_require_tls=bool(tls))
    if args.greeting_code:
        factory = lambda: GreetingRefuser(args.greeting_code)  # noqa: E731
    else:
        factory = lambda: SMTP(handler, **kwargs)  # noqa: E731
    server = await loop.create_server(factory, host="127.0.0.1", port=args.port)
    port = server.sockets[0].getsockname()[1]
    log.info("listening on 127.0.0.1:%d (tls %s, auth %s, scripts %s, fail-data %d)", port, bool(tls),
             bool(args.auth), args.scripts, args.fail_data)
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping")
    server.close()
    await server.wait_closed()


def main():
    args = parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # aiosmtpd warns at length about AUTH without TLS, which is what
    # --auth without --tls asks for.
    logging.getLogger("mail.log").setLevel(logging.INFO)
    os.makedirs(args.out, exist_ok=True)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())

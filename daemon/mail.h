/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "delivery.h"

/* Email: to the council's SMTP relay through libESMTP, or into a Maildir
 * when no relay is configured (casewatch.conf(5), smtp and maildir). */

struct smtp_conf {
	char *server;    /* "host:port" as configured */
	char *host;
	char *port;      /* service or number: "587" */
	bool tls;        /* STARTTLS required (tls = "required"); false: "none" */
	char *ca_file;   /* NULL: the system's trust store */
	char *user;      /* NULL: no AUTH */
	char *password;  /* read from password_file or the credential */
	char *from;      /* "Name <address>" as configured */
	char *from_address; /* its address part */
	int timeout_ms;  /* for each protocol step, and each message's verdict */
};
/* Frees the fields (the password wiped first), not `c` itself. */
void smtp_conf_free(struct smtp_conf *c);

/* One message to one recipient. `data` is the whole message, headers and
 * body, with CRLF line ends. */
struct mail_msg {
	const char *to;
	const char *data;
	size_t len;
	/* Set by mailer_send(): */
	enum delivery result;
	int code;    /* the SMTP reply code that decided it; 0 when none */
	char *error; /* RETRY and DEAD: one line saying why; owned */
	bool untried; /* RETRY: never handed to the server (the session was stopped) */
};

struct mailer;
/* A sender for `c` (which must outlive it): one SSL_CTX for every session
 * (libESMTP 1.1.0 crashes on a second STARTTLS session with its own),
 * TLS 1.2, the certificate checked against ca_file (else the system's
 * store) and c->host. The first call ignores SIGPIPE for the process. */
int mailer_new(const struct smtp_conf *c, struct mailer **ret, char **ret_err);
void mailer_free(struct mailer *m);

/* What the caller hears during mailer_send(); any may be NULL. */
struct mail_hooks {
	/* Each message's verdict, once, as soon as it is known: the server's,
	 * while the session goes on, or why there is none. The next message's
	 * transaction may begin meanwhile, but its data is not ended (the
	 * server does not have it) until this returns: a crash loses the
	 * record of one message the server took at most. Returning false ends
	 * the session: the messages not yet sent are DELIVERY_RETRY. */
	bool (*verdict)(void *userdata, struct mail_msg *msg);
	/* Asked a few times a second while the server is awaited (for the
	 * watchdog, and signals): false ends the session once the message
	 * in hand has its verdict, or MAIL_STOP_GRACE_MS later at most. */
	bool (*keep_going)(void *userdata);
	/* The session's messages after the array's: the next one, or NULL
	 * when there are no more. Asked as the session goes, MAIL_AHEAD
	 * messages ahead of their verdicts at most, so that only those need
	 * be in memory; each must stay valid until its verdict. */
	struct mail_msg *(*next)(void *userdata);
	void *userdata;
};
#define MAIL_STOP_GRACE_MS 3000
/* Messages handed to a session ahead of their verdicts. */
#define MAIL_AHEAD 8
/* Messages taken from next() by one session: libESMTP keeps a record of
 * each message until its session ends. */
#define MAIL_SESSION_MAX 5000

/* Send msgs[0..n), then what hooks->next() gives, in one SMTP session,
 * setting each one's result. The session runs in a child process so that
 * every wait is bounded whatever the server does (libESMTP has no connect
 * timeout and times each protocol step, not the whole): it is ended when
 * the server has given no verdict for twice c->timeout_ms from the start
 * (connection, TLS and AUTH included) or since the last verdict. When
 * nothing could be sent (no connection, TLS or AUTH failed, no answer)
 * every message taken is DELIVERY_RETRY with the reason, and -EIO is
 * returned, so that the caller can spare the rest of its messages the
 * same wait; otherwise 0. A session that ends early (the connection lost)
 * or reaches MAIL_SESSION_MAX leaves the messages next() has not given to
 * the caller, who may start another. A message libESMTP would change (no
 * Date, From or Message-ID, a duplicate of one, bare LF) is DELIVERY_DEAD
 * without being sent. */
int mailer_send(struct mailer *m, struct mail_msg *msgs, size_t n, const struct mail_hooks *hooks);

/* Write a message into the Maildir `dir` (made, with tmp/ new/ cur/, mode
 * 0700, when missing) under the file name `name`, through tmp/ and fsync:
 * delivering the same name again replaces the first copy in new/ rather
 * than adding a second (one a mail reader has moved to cur/ stays). `name`
 * must not contain '/' or start with '.' (-EINVAL). `data` has CRLF line
 * ends; the file has LF. Returns 0 or -errno with *ret_err. */
int maildir_deliver(const char *dir, const char *name, const char *data, size_t len, char **ret_err);

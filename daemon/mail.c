/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>

/* libESMTP declares smtp_starttls_set_ctx() and smtp_auth_set_context()
 * only when these two came first. */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "util.h"

void smtp_conf_free(struct smtp_conf *c)
{
	if (!c)
		return;
	free(c->server);
	free(c->host);
	free(c->port);
	free(c->ca_file);
	free(c->user);
	if (c->password)
		explicit_bzero(c->password, strlen(c->password));
	free(c->password);
	free(c->from);
	free(c->from_address);
	*c = (struct smtp_conf){ 0 };
}

/* ---- Sending ---------------------------------------------------------- */

struct session;

struct mailer {
	const struct smtp_conf *c;
	char *hostport; /* what libESMTP connects to */
	char *name;     /* the server as errors name it */
	SSL_CTX *ssl;
	bool name_checked; /* OpenSSL checks the certificate names c->host */
	auth_context_t auth;
	char *user, *password; /* the AUTH interact callback hands these out */
	struct session *s; /* during mailer_send(), for the TLS callbacks */
};

/* One message of a session, in the child: its own copy of what the parent
 * handed over, where libESMTP has got to in its data, and whether its
 * transaction has ended. */
struct item {
	struct mail_msg *msg; /* &own */
	struct mail_msg own;
	char *to, *data; /* own's, freed once it has its verdict */
	uint32_t index; /* the parent's number for it */
	smtp_message_t sm;
	smtp_recipient_t rcpt;
	size_t off;
	bool done;
	bool data_given; /* libESMTP has asked for the data: it went out */
	bool data_ended; /* and the end of it, after which the dot goes */
	struct session *s;
};

#define REPLY_MAX 400

/* What one SMTP session told us beyond the per-message statuses, gathered
 * from libESMTP's event and protocol monitor callbacks. */
struct session {
	struct mailer *m;
	smtp_session_t session;
	struct item **items; /* every message of the session, in order */
	size_t n, cap, n_done;
	int out_fd, in_fd; /* to and from the parent process */
	bool answered;     /* the server gave some message its verdict */
	unsigned acks_due; /* verdicts reported that the parent has not answered */
	bool last_given;   /* the parent has no more messages for the session */
	char *in_buf;      /* what the parent wrote, read ahead */
	size_t in_off, in_len;

	bool connected;
	bool greeted;         /* the server has said something */
	bool no_starttls;     /* required, not offered */
	bool tls_started;     /* the server said yes to STARTTLS */
	bool tls_up;          /* and the handshake and checks passed */
	char *tls_error;      /* why the TLS connection was refused */
	char last_cmd[16];    /* the verb of the last command written */
	int64_t last_io_ms;   /* when the server was last written to or read */
	bool in_auth;         /* an AUTH exchange is under way */
	bool auth_tried;
	int auth_code;        /* the last failed AUTH reply, 0 when none */
	char auth_reply[REPLY_MAX];
	int error_code;       /* the last 4xx/5xx reply before any MAIL FROM */
	char error_cmd[16];
	char error_reply[REPLY_MAX];

	/* The reply being read: lines may arrive in pieces. */
	char line[1024];
	size_t line_len;
	char reply[REPLY_MAX];
};

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static bool auth_related(int code)
{
	/* RFC 4954: 530 authentication required, 534 mechanism too weak,
	 * 535 credentials invalid, 538 encryption required. */
	return code == 530 || code == 534 || code == 535 || code == 538;
}

/* Append `n` bytes of server text to `buf` (of REPLY_MAX) on one line,
 * after a space when `sep` and `buf` is not empty, control characters as
 * spaces, runs of spaces as one. */
static void text_append(char *buf, bool sep, const char *p, size_t n)
{
	size_t len = strlen(buf);
	if (sep && len > 0 && len < REPLY_MAX - 1)
		buf[len++] = ' ';
	for (size_t i = 0; i < n && len < REPLY_MAX - 1; i++) {
		char ch = p[i];
		if ((unsigned char)ch < 0x20 || ch == 0x7f)
			ch = ' ';
		if (ch == ' ' && (len == 0 || buf[len - 1] == ' '))
			continue;
		buf[len++] = ch;
	}
	while (len > 0 && buf[len - 1] == ' ')
		len--;
	buf[len] = '\0';
}

static void set_tls_error(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_tls_error(struct session *s, const char *fmt, ...)
{
	if (s->tls_error) /* the first reason is the real one */
		return;
	va_list ap;
	va_start(ap, fmt);
	s->tls_error = xvasprintf(fmt, ap);
	va_end(ap);
}

/* One whole reply line from the server. */
static void monitor_line(struct session *s, const char *line, size_t len)
{
	if (len < 3 || !strchr("2345", line[0]) || !strchr("0123456789", line[1]) ||
	    !strchr("0123456789", line[2]))
		return;
	int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	s->greeted = true;
	bool last = len == 3 || line[3] != '-';
	if (len > 4)
		text_append(s->reply, true, line + 4, len - 4);
	if (!last)
		return;

	if (s->in_auth) {
		if (code == 334) { /* a SASL challenge: the exchange goes on */
			s->reply[0] = '\0';
			return;
		}
		s->in_auth = false;
		if (code / 100 == 2) {
			s->auth_code = 0;
			s->auth_reply[0] = '\0';
		} else {
			s->auth_code = code;
			snprintf(s->auth_reply, sizeof(s->auth_reply), "%s", s->reply);
		}
	} else if (strcmp(s->last_cmd, "STARTTLS") == 0 && code / 100 == 2) {
		s->tls_started = true;
	} else if ((code / 100 == 4 || code / 100 == 5) &&
		   (!s->last_cmd[0] || strcmp(s->last_cmd, "EHLO") == 0 || strcmp(s->last_cmd, "HELO") == 0 ||
		    strcmp(s->last_cmd, "STARTTLS") == 0)) {
		/* Replies to MAIL, RCPT and DATA are each message's own. */
		s->error_code = code;
		snprintf(s->error_cmd, sizeof(s->error_cmd), "%s", s->last_cmd[0] ? s->last_cmd : "greeting");
		snprintf(s->error_reply, sizeof(s->error_reply), "%s", s->reply);
	}
	s->reply[0] = '\0';
}

/* libESMTP's protocol monitor: the commands it writes (never the message
 * itself) and the replies it reads, decrypted. AUTH failures have no event
 * of their own in libESMTP 1.1.0: it moves on to the next mechanism and
 * then to MAIL FROM as if nothing had happened, so the reply to AUTH is
 * caught here. */
static void on_monitor(const char *buf, int buflen, int writing, void *arg)
{
	struct session *s = arg;
	size_t n = buflen > 0 ? (size_t)buflen : 0;

	s->last_io_ms = now_ms();
	if (writing == SMTP_CB_WRITING) {
		/* SASL responses during AUTH carry credentials: never kept. */
		if (s->in_auth)
			return;
		if (n >= 5 && strncasecmp(buf, "AUTH ", 5) == 0) {
			s->in_auth = s->auth_tried = true;
			snprintf(s->last_cmd, sizeof(s->last_cmd), "AUTH");
			return;
		}
		/* Pipelined commands come in one write: the last one counts.
		 * The buffer is not NUL-terminated. */
		const char *p = buf, *end = buf + n;
		while (p < end) {
			const char *eol = memchr(p, '\n', (size_t)(end - p));
			const char *stop = eol ? eol : end;
			size_t w = 0;
			while (p + w < stop && p[w] != ' ' && p[w] != ':' && p[w] != '\r')
				w++;
			if (w > 0 && w < sizeof(s->last_cmd)) {
				memcpy(s->last_cmd, p, w);
				s->last_cmd[w] = '\0';
			}
			p = eol ? eol + 1 : end;
		}
		return;
	}
	if (writing != SMTP_CB_READING)
		return;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			size_t len = s->line_len;
			if (len > 0 && s->line[len - 1] == '\r')
				len--;
			monitor_line(s, s->line, len);
			s->line_len = 0;
		} else if (s->line_len < sizeof(s->line)) {
			s->line[s->line_len++] = buf[i];
		}
	}
}

static struct item *find_item(struct session *s, smtp_message_t sm)
{
	(void)s;
	return sm ? smtp_message_get_application_data(sm) : NULL;
}

static void judge(struct session *s, struct item *it, const char *session_err, int session_code);
static char *session_error(struct session *s, bool started, int *ret_code);
static void report(struct session *s, struct item *it, bool ack);
static void read_orders(struct session *s);

/* libESMTP moves to the next message in its list as soon as one ends
 * (and, when DATA is refused, before saying that it has): the list must
 * hold the next one by then, or the session ends. The parent hands over
 * messages a few ahead; should they have run out, its answers to the
 * verdicts reported bring more, or say there are none. */
static void need_next(struct session *s, size_t unfinished)
{
	if (s->n - s->n_done <= unfinished && !s->last_given && s->acks_due > 0)
		read_orders(s);
}

/* The server has given a message its verdict, or libESMTP has moved past
 * it: tell the parent, which records it while the next message's
 * transaction begins. That message's data is not ended (its dot, after
 * which the server has it) until the parent has answered: a crash leaves
 * at most one message the server took without its record. */
static void item_done(struct session *s, smtp_message_t sm)
{
	struct item *it = find_item(s, sm);
	if (!it || it->done)
		return;
	const smtp_status_t *rp = smtp_reverse_path_status(it->sm);
	const smtp_status_t *rc = smtp_recipient_status(it->rcpt);
	const smtp_status_t *ms = smtp_message_transfer_status(it->sm);
	/* 354 is the go-ahead for the data, not a verdict. */
	if (!(rp->code && rp->code / 100 != 2) && !(rc->code && rc->code / 100 != 2) &&
	    (!ms->code || ms->code / 100 == 3))
		return; /* no verdict: judged with the session's end */
	it->done = true;
	s->answered = true;
	/* A refused MAIL FROM after a failed AUTH is the AUTH failure. */
	int code = 0;
	_cleanup_free_ char *err = session_error(s, true, &code);
	judge(s, it, err, code);
	report(s, it, true);
	s->n_done++;
	free(it->to);
	free(it->data);
	free(it->own.error);
	it->to = it->data = it->own.error = NULL;
	it->own.to = it->own.data = NULL;
	need_next(s, 0);
}

/* Nagle's algorithm off on the session's TCP socket. libESMTP writes a
 * message through a buffer of its own, so a message of more than one
 * buffer ends in a small write that waits for the ACK of the one before,
 * which a server delays (40 ms on Linux): 44 s for 1,000 messages of 3 KB
 * in bench/notify, against 0.4 s for 1.6 KB. libESMTP does not give its
 * socket; this process (a child of its own for the session) has no other
 * TCP socket, so each is set. Best effort: failing costs only speed. */
static void tcp_no_delay(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		struct stat st;
		if (*end || fd < 0 || fd == dirfd(d) || fstat((int)fd, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		struct sockaddr_storage sa;
		socklen_t sl = sizeof(sa);
		int type = 0;
		socklen_t tl = sizeof(type);
		if (getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM ||
		    getsockname((int)fd, (struct sockaddr *)&sa, &sl) < 0 ||
		    (sa.ss_family != AF_INET && sa.ss_family != AF_INET6))
			continue;
		int one = 1;
		(void)setsockopt((int)fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	closedir(d);
}

static void on_event(smtp_session_t session, int event, void *arg, ...)
{
	struct session *s = arg;
	va_list ap;
	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_CONNECT:
		s->connected = true;
		tcp_no_delay();
		break;
	case SMTP_EV_MAILSTATUS: {
		/* A refused MAIL FROM ends that message's transaction. */
		(void)va_arg(ap, const char *);
		smtp_message_t sm = va_arg(ap, smtp_message_t);
		const smtp_status_t *st = smtp_reverse_path_status(sm);
		if (st && st->code / 100 != 2)
			item_done(s, sm);
		break;
	}
	case SMTP_EV_RCPTSTATUS:
		/* The reply to DATA comes next: should it refuse, libESMTP
		 * moves on before it says so. */
		need_next(s, 1);
		break;
	case SMTP_EV_MESSAGESENT:
		item_done(s, va_arg(ap, smtp_message_t));
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		s->no_starttls = true;
		break;
	case SMTP_EV_STARTTLS_OK:
		s->tls_up = true;
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE: {
		/* Not reached while OpenSSL verifies during the handshake
		 * (SSL_VERIFY_PEER): refuse, should it ever be. */
		long result = va_arg(ap, long);
		int *ok = va_arg(ap, int *);
		*ok = 0;
		set_tls_error(s, "certificate verification failed: %s", X509_verify_cert_error_string(result));
		break;
	}
	case SMTP_EV_NO_PEER_CERTIFICATE: {
		int *ok = va_arg(ap, int *);
		*ok = 0;
		set_tls_error(s, "the server sent no certificate");
		break;
	}
	case SMTP_EV_WRONG_PEER_CERTIFICATE: {
		/* libESMTP 1.1.0 compares the host with the certificate's DNS
		 * names only, so it refuses a certificate for an IP address
		 * (subjectAltName IP:). OpenSSL has already checked the name
		 * properly during the handshake (X509_VERIFY_PARAM_set1_host or
		 * set1_ip_asc in mailer_new): trust its verdict instead. */
		int *ok = va_arg(ap, int *);
		const char *domain = va_arg(ap, const char *);
		SSL *ssl = va_arg(ap, SSL *);
		*ok = s->m->name_checked && ssl && SSL_get_verify_result(ssl) == X509_V_OK;
		if (!*ok)
			set_tls_error(s, "the certificate is for '%s', not '%s'", domain ? domain : "?",
				      s->m->c->host);
		break;
	}
	case SMTP_EV_WEAK_CIPHER: {
		int bits = va_arg(ap, int);
		int *ok = va_arg(ap, int *);
		*ok = 0;
		set_tls_error(s, "the cipher is too weak (%d bits)", bits);
		break;
	}
	case SMTP_EV_NO_CLIENT_CERTIFICATE: {
		int *ok = va_arg(ap, int *);
		*ok = 0;
		set_tls_error(s, "no private key for the client certificate in ~/.authenticate");
		break;
	}
	case SMTP_EV_UNUSABLE_CLIENT_CERTIFICATE:
		set_tls_error(s, "unusable client certificate in ~/.authenticate");
		break;
	case SMTP_EV_UNUSABLE_CA_LIST:
		set_tls_error(s, "unusable CA list in ~/.authenticate");
		break;
	default:
		break;
	}
	va_end(ap);
}

/* OpenSSL's verdict on each certificate of the chain; the first failure
 * is kept for the error message, since libESMTP only sees the handshake
 * fail. */
static int on_verify(int preverify_ok, X509_STORE_CTX *store)
{
	if (preverify_ok)
		return 1;
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct mailer *m = ssl ? SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;
	if (m && m->s)
		set_tls_error(m->s, "certificate verification failed: %s",
			      X509_verify_cert_error_string(X509_STORE_CTX_get_error(store)));
	return 0;
}

static int on_auth_interact(auth_client_request_t request, char **result, int fields, void *arg)
{
	struct mailer *m = arg;
	for (int i = 0; i < fields; i++) {
		if (request[i].flags & AUTH_USER)
			result[i] = m->user;
		else if (request[i].flags & AUTH_PASS)
			result[i] = m->password;
		else
			return 0; /* a realm or anything else: not configured */
	}
	return 1;
}

/* What the child tells the parent of each message, followed by `len`
 * bytes of error text: its verdict, or (WIRE_DATA) that the end of its
 * data is going out, after which the server may have it whatever happens;
 * index UINT32_MAX ends the session, with `result` 1 when the server gave
 * no message a verdict. */
enum { WIRE_VERDICT, WIRE_DATA };
struct wire {
	uint32_t index;
	int32_t result, code;
	uint32_t len;
	uint8_t kind;
	uint8_t ack; /* a verdict the parent answers (an order ORDER_GO or ORDER_STOP) */
};
#define WIRE_ERROR_MAX 1024

/* What the parent tells the child: a message for the session (ORDER_MSG,
 * followed by to_len bytes of its recipient and data_len of its data),
 * that there are no more (ORDER_END), or its answer to a verdict, once
 * recorded: go on, or stop at once. The answer comes after the messages
 * it brings. */
enum { ORDER_MSG = 'm', ORDER_END = 'e', ORDER_GO = 'c', ORDER_STOP = 's' };
struct order {
	uint32_t index;
	uint32_t to_len, data_len;
	uint8_t kind;
};

static int write_all(int fd, const void *p, size_t n);

/* libESMTP reads each message through this, in one piece. */
static const char *on_message_data(void **ctx, int *len, void *arg)
{
	struct item *it = arg;
	if (!len) { /* rewind */
		it->off = 0;
		return NULL;
	}
	size_t left = it->msg->len - it->off;
	if (left > INT_MAX)
		left = INT_MAX;
	const char *p = it->msg->data + it->off;
	if (left > 0)
		it->data_given = true;
	if (left == 0 && it->data_given && !it->data_ended) {
		/* The dot follows: the verdicts before this message are
		 * recorded first (see item_done). */
		read_orders(it->s);
		it->data_ended = true;
		struct wire w = { .index = it->index, .kind = WIRE_DATA };
		if (write_all(it->s->out_fd, &w, sizeof(w)) < 0)
			_exit(0); /* the parent has gone */
	}
	it->off += left;
	it->s->last_io_ms = now_ms();
	*len = (int)left;
	return p;
}

static bool address_ok(const char *a)
{
	if (!a || !*a || strlen(a) > 320)
		return false;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
			return false;
	return true;
}

/* Headers libESMTP acts on: it adds Date, From and Message-Id when the
 * message lacks them, drops any second copy of these and of the address
 * headers, and strips Return-Path and Original-Recipient. Headers present
 * once pass verbatim and in order (headers.c, process_header). A message
 * that would be changed is refused here instead: above all one without a
 * Message-ID, which would get a new one on every attempt. Says what is
 * wrong in `buf`. */
static bool headers_problem(const char *data, size_t len, char *buf, size_t size)
{
	static const struct {
		const char *name;
		int want; /* 1: exactly once; 2: at most once; 0: never */
	} rules[] = {
		{ "Date", 1 },     { "From", 1 },        { "Message-ID", 1 },
		{ "Sender", 2 },   { "To", 2 },          { "Cc", 2 },
		{ "Bcc", 2 },      { "Reply-To", 2 },    { "Disposition-Notification-To", 2 },
		{ "Return-Path", 0 }, { "Original-Recipient", 0 },
	};
	int seen[ELEMENTSOF(rules)] = { 0 };

	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) {
			snprintf(buf, size, "has a line ending in a bare LF");
			return true;
		}
		if (data[i] == '\r' && (i + 1 == len || data[i + 1] != '\n')) {
			snprintf(buf, size, "has a bare CR");
			return true;
		}
	}
	const char *p = data, *end = data + len;
	for (;;) {
		const char *eol = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (!eol) {
			snprintf(buf, size, "has no empty line after its headers");
			return true;
		}
		if (eol == p + 1) /* "\r\n": the end of the headers */
			break;
		if (*p != ' ' && *p != '\t') {
			const char *colon = memchr(p, ':', (size_t)(eol - p));
			if (!colon) {
				snprintf(buf, size, "has a header line without a colon");
				return true;
			}
			size_t n = (size_t)(colon - p);
			for (size_t r = 0; r < ELEMENTSOF(rules); r++)
				if (strlen(rules[r].name) == n && strncasecmp(p, rules[r].name, n) == 0)
					seen[r]++;
		}
		p = eol + 1;
	}
	for (size_t r = 0; r < ELEMENTSOF(rules); r++) {
		if (rules[r].want == 1 && seen[r] == 0)
			snprintf(buf, size, "has no %s header", rules[r].name);
		else if (rules[r].want != 0 && seen[r] > 1)
			snprintf(buf, size, "has more than one %s header", rules[r].name);
		else if (rules[r].want == 0 && seen[r] > 0)
			snprintf(buf, size, "has a %s header", rules[r].name);
		else
			continue;
		return true;
	}
	return false;
}

static void set_result(struct mail_msg *msg, enum delivery result, int code, char *error)
{
	msg->result = result;
	msg->code = code;
	free(msg->error);
	msg->error = error;
}

/* The first error OpenSSL queued, as words: its reason, or for a
 * failed system call what errno said. */
static const char *ssl_error(char *buf, size_t size)
{
	unsigned long e = ERR_get_error();
	const char *why = NULL;
	if (e && ERR_SYSTEM_ERROR(e))
		why = strerror(ERR_GET_REASON(e));
	else if (e)
		why = ERR_reason_error_string(e);
	snprintf(buf, size, "%s", why ? why : "unknown error");
	ERR_clear_error();
	return buf;
}

static bool ip_literal(const char *host)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

int mailer_new(const struct smtp_conf *c, struct mailer **ret, char **ret_err)
{
	static bool initialised;
	if (!initialised) {
		/* libESMTP writes to sockets without MSG_NOSIGNAL: a relay that
		 * hangs up mid-command would kill the process. SIGPIPE stays
		 * ignored for the whole process (casewatchd has no use for it);
		 * the write fails with EPIPE instead. */
		signal(SIGPIPE, SIG_IGN);
		auth_client_init();
		initialised = true;
	}

	if (!c->host || !*c->host || !c->port || !*c->port) {
		*ret_err = xstrdup("smtp: no server");
		return -EINVAL;
	}
	if (strchr(c->host, ':')) {
		/* smtp_set_server() splits "host:port" at the first colon. */
		*ret_err = xasprintf("smtp %s: libESMTP cannot connect to an IPv6 address literal: use a host name",
				     c->server ? c->server : c->host);
		return -EINVAL;
	}
	if (!address_ok(c->from_address)) {
		*ret_err = xasprintf("smtp: the sender address '%s' is not usable in MAIL FROM",
				     c->from_address ? c->from_address : "");
		return -EINVAL;
	}
	if (c->user && !c->password) {
		*ret_err = xasprintf("smtp: user '%s' has no password", c->user);
		return -EINVAL;
	}

	struct mailer *m = xcalloc(1, sizeof(*m));
	m->c = c;
	m->hostport = xasprintf("%s:%s", c->host, c->port);
	m->name = xstrdup(c->server ? c->server : m->hostport);

	/* One SSL_CTX for every session: given its own, libESMTP 1.1.0 frees
	 * it with the first session and uses it again in the second. */
	m->ssl = SSL_CTX_new(TLS_client_method());
	if (!m->ssl) {
		char why[256];
		*ret_err = xasprintf("smtp %s: cannot create a TLS context: %s", m->name, ssl_error(why, sizeof(why)));
		mailer_free(m);
		return -ENOMEM;
	}
	SSL_CTX_set_app_data(m->ssl, m);
	/* TLS 1.2 only. A TLS 1.3 server sends its session tickets after the
	 * handshake, and they arrive as libESMTP queues EHLO: its engine sees
	 * the socket readable, waits for the reply before it has flushed the
	 * command, and the session stalls for the whole timeout before failing
	 * (measured: 12 of 20 sessions against aiosmtpd; Postfix and Microsoft
	 * 365 send tickets too). In TLS 1.2 the ticket is part of the
	 * handshake. */
	SSL_CTX_set_min_proto_version(m->ssl, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(m->ssl, TLS1_2_VERSION);
	SSL_CTX_set_verify(m->ssl, SSL_VERIFY_PEER, on_verify);
	if (c->tls) {
		if (c->ca_file ? !SSL_CTX_load_verify_locations(m->ssl, c->ca_file, NULL)
			       : !SSL_CTX_set_default_verify_paths(m->ssl)) {
			char why[256];
			*ret_err = xasprintf("smtp %s: cannot load the trusted certificates%s%s: %s", m->name,
					     c->ca_file ? " from " : "", c->ca_file ? c->ca_file : "",
					     ssl_error(why, sizeof(why)));
			mailer_free(m);
			return -EINVAL;
		}
		/* The certificate must name the host we connect to: OpenSSL
		 * checks it in the handshake, IP addresses included. */
		X509_VERIFY_PARAM *param = SSL_CTX_get0_param(m->ssl);
		X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (ip_literal(c->host))
			m->name_checked = X509_VERIFY_PARAM_set1_ip_asc(param, c->host) == 1;
		else
			m->name_checked = X509_VERIFY_PARAM_set1_host(param, c->host, 0) == 1;
		if (!m->name_checked) {
			*ret_err = xasprintf("smtp %s: cannot check certificates for the host '%s'", m->name, c->host);
			mailer_free(m);
			return -EINVAL;
		}
	}

	if (c->user) {
		m->user = xstrdup(c->user);
		m->password = xstrdup(c->password);
		m->auth = auth_create_context();
		if (!m->auth) {
			*ret_err = xasprintf("smtp %s: cannot create the AUTH context", m->name);
			mailer_free(m);
			return -ENOMEM;
		}
		/* PLAIN and LOGIN send the password as it is: allowed because
		 * AUTH only ever happens after STARTTLS with tls = "required"
		 * (libESMTP quits when the server does not offer it), and
		 * tls = "none" is the administrator's choice of a local relay. */
		auth_set_mechanism_flags(m->auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(m->auth, on_auth_interact, m);
	}
	*ret = m;
	return 0;
}

void mailer_free(struct mailer *m)
{
	if (!m)
		return;
	if (m->auth)
		auth_destroy_context(m->auth);
	SSL_CTX_free(m->ssl);
	free(m->hostport);
	free(m->name);
	free(m->user);
	if (m->password)
		explicit_bzero(m->password, strlen(m->password));
	free(m->password);
	free(m);
}

/* Why the session as a whole failed, when it did: one line, and the reply
 * code that decided it (0 when none). */
static char *session_error(struct session *s, bool started, int *ret_code)
{
	const struct mailer *m = s->m;
	char buf[256];
	*ret_code = 0;

	if (!started && !s->connected) {
		int e = smtp_errno();
		if (e < 0)
			return xasprintf("smtp %s: cannot connect: %s", m->name, strerror(-e));
		if (e >= SMTP_ERR_EAI_ADDRFAMILY && e <= SMTP_ERR_EAI_SOCKTYPE)
			return xasprintf("smtp %s: cannot resolve %s: %s", m->name, m->c->host,
					 smtp_strerror(e, buf, sizeof(buf)));
		return xasprintf("smtp %s: cannot connect: %s", m->name, smtp_strerror(e, buf, sizeof(buf)));
	}
	if (s->no_starttls)
		return xasprintf("smtp %s: the server does not offer STARTTLS (tls = \"required\")", m->name);
	if (s->tls_error)
		return xasprintf("smtp %s: TLS: %s", m->name, s->tls_error);
	if (strcmp(s->error_cmd, "STARTTLS") == 0) {
		*ret_code = s->error_code;
		return xasprintf("smtp %s: STARTTLS refused: %d %s", m->name, s->error_code, s->error_reply);
	}
	if (s->tls_started && !s->tls_up)
		return xasprintf("smtp %s: TLS handshake failed: %s", m->name, ssl_error(buf, sizeof(buf)));
	if (s->auth_code) {
		*ret_code = s->auth_code;
		return xasprintf("smtp %s: authentication as '%s' failed: %d %s", m->name, m->c->user, s->auth_code,
				 s->auth_reply);
	}
	if (s->error_code) {
		*ret_code = s->error_code;
		return xasprintf("smtp %s: %s: %d %s", m->name, s->error_cmd, s->error_code, s->error_reply);
	}
	if (!s->greeted)
		/* libESMTP says "dropped connection" for its own timeout too. */
		return xasprintf("smtp %s: no greeting from the server within %d s, or the connection was closed "
				 "before it", m->name, (m->c->timeout_ms > 1000 ? m->c->timeout_ms : 1000) / 1000);
	/* libESMTP's own timeout is "dropped connection" too: told apart by
	 * the time since the server was last heard from or written to. */
	int timeout = m->c->timeout_ms > 1000 ? m->c->timeout_ms : 1000;
	const char *cmd = s->last_cmd[0] ? s->last_cmd : "connect";
	if (s->last_io_ms && now_ms() - s->last_io_ms >= timeout - 100)
		return xasprintf("smtp %s: no reply after %s within %d s: the session was ended", m->name, cmd,
				 timeout / 1000);
	return xasprintf("smtp %s: connection lost after %s: %s", m->name, cmd,
			 smtp_strerror(smtp_errno(), buf, sizeof(buf)));
}

/* The verdict on one message from the statuses libESMTP kept. */
static void judge(struct session *s, struct item *it, const char *session_err, int session_code)
{
	const struct mailer *m = s->m;
	const smtp_status_t *rp = smtp_reverse_path_status(it->sm);
	const smtp_status_t *rc = smtp_recipient_status(it->rcpt);
	const smtp_status_t *ms = smtp_message_transfer_status(it->sm);

	if (rc->code / 100 == 2 && ms->code / 100 == 2) {
		if (it->data_given) {
			set_result(it->msg, DELIVERY_SENT, ms->code, NULL);
			return;
		}
		/* A server that answers DATA with 250, not 354, never had the
		 * message, whatever libESMTP makes of it. */
		set_result(it->msg, DELIVERY_RETRY, ms->code,
			   xasprintf("smtp %s: DATA: the server answered %d, not 354: the message was not sent", m->name,
				     ms->code));
		return;
	}

	const smtp_status_t *st;
	_cleanup_free_ char *stage = NULL;
	bool at_mail = false;
	if (rp->code && rp->code / 100 != 2) {
		st = rp;
		at_mail = true;
		stage = xasprintf("MAIL FROM:<%s>", m->c->from_address);
	} else if (rc->code && rc->code / 100 != 2) {
		st = rc;
		stage = xasprintf("RCPT TO:<%s>", it->msg->to);
	} else if (ms->code && ms->code / 100 != 2 && ms->code / 100 != 3) {
		st = ms;
		stage = xstrdup("DATA");
	} else if (it->data_given) {
		/* The data went out and no reply came: the server may have the
		 * message. Sent again, it may arrive twice; not sent again, it
		 * may never arrive. */
		set_result(it->msg, DELIVERY_RETRY, 0,
			   xasprintf("%s (the message data was sent: the server may have it)",
				     session_err ? session_err : "no answer after the data"));
		return;
	} else {
		/* No verdict from the server on this message: the session
		 * failed before or during its transaction. */
		set_result(it->msg, DELIVERY_RETRY, session_code,
			   xstrdup(session_err ? session_err : "no answer from the server"));
		return;
	}

	/* A refused MAIL FROM after a failed AUTH is the AUTH failure: a
	 * wrong password is fixed and retried, never a reason to drop
	 * reminders. */
	if (at_mail && s->auth_code) {
		set_result(it->msg, DELIVERY_RETRY, s->auth_code, xstrdup(session_err));
		return;
	}
	char text[REPLY_MAX] = "";
	if (st->text)
		text_append(text, false, st->text, strlen(st->text));
	/* With AUTH, a sender refused for security or policy (RFC 3463
	 * X.7.X, e.g. "not allowed to send as") is the account's
	 * configuration too. */
	bool policy = st->enh_subject == 7 || strncmp(text, "5.7.", 4) == 0;
	bool auth = auth_related(st->code) || (at_mail && m->c->user && policy);
	const char *hint = "";
	if (at_mail && auth && m->c->user && !s->auth_tried)
		hint = " (no AUTH was tried: the server offered no mechanism libESMTP could use)";
	enum delivery d = st->code / 100 == 5 && !auth ? DELIVERY_DEAD : DELIVERY_RETRY;
	set_result(it->msg, d, st->code,
		   xasprintf("smtp %s: %s: %d%s%s%s", m->name, stage, st->code, text[0] ? " " : "", text, hint));
}

static void timeouts(smtp_session_t session, int ms)
{
	/* Milliseconds, whatever libESMTP's documentation says; it never
	 * goes below one second. */
	static const int which[] = {
		Timeout_GREETING, Timeout_ENVELOPE, Timeout_DATA, Timeout_TRANSFER, Timeout_DATA2,
	};
	for (size_t i = 0; i < ELEMENTSOF(which); i++)
		smtp_set_timeout(session, which[i] | Timeout_OVERRIDE_RFC2822_MINIMUM, ms > 0 ? ms : 1000);
}

/* ---- The session, in a child process -------------------------------- */

static void report(struct session *s, struct item *it, bool ack)
{
	const char *e = it->msg->error;
	struct wire w = {
		.index = it->index,
		.result = (int32_t)it->msg->result,
		.code = it->msg->code,
		.len = e ? (uint32_t)strnlen(e, WIRE_ERROR_MAX) : 0,
		.ack = ack,
	};
	if (write_all(s->out_fd, &w, sizeof(w)) < 0 || write_all(s->out_fd, e ? e : "", w.len) < 0)
		_exit(0); /* the parent has gone */
	if (ack)
		s->acks_due++;
}

#define IN_BUF 65536

/* n bytes of what the parent wrote. */
static void read_in(struct session *s, void *dst, size_t n)
{
	char *d = dst;
	while (n > 0) {
		if (s->in_off == s->in_len) {
			ssize_t r;
			do
				r = read(s->in_fd, s->in_buf, IN_BUF);
			while (r < 0 && errno == EINTR);
			if (r <= 0)
				_exit(0); /* the parent has gone */
			s->in_off = 0;
			s->in_len = (size_t)r;
		}
		size_t k = s->in_len - s->in_off < n ? s->in_len - s->in_off : n;
		memcpy(d, s->in_buf + s->in_off, k);
		s->in_off += k;
		d += k;
		n -= k;
	}
}

/* A message from the parent, added to the end of libESMTP's list: the
 * session takes it when it gets there. */
static void add_item(struct session *s, const struct order *o)
{
	const struct smtp_conf *c = s->m->c;
	struct item *it = xcalloc(1, sizeof(*it));
	it->index = o->index;
	it->s = s;
	it->msg = &it->own;
	it->to = xmalloc((size_t)o->to_len + 1);
	read_in(s, it->to, o->to_len);
	it->to[o->to_len] = '\0';
	it->data = xmalloc(o->data_len ? o->data_len : 1);
	read_in(s, it->data, o->data_len);
	it->own = (struct mail_msg){ .to = it->to, .data = it->data, .len = o->data_len, .result = DELIVERY_RETRY };
	it->sm = smtp_add_message(s->session);
	if (!it->sm || !smtp_set_reverse_path(it->sm, c->from_address) || !(it->rcpt = smtp_add_recipient(it->sm, it->to)) ||
	    !smtp_set_messagecb(it->sm, on_message_data, it))
		oom(); /* they fail only for want of memory */
	smtp_message_set_application_data_release(it->sm, it, NULL);
	s->items = xgrow(s->items, &s->cap, s->n + 1, sizeof(*s->items));
	s->items[s->n++] = it;
}

/* The parent's orders, until it has answered every verdict reported:
 * the messages they bring join the session; a stop ends the process
 * (the message in hand is never ended, so the server drops it). */
static void read_orders(struct session *s)
{
	while (s->acks_due > 0) {
		struct order o;
		read_in(s, &o, sizeof(o));
		if (o.kind == ORDER_MSG)
			add_item(s, &o);
		else if (o.kind == ORDER_END)
			s->last_given = true;
		else if (o.kind == ORDER_GO)
			s->acks_due--;
		else
			_exit(0);
	}
}

/* The child: one libESMTP session over the messages the parent hands it,
 * each verdict reported as it comes. Never returns. */
static _Noreturn void child_session(struct mailer *m, int out_fd, int in_fd)
{
	const struct smtp_conf *c = m->c;
	struct session s = {
		.m = m,
		.out_fd = out_fd,
		.in_fd = in_fd,
		.in_buf = xmalloc(IN_BUF),
		.acks_due = 1, /* the first messages come with a go */
	};
	s.session = smtp_create_session();
	if (!s.session || !smtp_set_server(s.session, m->hostport))
		oom();
	timeouts(s.session, c->timeout_ms);
	smtp_set_eventcb(s.session, on_event, &s);
	smtp_set_monitorcb(s.session, on_monitor, &s, 0);
	smtp_starttls_set_ctx(s.session, m->ssl);
	smtp_starttls_enable(s.session, c->tls ? Starttls_REQUIRED : Starttls_DISABLED);
	if (m->auth)
		smtp_auth_set_context(s.session, m->auth);
	read_orders(&s);
	m->s = &s;
	ERR_clear_error();
	bool started = smtp_start_session(s.session) != 0;
	int session_code = 0;
	char *err = session_error(&s, started, &session_code);
	for (size_t i = 0; i < s.n; i++) {
		if (s.items[i]->done)
			continue;
		judge(&s, s.items[i], err, session_code);
		report(&s, s.items[i], false);
	}
	struct wire end = { .index = UINT32_MAX, .result = !s.answered };
	write_all(out_fd, &end, sizeof(end));
	/* Nothing to free or flush: the process ends here, and must not run
	 * the parent's exit handlers. */
	_exit(0);
}

/* The parent's side: the child's reports, as they come. */
struct reader {
	char *buf;
	size_t n, cap;
};

struct parent {
	struct mailer *m;
	struct mail_msg *msgs; /* the caller's array, then hooks->next() */
	size_t n, taken;
	const struct mail_hooks *hooks;
	/* The messages handed to the child and not yet judged, by their
	 * number modulo MAIL_AHEAD. */
	struct mail_msg *flight[MAIL_AHEAD];
	uint32_t flight_index[MAIL_AHEAD];
	bool data_sent[MAIL_AHEAD]; /* each one's data went out, ended */
	uint32_t given;  /* messages handed to the child */
	size_t in_flight;
	bool no_more;    /* the child was told there are no more */
	bool source_done;
	size_t answered; /* verdicts the server gave */
	char *last_retry; /* the last reason a message is to be tried again */
	bool stop;       /* asked to stop, or the hook said so */
	bool ended;      /* the session's end was reported, or the child goes */
	bool failed;     /* it ended with no verdict from the server */
	int down;        /* to the child, non-blocking; -1 when it is gone */
	char *out;       /* what is to be written there */
	size_t out_len, out_cap;
	int timeout;     /* ms */
	int64_t deadline;
};

static void give_verdict(struct parent *p, struct mail_msg *msg)
{
	if (msg->result == DELIVERY_RETRY && msg->error) {
		free(p->last_retry);
		p->last_retry = xstrdup(msg->error);
	}
	if (p->hooks->verdict && !p->hooks->verdict(p->hooks->userdata, msg))
		p->stop = true;
}

static void queue_out(struct parent *p, const void *data, size_t len)
{
	p->out = xgrow(p->out, &p->out_cap, p->out_len + len, 1);
	memcpy(p->out + p->out_len, data, len);
	p->out_len += len;
}

static void queue_order(struct parent *p, uint8_t kind)
{
	struct order o = { .kind = kind };
	queue_out(p, &o, sizeof(o));
}

/* The next message to hand over, checked; one that would not be sent as
 * it is gets its verdict here. NULL: there are no more for the session. */
static struct mail_msg *take(struct parent *p)
{
	while (!p->source_done && !p->stop) {
		struct mail_msg *msg = NULL;
		if (p->taken < p->n)
			msg = &p->msgs[p->taken++];
		else if (p->hooks->next && p->given < MAIL_SESSION_MAX)
			msg = p->hooks->next(p->hooks->userdata);
		if (!msg)
			break;
		char bad[80] = "";
		msg->result = DELIVERY_RETRY;
		msg->code = 0;
		msg->untried = false;
		if (!address_ok(msg->to))
			snprintf(bad, sizeof(bad), "has an unusable recipient address");
		else if (!msg->data || msg->len == 0)
			snprintf(bad, sizeof(bad), "is empty");
		else if (msg->len > UINT32_MAX)
			snprintf(bad, sizeof(bad), "is too large");
		else
			headers_problem(msg->data, msg->len, bad, sizeof(bad));
		if (!bad[0])
			return msg;
		/* Sending it again would not help. */
		set_result(msg, DELIVERY_DEAD, 0,
			   xasprintf("smtp %s: not sent: the message to '%s' %s", p->m->name, msg->to ? msg->to : "", bad));
		give_verdict(p, msg);
	}
	p->source_done = true;
	return NULL;
}

/* Hand the child messages until MAIL_AHEAD wait for their verdicts, or
 * there are no more. */
static void refill(struct parent *p)
{
	while (p->in_flight < MAIL_AHEAD) {
		struct mail_msg *msg = take(p);
		if (!msg)
			break;
		size_t slot = p->given % MAIL_AHEAD;
		p->flight[slot] = msg;
		p->flight_index[slot] = p->given;
		p->data_sent[slot] = false;
		p->in_flight++;
		struct order o = {
			.kind = ORDER_MSG,
			.index = p->given++,
			.to_len = (uint32_t)strlen(msg->to),
			.data_len = (uint32_t)msg->len,
		};
		queue_out(p, &o, sizeof(o));
		queue_out(p, msg->to, o.to_len);
		queue_out(p, msg->data, o.data_len);
	}
	if (p->source_done && !p->no_more && !p->stop) {
		queue_order(p, ORDER_END);
		p->no_more = true;
	}
}

/* Write what can be written to the child without waiting. */
static void flush_out(struct parent *p)
{
	size_t off = 0;
	while (p->down >= 0 && off < p->out_len) {
		ssize_t w = write(p->down, p->out + off, p->out_len - off);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/* It has gone: what it said before is still read. */
		off = p->out_len;
	}
	memmove(p->out, p->out + off, p->out_len - off);
	p->out_len -= off;
}

static struct mail_msg *in_flight(struct parent *p, uint32_t index)
{
	size_t slot = index % MAIL_AHEAD;
	if (index >= p->given || !p->flight[slot] || p->flight_index[slot] != index)
		return NULL;
	return p->flight[slot];
}

/* Read what the child wrote: the number of bytes, 0 at its end, < 0 on
 * an error (EINTR aside). */
static ssize_t read_some(struct reader *rd, int fd)
{
	rd->buf = xgrow(rd->buf, &rd->cap, rd->n + 4096, 1);
	ssize_t got;
	do
		got = read(fd, rd->buf + rd->n, 4096);
	while (got < 0 && errno == EINTR);
	if (got > 0)
		rd->n += (size_t)got;
	return got;
}

/* Every whole report in the buffer: each verdict to the hook, once; each
 * one the child asks to be answered answered, with the messages that
 * keep it MAIL_AHEAD ahead and then a go, or with a stop. */
static void take_reports(struct parent *p, struct reader *rd)
{
	size_t off = 0;
	for (;;) {
		struct wire w;
		if (rd->n - off < sizeof(w))
			break;
		memcpy(&w, rd->buf + off, sizeof(w));
		if (w.index == UINT32_MAX) {
			p->ended = true;
			p->failed = w.result != 0;
			off += sizeof(w);
			break;
		}
		if (rd->n - off < sizeof(w) + w.len)
			break;
		struct mail_msg *msg = in_flight(p, w.index);
		if (msg && w.kind == WIRE_DATA) {
			p->data_sent[w.index % MAIL_AHEAD] = true;
		} else if (msg) {
			p->flight[w.index % MAIL_AHEAD] = NULL;
			p->in_flight--;
			set_result(msg, (enum delivery)w.result, w.code,
				   w.len ? xstrndup(rd->buf + off + sizeof(w), w.len) : NULL);
			if (msg->result != DELIVERY_RETRY)
				p->answered++;
			/* Recorded even when stopping: the server has it. */
			give_verdict(p, msg);
		}
		off += sizeof(w) + w.len;
		if (w.ack && w.kind == WIRE_VERDICT && p->down >= 0) {
			if (!p->stop)
				refill(p);
			queue_order(p, p->stop ? ORDER_STOP : ORDER_GO);
			if (p->stop)
				p->ended = true; /* it goes */
			/* The next message's whole exchange, each step of
			 * which libESMTP gives the timeout. */
			p->deadline = now_ms() + 2 * (int64_t)p->timeout;
		}
	}
	if (off) {
		memmove(rd->buf, rd->buf + off, rd->n - off);
		rd->n -= off;
	}
}

/* The messages of the caller's array never handed to the child (the
 * session stopped or ended early): released when stopped, else tried
 * again for the reason the others were. */
static void give_untaken(struct parent *p, bool failed)
{
	while (p->taken < p->n) {
		struct mail_msg *msg = &p->msgs[p->taken++];
		bool stopped = p->stop && !failed;
		char *why;
		if (stopped)
			why = xasprintf("smtp %s: not sent: stopped", p->m->name);
		else if (p->last_retry)
			why = xstrdup(p->last_retry);
		else
			why = xasprintf("smtp %s: the session ended before the message was sent", p->m->name);
		set_result(msg, DELIVERY_RETRY, 0, why);
		msg->untried = stopped;
		give_verdict(p, msg);
	}
	free(p->last_retry);
	p->last_retry = NULL;
}

int mailer_send(struct mailer *m, struct mail_msg *msgs, size_t n, const struct mail_hooks *hooks)
{
	static const struct mail_hooks none = { 0 };
	if (!hooks)
		hooks = &none;
	const struct smtp_conf *c = m->c;
	struct parent p = {
		.m = m,
		.msgs = msgs,
		.n = n,
		.hooks = hooks,
		.down = -1,
		.timeout = c->timeout_ms > 1000 ? c->timeout_ms : 1000,
	};
	/* The first messages, and the go the child starts with. */
	refill(&p);
	if (p.given == 0) {
		free(p.out);
		give_untaken(&p, false);
		return 0;
	}
	queue_order(&p, ORDER_GO);

	int up[2], down[2]; /* child to parent, parent to child */
	if (pipe2(up, O_CLOEXEC) < 0)
		oom();
	if (pipe2(down, O_CLOEXEC) < 0) {
		close(up[0]);
		close(up[1]);
		oom();
	}
	pid_t parent = getpid();
	/* Whatever stdio holds would be written twice. */
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		/* Ends with the parent, killed or not. A signal to stop that
		 * reaches it too (systemd signals every process of the unit, a
		 * terminal the whole process group) is the parent's to act on:
		 * the message in hand gets its verdict first. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		child_session(m, up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	p.down = down[1];
	if (fcntl(p.down, F_SETFL, O_NONBLOCK) < 0) {
		/* Blocking writes would do, but for bounding the waits. */
	}

	p.deadline = now_ms() + 2 * (int64_t)p.timeout;
	struct reader rd = { 0 };
	bool timed_out = false;
	int r = 0;
	if (pid < 0)
		r = -errno;
	while (pid > 0) {
		take_reports(&p, &rd);
		if (p.ended)
			break;
		flush_out(&p);
		/* Asked on while stopping too: it keeps the watchdog fed. */
		if (hooks->keep_going && !hooks->keep_going(hooks->userdata) && !p.stop) {
			p.stop = true;
			if (p.deadline > now_ms() + MAIL_STOP_GRACE_MS)
				p.deadline = now_ms() + MAIL_STOP_GRACE_MS;
		}
		int64_t left = p.deadline - now_ms();
		if (left <= 0) {
			/* Once every message has its verdict, only the QUIT is
			 * left: no failure. */
			timed_out = !p.stop && p.in_flight > 0;
			break;
		}
		struct pollfd pf[2] = { { .fd = up[0], .events = POLLIN }, { .fd = p.down, .events = POLLOUT } };
		int pr = poll(pf, p.out_len > 0 ? 2 : 1, left < 250 ? (int)left : 250);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0)
			continue;
		if (pf[0].revents && read_some(&rd, up[0]) <= 0)
			break; /* the child has gone */
	}
	int status = 0;
	if (pid > 0) {
		/* A child still waiting for an answer reads the end of the
		 * pipe and goes; one still talking to the server is killed. */
		close(down[1]);
		p.down = -1;
		if (!p.ended || p.stop || timed_out)
			kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		/* What it said before it went: a verdict is never dropped. */
		while (read_some(&rd, up[0]) > 0)
			;
		take_reports(&p, &rd);
	} else {
		close(down[1]);
	}
	close(up[0]);
	free(rd.buf);
	free(p.out);

	/* What has no verdict, and why. */
	for (uint32_t i = p.given - (p.given < MAIL_AHEAD ? p.given : MAIL_AHEAD); i < p.given; i++) {
		struct mail_msg *msg = in_flight(&p, i);
		if (!msg)
			continue;
		char *why;
		if (pid < 0)
			why = xasprintf("smtp %s: cannot start the session: %s", m->name, strerror(-r));
		else if (timed_out)
			why = xasprintf("smtp %s: no answer from the server within %d s: the session was ended", m->name,
					2 * p.timeout / 1000);
		else if (p.stop)
			why = xasprintf("smtp %s: not sent: stopped", m->name);
		else if (WIFSIGNALED(status))
			why = xasprintf("smtp %s: the session ended with signal %d", m->name, WTERMSIG(status));
		else
			why = xasprintf("smtp %s: the session ended without a verdict", m->name);
		/* The end of its data went out: the server may have it, and it
		 * is tried again as any failure is, never released as untried. */
		bool sent = p.data_sent[i % MAIL_AHEAD];
		if (sent) {
			char *more = xasprintf("%s (the message data was sent: the server may have it)", why);
			free(why);
			why = more;
		}
		p.flight[i % MAIL_AHEAD] = NULL;
		p.in_flight--;
		set_result(msg, DELIVERY_RETRY, 0, why);
		/* Stopped: the rest did not go; none has a verdict to wait for. */
		msg->untried = p.stop && !timed_out && !sent;
		give_verdict(&p, msg);
	}
	int ret = (p.failed && p.answered == 0) || timed_out || pid < 0 ? -EIO : 0;
	give_untaken(&p, timed_out || pid < 0);
	return ret;
}

/* ---- Maildir ---------------------------------------------------------- */

/* mkdir -p, each new folder 0700. */
static int mkdir_p(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST) {
		struct stat st;
		if (stat(path, &st) < 0)
			return -errno;
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	}
	if (errno != ENOENT)
		return -errno;
	_cleanup_free_ char *parent = path_dirname(path);
	if (strcmp(parent, path) == 0 || strcmp(parent, ".") == 0)
		return -ENOENT;
	int r = mkdir_p(parent);
	if (r < 0)
		return r;
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* `data` with each CRLF as LF. */
static int write_lf(int fd, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *cr = memchr(p, '\r', (size_t)(end - p));
		if (!cr)
			return write_all(fd, p, (size_t)(end - p));
		bool crlf = cr + 1 < end && cr[1] == '\n';
		int r = write_all(fd, p, (size_t)(cr - p) + (crlf ? 0 : 1));
		if (r < 0)
			return r;
		p = cr + 1;
	}
	return 0;
}

int maildir_deliver(const char *dir, const char *name, const char *data, size_t len, char **ret_err)
{
	if (!name || !*name || strchr(name, '/') || name[0] == '.') {
		*ret_err = xasprintf("maildir %s: '%s' is not a file name for a message", dir, name ? name : "");
		return -EINVAL;
	}
	int r = mkdir_p(dir);
	if (r < 0) {
		*ret_err = xasprintf("maildir: cannot create %s: %s", dir, strerror(-r));
		return r;
	}
	static const char *const subdirs[] = { "tmp", "new", "cur" };
	for (size_t i = 0; i < ELEMENTSOF(subdirs); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, subdirs[i]);
		r = mkdir_p(p);
		if (r < 0) {
			*ret_err = xasprintf("maildir: cannot create %s: %s", p, strerror(-r));
			return r;
		}
	}

	_cleanup_free_ char *tmp = xasprintf("%s/tmp/%s", dir, name);
	_cleanup_free_ char *dest = xasprintf("%s/new/%s", dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = -errno;
		*ret_err = xasprintf("maildir: cannot create %s: %s", tmp, strerror(-r));
		return r;
	}
	r = write_lf(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		*ret_err = xasprintf("maildir: cannot write %s: %s", tmp, strerror(-r));
		unlink(tmp);
		return r;
	}
	/* rename() replaces an earlier delivery of the same name in new/; one
	 * a mail reader has already moved to cur/ stays there. */
	if (rename(tmp, dest) < 0) {
		r = -errno;
		*ret_err = xasprintf("maildir: cannot move %s to %s: %s", tmp, dest, strerror(-r));
		unlink(tmp);
		return r;
	}
	/* The rename is durable once new/ itself is on disk. */
	_cleanup_free_ char *newdir = xasprintf("%s/new", dir);
	int dfd = open(newdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0) {
		r = -errno;
		if (dfd >= 0)
			close(dfd);
		*ret_err = xasprintf("maildir: cannot sync %s: %s", newdir, strerror(-r));
		return r;
	}
	close(dfd);
	return 0;
}

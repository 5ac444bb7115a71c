/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A driver for mail.c against a real server (tests/mail.sh):
 *
 *   mail-send --server HOST:PORT [--no-tls] [--ca FILE] [--user U --password-file F]
 *             [--from ADDR] [--count N] [--rounds N] [--resend N] [--timeout-ms MS]
 *             [--tag T] [--save DIR] [--drop-header NAME] [--show-progress] [--show-session] TO...
 *   mail-send --maildir DIR --name NAME [--tag T] [--save DIR] TO
 *
 * One mailer for the whole run. Each round builds `count` new messages for
 * each TO and sends them with one mailer_send() (one SMTP session); after
 * it, the messages left DELIVERY_RETRY are sent again, the same structs
 * and the same data, up to `resend` more times, each again one session.
 * Every mailer_send() prints one line per message it was given:
 *
 *   TO <tab> sent|retry|dead <tab> CODE <tab> ERROR
 *
 * and with --show-progress then "progress <tab> N", the calls of the
 * verdict hook so far, and with --show-session "session <tab> ok|failed
 * <tab> MS", what mailer_send() returned and how long it took. Message-IDs are <TAG.ROUND.K@mail-send.test>
 * (K counts from 1 within the round; TAG defaults to the process id);
 * --save DIR writes each message built to DIR/TAG.ROUND.K.eml, exactly the
 * bytes handed to mailer_send(); --drop-header leaves the header NAME out
 * of every message (to see a malformed one refused). --maildir delivers one message with
 * maildir_deliver() instead and prints "delivered" or
 * "error <tab> ERRNO <tab> MESSAGE". Exits 0 unless the usage is wrong (2)
 * or mailer_new() fails (1). */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mail.h"
#include "util.h"

struct built {
	struct mail_msg msg;
	char *data;
	char *file_id; /* TAG.ROUND.K */
};

static const char *result_name(enum delivery d)
{
	switch (d) {
	case DELIVERY_SENT:
		return "sent";
	case DELIVERY_RETRY:
		return "retry";
	case DELIVERY_DEAD:
		return "dead";
	}
	return "?";
}

/* Cut the header line "NAME: ..." out of `data`. */
static void drop_header(char *data, const char *name)
{
	size_t n = strlen(name);
	for (char *p = data; *p && !(p[0] == '\r' && p[1] == '\n'); p = strchr(p, '\n') + 1) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			char *next = strchr(p, '\n') + 1;
			memmove(p, next, strlen(next) + 1);
			return;
		}
	}
}

static void build(struct built *b, const char *tag, int round, int k, const char *from, const char *to,
		  const char *drop, const char *save)
{
	b->file_id = xasprintf("%s.%d.%d", tag, round, k);
	/* A folded header, a body line that starts with a dot and one that
	 * is only a dot: each must reach the server unchanged. */
	b->data = xasprintf("Date: Mon, 02 Nov 2026 09:00:00 +0000\r\n"
			    "From: Casewatch Test <%s>\r\n"
			    "To: %s\r\n"
			    "Subject: casewatch test %s,\r\n"
			    " folded onto a second line\r\n"
			    "Message-ID: <%s@mail-send.test>\r\n"
			    "Auto-Submitted: auto-generated\r\n"
			    "MIME-Version: 1.0\r\n"
			    "Content-Type: text/plain; charset=utf-8\r\n"
			    "Content-Transfer-Encoding: 8bit\r\n"
			    "\r\n"
			    "Case ASB/2026/%d: the first review is due.\r\n"
			    ".a line that starts with a dot\r\n"
			    ".\r\n"
			    "Anti-social behaviour team\r\n",
			    from, to, b->file_id, b->file_id, k);
	if (drop)
		drop_header(b->data, drop);
	b->msg = (struct mail_msg){ .to = to, .data = b->data, .len = strlen(b->data) };
	if (save) {
		_cleanup_free_ char *path = xasprintf("%s/%s.eml", save, b->file_id);
		_cleanup_fclose_ FILE *f = fopen(path, "w");
		if (!f || fputs(b->data, f) == EOF) {
			fprintf(stderr, "mail-send: cannot write %s: %s\n", path, strerror(errno));
			exit(1);
		}
	}
}

static bool on_verdict(void *userdata, struct mail_msg *msg)
{
	(void)msg;
	(*(int *)userdata)++;
	return true;
}

static void usage(void)
{
	fputs("usage: mail-send --server HOST:PORT [--no-tls] [--ca FILE] [--user U --password-file F]\n"
	      "                 [--from ADDR] [--count N] [--rounds N] [--resend N] [--timeout-ms MS]\n"
	      "                 [--tag T] [--save DIR] [--drop-header NAME] [--show-progress] TO...\n"
	      "       mail-send --maildir DIR --name NAME [--tag T] [--save DIR] TO\n",
	      stderr);
	exit(2);
}

static int number(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > 1000000)
		usage();
	return (int)v;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "server", required_argument, NULL, 's' },
		{ "tls", no_argument, NULL, 'T' },
		{ "no-tls", no_argument, NULL, 'N' },
		{ "ca", required_argument, NULL, 'a' },
		{ "user", required_argument, NULL, 'u' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "from", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "resend", required_argument, NULL, 'R' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "tag", required_argument, NULL, 'g' },
		{ "save", required_argument, NULL, 'S' },
		{ "show-progress", no_argument, NULL, 'P' },
		{ "show-session", no_argument, NULL, 'Z' },
		{ "drop-header", required_argument, NULL, 'D' },
		{ "maildir", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ 0 },
	};
	struct smtp_conf c = { .tls = true, .timeout_ms = 10000 };
	const char *server = NULL, *password_file = NULL, *from = "casewatch@council.test", *save = NULL;
	const char *maildir = NULL, *name = NULL, *drop = NULL;
	_cleanup_free_ char *tag = xasprintf("%ld", (long)getpid());
	int count = 1, rounds = 1, resend = 0, opt;
	bool show_progress = false, show_session = false;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 's': server = optarg; break;
		case 'T': c.tls = true; break;
		case 'N': c.tls = false; break;
		case 'a': c.ca_file = xstrdup(optarg); break;
		case 'u': c.user = xstrdup(optarg); break;
		case 'p': password_file = optarg; break;
		case 'f': from = optarg; break;
		case 'c': count = number(optarg); break;
		case 'r': rounds = number(optarg); break;
		case 'R': resend = number(optarg); break;
		case 't': c.timeout_ms = number(optarg); break;
		case 'g': free(tag); tag = xstrdup(optarg); break;
		case 'S': save = optarg; break;
		case 'P': show_progress = true; break;
		case 'Z': show_session = true; break;
		case 'D': drop = optarg; break;
		case 'm': maildir = optarg; break;
		case 'n': name = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();

	if (maildir) {
		if (!name || argc - optind != 1)
			usage();
		struct built b;
		build(&b, tag, 1, 1, from, argv[optind], drop, save);
		_cleanup_free_ char *err = NULL;
		int r = maildir_deliver(maildir, name, b.data, b.msg.len, &err);
		if (r < 0)
			printf("error\t%s\t%s\n", strerrorname_np(-r), err);
		else
			puts("delivered");
		free(b.data);
		free(b.file_id);
		smtp_conf_free(&c);
		return 0;
	}

	if (!server || (c.user && !password_file) || (!c.user && password_file))
		usage();
	const char *colon = strrchr(server, ':');
	if (!colon || colon == server || !colon[1])
		usage();
	c.server = xstrdup(server);
	c.host = xstrndup(server, (size_t)(colon - server));
	c.port = xstrdup(colon + 1);
	c.from_address = xstrdup(from);
	c.from = xasprintf("Casewatch Test <%s>", from);
	if (password_file) {
		size_t len;
		int r = read_file(password_file, &c.password, &len);
		if (r < 0) {
			fprintf(stderr, "mail-send: cannot read %s: %s\n", password_file, strerror(-r));
			return 1;
		}
		c.password[strcspn(c.password, "\r\n")] = '\0';
	}

	struct mailer *m = NULL;
	_cleanup_free_ char *err = NULL;
	int r = mailer_new(&c, &m, &err);
	if (r < 0) {
		fprintf(stderr, "mail-send: %s\n", err);
		smtp_conf_free(&c);
		return 1;
	}

	int n_to = argc - optind, progress = 0;
	size_t n = (size_t)n_to * (size_t)count;
	struct built *b = xcalloc(n ? n : 1, sizeof(*b));
	struct mail_msg *batch = xcalloc(n ? n : 1, sizeof(*batch));
	for (int round = 1; round <= rounds; round++) {
		for (size_t i = 0; i < n; i++)
			build(&b[i], tag, round, (int)i + 1, from, argv[optind + (int)(i / (size_t)count)], drop, save);
		/* mailer_send() fills the structs it is given: hand it copies
		 * and take the results back, as the outbox would. */
		size_t pending = n;
		size_t *which = xcalloc(n ? n : 1, sizeof(*which));
		for (size_t i = 0; i < n; i++)
			which[i] = i;
		for (int attempt = 0; attempt <= resend && pending > 0; attempt++) {
			for (size_t j = 0; j < pending; j++)
				batch[j] = b[which[j]].msg;
			struct mail_hooks hooks = { .verdict = on_verdict, .userdata = &progress };
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			int sr = mailer_send(m, batch, pending, &hooks);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			size_t still = 0;
			for (size_t j = 0; j < pending; j++) {
				struct mail_msg *x = &batch[j];
				printf("%s\t%s\t%d\t%s\n", x->to, result_name(x->result), x->code,
				       x->error ? x->error : "");
				b[which[j]].msg = *x;
				if (x->result == DELIVERY_RETRY)
					which[still++] = which[j];
			}
			pending = still;
			if (show_progress)
				printf("progress\t%d\n", progress);
			if (show_session)
				printf("session\t%s\t%lld\n", sr < 0 ? "failed" : "ok",
				       (long long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
			fflush(stdout);
		}
		free(which);
		for (size_t i = 0; i < n; i++) {
			free(b[i].msg.error);
			free(b[i].data);
			free(b[i].file_id);
		}
	}
	free(batch);
	free(b);
	mailer_free(m);
	smtp_conf_free(&c);
	return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "delivery.h"

/* Webhooks through libcurl (casewatch.conf(5), webhooks): one POST of a
 * JSON body, TLS always verified, http and https only, no redirects. */

enum webhook_format { WEBHOOK_GENERIC, WEBHOOK_SLACK, WEBHOOK_TEAMS, _WEBHOOK_FORMAT_MAX };
const char *webhook_format_to_string(enum webhook_format f);
int webhook_format_from_string(const char *s); /* or -EINVAL */

struct webhook_conf {
	char *name;
	char *url;
	enum webhook_format format;
	char *secret; /* NULL: no signature */
	size_t secret_len;
};
/* Frees the fields (wiping the secret first) and zeroes *c, but not c itself:
 * the struct is embedded in the configuration. Accepts NULL. */
void webhook_conf_free(struct webhook_conf *c);

struct webhook_result {
	enum delivery result;
	long http_code;      /* 0 when there was no response */
	int64_t retry_after; /* seconds the server asked to wait, or -1 */
	char *error;         /* RETRY and DEAD: one line saying why; owned */
	bool stopped;        /* abandoned as keep_going asked: RETRY */
};

/* One libcurl handle, kept so that posts reuse connections. The first
 * webhooker_new() runs curl_global_init(); a program that wants a clean exit
 * calls curl_global_cleanup() after its last webhooker_free(). The program
 * must ignore SIGPIPE. On failure *ret_err says why (the caller frees it). */
struct webhooker;
int webhooker_new(struct webhooker **ret, char **ret_err);
void webhooker_free(struct webhooker *h);
/* POST `body` (application/json) to c->url with the Idempotency-Key header
 * and, with a secret, X-Casewatch-Signature: sha256=<hex HMAC-SHA256 of the
 * body>. The whole exchange is bounded by timeout_ms (at least 1; the
 * connection by at most 10 s of it). 2xx is SENT; 408, 429, 5xx and every
 * failure to get an answer (refused, timed out, TLS verification) RETRY;
 * anything else, a redirect included (never followed), or a URL that is not
 * http or https, DEAD. ret->error names the webhook and at most the URL's
 * scheme://host:port, never its path, query or credentials (struck out of
 * what the server answers too), nor the secret; the caller frees it. */
void webhook_post(struct webhooker *h, const struct webhook_conf *c, const char *body, size_t len,
		  const char *idempotency_key, int timeout_ms, struct webhook_result *ret);
/* Asked about once a second during each post (for the watchdog, and
 * signals), or NULL: once it has said false for WEBHOOK_STOP_GRACE_MS, the
 * post is abandoned, RETRY: with ret->stopped when nothing of it was sent;
 * otherwise the server may have it, and takes it again under the same
 * Idempotency-Key. An answer that came first is the verdict. */
void webhooker_set_keep_going(struct webhooker *h, bool (*keep_going)(void *userdata), void *userdata);
#define WEBHOOK_STOP_GRACE_MS 3000

/* Data put into a chat message's text, made inert, newly allocated (NULL
 * gives ""). Slack's mrkdwn: & < > as &amp; &lt; &gt;, so that no mention
 * (<!channel>, <@U123>) nor link (<url|text>) comes from data. Teams'
 * markdown: a backslash before each of \ ` * _ ~ { } [ ] ( ) # + ! | < >,
 * so that no emphasis, link, image or HTML comes from data. Not - and .,
 * markdown only at the start of a line: the Teams card (teams-card.c)
 * escapes them there itself. */
char *webhook_slack_escape(const char *s);
char *webhook_teams_escape(const char *s);

/* Lower-case hex HMAC-SHA256 of data under key, into out[65]. */
void hmac_sha256_hex(const void *key, size_t key_len, const void *data, size_t len, char out[65]);

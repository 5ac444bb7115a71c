/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "webhook.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util.h"

/* How much of a refusal's body goes into the error line: a server's one-line
 * reason fits, a page of HTML does not need to. */
#define BODY_KEEP 200
/* A connection that takes longer than this is not coming, whatever the
 * whole exchange may take. */
#define CONNECT_TIMEOUT_MAX_MS 10000
/* Parts of a URL shorter than this are not struck out of error messages:
 * "/" or "v1" would mangle the message and hide nothing. */
#define HIDE_MIN 4
/* Path segments and query values are struck out on their own too, in case a
 * server echoes just the token; only long ones, which is what tokens are. */
#define HIDE_PART_MIN 8

struct webhooker {
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
	char body[BODY_KEEP + 1];
	size_t body_len;   /* kept in body */
	size_t body_total; /* received */
	bool (*keep_going)(void *userdata);
	void *userdata;
	int64_t stop_at_ms; /* when keep_going first said false; 0 before */
};

static const char *const format_names[_WEBHOOK_FORMAT_MAX] = {
	[WEBHOOK_GENERIC] = "generic",
	[WEBHOOK_SLACK] = "slack",
	[WEBHOOK_TEAMS] = "teams",
};

const char *webhook_format_to_string(enum webhook_format f)
{
	if ((unsigned)f >= ELEMENTSOF(format_names))
		return NULL;
	return format_names[f];
}

int webhook_format_from_string(const char *s)
{
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(format_names); i++)
		if (strcmp(s, format_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

void webhook_conf_free(struct webhook_conf *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->url);
	if (c->secret) {
		explicit_bzero(c->secret, c->secret_len);
		free(c->secret);
	}
	*c = (struct webhook_conf){ 0 };
}

char *webhook_slack_escape(const char *s)
{
	struct strbuf b = { 0 };
	strbuf_adds(&b, "");
	for (const char *p = s ? s : ""; *p; p++) {
		switch (*p) {
		case '&': strbuf_adds(&b, "&amp;"); break;
		case '<': strbuf_adds(&b, "&lt;"); break;
		case '>': strbuf_adds(&b, "&gt;"); break;
		default: strbuf_add(&b, p, 1); break;
		}
	}
	return b.p;
}

char *webhook_teams_escape(const char *s)
{
	struct strbuf b = { 0 };
	strbuf_adds(&b, "");
	for (const char *p = s ? s : ""; *p; p++) {
		if (strchr("\\`*_~{}[]()#+!|<>", *p))
			strbuf_adds(&b, "\\");
		strbuf_add(&b, p, 1);
	}
	return b.p;
}

void hmac_sha256_hex(const void *key, size_t key_len, const void *data, size_t len, char out[65])
{
	static const unsigned char none[1];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	/* HMAC() fails only when it cannot allocate: abort, as xmalloc does. */
	if (key_len > INT_MAX ||
	    !HMAC(EVP_sha256(), key ? key : none, (int)key_len, data ? data : none, len, md, &md_len) ||
	    md_len != 32)
		abort();
	for (unsigned i = 0; i < md_len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
	explicit_bzero(md, sizeof(md));
}

/* curl_global_init() is not cheap and, before 7.84, not thread-safe: once per
 * process, from the first webhooker_new() (the daemon's main thread). */
static bool curl_ready;

int webhooker_new(struct webhooker **ret, char **ret_err)
{
	if (!curl_ready) {
		CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
		if (rc != CURLE_OK) {
			if (ret_err)
				*ret_err = xasprintf("cannot initialise libcurl: %s", curl_easy_strerror(rc));
			return -EIO;
		}
		curl_ready = true;
	}
	CURL *curl = curl_easy_init();
	if (!curl) {
		if (ret_err)
			*ret_err = xstrdup("cannot initialise libcurl: curl_easy_init() failed");
		return -ENOMEM;
	}
	struct webhooker *h = xcalloc(1, sizeof(*h));
	h->curl = curl;
	*ret = h;
	return 0;
}

void webhooker_free(struct webhooker *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	free(h);
}

/* Keep the start of the body for the error message; read and drop the rest,
 * so the connection stays usable for the next post. */
static size_t on_body(char *p, size_t size, size_t n, void *userdata)
{
	struct webhooker *h = userdata;
	size_t len = size * n;
	size_t room = BODY_KEEP - h->body_len;
	size_t take = len < room ? len : room;
	memcpy(h->body + h->body_len, p, take);
	h->body_len += take;
	h->body_total += len;
	return len;
}

/* What may be said about a URL is its scheme and host:port. The rest (user,
 * password, path, query, fragment) may be a credential: a Slack or Teams
 * URL's path is its token. Those parts are collected, to be struck out of
 * whatever a server or libcurl says, in case either repeats them. */
struct url_info {
	char *scheme;
	char *hostport;
	char **hidden; /* longest first */
	size_t n_hidden, cap_hidden;
};

static void url_info_done(struct url_info *u)
{
	free(u->scheme);
	free(u->hostport);
	for (size_t i = 0; i < u->n_hidden; i++) {
		explicit_bzero(u->hidden[i], strlen(u->hidden[i]));
		free(u->hidden[i]);
	}
	free(u->hidden);
}

static void hide(struct url_info *u, const char *s, size_t n, size_t min)
{
	if (n < min)
		return;
	u->hidden = xgrow(u->hidden, &u->cap_hidden, u->n_hidden + 1, sizeof(*u->hidden));
	u->hidden[u->n_hidden++] = xstrndup(s, n);
}

/* Each piece of `s` between separators, when long enough. */
static void hide_pieces(struct url_info *u, const char *s, const char *seps)
{
	while (*s) {
		size_t n = strcspn(s, seps);
		hide(u, s, n, HIDE_PART_MIN);
		s += n;
		if (*s)
			s++;
	}
}

static int by_length_desc(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

static void hide_part(struct url_info *u, CURLU *url, CURLUPart part, unsigned flags, const char *seps)
{
	char *s = NULL;
	if (curl_url_get(url, part, &s, flags) != CURLUE_OK || !s)
		return;
	hide(u, s, strlen(s), HIDE_MIN);
	if (seps)
		hide_pieces(u, s, seps);
	explicit_bzero(s, strlen(s));
	curl_free(s);
}

/* Returns 0, or a CURLUcode when the URL does not parse. */
static int url_info_parse(const char *s, struct url_info *u)
{
	CURLU *url = curl_url();
	if (!url)
		abort();
	/* Parse any scheme, so that an ftp:// URL is refused by name. */
	CURLUcode uc = curl_url_set(url, CURLUPART_URL, s, CURLU_NON_SUPPORT_SCHEME | CURLU_DEFAULT_SCHEME);
	if (uc != CURLUE_OK) {
		curl_url_cleanup(url);
		return (int)uc;
	}
	char *scheme = NULL, *host = NULL, *port = NULL;
	curl_url_get(url, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(url, CURLUPART_HOST, &host, 0);
	curl_url_get(url, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	u->scheme = xstrdup(scheme ? scheme : "");
	u->hostport = port ? xasprintf("%s:%s", host ? host : "", port) : xstrdup(host ? host : "");
	curl_free(scheme);
	curl_free(host);
	curl_free(port);

	hide_part(u, url, CURLUPART_USER, 0, NULL);
	hide_part(u, url, CURLUPART_PASSWORD, 0, NULL);
	hide_part(u, url, CURLUPART_PATH, 0, "/");
	hide_part(u, url, CURLUPART_PATH, CURLU_URLDECODE, "/");
	hide_part(u, url, CURLUPART_QUERY, 0, "&=;");
	hide_part(u, url, CURLUPART_QUERY, CURLU_URLDECODE, "&=;");
	hide_part(u, url, CURLUPART_FRAGMENT, 0, NULL);
	curl_url_cleanup(url);
	if (u->n_hidden > 1)
		qsort(u->hidden, u->n_hidden, sizeof(*u->hidden), by_length_desc);
	return 0;
}

/* `s` with every hidden part replaced, newly allocated. Longest first, so a
 * whole path goes before the segments inside it. */
static char *redact(const struct url_info *u, const char *s)
{
	char *out = xstrdup(s);
	for (size_t i = 0; i < u->n_hidden; i++) {
		const char *h = u->hidden[i];
		size_t hl = strlen(h);
		char *at = strstr(out, h);
		while (at) {
			size_t pre = (size_t)(at - out);
			char *next = xasprintf("%.*s[hidden]%s", (int)pre, out, at + hl);
			explicit_bzero(out, strlen(out));
			free(out);
			out = next;
			at = strstr(out + pre + strlen("[hidden]"), h);
		}
	}
	return out;
}

/* The first non-blank line of what the server answered, printable ASCII
 * only, so that the error stays one line whatever was sent. *ret_cut says
 * whether the line went on past what was kept. */
static char *body_line(const struct webhooker *h, bool *ret_cut)
{
	const char *p = h->body, *end = h->body + h->body_len;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	const char *e = p;
	while (e < end && *e != '\r' && *e != '\n')
		e++;
	*ret_cut = e == end && h->body_total > h->body_len;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == p)
		return NULL;
	char *line = xstrndup(p, (size_t)(e - p));
	for (char *q = line; *q; q++)
		if (*q < 0x20 || *q > 0x7e)
			*q = '?';
	return line;
}

/* A line cut short may end in the first part of a hidden piece, which
 * redact() cannot recognise: drop the longest such tail. */
static void drop_partial(const struct url_info *u, char *s)
{
	size_t n = strlen(s), drop = 0;
	for (size_t i = 0; i < u->n_hidden; i++) {
		const char *h = u->hidden[i];
		size_t hl = strlen(h);
		for (size_t k = hl - 1 < n ? hl - 1 : n; k > drop; k--)
			if (memcmp(s + n - k, h, k) == 0) {
				drop = k;
				break;
			}
	}
	s[n - drop] = '\0';
}

static enum delivery classify_status(long code)
{
	if (code >= 200 && code < 300)
		return DELIVERY_SENT;
	/* The server is there but cannot take it now; everything else it
	 * refused will be refused again. */
	if (code == 408 || code == 429 || (code >= 500 && code < 600))
		return DELIVERY_RETRY;
	return DELIVERY_DEAD;
}

/* Retry-After in seconds, or -1 when the server did not say.
 * CURLINFO_RETRY_AFTER is 0 both for "0" and for no header at all (and for
 * a date it cannot parse, or one in the past): look for the header to tell
 * "now" from "not said". */
static int64_t retry_after(CURL *curl)
{
	curl_off_t ra = 0;
	if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		return (int64_t)ra;
	struct curl_header *hd = NULL;
	if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1, &hd) != CURLHE_OK || !hd || !hd->value)
		return -1;
	const char *v = hd->value + strspn(hd->value, " \t");
	size_t digits = strspn(v, "0123456789");
	if (digits == 0 || v[digits + strspn(v + digits, " \t")] != '\0')
		return -1;
	return 0;
}

static bool key_ok(const char *key)
{
	if (!key || !*key)
		return false;
	for (const char *p = key; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return false;
	return true;
}

static void set_result(struct webhook_result *ret, const struct webhook_conf *c, enum delivery d, const char *fmt,
		       ...) __attribute__((format(printf, 4, 5)));
static void set_result(struct webhook_result *ret, const struct webhook_conf *c, enum delivery d, const char *fmt,
		       ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *what = xvasprintf(fmt, ap);
	va_end(ap);
	ret->result = d;
	ret->error = xasprintf("webhook %s: %s", c->name ? c->name : "(unnamed)", what);
}

/* Say why a transfer failed without a response. The detail comes from
 * libcurl's error buffer, which names hosts and ports, never paths; it is
 * redacted all the same. */
static void transport_error(struct webhooker *h, const struct webhook_conf *c, const struct url_info *u, CURLcode rc,
			    int timeout_ms, int connect_ms, struct webhook_result *ret)
{
	_cleanup_free_ char *detail = redact(u, h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
	long os_errno = 0;
	curl_off_t elapsed_us = 0;

	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* CURLOPT_PROTOCOLS_STR refused it: a configuration error. */
		set_result(ret, c, DELIVERY_DEAD, "scheme \"%s\" refused: only http and https are allowed", u->scheme);
		return;
	case CURLE_URL_MALFORMAT:
		set_result(ret, c, DELIVERY_DEAD, "invalid URL: %s", detail);
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
		set_result(ret, c, DELIVERY_RETRY, "cannot resolve %s: %s", u->hostport, detail);
		return;
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &os_errno);
		if (os_errno > 0)
			set_result(ret, c, DELIVERY_RETRY, "cannot connect to %s: %s", u->hostport,
				   strerror((int)os_errno));
		else
			set_result(ret, c, DELIVERY_RETRY, "cannot connect to %s: %s", u->hostport, detail);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		/* The connect bound, when it is the shorter, ran out first if
		 * the whole one has not (a reused connection has no connect
		 * time to look at). */
		curl_easy_getinfo(h->curl, CURLINFO_TOTAL_TIME_T, &elapsed_us);
		if (connect_ms < timeout_ms && elapsed_us < (curl_off_t)timeout_ms * 1000)
			set_result(ret, c, DELIVERY_RETRY, "cannot connect to %s: timed out after %d ms", u->hostport,
				   connect_ms);
		else
			set_result(ret, c, DELIVERY_RETRY, "timed out after %d ms talking to %s", timeout_ms,
				   u->hostport);
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
		set_result(ret, c, DELIVERY_RETRY, "TLS verification failed for %s: %s", u->hostport, detail);
		return;
	default:
		/* A reset, a half-closed connection, a failed TLS handshake:
		 * the server or the network may be better later. */
		set_result(ret, c, DELIVERY_RETRY, "%s: %s", u->hostport, detail);
		return;
	}
}

static void response_result(struct webhooker *h, const struct webhook_conf *c, const struct url_info *u, long code,
			    struct webhook_result *ret)
{
	ret->result = classify_status(code);
	if (ret->result == DELIVERY_SENT)
		return;
	if (code >= 300 && code < 400) {
		/* Following one would send the body, and the signature, where
		 * the configuration never said. */
		set_result(ret, c, DELIVERY_DEAD, "HTTP %ld: redirects are not followed", code);
		return;
	}
	bool cut;
	_cleanup_free_ char *line = body_line(h, &cut);
	_cleanup_free_ char *said = line ? redact(u, line) : NULL;
	if (said && cut)
		drop_partial(u, said);
	if (said)
		set_result(ret, c, ret->result, "HTTP %ld: %s%s", code, said, cut ? "..." : "");
	else
		set_result(ret, c, ret->result, "HTTP %ld", code);
}

void webhooker_set_keep_going(struct webhooker *h, bool (*keep_going)(void *userdata), void *userdata)
{
	h->keep_going = keep_going;
	h->userdata = userdata;
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* libcurl's progress callback, called at least once a second: nonzero
 * abandons the transfer. */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	struct webhooker *h = userdata;
	if (!h->keep_going || h->keep_going(h->userdata))
		return 0;
	int64_t now = now_ms();
	if (!h->stop_at_ms)
		h->stop_at_ms = now;
	return now - h->stop_at_ms >= WEBHOOK_STOP_GRACE_MS;
}

/* curl_slist_append() fails only when it cannot allocate. */
static struct curl_slist *header_append(struct curl_slist *l, const char *header)
{
	struct curl_slist *n = curl_slist_append(l, header);
	if (!n)
		abort();
	return n;
}

void webhook_post(struct webhooker *h, const struct webhook_conf *c, const char *body, size_t len,
		  const char *idempotency_key, int timeout_ms, struct webhook_result *ret)
{
	struct url_info u = { 0 };
	struct curl_slist *headers = NULL;
	_cleanup_free_ char *key_header = NULL;
	CURL *curl = h->curl;

	*ret = (struct webhook_result){ .result = DELIVERY_DEAD, .http_code = 0, .retry_after = -1 };
	if (timeout_ms < 1)
		timeout_ms = 1;
	int connect_ms = timeout_ms < CONNECT_TIMEOUT_MAX_MS ? timeout_ms : CONNECT_TIMEOUT_MAX_MS;

	int r = c->url ? url_info_parse(c->url, &u) : (int)CURLUE_MALFORMED_INPUT;
	if (r != 0) {
		/* curl_url_strerror() names the problem, not the URL. */
		set_result(ret, c, DELIVERY_DEAD, "invalid URL: %s", curl_url_strerror((CURLUcode)r));
		goto out;
	}
	if (!key_ok(idempotency_key)) {
		set_result(ret, c, DELIVERY_DEAD, "invalid idempotency key");
		goto out;
	}

	headers = header_append(headers, "Content-Type: application/json");
	key_header = xasprintf("Idempotency-Key: %s", idempotency_key);
	headers = header_append(headers, key_header);
	if (c->secret) {
		char hex[65];
		hmac_sha256_hex(c->secret, c->secret_len, body, len, hex);
		_cleanup_free_ char *sig = xasprintf("X-Casewatch-Signature: sha256=%s", hex);
		headers = header_append(headers, sig);
	}
	/* A large body would otherwise wait a second for a 100 Continue that
	 * many servers never send. */
	headers = header_append(headers, "Expect:");

	/* Options from the last post go, the connection cache stays: reuse
	 * is the point of keeping one handle. */
	curl_easy_reset(curl);
	h->errbuf[0] = '\0';
	h->body_len = 0;
	h->body_total = 0;
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(curl, CURLOPT_URL, c->url);
	curl_easy_setopt(curl, CURLOPT_DEFAULT_PROTOCOL, "https");
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	/* No SIGALRM for resolver timeouts: the daemon owns its signals. */
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)connect_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "casewatch/" PACKAGE_VERSION);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body : "");
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, h);
	h->stop_at_ms = 0;
	if (h->keep_going) {
		curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(curl, CURLOPT_XFERINFODATA, h);
		curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	}

	CURLcode rc = curl_easy_perform(curl);
	long answered = 0;
	/* libcurl asks once more when the transfer is over: an answer that
	 * came before the stop counts. */
	if (rc == CURLE_ABORTED_BY_CALLBACK && curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answered) == CURLE_OK &&
	    answered > 0)
		rc = CURLE_OK;
	curl_off_t uploaded = 0;
	if (rc == CURLE_ABORTED_BY_CALLBACK &&
	    (curl_easy_getinfo(curl, CURLINFO_SIZE_UPLOAD_T, &uploaded) != CURLE_OK || uploaded == 0)) {
		/* Nothing went: released, as an email that never left is. */
		ret->stopped = true;
		set_result(ret, c, DELIVERY_RETRY, "not sent: stopped");
	} else if (rc == CURLE_ABORTED_BY_CALLBACK) {
		/* The request went and no answer came: tried again as any
		 * failure is, under the same Idempotency-Key. */
		set_result(ret, c, DELIVERY_RETRY, "stopped with no answer (the request was sent: the server may have it)");
	} else if (rc != CURLE_OK) {
		transport_error(h, c, &u, rc, timeout_ms, connect_ms, ret);
	} else {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &ret->http_code);
		ret->retry_after = retry_after(curl);
		response_result(h, c, &u, ret->http_code, ret);
	}
	/* Nothing in the handle may point at this call's memory. */
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
	explicit_bzero(h->body, sizeof(h->body));
out:
	curl_slist_free_all(headers);
	url_info_done(&u);
}

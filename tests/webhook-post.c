/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A driver for tests/webhook.sh: posts a body with one webhooker, as the
 * daemon would, and prints what came of each post:
 *
 *   webhook-post [--name NAME] [--secret-file FILE] [--timeout-ms MS]
 *                [--repeat N] URL KEY BODY-FILE
 *     one line per post: RESULT <tab> HTTP-CODE <tab> RETRY-AFTER <tab> ERROR
 *     (RESULT sent, retry or dead; ERROR empty when sent)
 *   webhook-post --hmac KEY-FILE DATA-FILE
 *     the hex HMAC-SHA256 of DATA-FILE's bytes under KEY-FILE's bytes
 *
 * The secret file is read as the daemon reads one (conf.c): its bytes less
 * one trailing line end, "\n" or "\r\n". Exit 0 when every post was made,
 * whatever came of it; 1 when a file cannot be read or libcurl not set up;
 * 2 for bad usage. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "delivery.h"
#include "util.h"
#include "webhook.h"

static const char *delivery_name(enum delivery d)
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

static void usage(FILE *f)
{
	fputs("Usage: webhook-post [--name NAME] [--secret-file FILE] [--timeout-ms MS] [--repeat N] URL KEY BODY-FILE\n"
	      "       webhook-post --hmac KEY-FILE DATA-FILE\n",
	      f);
}

static int read_or_say(const char *path, char **ret, size_t *ret_len)
{
	int r = read_file(path, ret, ret_len);
	if (r < 0)
		fprintf(stderr, "webhook-post: %s: %s\n", path, strerror(-r));
	return r;
}

static int parse_int(const char *s, int min, int *ret)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > INT_MAX)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

static int do_hmac(const char *key_path, const char *data_path)
{
	_cleanup_free_ char *key = NULL, *data = NULL;
	size_t key_len, data_len;
	if (read_or_say(key_path, &key, &key_len) < 0 || read_or_say(data_path, &data, &data_len) < 0)
		return 1;
	char hex[65];
	hmac_sha256_hex(key, key_len, data, data_len, hex);
	puts(hex);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "secret-file", required_argument, NULL, 's' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "hmac", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *name = "test", *secret_path = NULL;
	int timeout_ms = 5000, repeat = 1, opt;
	bool hmac = false;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'n':
			name = optarg;
			break;
		case 's':
			secret_path = optarg;
			break;
		case 't':
			if (parse_int(optarg, 1, &timeout_ms) < 0) {
				fprintf(stderr, "webhook-post: bad --timeout-ms: %s\n", optarg);
				return 2;
			}
			break;
		case 'r':
			if (parse_int(optarg, 1, &repeat) < 0) {
				fprintf(stderr, "webhook-post: bad --repeat: %s\n", optarg);
				return 2;
			}
			break;
		case 'h':
			hmac = true;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (hmac) {
		if (argc - optind != 2) {
			usage(stderr);
			return 2;
		}
		return do_hmac(argv[optind], argv[optind + 1]);
	}
	if (argc - optind != 3) {
		usage(stderr);
		return 2;
	}

	/* As the daemon must: a server that closes early is an error to
	 * report, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);

	struct webhook_conf conf = {
		.name = xstrdup(name),
		.url = xstrdup(argv[optind]),
		.format = WEBHOOK_GENERIC,
	};
	_cleanup_free_ char *body = NULL;
	size_t body_len;
	int status = 1;
	struct webhooker *h = NULL;

	if (secret_path) {
		if (read_or_say(secret_path, &conf.secret, &conf.secret_len) < 0)
			goto out;
		if (conf.secret_len > 0 && conf.secret[conf.secret_len - 1] == '\n')
			conf.secret[--conf.secret_len] = '\0';
		if (conf.secret_len > 0 && conf.secret[conf.secret_len - 1] == '\r')
			conf.secret[--conf.secret_len] = '\0';
	}
	if (read_or_say(argv[optind + 2], &body, &body_len) < 0)
		goto out;

	_cleanup_free_ char *err = NULL;
	if (webhooker_new(&h, &err) < 0) {
		fprintf(stderr, "webhook-post: %s\n", err);
		goto out;
	}
	for (int i = 0; i < repeat; i++) {
		struct webhook_result res;
		webhook_post(h, &conf, body, body_len, argv[optind + 1], timeout_ms, &res);
		printf("%s\t%ld\t%" PRId64 "\t%s\n", delivery_name(res.result), res.http_code, res.retry_after,
		       res.error ? res.error : "");
		fflush(stdout);
		free(res.error);
	}
	status = 0;
out:
	webhooker_free(h);
	webhook_conf_free(&conf);
	curl_global_cleanup();
	return status;
}

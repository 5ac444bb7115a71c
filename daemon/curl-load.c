/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libcurl, loaded when a webhook is first posted rather than when a
 * program starts.
 *
 * Linked in, libcurl brings some 28 shared libraries with it (GnuTLS,
 * Kerberos, LDAP, SSH, RTMP...): mapping and relocating them is 6 of the
 * 9 ms it takes casewatch to start on this project's machines, paid by
 * every command and every `run --once`, though only webhooks use it.
 *
 * The functions below are libcurl's own, by name and signature, as
 * <curl/curl.h> declares them: webhook.c calls them as it would call
 * libcurl, with its compile-time type checks. Each one loads the library
 * on its first call (dlopen), then calls the real function. The variadic
 * ones take their one argument by the type that libcurl's option and
 * information numbers encode (CURLOPTTYPE_*, CURLINFO_TYPEMASK), as
 * libcurl itself reads it. Without the library, curl_global_init() and
 * curl_easy_init() fail and curl_easy_strerror() says why: the webhook's
 * message waits, with that error, like any other failure to send. */

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#ifndef CURL_SONAME
#define CURL_SONAME "libcurl.so.4"
#endif

static struct curl_fns {
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLHcode (*easy_header)(CURL *, const char *, size_t, unsigned int, int, struct curl_header **);
	const char *(*easy_strerror)(CURLcode);
	void (*free)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	const char *(*url_strerror)(CURLUcode);
	curl_version_info_data *(*version_info)(CURLversion);
} fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;
static char load_error[256];

/* What the build was checked against (configure.ac): older libraries lack
 * functions or options used here. */
#define CURL_VERSION_MIN 0x075500 /* 7.85.0 */

static void load(void)
{
	void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(load_error, sizeof(load_error), "cannot load %s: %s", CURL_SONAME, dlerror());
		return;
	}
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
#define SYM(field, name) { #name, offsetof(struct curl_fns, field) }
		SYM(global_init, curl_global_init),
		SYM(global_cleanup, curl_global_cleanup),
		SYM(easy_init, curl_easy_init),
		SYM(easy_cleanup, curl_easy_cleanup),
		SYM(easy_reset, curl_easy_reset),
		SYM(easy_perform, curl_easy_perform),
		SYM(easy_setopt, curl_easy_setopt),
		SYM(easy_getinfo, curl_easy_getinfo),
		SYM(easy_header, curl_easy_header),
		SYM(easy_strerror, curl_easy_strerror),
		SYM(free, curl_free),
		SYM(slist_append, curl_slist_append),
		SYM(slist_free_all, curl_slist_free_all),
		SYM(url, curl_url),
		SYM(url_cleanup, curl_url_cleanup),
		SYM(url_get, curl_url_get),
		SYM(url_set, curl_url_set),
		SYM(url_strerror, curl_url_strerror),
		SYM(version_info, curl_version_info),
#undef SYM
	};
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(h, syms[i].name);
		if (!p) {
			snprintf(load_error, sizeof(load_error), "cannot load %s: it has no %s", CURL_SONAME,
				 syms[i].name);
			dlclose(h);
			return;
		}
		/* POSIX guarantees a dlsym() result converts to a function
		 * pointer; C alone does not, hence memcpy. */
		memcpy((char *)&fn + syms[i].off, &p, sizeof(p));
	}
	const curl_version_info_data *v = fn.version_info(CURLVERSION_NOW);
	if (!v || v->version_num < CURL_VERSION_MIN) {
		snprintf(load_error, sizeof(load_error), "cannot use %s: version %s is older than 7.85.0",
			 CURL_SONAME, v && v->version ? v->version : "(unknown)");
		dlclose(h);
		return;
	}
	/* Loaded for good: the handle is never closed. */
	loaded = true;
}

/* True once libcurl is loaded, or false with *ret_err (static text)
 * saying why it cannot be. Safe from any thread. */
static bool curl_load(const char **ret_err)
{
	pthread_once(&once, load);
	if (!loaded && ret_err)
		*ret_err = load_error;
	return loaded;
}

CURLcode curl_global_init(long flags)
{
	return curl_load(NULL) ? fn.global_init(flags) : CURLE_FAILED_INIT;
}

/* Nothing to clean up when the library was never loaded: not loaded
 * just for this. (tests/webhook-post calls it.) */
void curl_global_cleanup(void)
{
	if (loaded)
		fn.global_cleanup();
}

CURL *curl_easy_init(void)
{
	return curl_load(NULL) ? fn.easy_init() : NULL;
}

const char *curl_easy_strerror(CURLcode rc)
{
	const char *err = NULL;
	return curl_load(&err) ? fn.easy_strerror(rc) : err;
}

const char *curl_url_strerror(CURLUcode rc)
{
	const char *err = NULL;
	return curl_load(&err) ? fn.url_strerror(rc) : err;
}

CURLU *curl_url(void)
{
	return curl_load(NULL) ? fn.url() : NULL;
}

/* The rest are given only what the functions above made: the library is
 * loaded by then. A NULL handle is passed on to libcurl when it is, as
 * libcurl takes it; without the library there is nothing to free. */

void curl_easy_cleanup(CURL *curl)
{
	if (curl_load(NULL))
		fn.easy_cleanup(curl);
}

void curl_easy_reset(CURL *curl)
{
	if (curl_load(NULL))
		fn.easy_reset(curl);
}

CURLcode curl_easy_perform(CURL *curl)
{
	return curl_load(NULL) ? fn.easy_perform(curl) : CURLE_FAILED_INIT;
}

/* Named in parentheses: <curl/curl.h> makes these two names macros that
 * check the argument's type, then call the function. */
CURLcode(curl_easy_setopt)(CURL *curl, CURLoption option, ...)
{
	if (!curl_load(NULL))
		return CURLE_FAILED_INIT;
	va_list ap;
	va_start(ap, option);
	CURLcode rc;
	if (option < CURLOPTTYPE_OBJECTPOINT)
		rc = fn.easy_setopt(curl, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		rc = fn.easy_setopt(curl, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		/* Any function pointer type carries any other (C11 6.3.2.3). */
		rc = fn.easy_setopt(curl, option, va_arg(ap, void (*)(void)));
	else if (option < CURLOPTTYPE_BLOB)
		rc = fn.easy_setopt(curl, option, va_arg(ap, curl_off_t));
	else
		rc = fn.easy_setopt(curl, option, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode(curl_easy_getinfo)(CURL *curl, CURLINFO info, ...)
{
	if (!curl_load(NULL))
		return CURLE_FAILED_INIT;
	/* Every kind of information is written through a pointer. */
	va_list ap;
	va_start(ap, info);
	void *p = va_arg(ap, void *);
	va_end(ap);
	return fn.easy_getinfo(curl, info, p);
}

CURLHcode curl_easy_header(CURL *curl, const char *name, size_t index, unsigned int origin, int request,
			   struct curl_header **hout)
{
	return curl_load(NULL) ? fn.easy_header(curl, name, index, origin, request, hout) : CURLHE_NOT_BUILT_IN;
}

void curl_free(void *p)
{
	if (curl_load(NULL))
		fn.free(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s)
{
	return curl_load(NULL) ? fn.slist_append(list, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
	if (curl_load(NULL))
		fn.slist_free_all(list);
}

void curl_url_cleanup(CURLU *url)
{
	if (curl_load(NULL))
		fn.url_cleanup(url);
}

CURLUcode curl_url_get(CURLU *url, CURLUPart part, char **ret, unsigned int flags)
{
	return curl_load(NULL) ? fn.url_get(url, part, ret, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_set(CURLU *url, CURLUPart part, const char *s, unsigned int flags)
{
	return curl_load(NULL) ? fn.url_set(url, part, s, flags) : CURLUE_OUT_OF_MEMORY;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "util.h"

static const char *log_ident = "casewatch";
static bool to_journal;

/* systemd sets JOURNAL_STREAM to the device and inode of the stream it
 * connected; it only means the journal if stderr is still that stream
 * (systemd.exec(5)), and only helps if journald is there to listen:
 * sd_journal_send() drops messages silently when it is not. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
		return false;
	if ((unsigned long long)st.st_dev != dev || (unsigned long long)st.st_ino != ino)
		return false;
	return access("/run/systemd/journal/socket", W_OK) == 0;
}

void log_setup(const char *ident)
{
	log_ident = ident;
	to_journal = stderr_is_journal();
}

const char *log_target(void)
{
	return to_journal ? "the journal" : "stderr";
}

__attribute__((format(printf, 3, 0))) static void log_v(int priority, const struct log_fields *f, const char *fmt, va_list ap)
{
	_cleanup_free_ char *msg = xvasprintf(fmt, ap);
	if (!to_journal) {
		fprintf(stderr, "<%d>%s: %s\n", priority, log_ident, msg);
		return;
	}
	char *fields[8];
	struct iovec iov[8];
	size_t n = 0;
	fields[n++] = xasprintf("MESSAGE=%s", msg);
	fields[n++] = xasprintf("PRIORITY=%d", priority);
	fields[n++] = xasprintf("SYSLOG_IDENTIFIER=%s", log_ident);
	if (f && f->case_ref)
		fields[n++] = xasprintf("CASE_REF=%s", f->case_ref);
	if (f && f->rule)
		fields[n++] = xasprintf("RULE=%s", f->rule);
	if (f && f->stage)
		fields[n++] = xasprintf("STAGE=%s", f->stage);
	if (f && f->has_scan_ms)
		fields[n++] = xasprintf("SCAN_MS=%lld", (long long)f->scan_ms);
	for (size_t i = 0; i < n; i++)
		iov[i] = (struct iovec){ .iov_base = fields[i], .iov_len = strlen(fields[i]) };
	if (sd_journal_sendv(iov, (int)n) < 0)
		fprintf(stderr, "<%d>%s: %s\n", priority, log_ident, msg);
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_v(priority, NULL, fmt, ap);
	va_end(ap);
}

void log_with(int priority, const struct log_fields *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_v(priority, f, fmt, ap);
	va_end(ap);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>

#include "calendar.h"
#include "diag.h"
#include "holfile.h"
#include "mail.h"
#include "mapping.h"
#include "message.h"
#include "rules.h"
#include "tz.h"
#include "webhook.h"

enum digest_every { DIGEST_NEVER, DIGEST_DAILY, DIGEST_WEEKLY };

/* casewatch.conf (casewatch.conf(5)). Paths inside it are relative to the
 * file's folder; they are stored here already resolved. */

struct conf {
	char *path;  /* the file read, or NULL for the embedded defaults */
	char *dir;   /* its folder, for relative paths */

	char *database;
	char *state;
	char **rules; /* the rule packs named: files or folders */
	size_t n_rules;
	struct ruleset ruleset; /* the rules they hold */

	char *timezone;
	enum division division;
	unsigned weekend; /* WEEKEND_* mask */
	struct holiday_list closures;
	/* The holiday files, read and checked while loading, by the division
	 * they serve. A JSON file serves each division it has events for; an
	 * iCalendar file has no divisions, so it serves the one configured
	 * beside it, or the calendar's configured division. */
	struct holiday_list file_holidays[_DIVISION_MAX];

	int scan_interval; /* seconds between casewatchd's scans */

	/* Notifications (casewatch.conf(5), NOTIFICATIONS). */
	char *maildir;            /* where email goes when there is no smtp */
	struct smtp_conf *smtp;   /* NULL: into the Maildir */
	char *from;               /* smtp.from as configured, or the default sender */
	char *from_name;          /* its name (NULL: none) and address, parsed */
	char *from_address;
	struct webhook_conf *webhooks;
	size_t n_webhooks;
	char *case_link;          /* "https://.../{ref}", or NULL */
	bool window_every_day;    /* false: working days only */
	int window_from, window_to; /* minutes after local midnight */
	int give_up_after;        /* seconds before a failing message is dead */
	int keep_sent;            /* seconds a sent or dead message's body is
				   * kept; 0: for ever */
	int officer_digest;       /* minutes after midnight, or -1: none */
	enum digest_every manager_every;
	int manager_day;          /* 0 = Monday, for weekly digests */
	int manager_time;         /* minutes after midnight */
	/* The monthly report: sent or not (unset: when the managers' digest
	 * is), to these addresses (none: to every team's manager), from this
	 * time of day (-1: manager_time). */
	bool report_monthly;
	char **report_to;
	size_t n_report_to;
	int report_time;
	char *template_paths[_MSG_KIND_MAX][_MSG_PART_MAX];
	struct templates templates;
	/* Imports (casewatch.conf(5), IMPORTS): the `import` group. */
	bool import;             /* the group is there */
	char *import_inbox;      /* the folder casewatchd imports from, or NULL */
	char *import_mapping;    /* the mapping file, resolved */
	struct mapping *mapping; /* read and checked while loading */
	int import_max_age;      /* seconds; 0: no limit */
	/* Metrics (casewatch.conf(5), METRICS): the file casewatchd writes
	 * after each scan for node_exporter's textfile collector, resolved;
	 * NULL: none. */
	char *metrics_textfile;
	/* A secret this process cannot have, as a message (and the line of
	 * the configuration it is about, or 0): a file it may not read, or
	 * the SMTP password of the service's credential outside the service
	 * (no CREDENTIALS_DIRECTORY). The secret itself is then "". Only
	 * sending needs secrets. */
	char *unreadable_secret;
	int unreadable_line;
};

#define DEFAULT_FROM_NAME "casewatch"
#define DEFAULT_FROM_ADDRESS "casewatch@localhost"
#define DEFAULT_FROM DEFAULT_FROM_NAME " <" DEFAULT_FROM_ADDRESS ">"
#define SMTP_TIMEOUT_DEFAULT 30 /* seconds, for each step of the protocol */
#define GIVE_UP_AFTER_DEFAULT (24 * 3600)
/* A quarter: see keep_sent in casewatch.conf(5) for why. */
#define KEEP_SENT_DEFAULT (90 * 86400)
#define KEEP_SENT_MIN 86400
#define KEEP_SENT_MAX (3650 * 86400)

#define IMPORT_MAX_AGE_DEFAULT (26 * 3600)

#define SCAN_INTERVAL_DEFAULT 300
#define SCAN_INTERVAL_MIN 1
#define SCAN_INTERVAL_MAX 86400

/* The embedded defaults: what a missing default configuration means. The
 * maildir is "mail" beside the state database. */
struct conf *conf_new_default(void);

/* Read and validate `path`. Every problem goes to diags as FILE:LINE:
 * message; returns 0 (*ret set) or -EINVAL / -errno (nothing set). */
int conf_load(const char *path, struct conf **ret, struct diags *diags);
void conf_free(struct conf *c);

/* Before sending: 0, or -EACCES with a problem in diags when a secret file
 * could not be read by this process. */
int conf_secrets_readable(const struct conf *c, struct diags *diags);

/* The Maildir email goes to without an smtp relay, newly allocated. */
char *conf_maildir(const struct conf *c);

/* Load the time zone the configuration names. */
int conf_timezone(const struct conf *c, struct tz **ret, struct diags *diags);

/* The working-day calendar for `division` (the configured one when < 0):
 * the holiday files' events for it layered on the built-in rules, and the
 * closures. No I/O: the files were read by conf_load(). */
struct calendar *conf_calendar(const struct conf *c, int division);

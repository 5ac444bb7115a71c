/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <libconfig.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "cfg.h"
#include "util.h"

struct conf *conf_new_default(void)
{
	struct conf *c = xcalloc(1, sizeof(*c));
	c->database = xstrdup("cases.db");
	c->state = xstrdup("state.db");
	c->timezone = xstrdup("Europe/London");
	c->division = DIVISION_ENGLAND_AND_WALES;
	c->weekend = WEEKEND_DEFAULT;
	c->scan_interval = SCAN_INTERVAL_DEFAULT;
	c->from = xstrdup(DEFAULT_FROM);
	c->from_name = xstrdup(DEFAULT_FROM_NAME);
	c->from_address = xstrdup(DEFAULT_FROM_ADDRESS);
	c->window_from = 8 * 60;
	c->window_to = 18 * 60;
	c->give_up_after = GIVE_UP_AFTER_DEFAULT;
	c->keep_sent = KEEP_SENT_DEFAULT;
	c->officer_digest = 8 * 60;
	c->manager_every = DIGEST_WEEKLY;
	c->manager_day = 0;
	c->manager_time = 8 * 60;
	c->report_monthly = true;
	c->report_time = -1;
	struct diags d = { 0 };
	if (templates_load(&c->templates, c->template_paths, &d) < 0) {
		/* The built-in templates are tested: this is a bug. */
		diags_print(&d, stderr);
		abort();
	}
	return c;
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->dir);
	free(c->database);
	free(c->state);
	for (size_t i = 0; i < c->n_rules; i++)
		free(c->rules[i]);
	free(c->rules);
	ruleset_free(&c->ruleset);
	free(c->timezone);
	holiday_list_free(&c->closures);
	for (int i = 0; i < _DIVISION_MAX; i++)
		holiday_list_free(&c->file_holidays[i]);
	free(c->maildir);
	if (c->smtp) {
		smtp_conf_free(c->smtp);
		free(c->smtp);
	}
	free(c->from);
	free(c->from_name);
	free(c->from_address);
	for (size_t i = 0; i < c->n_webhooks; i++)
		webhook_conf_free(&c->webhooks[i]);
	free(c->webhooks);
	free(c->case_link);
	for (size_t i = 0; i < c->n_report_to; i++)
		free(c->report_to[i]);
	free(c->report_to);
	free(c->unreadable_secret);
	free(c->import_inbox);
	free(c->import_mapping);
	mapping_free(c->mapping);
	free(c->metrics_textfile);
	for (int k = 0; k < _MSG_KIND_MAX; k++)
		for (int p = 0; p < _MSG_PART_MAX; p++)
			free(c->template_paths[k][p]);
	templates_free(&c->templates);
	free(c);
}

struct loader {
	struct cfgctx x;
	struct conf *c;
};

#define problem(l, s, ...) cfg_problem(&(l)->x, (s), __VA_ARGS__)

static void set_path(struct loader *l, char **dst, const config_setting_t *s, const char *what)
{
	const char *v = cfg_string(&l->x, s, what);
	if (!v)
		return;
	if (!*v) {
		problem(l, s, "%s must not be empty", what);
		return;
	}
	free(*dst);
	*dst = path_join(l->c->dir, v);
}

static void load_rules(struct loader *l, const config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		/* One pack needs no brackets. */
		l->c->rules = xmalloc(sizeof(char *));
		l->c->rules[0] = NULL;
		set_path(l, &l->c->rules[0], s, "rules");
		l->c->n_rules = l->c->rules[0] ? 1 : 0;
		return;
	}
	if (!cfg_aggregate(&l->x, s, "rules"))
		return;
	int n = config_setting_length(s);
	l->c->rules = xcalloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; i < n; i++) {
		char *p = NULL;
		set_path(l, &p, config_setting_get_elem(s, (unsigned)i), "each entry of rules");
		if (p)
			l->c->rules[l->c->n_rules++] = p;
	}
}

/* A whole number of seconds, or "N seconds|minutes|hours|days", between
 * min and max; -1 (and a problem) otherwise. */
static long long parse_seconds(struct loader *l, const config_setting_t *s, const char *what, long long min,
			       long long max)
{
	long long n = -1;
	if (config_setting_type(s) == CONFIG_TYPE_INT || config_setting_type(s) == CONFIG_TYPE_INT64) {
		n = config_setting_get_int64(s);
	} else if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		static const struct { const char *name; int secs; } units[] = {
			{ "s", 1 }, { "sec", 1 }, { "second", 1 }, { "seconds", 1 },
			{ "min", 60 }, { "minute", 60 }, { "minutes", 60 },
			{ "h", 3600 }, { "hour", 3600 }, { "hours", 3600 },
			{ "day", 86400 }, { "days", 86400 },
		};
		const char *v = config_setting_get_string(s);
		char unit[16];
		int len = 0;
		long long k;
		if (sscanf(v, "%lld %15[a-z]%n", &k, unit, &len) == 2 && v[len] == '\0' && k >= 0 && k <= 1000000)
			for (size_t i = 0; i < ELEMENTSOF(units); i++)
				if (strcmp(unit, units[i].name) == 0)
					n = k * units[i].secs;
		if (n < 0) {
			problem(l, s, "%s '%s' is not a duration like \"5 minutes\", \"90 seconds\" or \"1 hour\"",
				what, v);
			return -1;
		}
	} else {
		problem(l, s, "%s must be a number of seconds or a string like \"5 minutes\", not %s", what,
			cfg_type_name(config_setting_type(s)));
		return -1;
	}
	if (n < min || n > max) {
		_cleanup_free_ char *lo = min > 0 && min % 86400 == 0 ? xasprintf("%lld day%s", min / 86400,
										  min == 86400 ? "" : "s")
					  : min % 3600 == 0 ? xasprintf("%lld hour%s", min / 3600, min == 3600 ? "" : "s")
							    : xasprintf("%lld second%s", min, min == 1 ? "" : "s");
		_cleanup_free_ char *hi = max % 86400 == 0 && max > 86400 ? xasprintf("%lld days", max / 86400)
					  : max % 3600 == 0 ? xasprintf("%lld hours", max / 3600)
					  : max % 60 == 0   ? xasprintf("%lld minutes", max / 60)
							    : xasprintf("%lld seconds", max);
		problem(l, s, "%s must be between %s and %s", what, lo, hi);
		return -1;
	}
	return n;
}

static void load_scan_interval(struct loader *l, const config_setting_t *s)
{
	long long n = parse_seconds(l, s, "scan_interval", SCAN_INTERVAL_MIN, SCAN_INTERVAL_MAX);
	if (n >= 0)
		l->c->scan_interval = (int)n;
}

static void load_timezone(struct loader *l, const config_setting_t *s)
{
	const char *v = cfg_string(&l->x, s, "timezone");
	if (!v)
		return;
	/* Loaded once here so that a bad zone is reported with its line. */
	struct tz *tz = NULL;
	_cleanup_free_ char *why = NULL;
	int r = tz_load(v, &tz, &why);
	if (r < 0) {
		problem(l, s, "unknown timezone '%s': %s", v, why ? why : strerror(-r));
		return;
	}
	tz_free(tz);
	free(l->c->timezone);
	l->c->timezone = xstrdup(v);
}

static int parse_division(struct loader *l, const config_setting_t *s)
{
	const char *v = cfg_string(&l->x, s, "division");
	if (!v)
		return -EINVAL;
	int d = division_from_string(v);
	if (d < 0)
		problem(l, s, "unknown division '%s' (england-and-wales, scotland or northern-ireland)", v);
	return d;
}

static const char *const weekday_names[] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

static void load_weekend(struct loader *l, const config_setting_t *s)
{
	if (!cfg_aggregate(&l->x, s, "weekend"))
		return;
	unsigned mask = 0;
	bool ok = true;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = cfg_string(&l->x, e, "each day of weekend");
		if (!v) {
			ok = false;
			continue;
		}
		int wd = -1;
		for (int k = 0; k < 7; k++)
			if (strcasecmp(v, weekday_names[k]) == 0 ||
			    (strlen(v) == 3 && strncasecmp(v, weekday_names[k], 3) == 0))
				wd = k;
		if (wd < 0) {
			problem(l, e, "unknown day '%s' in weekend (monday ... sunday)", v);
			ok = false;
			continue;
		}
		mask |= 1u << wd;
	}
	if (ok && mask == WEEKEND_ALL) {
		problem(l, s, "weekend names all seven days: there would be no working days");
		return;
	}
	if (ok)
		l->c->weekend = mask;
}

/* "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD". */
static void add_closure(struct loader *l, const config_setting_t *s, const char *v, const char *title)
{
	cw_day from, to;
	const char *dots = strstr(v, "..");
	int r1 = date_parse_n(v, dots ? (size_t)(dots - v) : strlen(v), &from);
	int r2 = dots ? date_parse(dots + 2, &to) : (to = from, r1);
	if (r1 < 0 || r2 < 0) {
		problem(l, s, "closure '%s' is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD%s", v,
			(r1 == -ERANGE || r2 == -ERANGE) ? " (no such date)" : "");
		return;
	}
	if (to < from) {
		problem(l, s, "closure '%s' ends before it starts", v);
		return;
	}
	if (to - from + 1 > 366) {
		problem(l, s, "closure '%s' is longer than a year", v);
		return;
	}
	if (!calendar_in_range(from) || !calendar_in_range(to)) {
		problem(l, s, "closure '%s' is outside the calendar's years %d-%d", v,
			CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR);
		return;
	}
	for (cw_day d = from; d <= to; d++)
		holiday_list_add(&l->c->closures, d, title);
}

static void load_closures(struct loader *l, const config_setting_t *s)
{
	if (!cfg_aggregate(&l->x, s, "closures"))
		return;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) == CONFIG_TYPE_STRING) {
			add_closure(l, e, config_setting_get_string(e), "Closure");
			continue;
		}
		if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
			problem(l, e, "each closure must be a date string or a group { date = ...; title = ...; }");
			continue;
		}
		static const char *const keys[] = { "date", "title", NULL };
		cfg_check_keys(&l->x, e, keys, "a closure");
		const config_setting_t *date = config_setting_get_member(e, "date");
		const config_setting_t *title = config_setting_get_member(e, "title");
		if (!date) {
			problem(l, e, "closure has no date");
			continue;
		}
		const char *t = title ? cfg_string(&l->x, title, "title") : "Closure";
		if (t && !*t) {
			problem(l, title, "closure title must not be empty");
			t = NULL;
		}
		const char *d = cfg_string(&l->x, date, "date");
		if (d && t)
			add_closure(l, date, d, t);
	}
}

static void add_holfile(struct loader *l, const config_setting_t *s, const char *name, int division)
{
	if (!*name) {
		problem(l, s, "holiday file name must not be empty");
		return;
	}
	struct conf *c = l->c;
	_cleanup_free_ char *path = path_join(c->dir, name);
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = read_file(path, &data, &len);
	if (r < 0) {
		problem(l, s, "cannot read holiday file %s: %s", path,
			r == -EISDIR ? "it is a folder" : r == -EINVAL ? "not a regular file" : strerror(-r));
		return;
	}
	switch (holfile_detect(data, len)) {
	case HOLFILE_JSON:
		for (int d = 0; d < _DIVISION_MAX; d++) {
			if (division >= 0 && d != division)
				continue;
			/* The file's syntax is reported once, not per division. */
			struct diags scratch = { 0 };
			r = holfile_parse_json(path, data, len, division_to_string(d),
					       &c->file_holidays[d], &scratch);
			if (r < 0 || scratch.n > 0) {
				diags_move(l->x.diags, &scratch);
				break;
			}
			diags_free(&scratch);
		}
		break;
	case HOLFILE_ICS:
		holfile_parse_ics(path, data, len,
				  &c->file_holidays[division >= 0 ? division : (int)c->division], l->x.diags);
		break;
	default:
		problem(l, s, "%s is not a GOV.UK bank-holidays.json or iCalendar (.ics) file", path);
		break;
	}
}

static void load_holidays(struct loader *l, const config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		add_holfile(l, s, config_setting_get_string(s), -1);
		return;
	}
	if (!cfg_aggregate(&l->x, s, "holidays"))
		return;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) == CONFIG_TYPE_STRING) {
			add_holfile(l, e, config_setting_get_string(e), -1);
			continue;
		}
		if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
			problem(l, e, "each holiday file must be a path or a group { file = ...; division = ...; }");
			continue;
		}
		static const char *const keys[] = { "file", "division", NULL };
		cfg_check_keys(&l->x, e, keys, "a holiday file");
		const config_setting_t *file = config_setting_get_member(e, "file");
		const config_setting_t *div = config_setting_get_member(e, "division");
		if (!file) {
			problem(l, e, "holiday file entry has no file");
			continue;
		}
		int d = div ? parse_division(l, div) : -1;
		const char *p = cfg_string(&l->x, file, "file");
		if (p && !*p)
			problem(l, file, "holiday file name must not be empty");
		else if (p && (!div || d >= 0))
			add_holfile(l, file, p, d);
	}
}

static void load_calendar(struct loader *l, const config_setting_t *g)
{
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		problem(l, g, "calendar must be a group { division = ...; }, not %s",
			cfg_type_name(config_setting_type(g)));
		return;
	}
	static const char *const keys[] = { "division", "weekend", "closures", "holidays", NULL };
	cfg_check_keys(&l->x, g, keys, "calendar");
	const config_setting_t *s;
	if ((s = config_setting_get_member(g, "division"))) {
		int d = parse_division(l, s);
		if (d >= 0)
			l->c->division = (enum division)d;
	}
	if ((s = config_setting_get_member(g, "weekend")))
		load_weekend(l, s);
	if ((s = config_setting_get_member(g, "closures")))
		load_closures(l, s);
	if ((s = config_setting_get_member(g, "holidays")))
		load_holidays(l, s);
}

/* A secret only sending needs, which this process cannot have (an
 * officer running casewatch status may read the configuration, not the
 * secret): the first such is said later, at setting s, by
 * conf_secrets_readable() to check, to a send, and to casewatchd. */
static void defer_secret(struct loader *l, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void defer_secret(struct loader *l, const config_setting_t *s, const char *fmt, ...)
{
	if (l->c->unreadable_secret)
		return;
	va_list ap;
	va_start(ap, fmt);
	l->c->unreadable_secret = xvasprintf(fmt, ap);
	va_end(ap);
	l->c->unreadable_line = s ? (int)config_setting_source_line(s) : 0;
}

#define NO_SMTP_PASSWORD "smtp user '%s' has no password: set password_file, or give the service the credential smtp-password"

/* A secret in a file: refused when others than the owner may read it. */
static char *read_secret(struct loader *l, const config_setting_t *s, const char *path, const char *what,
			 size_t *ret_len)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		problem(l, s, "cannot read the %s file %s: %s", what, path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		problem(l, s, "the %s file %s is not a regular file", what, path);
		return NULL;
	}
	if (st.st_mode & 077) {
		problem(l, s, "the %s file %s may be read by %s (mode %04o): allow its owner only "
			"(chmod 600 %s)", what, path, st.st_mode & 070 ? "its group" : "others",
			(unsigned)(st.st_mode & 07777), path);
		return NULL;
	}
	if (access(path, R_OK) < 0 && errno == EACCES) {
		defer_secret(l, s, "cannot read the %s file %s: %s", what, path, strerror(EACCES));
		return xstrdup("");
	}
	char *data = NULL;
	size_t len = 0;
	int r = read_file(path, &data, &len);
	if (r < 0) {
		problem(l, s, "cannot read the %s file %s: %s", what, path, strerror(-r));
		return NULL;
	}
	/* One trailing line end is the file's, not the secret's. */
	if (len && data[len - 1] == '\n')
		data[--len] = '\0';
	if (len && data[len - 1] == '\r')
		data[--len] = '\0';
	if (len == 0) {
		problem(l, s, "the %s file %s is empty", what, path);
		free(data);
		return NULL;
	}
	if (ret_len)
		*ret_len = len;
	return data;
}

/* A non-empty string, or NULL (and a problem). */
static const char *nonempty(struct loader *l, const config_setting_t *s, const char *what)
{
	const char *v = cfg_string(&l->x, s, what);
	if (v && !*v) {
		problem(l, s, "%s must not be empty", what);
		return NULL;
	}
	return v;
}

/* Whether v has a control character: C0 (line ends and tabs among them),
 * DEL, or C1 (U+0080 to U+009F, in UTF-8). Such a value in a header or a
 * request line could add one of its own. */
static bool has_control(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
			return true;
	return false;
}

static void load_smtp(struct loader *l, const config_setting_t *g)
{
	if (!cfg_group(&l->x, g, "smtp"))
		return;
	static const char *const keys[] = {
		"server", "tls", "ca_file", "user", "password_file", "from", "timeout", NULL,
	};
	cfg_check_keys(&l->x, g, keys, "smtp");
	struct smtp_conf *m = xcalloc(1, sizeof(*m));
	m->tls = true;
	m->timeout_ms = SMTP_TIMEOUT_DEFAULT * 1000;
	const config_setting_t *s;
	bool ok = true;
	if (!(s = config_setting_get_member(g, "server"))) {
		problem(l, g, "smtp needs server = \"host:port\"");
		ok = false;
	} else {
		const char *v = nonempty(l, s, "smtp server");
		const char *colon = v ? strrchr(v, ':') : NULL;
		if (v && (!colon || colon == v || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
			  atoi(colon + 1) < 1 || atoi(colon + 1) > 65535)) {
			problem(l, s, "smtp server '%s' is not \"host:port\" (port 1-65535, e.g. \"relay.example.gov.uk:587\")",
				v);
			ok = false;
		} else if (v) {
			m->server = xstrdup(v);
			/* "[::1]:25" names an IPv6 address. */
			if (v[0] == '[' && colon[-1] == ']')
				m->host = xstrndup(v + 1, (size_t)(colon - v - 2));
			else
				m->host = xstrndup(v, (size_t)(colon - v));
			m->port = xstrdup(colon + 1);
		} else {
			ok = false;
		}
	}
	if ((s = config_setting_get_member(g, "tls"))) {
		const char *v = cfg_string(&l->x, s, "smtp tls");
		if (v && strcmp(v, "required") == 0)
			m->tls = true;
		else if (v && strcmp(v, "none") == 0)
			m->tls = false;
		else {
			if (v)
				problem(l, s, "smtp tls must be \"required\" (STARTTLS) or \"none\" (a relay on this "
					"host), not '%s'", v);
			ok = false;
		}
	}
	if ((s = config_setting_get_member(g, "ca_file"))) {
		const char *v = nonempty(l, s, "smtp ca_file");
		if (v) {
			m->ca_file = path_join(l->c->dir, v);
			if (access(m->ca_file, R_OK) < 0) {
				problem(l, s, "cannot read the smtp ca_file %s: %s", m->ca_file, strerror(errno));
				ok = false;
			}
		} else {
			ok = false;
		}
	}
	if ((s = config_setting_get_member(g, "user"))) {
		const char *v = nonempty(l, s, "smtp user");
		if (v)
			m->user = xstrdup(v);
		else
			ok = false;
	}
	const config_setting_t *pw = config_setting_get_member(g, "password_file");
	if (pw) {
		const char *v = nonempty(l, pw, "smtp password_file");
		if (!m->user) {
			problem(l, pw, "smtp password_file is set but user is not");
			ok = false;
		} else if (v) {
			_cleanup_free_ char *path = path_join(l->c->dir, v);
			if (!(m->password = read_secret(l, pw, path, "smtp password", NULL)))
				ok = false;
		} else {
			ok = false;
		}
	} else if (m->user) {
		/* systemd's LoadCredential= (casewatchd.service). */
		const char *dir = getenv("CREDENTIALS_DIRECTORY");
		if (dir && *dir) {
			_cleanup_free_ char *path = path_join(dir, "smtp-password");
			if (access(path, F_OK) == 0 && !(m->password = read_secret(l, g, path, "smtp password", NULL)))
				ok = false;
			if (!m->password && ok) {
				problem(l, g, NO_SMTP_PASSWORD, m->user);
				ok = false;
			}
		} else {
			/* Not the service (a shell: an officer's casewatch
			 * status, the administrator's calendar): only sending
			 * needs the password, and only the service has it. */
			defer_secret(l, g, NO_SMTP_PASSWORD, m->user);
			m->password = xstrdup("");
		}
	}
	_cleanup_free_ char *from_name = NULL;
	if ((s = config_setting_get_member(g, "from"))) {
		const char *v = nonempty(l, s, "smtp from");
		_cleanup_free_ char *why = NULL;
		/* Said before the value is quoted, which would break the
		 * line of the problem too. */
		if (v && strpbrk(v, "\r\n")) {
			problem(l, s, "smtp from must be one line");
			ok = false;
		} else if (v && has_control(v)) {
			problem(l, s, "smtp from must not contain control characters");
			ok = false;
		} else if (v && addr_parse(v, &from_name, &m->from_address, &why) < 0) {
			problem(l, s, "smtp from '%s': %s", v, why);
			ok = false;
		} else if (v) {
			m->from = xstrdup(v);
		} else {
			ok = false;
		}
	} else {
		m->from = xstrdup(DEFAULT_FROM);
		m->from_address = xstrdup(DEFAULT_FROM_ADDRESS);
		from_name = xstrdup(DEFAULT_FROM_NAME);
	}
	if ((s = config_setting_get_member(g, "timeout"))) {
		long long n = parse_seconds(l, s, "smtp timeout", 1, 300);
		if (n < 0)
			ok = false;
		else
			m->timeout_ms = (int)n * 1000;
	}
	if (!ok) {
		smtp_conf_free(m);
		free(m);
		return;
	}
	free(l->c->from);
	l->c->from = xstrdup(m->from);
	free(l->c->from_name);
	l->c->from_name = TAKE_PTR(from_name);
	free(l->c->from_address);
	l->c->from_address = xstrdup(m->from_address);
	l->c->smtp = m;
}

static bool url_ok(const char *v)
{
	return (strncasecmp(v, "https://", 8) == 0 && v[8]) || (strncasecmp(v, "http://", 7) == 0 && v[7]);
}

static void load_webhooks(struct loader *l, const config_setting_t *s)
{
	if (!cfg_aggregate(&l->x, s, "webhooks"))
		return;
	struct conf *c = l->c;
	int n = config_setting_length(s);
	c->webhooks = xcalloc((size_t)n + 1, sizeof(*c->webhooks));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i), *e;
		if (!cfg_group(&l->x, g, "each webhook"))
			continue;
		static const char *const keys[] = { "name", "url", "format", "secret_file", NULL };
		cfg_check_keys(&l->x, g, keys, "a webhook");
		struct webhook_conf w = { .format = WEBHOOK_GENERIC };
		bool ok = true;
		const char *name = NULL;
		if (!(e = config_setting_get_member(g, "name"))) {
			problem(l, g, "webhook has no name");
			ok = false;
		} else if ((name = nonempty(l, e, "webhook name"))) {
			if (has_control(name)) {
				problem(l, e, "webhook name must be one word (no spaces, ':' or control characters)");
				ok = false;
			} else if (strpbrk(name, " :")) {
				problem(l, e, "webhook name '%s' must be one word (no spaces or ':')", name);
				ok = false;
			}
			for (size_t k = 0; k < c->n_webhooks; k++)
				if (strcmp(c->webhooks[k].name, name) == 0) {
					problem(l, e, "two webhooks are named '%s'", name);
					ok = false;
				}
		} else {
			ok = false;
		}
		if (!(e = config_setting_get_member(g, "url"))) {
			problem(l, g, "webhook has no url");
			ok = false;
		} else {
			const char *v = nonempty(l, e, "webhook url");
			if (v && !url_ok(v)) {
				problem(l, e, "webhook url must start with https:// (or http://)");
				ok = false;
			} else if (v && (has_control(v) || strchr(v, ' '))) {
				/* curl would send it as it is: a line end could add
				 * a header, or a request, of its own. */
				problem(l, e, "webhook url must not contain spaces or control characters (a line end, "
					      "a tab): write a space as %%20");
				ok = false;
			} else if (v) {
				w.url = xstrdup(v);
			} else {
				ok = false;
			}
		}
		if ((e = config_setting_get_member(g, "format"))) {
			const char *v = cfg_string(&l->x, e, "webhook format");
			int f = v ? webhook_format_from_string(v) : -EINVAL;
			if (f < 0) {
				if (v)
					problem(l, e, "unknown webhook format '%s' (generic, slack or teams)", v);
				ok = false;
			} else {
				w.format = (enum webhook_format)f;
			}
		}
		if ((e = config_setting_get_member(g, "secret_file"))) {
			const char *v = nonempty(l, e, "webhook secret_file");
			_cleanup_free_ char *path = v ? path_join(c->dir, v) : NULL;
			if (!path || !(w.secret = read_secret(l, e, path, "webhook secret", &w.secret_len)))
				ok = false;
		}
		if (!ok) {
			webhook_conf_free(&w);
			continue;
		}
		w.name = xstrdup(name);
		c->webhooks[c->n_webhooks++] = w;
	}
}

/* "HH:MM" as minutes after midnight, or -1 (and a problem). */
static int parse_clock(struct loader *l, const config_setting_t *s, const char *what)
{
	const char *v = cfg_string(&l->x, s, what);
	if (!v)
		return -1;
	int h, m, len = 0;
	if (sscanf(v, "%2d:%2d%n", &h, &m, &len) != 2 || v[len] || len != 5 || h > 23 || m > 59 || h < 0 || m < 0) {
		problem(l, s, "%s '%s' is not a time of day HH:MM", what, v);
		return -1;
	}
	return h * 60 + m;
}

static void load_window(struct loader *l, const config_setting_t *g)
{
	if (!cfg_group(&l->x, g, "window"))
		return;
	static const char *const keys[] = { "days", "from", "to", NULL };
	cfg_check_keys(&l->x, g, keys, "window");
	const config_setting_t *s;
	struct conf *c = l->c;
	if ((s = config_setting_get_member(g, "days"))) {
		const char *v = cfg_string(&l->x, s, "window days");
		if (v && strcmp(v, "working") == 0)
			c->window_every_day = false;
		else if (v && strcmp(v, "all") == 0)
			c->window_every_day = true;
		else if (v)
			problem(l, s, "window days must be \"working\" or \"all\", not '%s'", v);
	}
	int from = c->window_from, to = c->window_to, m;
	if ((s = config_setting_get_member(g, "from")) && (m = parse_clock(l, s, "window from")) >= 0)
		from = m;
	if ((s = config_setting_get_member(g, "to")) && (m = parse_clock(l, s, "window to")) >= 0)
		to = m;
	if (to <= from) {
		problem(l, g, "the send window closes (%02d:%02d) before it opens (%02d:%02d)", to / 60, to % 60,
			from / 60, from % 60);
		return;
	}
	c->window_from = from;
	c->window_to = to;
}

static void load_manager_digest(struct loader *l, const config_setting_t *g)
{
	if (!cfg_group(&l->x, g, "manager_digest"))
		return;
	static const char *const keys[] = { "every", "day", "time", NULL };
	cfg_check_keys(&l->x, g, keys, "manager_digest");
	const config_setting_t *s;
	struct conf *c = l->c;
	if ((s = config_setting_get_member(g, "every"))) {
		const char *v = cfg_string(&l->x, s, "manager_digest every");
		if (v && strcmp(v, "day") == 0)
			c->manager_every = DIGEST_DAILY;
		else if (v && strcmp(v, "week") == 0)
			c->manager_every = DIGEST_WEEKLY;
		else if (v && strcmp(v, "never") == 0)
			c->manager_every = DIGEST_NEVER;
		else if (v)
			problem(l, s, "manager_digest every must be \"day\", \"week\" or \"never\", not '%s'", v);
	}
	if ((s = config_setting_get_member(g, "day"))) {
		const char *v = cfg_string(&l->x, s, "manager_digest day");
		int wd = -1;
		for (int k = 0; v && k < 7; k++)
			if (strcasecmp(v, weekday_names[k]) == 0)
				wd = k;
		if (wd < 0 && v)
			problem(l, s, "unknown day '%s' in manager_digest (monday ... sunday)", v);
		else if (wd >= 0)
			c->manager_day = wd;
	}
	int m;
	if ((s = config_setting_get_member(g, "time")) && (m = parse_clock(l, s, "manager_digest time")) >= 0)
		c->manager_time = m;
}

/* monthly_report = false, or { to = [ "ADDRESS", ... ]; time = "HH:MM"; } */
static void load_monthly_report(struct loader *l, const config_setting_t *g)
{
	struct conf *c = l->c;
	if (config_setting_type(g) == CONFIG_TYPE_BOOL) {
		c->report_monthly = config_setting_get_bool(g);
		return;
	}
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		problem(l, g, "monthly_report is true, false or a group { to = [ \"ADDRESS\", ... ]; time = \"HH:MM\"; }, "
			"not %s", cfg_type_name(config_setting_type(g)));
		return;
	}
	static const char *const keys[] = { "to", "time", NULL };
	cfg_check_keys(&l->x, g, keys, "monthly_report");
	const config_setting_t *s;
	if ((s = config_setting_get_member(g, "to")) && cfg_aggregate(&l->x, s, "monthly_report to")) {
		int n = config_setting_length(s);
		if (n == 0)
			problem(l, s, "monthly_report to is empty: leave it out to send to the managers, or set "
				"monthly_report = false");
		c->report_to = xcalloc((size_t)n + 1, sizeof(char *));
		for (int i = 0; i < n; i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
			const char *v = cfg_string(&l->x, e, "monthly_report to");
			_cleanup_free_ char *why = v ? addr_spec_problem(v) : NULL;
			if (why)
				problem(l, e, "monthly_report to '%s' is not an email address: %s", v, why);
			else if (v)
				c->report_to[c->n_report_to++] = xstrdup(v);
		}
	}
	int m;
	if ((s = config_setting_get_member(g, "time")) && (m = parse_clock(l, s, "monthly_report time")) >= 0)
		c->report_time = m;
}

static void load_templates(struct loader *l, const config_setting_t *g)
{
	if (!cfg_group(&l->x, g, "templates"))
		return;
	const char *keys[_MSG_KIND_MAX * _MSG_PART_MAX + 1];
	size_t n = 0;
	for (int k = 0; k < _MSG_KIND_MAX; k++)
		for (int p = 0; p < _MSG_PART_MAX; p++)
			keys[n++] = msg_template_key((enum msg_kind)k, (enum msg_part)p);
	keys[n] = NULL;
	cfg_check_keys(&l->x, g, keys, "templates");
	for (int k = 0; k < _MSG_KIND_MAX; k++)
		for (int p = 0; p < _MSG_PART_MAX; p++) {
			const char *key = msg_template_key((enum msg_kind)k, (enum msg_part)p);
			const config_setting_t *s = config_setting_get_member(g, key);
			const char *v = s ? nonempty(l, s, key) : NULL;
			if (v) {
				free(l->c->template_paths[k][p]);
				l->c->template_paths[k][p] = path_join(l->c->dir, v);
			}
		}
}

static void load_notify(struct loader *l, const config_setting_t *g)
{
	if (!cfg_group(&l->x, g, "notify"))
		return;
	static const char *const keys[] = {
		"case_link", "window", "give_up_after", "keep_sent", "officer_digest", "manager_digest",
		"monthly_report", "templates", NULL,
	};
	cfg_check_keys(&l->x, g, keys, "notify");
	const config_setting_t *s;
	struct conf *c = l->c;
	if ((s = config_setting_get_member(g, "case_link"))) {
		const char *v = nonempty(l, s, "case_link");
		if (v && !url_ok(v))
			problem(l, s, "case_link must start with https:// (or http://)");
		else if (v && !strstr(v, "{ref}"))
			problem(l, s, "case_link must contain {ref}, where the case reference goes");
		else if (v)
			c->case_link = xstrdup(v);
	}
	if ((s = config_setting_get_member(g, "window")))
		load_window(l, s);
	if ((s = config_setting_get_member(g, "give_up_after"))) {
		long long n = parse_seconds(l, s, "give_up_after", 3600, 30 * 86400);
		if (n >= 0)
			c->give_up_after = (int)n;
	}
	if ((s = config_setting_get_member(g, "keep_sent"))) {
		/* At least a day: a message given up can be sent again
		 * (casewatch outbox retry) only while its body is there. */
		if (config_setting_type(s) == CONFIG_TYPE_BOOL && !config_setting_get_bool(s))
			c->keep_sent = 0;
		else if (config_setting_type(s) == CONFIG_TYPE_BOOL)
			problem(l, s, "keep_sent is a duration like \"90 days\", or false to keep sent messages "
				"for ever");
		else {
			long long n = parse_seconds(l, s, "keep_sent", KEEP_SENT_MIN, KEEP_SENT_MAX);
			if (n >= 0)
				c->keep_sent = (int)n;
		}
	}
	if ((s = config_setting_get_member(g, "officer_digest"))) {
		int m;
		if (config_setting_type(s) == CONFIG_TYPE_BOOL && !config_setting_get_bool(s))
			c->officer_digest = -1;
		else if (config_setting_type(s) == CONFIG_TYPE_BOOL)
			problem(l, s, "officer_digest is a time of day \"HH:MM\", or false for none");
		else if ((m = parse_clock(l, s, "officer_digest")) >= 0)
			c->officer_digest = m;
	}
	if ((s = config_setting_get_member(g, "manager_digest")))
		load_manager_digest(l, s);
	if ((s = config_setting_get_member(g, "monthly_report")))
		load_monthly_report(l, s);
	if ((s = config_setting_get_member(g, "templates")))
		load_templates(l, s);
	/* A digest is sent inside the window: one timed after it never goes. */
	if (c->officer_digest >= c->window_to)
		problem(l, config_setting_get_member(g, "officer_digest") ? config_setting_get_member(g, "officer_digest") : g,
			"officer_digest (%02d:%02d) is not before the send window closes (%02d:%02d): it would never "
			"be sent", c->officer_digest / 60, c->officer_digest % 60, c->window_to / 60, c->window_to % 60);
	if (c->manager_every != DIGEST_NEVER && c->manager_time >= c->window_to)
		problem(l, g, "the managers' digest time (%02d:%02d) is not before the send window closes (%02d:%02d): "
			"it would never be sent", c->manager_time / 60, c->manager_time % 60, c->window_to / 60,
			c->window_to % 60);
	/* Unset, it follows the managers' digest: a unit that stopped
	 * those does not start getting this one. */
	if (!config_setting_get_member(g, "monthly_report"))
		c->report_monthly = c->manager_every != DIGEST_NEVER;
	int rt = c->report_time >= 0 ? c->report_time : c->manager_time;
	const config_setting_t *mr = config_setting_get_member(g, "monthly_report"),
			       *at = mr && config_setting_is_group(mr) ? config_setting_get_member(mr, "time") : NULL;
	if (c->report_monthly && rt >= c->window_to)
		problem(l, at ? at : mr ? mr : g, "the monthly report's time (%02d:%02d%s) is not before the send "
			"window closes (%02d:%02d): it would never be sent", rt / 60, rt % 60,
			c->report_time >= 0 ? "" : ", the managers' digest's", c->window_to / 60, c->window_to % 60);
}

/* import = { inbox = "DIR"; mapping = "FILE"; max_age = "26 hours"; }: the
 * mapping is read here, so that `check` covers it and a daemon never runs
 * with a broken one. */
static void load_import(struct loader *l, const config_setting_t *g)
{
	if (!cfg_group(&l->x, g, "import"))
		return;
	static const char *const keys[] = { "inbox", "mapping", "max_age", NULL };
	cfg_check_keys(&l->x, g, keys, "import");
	struct conf *c = l->c;
	const config_setting_t *s;
	c->import = true;
	c->import_max_age = IMPORT_MAX_AGE_DEFAULT;
	if ((s = config_setting_get_member(g, "inbox")))
		set_path(l, &c->import_inbox, s, "import inbox");
	if ((s = config_setting_get_member(g, "mapping")))
		set_path(l, &c->import_mapping, s, "import mapping");
	else
		problem(l, g, "import needs mapping = \"FILE\": how the exports' columns become casewatch's "
			"(casewatch-import(5))");
	if ((s = config_setting_get_member(g, "max_age"))) {
		if (config_setting_type(s) == CONFIG_TYPE_BOOL && !config_setting_get_bool(s))
			c->import_max_age = 0;
		else if (config_setting_type(s) == CONFIG_TYPE_BOOL)
			problem(l, s, "import max_age is a duration like \"26 hours\", or false for no limit");
		else {
			long long n = parse_seconds(l, s, "import max_age", 3600, 30 * 86400);
			if (n >= 0)
				c->import_max_age = (int)n;
		}
	}
	if (c->import_mapping)
		mapping_load(c->import_mapping, &c->mapping, l->x.diags);
}

/* metrics = { textfile = "FILE.prom"; }: off unless set. */
static void load_metrics(struct loader *l, const config_setting_t *g)
{
	if (!cfg_group(&l->x, g, "metrics"))
		return;
	static const char *const keys[] = { "textfile", NULL };
	cfg_check_keys(&l->x, g, keys, "metrics");
	const config_setting_t *s = config_setting_get_member(g, "textfile");
	if (!s)
		return;
	set_path(l, &l->c->metrics_textfile, s, "metrics textfile");
	const char *p = l->c->metrics_textfile;
	size_t n = p ? strlen(p) : 0;
	/* node_exporter's textfile collector reads *.prom and nothing else:
	 * any other name would be written for nobody. */
	if (p && (n < 6 || strcmp(p + n - 5, ".prom") != 0 || p[n - 6] == '/')) {
		problem(l, s, "metrics textfile '%s' must be a file named NAME.prom: node_exporter's textfile "
			"collector reads only those", config_setting_get_string(s));
		free(l->c->metrics_textfile);
		l->c->metrics_textfile = NULL;
	}
}

int conf_secrets_readable(const struct conf *c, struct diags *diags)
{
	if (!c->unreadable_secret)
		return 0;
	diags_add(diags, c->path, c->unreadable_line, "%s", c->unreadable_secret);
	return -EACCES;
}

char *conf_maildir(const struct conf *c)
{
	if (c->maildir)
		return xstrdup(c->maildir);
	_cleanup_free_ char *dir = path_dirname(c->state);
	return path_join(dir, "mail");
}

int conf_load(const char *path, struct conf **ret, struct diags *diags)
{
	struct conf *c = conf_new_default();
	c->path = xstrdup(path);
	c->dir = path_dirname(path);
	/* The default files, like any named in the file, are beside it. */
	char *p = path_join(c->dir, c->database);
	free(c->database);
	c->database = p;
	p = path_join(c->dir, c->state);
	free(c->state);
	c->state = p;

	config_t cfg;
	config_init(&cfg);
	/* @include is relative to the file, not to the working directory
	 * (which is / under systemd). */
	config_set_include_dir(&cfg, c->dir);

	size_t before = diags->n;
	int r = cfg_read_file(&cfg, path, diags);
	if (r < 0) {
		config_destroy(&cfg);
		conf_free(c);
		return r;
	}

	struct loader l = { .x = { .diags = diags, .path = path }, .c = c };
	const config_setting_t *root = config_root_setting(&cfg);
	static const char *const keys[] = {
		"database", "state", "rules", "timezone", "calendar", "scan_interval",
		"maildir", "smtp", "webhooks", "notify", "import", "metrics", NULL,
	};
	cfg_check_keys(&l.x, root, keys, "the configuration");
	const config_setting_t *s;
	if ((s = config_setting_get_member(root, "database")))
		set_path(&l, &c->database, s, "database");
	if ((s = config_setting_get_member(root, "state")))
		set_path(&l, &c->state, s, "state");
	if ((s = config_setting_get_member(root, "rules")))
		load_rules(&l, s);
	if ((s = config_setting_get_member(root, "timezone")))
		load_timezone(&l, s);
	if ((s = config_setting_get_member(root, "calendar")))
		load_calendar(&l, s);
	if ((s = config_setting_get_member(root, "scan_interval")))
		load_scan_interval(&l, s);
	if ((s = config_setting_get_member(root, "maildir")))
		set_path(&l, &c->maildir, s, "maildir");
	if ((s = config_setting_get_member(root, "smtp")))
		load_smtp(&l, s);
	if ((s = config_setting_get_member(root, "webhooks")))
		load_webhooks(&l, s);
	if ((s = config_setting_get_member(root, "notify")))
		load_notify(&l, s);
	if ((s = config_setting_get_member(root, "import")))
		load_import(&l, s);
	if ((s = config_setting_get_member(root, "metrics")))
		load_metrics(&l, s);
	config_destroy(&cfg);

	/* Templates named in the file replace the built-in ones. */
	templates_free(&c->templates);
	templates_load(&c->templates, c->template_paths, diags);

	/* The packs are part of the configuration: `check` covers them, and
	 * a daemon never runs on half its rules. */
	rules_load(c->rules, c->n_rules, &c->ruleset, diags);

	if (diags->n > before) {
		conf_free(c);
		return -EINVAL;
	}
	*ret = c;
	return 0;
}

int conf_timezone(const struct conf *c, struct tz **ret, struct diags *diags)
{
	_cleanup_free_ char *why = NULL;
	int r = tz_load(c->timezone, ret, &why);
	if (r < 0)
		diags_add(diags, c->path, 0, "unknown timezone '%s': %s", c->timezone,
			  why ? why : strerror(-r));
	return r;
}

struct calendar *conf_calendar(const struct conf *c, int division)
{
	enum division div = division >= 0 ? (enum division)division : c->division;
	return calendar_new(div, c->weekend, &c->file_holidays[div], &c->closures);
}

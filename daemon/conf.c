/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "conf.h"

#include <errno.h>
#include <stdio.h>
#include <libconfig.h>
#include <string.h>
#include <strings.h>

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

/* A whole number of seconds, or "N seconds|minutes|hours". */
static void load_scan_interval(struct loader *l, const config_setting_t *s)
{
	long long n = -1;
	if (config_setting_type(s) == CONFIG_TYPE_INT || config_setting_type(s) == CONFIG_TYPE_INT64) {
		n = config_setting_get_int64(s);
	} else if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		static const struct { const char *name; int secs; } units[] = {
			{ "s", 1 }, { "sec", 1 }, { "second", 1 }, { "seconds", 1 },
			{ "min", 60 }, { "minute", 60 }, { "minutes", 60 },
			{ "h", 3600 }, { "hour", 3600 }, { "hours", 3600 },
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
			problem(l, s, "scan_interval '%s' is not a duration like \"5 minutes\", \"90 seconds\" or \"1 hour\"", v);
			return;
		}
	} else {
		problem(l, s, "scan_interval must be a number of seconds or a string like \"5 minutes\", not %s",
			cfg_type_name(config_setting_type(s)));
		return;
	}
	if (n < SCAN_INTERVAL_MIN || n > SCAN_INTERVAL_MAX) {
		problem(l, s, "scan_interval must be between %d second%s and %d hours", SCAN_INTERVAL_MIN,
			SCAN_INTERVAL_MIN == 1 ? "" : "s", SCAN_INTERVAL_MAX / 3600);
		return;
	}
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
		"database", "state", "rules", "timezone", "calendar", "scan_interval", NULL,
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
	config_destroy(&cfg);

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

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rules.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "address.h"
#include "cfg.h"
#include "util.h"

/* ---- Names ------------------------------------------------------------- */

static const char *const kind_names[_RULE_KIND_MAX] = {
	[RULE_DEADLINE] = "deadline", [RULE_RECURRING] = "recurring", [RULE_GATE] = "gate",
	[RULE_CHECK] = "check", [RULE_UNIT] = "unit", [RULE_TARGET] = "target",
};
static const char *const stage_names[_STAGE_MAX] = { "enquiry", "case", "closed" };
static const char *const risk_names[_RISK_MAX] = { "standard", "medium", "high" };
static const char *const role_names[_ROLE_MAX] = {
	"victim", "complainant", "witness", "perpetrator", "referrer",
};
static const char *const channel_names[_CHANNEL_MAX] = {
	"phone", "letter", "email", "visit", "sms", "meeting",
};
static const char *const event_names[_EV_MAX] = {
	"accepted", "not_accepted", "closed", "reopened", "hold", "resume", "risk", "serious", "contact",
	"hate", "agreed",
};
static const char *const notify_names[_NOTIFY_MAX] = { "upcoming", "due", "overdue", "escalated" };

static int lookup(const char *const *names, size_t n, const char *s)
{
	/* Every row a scan reads comes through here with the names' own
	 * strings (the *_word functions below): known by their address. */
	for (size_t i = 0; i < n; i++)
		if (names[i] == s)
			return (int)i;
	/* The first letter first. */
	for (size_t i = 0; i < n; i++)
		if (names[i] && names[i][0] == s[0] && strcmp(names[i], s) == 0)
			return (int)i;
	return -EINVAL;
}

/* "a, b or c", for messages. */
static char *name_list(const char *const *names, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 4;
	char *buf = xmalloc(len), *p = buf;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
	*p = '\0';
	return buf;
}

const char *role_to_string(enum role r) { return role_names[r]; }
const char *event_kind_to_string(enum event_kind k) { return event_names[k]; }
int stage_from_string(const char *s) { return lookup(stage_names, _STAGE_MAX, s); }
const char *notify_stage_to_string(enum notify_stage s) { return notify_names[s]; }
int notify_stage_from_string(const char *s) { return lookup(notify_names, _NOTIFY_MAX, s); }
int risk_from_string(const char *s) { return lookup(risk_names, _RISK_MAX, s); }
int role_from_string(const char *s) { return lookup(role_names, _ROLE_MAX, s); }
int channel_from_string(const char *s) { return lookup(channel_names, _CHANNEL_MAX, s); }
int event_kind_from_string(const char *s) { return lookup(event_names, _EV_MAX, s); }

/* For the scan, which reads a word of each row: the names' own strings,
 * and no call to strcmp, whose setup costs more than these few letters
 * (callgrind). */
static const char *word(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		const char *a = names[i], *b = s;
		if (*a != *b)
			continue;
		while (*a && *a == *b)
			a++, b++;
		if (*a == *b)
			return names[i];
	}
	return NULL;
}

const char *stage_word(const char *s) { return word(stage_names, _STAGE_MAX, s); }
const char *risk_word(const char *s) { return word(risk_names, _RISK_MAX, s); }
const char *role_word(const char *s) { return word(role_names, _ROLE_MAX, s); }
const char *channel_word(const char *s) { return word(channel_names, _CHANNEL_MAX, s); }
const char *event_kind_word(const char *s) { return word(event_names, _EV_MAX, s); }

int duration_parse(const char *s, bool allow_months, struct duration *ret)
{
	const char *p = s;
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	long n = 0;
	while (*p >= '0' && *p <= '9') {
		n = n * 10 + (*p++ - '0');
		if (n > 10000)
			return -EINVAL;
	}
	if (*p != ' ')
		return -EINVAL;
	while (*p == ' ')
		p++;
	static const struct {
		const char *one, *many;
		enum dur_unit unit;
	} units[] = {
		{ "working day", "working days", DUR_WORKING_DAYS },
		{ "day", "days", DUR_DAYS },
		{ "hour", "hours", DUR_HOURS },
		{ "month", "months", DUR_MONTHS },
	};
	size_t len = strlen(p);
	while (len > 0 && p[len - 1] == ' ')
		len--;
	for (size_t i = 0; i < ELEMENTSOF(units); i++) {
		/* "1 days" and "3 day" are accepted too: people write both. */
		if ((strlen(units[i].one) == len && strncmp(p, units[i].one, len) == 0) ||
		    (strlen(units[i].many) == len && strncmp(p, units[i].many, len) == 0)) {
			if (units[i].unit == DUR_MONTHS && !allow_months)
				return -EINVAL;
			*ret = (struct duration){ .n = (int)n, .unit = units[i].unit };
			return 0;
		}
	}
	return -EINVAL;
}

/* Numbers officers write in words, for agreed timescales. */
static const char *const number_words[] = {
	"a", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
};

int agreed_parse(const char *s, struct duration *ret)
{
	/* Lower case, white space collapsed, a final full stop and a leading
	 * "every" dropped: "Every 2 Weeks." is "2 weeks". */
	char buf[64];
	size_t n = 0;
	bool space = true;
	for (const char *p = s; *p; p++) {
		char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (!space)
				buf[n++] = ' ';
			space = true;
		} else {
			buf[n++] = c;
			space = false;
		}
		if (n >= sizeof(buf) - 1)
			return -EINVAL; /* no timescale is that long */
	}
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '.'))
		n--;
	buf[n] = '\0';
	const char *p = buf;
	if (strncmp(p, "every ", 6) == 0)
		p += 6;

	static const struct {
		const char *word;
		struct duration d;
	} words[] = {
		{ "daily", { 1, DUR_DAYS } },      { "weekly", { 7, DUR_DAYS } },
		{ "fortnightly", { 14, DUR_DAYS } }, { "monthly", { 1, DUR_MONTHS } },
		/* after "every": "every week", "every fortnight" */
		{ "day", { 1, DUR_DAYS } },        { "working day", { 1, DUR_WORKING_DAYS } },
		{ "week", { 7, DUR_DAYS } },       { "fortnight", { 14, DUR_DAYS } },
		{ "month", { 1, DUR_MONTHS } },
	};
	for (size_t i = 0; i < ELEMENTSOF(words); i++)
		if (strcmp(p, words[i].word) == 0) {
			*ret = words[i].d;
			return 0;
		}
	/* Ten years at most in any unit: anything longer is not a contact
	 * timescale, and would put deadlines past the calendar's years. */
	static const long most[] = {
		[DUR_WORKING_DAYS] = 2610, [DUR_DAYS] = 3653, [DUR_HOURS] = 87660, [DUR_MONTHS] = 120,
	};

	long count = 0;
	if (*p >= '0' && *p <= '9') {
		while (*p >= '0' && *p <= '9') {
			count = count * 10 + (*p++ - '0');
			if (count > 10000)
				return -EINVAL;
		}
	} else {
		for (size_t i = 0; i < ELEMENTSOF(number_words) && !count; i++) {
			size_t len = strlen(number_words[i]);
			if (strncmp(p, number_words[i], len) == 0 && p[len] == ' ') {
				count = i == 0 ? 1 : (long)i;
				p += len;
			}
		}
	}
	if (count <= 0)
		return -EINVAL;
	if (*p == ' ')
		p++;
	static const struct {
		const char *one, *many;
		int factor;
		enum dur_unit unit;
	} units[] = {
		{ "working day", "working days", 1, DUR_WORKING_DAYS },
		{ "day", "days", 1, DUR_DAYS },
		{ "calendar day", "calendar days", 1, DUR_DAYS },
		{ "week", "weeks", 7, DUR_DAYS },
		{ "fortnight", "fortnights", 14, DUR_DAYS },
		{ "month", "months", 1, DUR_MONTHS },
		{ "hour", "hours", 1, DUR_HOURS },
	};
	for (size_t i = 0; i < ELEMENTSOF(units); i++)
		if (strcmp(p, units[i].one) == 0 || strcmp(p, units[i].many) == 0) {
			if (count * units[i].factor > most[units[i].unit])
				return -EINVAL;
			*ret = (struct duration){ .n = (int)(count * units[i].factor), .unit = units[i].unit };
			return 0;
		}
	return -EINVAL;
}

long roles_parse(const char *s, const char **ret_bad, size_t *ret_bad_len)
{
	long mask = 0;
	const char *p = s;
	for (;;) {
		while (*p == ',' || *p == ';' || *p == '/' || *p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return mask;
		size_t len = strcspn(p, ",;/ \t");
		int k = -EINVAL;
		for (int i = 0; i < _ROLE_MAX && k < 0; i++)
			if (strlen(role_names[i]) == len && strncmp(role_names[i], p, len) == 0)
				k = i;
		if (k < 0) {
			*ret_bad = p;
			*ret_bad_len = len;
			return -EINVAL;
		}
		mask |= 1L << k;
		p += len;
	}
}

/* ---- Loading ----------------------------------------------------------- */

/* Every rule id met so far, loaded or not, for duplicates across packs. */
struct seen_id {
	char *id, *file;
	int line;
};
struct seen_ids {
	struct seen_id *v;
	size_t n, cap;
};

struct rloader {
	struct cfgctx x;
	struct ruleset *rs;
	struct seen_ids *seen;
	const char *pack;
	struct notify_stage_policy pack_notify[_NOTIFY_MAX];
};

#define problem(l, s, ...) cfg_problem(&(l)->x, (s), __VA_ARGS__)

static void notify_policy_free(struct notify_stage_policy *p)
{
	for (size_t i = 0; i < p->n_addresses; i++)
		free(p->addresses[i]);
	free(p->addresses);
	p->addresses = NULL;
	p->n_addresses = 0;
}

static void notify_policy_copy(struct notify_stage_policy *to, const struct notify_stage_policy *from)
{
	*to = *from;
	to->addresses = from->n_addresses ? xcalloc(from->n_addresses, sizeof(char *)) : NULL;
	for (size_t i = 0; i < from->n_addresses; i++)
		to->addresses[i] = xstrdup(from->addresses[i]);
}

static void default_notify(struct notify_stage_policy p[_NOTIFY_MAX])
{
	p[NOTIFY_UPCOMING] = (struct notify_stage_policy){
		.enabled = true, .offset = { 1, DUR_WORKING_DAYS }, .to = RECIPIENT_OFFICER };
	p[NOTIFY_DUE] = (struct notify_stage_policy){ .enabled = true, .to = RECIPIENT_OFFICER };
	p[NOTIFY_OVERDUE] = (struct notify_stage_policy){
		.enabled = true, .to = RECIPIENT_OFFICER | RECIPIENT_SUPERVISOR };
	p[NOTIFY_ESCALATED] = (struct notify_stage_policy){
		.enabled = true, .offset = { 5, DUR_WORKING_DAYS }, .to = RECIPIENT_MANAGER };
}

static void filter_free(struct rule_filter *f)
{
	for (size_t i = 0; i < f->n_categories; i++)
		free(f->categories[i]);
	free(f->categories);
}

static void rule_free(struct rule *r)
{
	free(r->id);
	free(r->title);
	free(r->pack);
	free(r->file);
	for (size_t i = 0; i < r->n_when; i++)
		filter_free(&r->when[i]);
	free(r->when);
	for (size_t i = 0; i < r->n_met_details; i++)
		free(r->met_details[i]);
	free(r->met_details);
	free(r->meeting);
	free(r->no_party_roles);
	for (int i = 0; i < _NOTIFY_MAX; i++)
		notify_policy_free(&r->notify[i]);
}

/* The roles a rule is owed to, for its no_party problem line: those of
 * for, then fallback in order, or met_by's, as "a, b or c". */
static char *owed_roles_text(const struct rule *r)
{
	const char *v[2 * _ROLE_MAX];
	size_t n = 0;
	unsigned first = r->for_roles ? r->for_roles : r->met_roles;
	for (int k = 0; k < _ROLE_MAX; k++)
		if (first & (1u << k))
			v[n++] = role_names[k];
	for (size_t i = 0; r->for_roles && i < r->n_fallback; i++)
		v[n++] = role_names[r->fallback[i]];
	return name_list(v, n);
}

char *rule_met_by_text(const struct rule *r)
{
	if (r->kind == RULE_UNIT) {
		/* Meeting kinds are codes, mostly acronyms: "jag", "marac"
		 * (a unit rule without one does not load). */
		_cleanup_free_ char *kind = xstrdup(r->meeting);
		size_t n = strlen(kind);
		bool acronym = n <= 5;
		for (size_t i = 0; i < n && acronym; i++)
			acronym = (kind[i] >= 'a' && kind[i] <= 'z') || (kind[i] >= 'A' && kind[i] <= 'Z');
		for (size_t i = 0; i < n && acronym; i++)
			kind[i] = (char)(kind[i] & ~0x20);
		return xasprintf("a %s meeting recorded", kind);
	}
	if (r->kind == RULE_CHECK || (r->kind == RULE_TARGET && r->measure != MEASURE_INTERVAL))
		return NULL;
	static const char *const kinds[_EV_MAX] = {
		[EV_ACCEPTED] = "the case recorded as accepted",
		[EV_NOT_ACCEPTED] = "the case recorded as not accepted",
		[EV_CLOSED] = "the case recorded as closed",
		[EV_REOPENED] = "the case recorded as reopened",
		[EV_HOLD] = "the case recorded as on hold",
		[EV_RESUME] = "the case recorded as off hold",
		[EV_RISK] = "a risk review",
		[EV_SERIOUS] = "a serious incident recorded",
		[EV_CONTACT] = "a contact",
		[EV_HATE] = "a hate crime flag recorded",
		[EV_AGREED] = "a contact timescale agreed",
	};
	static const char *const channels[_CHANNEL_MAX] = {
		[CHANNEL_PHONE] = "phone call", [CHANNEL_LETTER] = "letter", [CHANNEL_EMAIL] = "email",
		[CHANNEL_VISIT] = "visit",      [CHANNEL_SMS] = "text message", [CHANNEL_MEETING] = "meeting",
	};
	/* One sends a letter, an email, a text or a visit to someone, and
	 * has a call, a meeting or a contact with them. */
	const unsigned sent_to = 1u << CHANNEL_LETTER | 1u << CHANNEL_EMAIL | 1u << CHANNEL_SMS | 1u << CHANNEL_VISIT;
	bool to = false;
	struct strbuf b = { 0 };
	strbuf_add(&b, "", 0);
	if (r->met_kind == EV_CONTACT && r->met_channels && !r->met_preferred) {
		/* "a phone call", "a letter or email", "a visit, phone call or letter" */
		const char *v[_CHANNEL_MAX];
		size_t n = 0;
		for (int k = 0; k < _CHANNEL_MAX; k++)
			if (r->met_channels & (1u << k))
				v[n++] = channels[k];
		_cleanup_free_ char *list = name_list(v, n);
		strbuf_adds(&b, strchr("aeiou", list[0]) ? "an " : "a ");
		strbuf_adds(&b, list);
		to = (r->met_channels & ~sent_to) == 0;
	} else {
		strbuf_adds(&b, kinds[r->met_kind]);
	}
	if (r->n_met_details) {
		_cleanup_free_ char *list = name_list((const char *const *)r->met_details, r->n_met_details);
		strbuf_adds(&b, r->met_kind == EV_RISK ? " (to " : " (");
		strbuf_adds(&b, list);
		strbuf_adds(&b, ")");
	}
	if (r->met_own_party) {
		strbuf_adds(&b, to ? " to them" : " with them");
	} else if (r->met_roles) {
		const char *v[_ROLE_MAX];
		size_t n = 0;
		for (int k = 0; k < _ROLE_MAX; k++)
			if (r->met_roles & (1u << k))
				v[n++] = role_names[k];
		_cleanup_free_ char *list = name_list(v, n);
		strbuf_adds(&b, to ? " to the " : " with the ");
		strbuf_adds(&b, list);
	}
	if (r->met_kind == EV_CONTACT && r->met_preferred)
		strbuf_adds(&b, " by the channel they prefer");
	return b.p;
}

void ruleset_free(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		rule_free(&rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

/* Settings that take one string or a list of them: how many values, and
 * the i-th. */
static int n_values(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_STRING ? 1 : config_setting_length(s);
}

static const config_setting_t *value(const config_setting_t *s, int i)
{
	return config_setting_type(s) == CONFIG_TYPE_STRING ? s : config_setting_get_elem(s, (unsigned)i);
}

/* A string or a list of strings, each looked up in names: a mask, or -1
 * after reporting. An empty list is reported too: it never matches. */
static long name_mask(struct rloader *l, const config_setting_t *s, const char *what, const char *noun,
		      const char *const *names, size_t n)
{
	int t = config_setting_type(s);
	if (t != CONFIG_TYPE_STRING && !cfg_aggregate(&l->x, s, what))
		return -1;
	int count = n_values(s);
	if (count == 0) {
		problem(l, s, "%s is an empty list: the rule could never match", what);
		return -1;
	}
	long mask = 0;
	for (int i = 0; i < count; i++) {
		const config_setting_t *e = value(s, i);
		const char *v = cfg_string(&l->x, e, what);
		if (!v) {
			mask = -1;
			continue;
		}
		int k = lookup(names, n, v);
		if (k < 0) {
			_cleanup_free_ char *known = name_list(names, n);
			if (strcmp(what, noun) == 0)
				problem(l, e, "unknown %s '%s' (%s)", noun, v, known);
			else
				problem(l, e, "unknown %s '%s' in %s (%s)", noun, v, what, known);
			mask = -1;
			continue;
		}
		if (mask >= 0)
			mask |= 1L << k;
	}
	return mask;
}

/* A string or a list of free words (categories, details). */
static bool word_list(struct rloader *l, const config_setting_t *s, const char *what,
		      char ***ret, size_t *ret_n)
{
	int t = config_setting_type(s);
	if (t != CONFIG_TYPE_STRING && !cfg_aggregate(&l->x, s, what))
		return false;
	int count = n_values(s);
	if (count == 0) {
		problem(l, s, "%s is an empty list: the rule could never match", what);
		return false;
	}
	char **v = xcalloc((size_t)count, sizeof(char *));
	size_t n = 0;
	bool ok = true;
	for (int i = 0; i < count; i++) {
		const config_setting_t *e = value(s, i);
		const char *w = cfg_string(&l->x, e, what);
		if (!w) {
			ok = false;
		} else if (!*w) {
			problem(l, e, "%s must not be empty", what);
			ok = false;
		} else {
			v[n++] = xstrdup(w);
		}
	}
	*ret = v;
	*ret_n = n;
	return ok;
}

static bool want_duration(struct rloader *l, const config_setting_t *s, const char *what,
			  bool months, struct duration *ret)
{
	const char *v = cfg_string(&l->x, s, what);
	if (!v)
		return false;
	if (duration_parse(v, months, ret) < 0) {
		problem(l, s, "%s '%s' is not a duration like \"3 working days\", \"14 days\"%s or \"48 hours\"",
			what, v, months ? ", \"1 month\"" : "");
		return false;
	}
	if (!months && ret->unit == DUR_MONTHS)
		return false;
	return true;
}

static void load_notify(struct rloader *l, const config_setting_t *g, struct notify_stage_policy p[_NOTIFY_MAX])
{
	if (!cfg_group(&l->x, g, "notify"))
		return;
	static const char *const stage_keys[] = { "upcoming", "due", "overdue", "escalated", NULL };
	cfg_check_keys(&l->x, g, stage_keys, "notify");
	for (int st = 0; st < _NOTIFY_MAX; st++) {
		const config_setting_t *s = config_setting_get_member(g, notify_names[st]);
		if (!s)
			continue;
		if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
			if (config_setting_get_bool(s)) {
				problem(l, s, "notify stage %s must be false or a group { to = [ ... ]; }",
					notify_names[st]);
				continue;
			}
			notify_policy_free(&p[st]);
			p[st].enabled = false;
			continue;
		}
		if (!cfg_group(&l->x, s, notify_names[st]))
			continue;
		const char *const keys_up[] = { "before", "to", NULL };
		const char *const keys_esc[] = { "after", "to", NULL };
		const char *const keys_other[] = { "to", NULL };
		cfg_check_keys(&l->x, s, st == NOTIFY_UPCOMING ? keys_up : st == NOTIFY_ESCALATED ? keys_esc : keys_other,
			       notify_names[st]);
		struct notify_stage_policy np = { .enabled = true, .offset = p[st].offset };
		const config_setting_t *o = config_setting_get_member(s, st == NOTIFY_UPCOMING ? "before" : "after");
		if (o && (st == NOTIFY_UPCOMING || st == NOTIFY_ESCALATED))
			want_duration(l, o, st == NOTIFY_UPCOMING ? "before" : "after", false, &np.offset);
		const config_setting_t *to = config_setting_get_member(s, "to");
		if (!to) {
			problem(l, s, "notify stage %s has no recipients (to = [ \"officer\", ... ];)", notify_names[st]);
			continue;
		}
		int t = config_setting_type(to);
		if (t != CONFIG_TYPE_STRING && !cfg_aggregate(&l->x, to, "to"))
			continue;
		int count = n_values(to);
		for (int i = 0; i < count; i++) {
			const config_setting_t *e = value(to, i);
			const char *v = cfg_string(&l->x, e, "each recipient");
			if (!v)
				continue;
			if (strcmp(v, "officer") == 0)
				np.to |= RECIPIENT_OFFICER;
			else if (strcmp(v, "supervisor") == 0)
				np.to |= RECIPIENT_SUPERVISOR;
			else if (strcmp(v, "manager") == 0)
				np.to |= RECIPIENT_MANAGER;
			else if (!strchr(v, '@'))
				problem(l, e, "unknown recipient '%s' (officer, supervisor, manager or an email address)", v);
			else {
				/* Checked as casewatch writes it in To and
				 * RCPT TO: else every message to it would be
				 * given up, one by one, when it is sent. */
				_cleanup_free_ char *why = addr_spec_problem(v);
				bool control = false;
				for (const unsigned char *c = (const unsigned char *)v; *c; c++)
					control |= *c < 0x20 || *c == 0x7f;
				/* Said without the value, whose line end or
				 * escape would break the line of the problem. */
				if (why && control)
					problem(l, e, "recipient address must be one line, without control characters");
				else if (why)
					problem(l, e, "recipient address '%s' %s", v, why);
				else {
					np.addresses = xrealloc(np.addresses, (np.n_addresses + 1) * sizeof(char *));
					np.addresses[np.n_addresses++] = xstrdup(v);
				}
			}
		}
		if (!np.to && !np.n_addresses) {
			if (count == 0)
				problem(l, to, "notify stage %s has an empty list of recipients: set it to false "
					"to notify nobody", notify_names[st]);
			notify_policy_free(&np);
			continue;
		}
		notify_policy_free(&p[st]);
		p[st] = np;
	}
}

static const char *const anchor_names[_ANCHOR_MAX] = {
	[EV_ACCEPTED] = "accepted", [EV_NOT_ACCEPTED] = "not_accepted", [EV_CLOSED] = "closed",
	[EV_REOPENED] = "reopened", [EV_HOLD] = "hold", [EV_RESUME] = "resume", [EV_RISK] = "risk",
	[EV_SERIOUS] = "serious", [EV_CONTACT] = NULL, [EV_HATE] = "hate", [EV_AGREED] = "agreed",
	[ANCHOR_RECEIVED] = "received", [ANCHOR_IDENTIFIED] = "identified",
};

static void load_from(struct rloader *l, struct rule *r, const config_setting_t *s)
{
	int t = config_setting_type(s);
	if (t != CONFIG_TYPE_STRING && !cfg_aggregate(&l->x, s, "from"))
		return;
	int count = n_values(s);
	if (count == 0) {
		problem(l, s, "from is an empty list: name at least one anchor");
		return;
	}
	unsigned mask = 0;
	for (int i = 0; i < count; i++) {
		const config_setting_t *e = value(s, i);
		const char *v = cfg_string(&l->x, e, "each anchor of from");
		if (!v)
			continue;
		int a = lookup(anchor_names, _ANCHOR_MAX, v);
		if (a < 0) {
			problem(l, e, "unknown anchor '%s' (received, accepted, not_accepted, closed, reopened, "
				"hold, resume, risk, serious, hate, agreed or identified)", v);
			continue;
		}
		mask |= 1u << a;
	}
	if (mask)
		r->anchors = mask;
}

static void load_met_by(struct rloader *l, struct rule *r, const config_setting_t *g)
{
	if (!cfg_group(&l->x, g, "met_by"))
		return;
	static const char *const keys[] = { "kind", "channel", "detail", "party", NULL };
	cfg_check_keys(&l->x, g, keys, "met_by");
	const config_setting_t *s;
	r->met_kind = EV_CONTACT;
	if ((s = config_setting_get_member(g, "kind"))) {
		const char *v = cfg_string(&l->x, s, "kind");
		int k = v ? event_kind_from_string(v) : -EINVAL;
		if (v && k < 0) {
			_cleanup_free_ char *known = name_list(event_names, _EV_MAX);
			problem(l, s, "unknown event kind '%s' (%s)", v, known);
		}
		if (k >= 0)
			r->met_kind = (enum event_kind)k;
	}
	if ((s = config_setting_get_member(g, "channel"))) {
		if (config_setting_type(s) == CONFIG_TYPE_STRING &&
		    strcmp(config_setting_get_string(s), "preferred") == 0) {
			r->met_preferred = true;
		} else {
			long m = name_mask(l, s, "channel", "channel", channel_names, _CHANNEL_MAX);
			if (m > 0)
				r->met_channels = (unsigned)m;
			else if (config_setting_type(s) == CONFIG_TYPE_STRING)
				problem(l, s, "channel may also be \"preferred\": the channel the party prefers");
		}
		if (r->met_kind != EV_CONTACT)
			problem(l, s, "met_by names a channel but only contact events have one: it could never match");
	}
	if ((s = config_setting_get_member(g, "detail"))) {
		word_list(l, s, "detail", &r->met_details, &r->n_met_details);
		if (r->met_kind == EV_RISK)
			for (size_t i = 0; i < r->n_met_details; i++)
				if (risk_from_string(r->met_details[i]) < 0)
					problem(l, s, "a risk event's detail is a level (standard, medium or high), "
						"never '%s': it could never match", r->met_details[i]);
	}
	if ((s = config_setting_get_member(g, "party"))) {
		if (config_setting_type(s) == CONFIG_TYPE_STRING &&
		    strcmp(config_setting_get_string(s), "own") == 0) {
			r->met_own_party = true;
		} else {
			long m = name_mask(l, s, "party", "role", role_names, _ROLE_MAX);
			if (m > 0)
				r->met_roles = (unsigned)m;
			else if (config_setting_type(s) == CONFIG_TYPE_STRING)
				problem(l, s, "party may also be \"own\": the obligation's own party");
		}
	}
}

static void load_cutoff(struct rloader *l, struct rule *r, const config_setting_t *s)
{
	const char *v = cfg_string(&l->x, s, "cutoff");
	if (!v)
		return;
	int h, m;
	char end;
	bool digits = strlen(v) == 5 && v[2] == ':';
	for (int i = 0; digits && i < 5; i++)
		digits = i == 2 || (v[i] >= '0' && v[i] <= '9');
	if (!digits || sscanf(v, "%2d:%2d%c", &h, &m, &end) != 2 || h > 23 || m > 59) {
		problem(l, s, "cutoff '%s' is not a time HH:MM", v);
		return;
	}
	r->cutoff = h * 3600 + m * 60;
}

static void load_goal(struct rloader *l, struct rule *r, const config_setting_t *s)
{
	const char *v = cfg_string(&l->x, s, "goal");
	if (!v)
		return;
	char *end;
	double g = strtod(v, &end);
	if (end == v || strcmp(end, "%") != 0 || !(g >= 0 && g <= 100)) {
		problem(l, s, "goal '%s' is not a percentage like \"97%%\"", v);
		return;
	}
	r->goal = g;
}

/* What each kind needs, allows and forbids. */
static const char *const rule_keys[] = {
	"id", "title", "kind", "when", "from", "within", "every", "agreed_contact", "cutoff",
	"met_by", "for", "fallback", "no_party", "before", "missing", "meeting", "measure", "goal", "window",
	"on_hold", "urgent", "notify", NULL,
};

static bool kind_allows(enum rule_kind k, enum measure m, const char *key)
{
	static const char *const common[] = { "id", "title", "kind", "notify", NULL };
	for (const char *const *c = common; *c; c++)
		if (strcmp(key, *c) == 0)
			return true;
	static const char *const caseish[] = { "when", "from", "cutoff", "for", "fallback", "no_party", "on_hold",
					       "urgent", NULL };
	bool is_caseish = false;
	for (const char *const *c = caseish; *c; c++)
		if (strcmp(key, *c) == 0)
			is_caseish = true;
	switch (k) {
	case RULE_DEADLINE:
		return is_caseish || !strcmp(key, "within") || !strcmp(key, "met_by");
	case RULE_RECURRING:
		return is_caseish || !strcmp(key, "every") || !strcmp(key, "agreed_contact") ||
		       !strcmp(key, "met_by");
	case RULE_GATE:
		return is_caseish || !strcmp(key, "met_by") || !strcmp(key, "before");
	case RULE_CHECK:
		return is_caseish || !strcmp(key, "within") || !strcmp(key, "missing");
	case RULE_UNIT:
		return !strcmp(key, "meeting") || !strcmp(key, "every") || !strcmp(key, "window");
	case RULE_TARGET:
		if (!strcmp(key, "measure") || !strcmp(key, "window"))
			return true;
		if (m == MEASURE_SATISFACTION)
			return !strcmp(key, "goal");
		return is_caseish || !strcmp(key, "every") || !strcmp(key, "agreed_contact") ||
		       !strcmp(key, "met_by");
	case _RULE_KIND_MAX:
		break;
	}
	return false;
}

/* One group of when: every condition in it must hold. */
static void load_filter(struct rloader *l, const struct rule *r, const config_setting_t *s, struct rule_filter *f)
{
	static const char *const keys[] = { "stage", "category", "serious", "hate", "risk", NULL };
	*f = (struct rule_filter){ .serious = -1, .hate = -1 };
	cfg_check_keys(&l->x, s, keys, "when");
	const config_setting_t *w;
	long m;
	if ((w = config_setting_get_member(s, "stage")) &&
	    (m = name_mask(l, w, "stage", "stage", stage_names, _STAGE_MAX)) > 0) {
		f->stages = (unsigned)m;
		if (r->kind != RULE_GATE && f->stages == 1u << STAGE_CLOSED)
			problem(l, w, "stage closed never matches: closing a case ends every rule but a gate");
	}
	if ((w = config_setting_get_member(s, "risk")) &&
	    (m = name_mask(l, w, "risk level", "risk level", risk_names, _RISK_MAX)) > 0)
		f->risks = (unsigned)m;
	if ((w = config_setting_get_member(s, "category")))
		word_list(l, w, "category", &f->categories, &f->n_categories);
	if ((w = config_setting_get_member(s, "serious")))
		f->serious = cfg_bool(&l->x, w, "serious");
	if ((w = config_setting_get_member(s, "hate")))
		f->hate = cfg_bool(&l->x, w, "hate");
}

/* when = { ... }; or when = ( { ... }, { ... } ); for "any of these". */
static void load_when(struct rloader *l, struct rule *r, const config_setting_t *s)
{
	int t = config_setting_type(s);
	if (t == CONFIG_TYPE_GROUP) {
		r->when = xcalloc(1, sizeof(struct rule_filter));
		r->n_when = 1;
		load_filter(l, r, s, &r->when[0]);
		return;
	}
	if (t != CONFIG_TYPE_LIST) {
		problem(l, s, "when must be a group of conditions, like when = { stage = \"case\"; };, or a list "
			"of such groups, like when = ( { serious = true; }, { hate = true; } );");
		return;
	}
	int n = config_setting_length(s);
	if (n == 0) {
		problem(l, s, "when is an empty list: the rule could never apply");
		return;
	}
	r->when = xcalloc((size_t)n, sizeof(struct rule_filter));
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
			problem(l, e, "each entry of when must be a group of conditions, like { hate = true; }");
			continue;
		}
		load_filter(l, r, e, &r->when[r->n_when++]);
	}
}

/* fallback = [ "referrer", "complainant" ];: in order, each only while the
 * case has no party of for or of the roles before it. */
static void load_fallback(struct rloader *l, struct rule *r, const config_setting_t *s)
{
	long m = name_mask(l, s, "fallback", "role", role_names, _ROLE_MAX);
	if (m <= 0)
		return;
	for (int i = 0; i < n_values(s); i++) {
		int k = role_from_string(config_setting_get_string(value(s, i)));
		if (r->fallback_roles & (1u << k)) {
			problem(l, value(s, i), "fallback names %s twice", role_names[k]);
			continue;
		}
		if (r->for_roles & (1u << k)) {
			problem(l, value(s, i), "fallback role %s is already in for: it would only ever be its own",
				role_names[k]);
			continue;
		}
		r->fallback[r->n_fallback++] = (enum role)k;
		r->fallback_roles |= 1u << k;
	}
}

static const struct seen_id *find_seen(const struct seen_ids *seen, const char *id)
{
	for (size_t i = 0; i < seen->n; i++)
		if (strcmp(seen->v[i].id, id) == 0)
			return &seen->v[i];
	return NULL;
}

static bool valid_id(const char *s)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

static void load_rule(struct rloader *l, const config_setting_t *g)
{
	if (!cfg_group(&l->x, g, "each rule"))
		return;
	cfg_check_keys(&l->x, g, rule_keys, "a rule");
	size_t before = l->x.diags->n;

	struct rule r = {
		.cutoff = -1, .pause_on_hold = true, .met_kind = EV_CONTACT,
		.anchors = 1u << ANCHOR_RECEIVED, .window_months = 12,
	};
	r.pack = xstrdup(l->pack);
	const char *f = config_setting_source_file(g);
	r.file = xstrdup(f ? f : l->x.path);
	r.line = (int)config_setting_source_line(g);
	for (int i = 0; i < _NOTIFY_MAX; i++)
		notify_policy_copy(&r.notify[i], &l->pack_notify[i]);

	const config_setting_t *s;
	const char *v;
	if (!(s = config_setting_get_member(g, "id"))) {
		problem(l, g, "rule has no id");
	} else if ((v = cfg_string(&l->x, s, "id"))) {
		const struct seen_id *dup = find_seen(l->seen, v);
		if (!valid_id(v))
			problem(l, s, "rule id '%s' may hold only lower-case letters, digits and '-'", v);
		else if (dup)
			problem(l, s, "duplicate rule id '%s' (first defined at %s:%d)", v, dup->file, dup->line);
		else {
			struct seen_ids *sn = l->seen;
			sn->v = xgrow(sn->v, &sn->cap, sn->n + 1, sizeof(struct seen_id));
			sn->v[sn->n++] = (struct seen_id){ xstrdup(v), xstrdup(r.file), r.line };
		}
		r.id = xstrdup(v);
	}
	if (!(s = config_setting_get_member(g, "title")))
		problem(l, g, "rule %s has no title", r.id ? r.id : "");
	else if ((v = cfg_string(&l->x, s, "title"))) {
		if (!*v)
			problem(l, s, "title must not be empty");
		r.title = xstrdup(v);
	}
	bool kind_ok = false;
	if (!(s = config_setting_get_member(g, "kind"))) {
		problem(l, g, "rule %s has no kind (deadline, recurring, gate, check, unit or target)",
			r.id ? r.id : "");
	} else if ((v = cfg_string(&l->x, s, "kind"))) {
		int k = lookup(kind_names, _RULE_KIND_MAX, v);
		if (k < 0)
			problem(l, s, "unknown rule kind '%s' (deadline, recurring, gate, check, unit or target)", v);
		else {
			r.kind = (enum rule_kind)k;
			kind_ok = true;
		}
	}
	if (r.kind == RULE_TARGET && (s = config_setting_get_member(g, "measure"))) {
		v = cfg_string(&l->x, s, "measure");
		if (v && strcmp(v, "interval") == 0)
			r.measure = MEASURE_INTERVAL;
		else if (v && strcmp(v, "satisfaction") == 0)
			r.measure = MEASURE_SATISFACTION;
		else if (v)
			problem(l, s, "unknown measure '%s' (interval or satisfaction)", v);
	}
	/* Settings that do not apply to this kind are mistakes, not noise.
	 * With an unknown kind the rest is still read, so that every mistake
	 * of the rule is reported in one run. */
	for (int i = 0; kind_ok && i < config_setting_length(g); i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(e);
		bool known = false;
		for (const char *const *k = rule_keys; *k; k++)
			known |= strcmp(*k, name) == 0;
		if (known && !kind_allows(r.kind, r.measure, name))
			problem(l, e, "%s does not apply to a %s rule%s", name, kind_names[r.kind],
				r.kind == RULE_TARGET && r.measure == MEASURE_SATISFACTION ?
				" measuring satisfaction" : "");
	}

	if ((s = config_setting_get_member(g, "when")))
		load_when(l, &r, s);
	if ((s = config_setting_get_member(g, "from")))
		load_from(l, &r, s);
	if ((s = config_setting_get_member(g, "within")))
		r.has_within = want_duration(l, s, "within", false, &r.within);
	if ((s = config_setting_get_member(g, "every"))) {
		r.has_every = want_duration(l, s, "every", r.kind == RULE_UNIT, &r.every);
		if (r.has_every && r.kind == RULE_UNIT && !(r.every.unit == DUR_MONTHS && r.every.n == 1)) {
			problem(l, s, "a unit rule's period must be \"1 month\"");
			r.has_every = false;
		}
		if (r.has_every && r.every.n == 0 && r.kind != RULE_UNIT) {
			problem(l, s, "every must be at least 1");
			r.has_every = false;
		}
	}
	if ((s = config_setting_get_member(g, "agreed_contact")))
		r.agreed_contact = cfg_bool(&l->x, s, "agreed_contact") == 1;
	if ((s = config_setting_get_member(g, "cutoff")))
		load_cutoff(l, &r, s);
	bool has_met_by = false;
	if ((s = config_setting_get_member(g, "met_by"))) {
		load_met_by(l, &r, s);
		has_met_by = true;
	}
	long m;
	if ((s = config_setting_get_member(g, "for")) && (m = name_mask(l, s, "for", "role", role_names, _ROLE_MAX)) > 0)
		r.for_roles = (unsigned)m;
	if ((s = config_setting_get_member(g, "fallback"))) {
		load_fallback(l, &r, s);
		if (!config_setting_get_member(g, "for"))
			problem(l, s, "fallback needs for: it names who stands in for the parties of for");
	}
	if ((s = config_setting_get_member(g, "no_party")) && (v = cfg_string(&l->x, s, "no_party"))) {
		if (strcmp(v, "problem") == 0)
			r.no_party_problem = true;
		else if (strcmp(v, "nothing") != 0)
			problem(l, s, "no_party must be \"problem\" or \"nothing\", not '%s'", v);
	}
	if ((s = config_setting_get_member(g, "before"))) {
		v = cfg_string(&l->x, s, "before");
		int k = v ? event_kind_from_string(v) : -EINVAL;
		if (v && k < 0) {
			_cleanup_free_ char *known = name_list(event_names, _EV_MAX);
			problem(l, s, "unknown event kind '%s' (%s)", v, known);
		} else if (k >= 0)
			r.before = (enum event_kind)k;
	}
	if ((s = config_setting_get_member(g, "missing")) &&
	    (m = name_mask(l, s, "missing", "role", role_names, _ROLE_MAX)) > 0)
		r.missing_roles = (unsigned)m;
	if ((s = config_setting_get_member(g, "meeting")) && (v = cfg_string(&l->x, s, "meeting"))) {
		if (!*v)
			problem(l, s, "meeting must not be empty");
		r.meeting = xstrdup(v);
	}
	if ((s = config_setting_get_member(g, "goal")))
		load_goal(l, &r, s);
	if ((s = config_setting_get_member(g, "window")) && (v = cfg_string(&l->x, s, "window"))) {
		struct duration d;
		if (duration_parse(v, true, &d) < 0 || d.unit != DUR_MONTHS || d.n < 1 || d.n > 120)
			problem(l, s, "window '%s' must be 1 to 120 months, like \"12 months\"", v);
		else
			r.window_months = d.n;
	}
	if ((s = config_setting_get_member(g, "on_hold")) && (v = cfg_string(&l->x, s, "on_hold"))) {
		if (strcmp(v, "pause") == 0)
			r.pause_on_hold = true;
		else if (strcmp(v, "run") == 0)
			r.pause_on_hold = false;
		else
			problem(l, s, "on_hold must be \"pause\" or \"run\", not '%s'", v);
	}
	if ((s = config_setting_get_member(g, "urgent")))
		r.urgent = cfg_bool(&l->x, s, "urgent") == 1;
	if ((s = config_setting_get_member(g, "notify")))
		load_notify(l, s, r.notify);

	/* What each kind cannot do without. */
	const char *who = r.id ? r.id : "(with no id)";
	if (!kind_ok)
		goto out;
	bool interval = r.kind == RULE_RECURRING || (r.kind == RULE_TARGET && r.measure == MEASURE_INTERVAL);
	if (r.kind == RULE_DEADLINE && !config_setting_get_member(g, "within"))
		problem(l, g, "deadline rule %s has no within (e.g. within = \"3 working days\";)", who);
	if (interval && !config_setting_get_member(g, "every"))
		problem(l, g, "%s rule %s has no period (every = \"...\";)", kind_names[r.kind], who);
	if ((r.kind == RULE_DEADLINE || r.kind == RULE_GATE || interval) && !has_met_by)
		problem(l, g, "%s rule %s has no met_by: nothing could meet it", kind_names[r.kind], who);
	if (r.kind == RULE_GATE && !config_setting_get_member(g, "before"))
		problem(l, g, "gate rule %s has no before (the event that must not come first)", who);
	if (r.kind == RULE_CHECK && !config_setting_get_member(g, "missing"))
		problem(l, g, "check rule %s has no condition (missing = [ ... ];)", who);
	if (r.kind == RULE_UNIT) {
		if (!config_setting_get_member(g, "meeting"))
			problem(l, g, "unit rule %s has no meeting kind (meeting = \"jag\";)", who);
		r.every = (struct duration){ 1, DUR_MONTHS };
		r.has_every = true;
	}
	if (r.kind == RULE_TARGET && !config_setting_get_member(g, "measure"))
		problem(l, g, "target rule %s has no measure (interval or satisfaction)", who);
	if (r.kind == RULE_TARGET && r.measure == MEASURE_INTERVAL && r.has_every && r.every.unit != DUR_DAYS)
		problem(l, config_setting_get_member(g, "every"),
			"an interval target is measured in days: every must be \"N days\"");
	if (r.kind == RULE_TARGET && r.measure == MEASURE_SATISFACTION && !config_setting_get_member(g, "goal"))
		problem(l, g, "target rule %s has no goal (goal = \"97%%\";)", who);
	if (r.no_party_problem && !r.for_roles && !r.met_roles && kind_allows(r.kind, r.measure, "no_party"))
		problem(l, config_setting_get_member(g, "no_party"),
			"no_party = \"problem\" needs for = [ ... ] or met_by's party roles: otherwise the rule "
			"is owed to no party");
	if (r.met_own_party && !r.for_roles && (s = config_setting_get_member(g, "met_by")))
		problem(l, config_setting_get_member(s, "party"),
			"party = \"own\" needs for = [ ... ]: a rule once per case has no party of its own");
	if ((r.anchors & (1u << ANCHOR_IDENTIFIED)) && !r.for_roles && (s = config_setting_get_member(g, "from")))
		problem(l, s, "the anchor identified needs for = [ ... ]: only a party is identified");
	if (r.kind == RULE_GATE && (r.anchors & (1u << r.before)) && (s = config_setting_get_member(g, "before")))
		problem(l, s, "the gate's before event is also its anchor: it could never be met");

	if (r.no_party_problem)
		r.no_party_roles = owed_roles_text(&r);

out:
	if (l->x.diags->n > before || !kind_ok || !r.id || !r.title) {
		rule_free(&r);
		return;
	}
	l->rs->v = xrealloc(l->rs->v, (l->rs->n + 1) * sizeof(struct rule));
	l->rs->v[l->rs->n++] = r;
}

static void load_pack(const char *path, struct ruleset *rs, struct seen_ids *seen, struct diags *diags)
{
	config_t cfg;
	config_init(&cfg);
	_cleanup_free_ char *dir = path_dirname(path);
	config_set_include_dir(&cfg, dir);
	if (cfg_read_file(&cfg, path, diags) < 0) {
		config_destroy(&cfg);
		return;
	}
	struct rloader l = { .x = { .diags = diags, .path = path }, .rs = rs, .seen = seen };
	default_notify(l.pack_notify);
	const config_setting_t *root = config_root_setting(&cfg);
	static const char *const keys[] = { "pack", "title", "notify", "rules", NULL };
	cfg_check_keys(&l.x, root, keys, "a rule pack");
	const config_setting_t *s;
	if (!(s = config_setting_get_member(root, "pack")))
		diags_add(diags, path, 0, "rule pack has no name (pack = \"...\";)");
	else
		l.pack = cfg_string(&l.x, s, "pack");
	if (l.pack && !*l.pack)
		cfg_problem(&l.x, s, "pack must not be empty: it names the pack");
	if ((s = config_setting_get_member(root, "title")))
		cfg_string(&l.x, s, "title");
	if ((s = config_setting_get_member(root, "notify")))
		load_notify(&l, s, l.pack_notify);
	if (!l.pack)
		l.pack = "";
	if (!(s = config_setting_get_member(root, "rules"))) {
		diags_add(diags, path, 0, "rule pack has no rules (rules = ( { ... } );)");
	} else if (config_setting_type(s) != CONFIG_TYPE_LIST && config_setting_type(s) != CONFIG_TYPE_ARRAY) {
		cfg_problem(&l.x, s, "rules must be a list of rules, like rules = ( { id = ...; }, ... );");
	} else if (config_setting_length(s) == 0) {
		cfg_problem(&l.x, s, "rule pack has no rules: the list is empty");
	} else {
		for (int i = 0; i < config_setting_length(s); i++)
			load_rule(&l, config_setting_get_elem(s, (unsigned)i));
	}
	for (int i = 0; i < _NOTIFY_MAX; i++)
		notify_policy_free(&l.pack_notify[i]);
	config_destroy(&cfg);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_folder(const char *path, struct ruleset *rs, struct seen_ids *seen, struct diags *diags)
{
	DIR *d = opendir(path);
	if (!d) {
		diags_add(diags, path, 0, "cannot read the rules folder: %s", strerror(errno));
		return;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		names = xrealloc(names, (n + 1) * sizeof(char *));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n == 0)
		diags_add(diags, path, 0, "the rules folder holds no rule pack (*.conf)");
	if (n > 0)
		qsort(names, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = path_join(path, names[i]);
		load_pack(p, rs, seen, diags);
		free(names[i]);
	}
	free(names);
}

int rules_load(char *const *paths, size_t n_paths, struct ruleset *rs, struct diags *diags)
{
	size_t before = diags->n;
	struct seen_ids seen = { 0 };
	for (size_t i = 0; i < n_paths; i++) {
		struct stat st;
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			load_folder(paths[i], rs, &seen, diags);
		else
			load_pack(paths[i], rs, &seen, diags);
	}
	for (size_t i = 0; i < seen.n; i++) {
		free(seen.v[i].id);
		free(seen.v[i].file);
	}
	free(seen.v);
	rs->agreed_contact = false;
	for (size_t i = 0; i < rs->n; i++)
		rs->agreed_contact |= rs->v[i].agreed_contact;
	return diags->n > before ? -EINVAL : 0;
}

static uint64_t hash_duration(uint64_t h, struct duration d)
{
	return hash_u64(hash_u64(h, (uint64_t)d.n), (uint64_t)d.unit);
}

static uint64_t hash_strv(uint64_t h, char *const *v, size_t n)
{
	h = hash_u64(h, n);
	for (size_t i = 0; i < n; i++)
		h = hash_str(h, v[i]);
	return h;
}

uint64_t rules_digest(const struct ruleset *rs)
{
	/* Every field that the evaluation, the stages or the notifications
	 * read; file, line and pack name only say where a rule came from. */
	uint64_t h = hash_u64(HASH_INIT, rs->n);
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->v[i];
		h = hash_str(h, r->id);
		h = hash_str(h, r->title);
		h = hash_u64(h, r->kind);
		h = hash_u64(h, r->n_when);
		for (size_t j = 0; j < r->n_when; j++) {
			const struct rule_filter *f = &r->when[j];
			h = hash_u64(h, f->stages);
			h = hash_u64(h, f->risks);
			h = hash_strv(h, f->categories, f->n_categories);
			h = hash_u64(h, (uint64_t)f->serious);
			h = hash_u64(h, (uint64_t)f->hate);
		}
		h = hash_u64(h, r->anchors);
		h = hash_duration(h, r->within);
		h = hash_duration(h, r->every);
		h = hash_u64(h, (uint64_t)r->has_within << 2 | (uint64_t)r->has_every << 1 | r->agreed_contact);
		h = hash_u64(h, (uint64_t)r->cutoff);
		h = hash_u64(h, r->pause_on_hold);
		h = hash_u64(h, r->met_kind);
		h = hash_u64(h, r->met_channels);
		h = hash_u64(h, r->met_preferred);
		h = hash_strv(h, r->met_details, r->n_met_details);
		h = hash_u64(h, r->met_roles);
		h = hash_u64(h, r->met_own_party);
		h = hash_u64(h, r->for_roles);
		h = hash_u64(h, r->n_fallback);
		for (size_t j = 0; j < r->n_fallback; j++)
			h = hash_u64(h, r->fallback[j]);
		h = hash_u64(h, r->no_party_problem);
		h = hash_u64(h, r->before);
		h = hash_u64(h, r->missing_roles);
		h = hash_str(h, r->meeting);
		h = hash_u64(h, r->measure);
		h = hash_bytes(h, &r->goal, sizeof(r->goal));
		h = hash_u64(h, (uint64_t)r->window_months);
		h = hash_u64(h, r->urgent);
		for (int st = 0; st < _NOTIFY_MAX; st++) {
			const struct notify_stage_policy *p = &r->notify[st];
			h = hash_u64(h, p->enabled);
			h = hash_duration(h, p->offset);
			h = hash_u64(h, p->to);
			h = hash_strv(h, p->addresses, p->n_addresses);
		}
	}
	return h;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "eval.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const state_names[_OB_STATE_MAX] = {
	"pending", "met", "met_late", "overdue", "cancelled", "paused",
};

const char *ob_state_to_string(enum ob_state s)
{
	return state_names[s];
}

/* ---- The case, validated ---------------------------------------------- */

struct pparty {
	int64_t id;
	enum role role; /* parties.role */
	unsigned roles; /* every role the party holds, role included */
	int preferred;  /* channel, or -1 */
	int64_t exists; /* identified_at, or received */
};

struct pevent {
	int64_t id, t;
	enum event_kind kind;
	int party;   /* index into the parties, or -1 */
	int channel; /* or -1 */
	int level;   /* a risk event's level */
	const char *detail;
	/* An agreed event's timescale; agreed_ok false when it does not
	 * parse (the rules' own periods apply from then on). */
	bool agreed_ok;
	struct duration agreed;
	int64_t rec; /* the instant recorded, t before any move to receipt */
	bool early;  /* dated a day before receipt: taken as at receipt, meets nothing */
};

/* The state of the case from one moment on. */
struct segment {
	int64_t t;
	enum stage stage, open_stage; /* open_stage: before any closure */
	enum risk risk;
	bool serious, hate;
};

struct hold {
	int64_t from, to; /* to: EVAL_NONE while open */
};

struct scratch {
	struct pparty *parties;
	size_t cap_parties;
	struct pevent *events;
	size_t cap_events;
	struct segment *segs;
	size_t cap_segs;
	struct hold *holds;
	size_t cap_holds;
	size_t *agreed; /* indexes of the agreed events, in time order */
	size_t cap_agreed;
};

struct ctx {
	const struct evaluator *ev;
	const struct eval_case *c;
	struct eval_result *res;
	struct scratch *s;
	int64_t received;
	cw_day today;
	size_t n_parties, n_events, n_segs, n_holds, n_agreed;
	bool on_hold; /* at the moment of evaluation */
	bool range_error;
	bool closed_now; /* closed by the stage column alone: as of the moment */
	bool has_agreed;
	struct duration agreed;
	/* The offset over [tz_from, tz_until): most instants of a case fall
	 * between the same two clock changes. */
	int64_t tz_from, tz_until;
	int32_t tz_off;
	char *quoted; /* quote()'s */
};

static int32_t offset_at(struct ctx *x, int64_t t)
{
	if (t < x->tz_from || t >= x->tz_until)
		x->tz_off = tz_offset_span(x->ev->tz, t, &x->tz_from, &x->tz_until);
	return x->tz_off;
}

static cw_day local_day(struct ctx *x, int64_t t)
{
	int64_t l = t + offset_at(x, t);
	return (cw_day)(l >= 0 ? l / 86400 : -((-l + 86399) / 86400));
}

static void note(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct ctx *x, const char *fmt, ...)
{
	struct eval_result *r = x->res;
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	r->problems = xgrow(r->problems, &r->cap_problems, r->n_problems + 1, sizeof(char *));
	r->problems[r->n_problems++] = m;
}

/* A code from the database (a stage, a kind, a channel, a role, a
 * timestamp) that is not one, for quoting in a problem line: clean, and at
 * most this many bytes of it, so that one bad value can neither make a
 * line of megabytes nor put a line end, an escape sequence or bytes that
 * are not UTF-8 into the journal, the JSON or the state database
 * (casewatch-rules(5), LIMITS). Valid until the next call. */
#define QUOTE_MAX 60
static const char *quote_n(struct ctx *x, const char *s, size_t n)
{
	/* What is past twice the cap cannot reach the quote, and need not
	 * be copied: a byte makes at least a byte. */
	_cleanup_free_ char *t = xstrndup(s, n < 2 * QUOTE_MAX ? n : 2 * QUOTE_MAX);
	free(x->quoted);
	x->quoted = text_clean(t, QUOTE_MAX, NULL);
	return x->quoted;
}

static const char *quote(struct ctx *x, const char *s)
{
	return quote_n(x, s, strnlen(s, 2 * QUOTE_MAX));
}

/* Free text officers type (agreed_contact, an event's detail, the risk
 * column) can name people: a problem line names the column and says how
 * long it is ("N characters"), never what it says. Characters as a reader
 * counts them: a byte that is not part of one counts as one. */
#define CHARS_STRLEN 40
static const char *chars(const char *s, char buf[static CHARS_STRLEN])
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), count = 0;
	for (size_t i = 0; i < n; count++) {
		size_t k = utf8_seq(p + i, n - i);
		i += k ? k : 1;
	}
	snprintf(buf, CHARS_STRLEN, "%zu character%s", count, count == 1 ? "" : "s");
	return buf;
}

/* A bad row: the case is reported and skipped whole. */
#define bad(x, ...) (note((x), __VA_ARGS__), (x)->res->skipped = true)

static bool parse_time(struct ctx *x, const char *s, int64_t *ret)
{
	return s && tz_parse_timestamp(x->ev->tz, s, ret) == 0;
}

static int party_index(const struct ctx *x, int64_t id)
{
	for (size_t i = 0; i < x->n_parties; i++)
		if (x->s->parties[i].id == id)
			return (int)i;
	return -1;
}

static void later_input(struct ctx *x, int64_t t)
{
	if (t > x->ev->at && t < x->res->next_input)
		x->res->next_input = t;
}

static void load_party(struct ctx *x, const struct eval_party *p)
{
	struct pparty *q = &x->s->parties[x->n_parties];
	if (!p->role) {
		bad(x, "party %lld has no role", (long long)p->id);
		return;
	}
	int role = role_from_string(p->role);
	if (role < 0) {
		bad(x, "party %lld: unknown role '%s'", (long long)p->id, quote(x, p->role));
		return;
	}
	q->id = p->id;
	q->role = (enum role)role;
	q->roles = 1u << role;
	if (p->roles) {
		const char *word = NULL;
		size_t len = 0;
		long m = roles_parse(p->roles, &word, &len);
		if (m < 0) {
			bad(x, "party %lld: unknown role '%s' in roles (victim, complainant, witness, "
			       "perpetrator or referrer)", (long long)p->id, quote_n(x, word, len));
			return;
		}
		q->roles |= (unsigned)m;
	}
	q->preferred = -1;
	if (p->preferred_channel) {
		q->preferred = channel_from_string(p->preferred_channel);
		if (q->preferred < 0) {
			bad(x, "party %lld: unknown preferred channel '%s'", (long long)p->id,
			    quote(x, p->preferred_channel));
			return;
		}
	}
	q->exists = x->received;
	if (p->identified_at && !parse_time(x, p->identified_at, &q->exists)) {
		bad(x, "party %lld: identified_at '%s' is not an RFC 3339 timestamp", (long long)p->id,
		    quote(x, p->identified_at));
		return;
	}
	/* Known before the case came in: known from its receipt. */
	if (q->exists < x->received)
		q->exists = x->received;
	later_input(x, q->exists);
	x->n_parties++;
}

static void load_event(struct ctx *x, const struct eval_event *e)
{
	struct pevent *q = &x->s->events[x->n_events];
	if (!e->at) {
		bad(x, "event %lld has no time", (long long)e->id);
		return;
	}
	if (!parse_time(x, e->at, &q->t)) {
		bad(x, "event %lld: '%s' is not an RFC 3339 timestamp", (long long)e->id, quote(x, e->at));
		return;
	}
	if (!e->kind) {
		bad(x, "event %lld has no kind", (long long)e->id);
		return;
	}
	int kind = event_kind_from_string(e->kind);
	if (kind < 0) {
		bad(x, "event %lld: unknown kind '%s'", (long long)e->id, quote(x, e->kind));
		return;
	}
	later_input(x, q->t);
	q->rec = q->t;
	q->id = e->id;
	q->kind = (enum event_kind)kind;
	q->detail = e->detail;
	q->party = -1;
	if (e->has_party) {
		q->party = party_index(x, e->party_id);
		if (q->party < 0) {
			bad(x, "event %lld: party %lld is not a party of this case", (long long)e->id,
			    (long long)e->party_id);
			return;
		}
	}
	q->channel = -1;
	if (e->channel) {
		q->channel = channel_from_string(e->channel);
		if (q->channel < 0) {
			bad(x, "event %lld: unknown channel '%s'", (long long)e->id, quote(x, e->channel));
			return;
		}
	}
	q->level = -1;
	if (q->kind == EV_RISK) {
		if (!e->detail) {
			bad(x, "event %lld: a risk event with no level (its detail must be standard, medium or high)",
			    (long long)e->id);
			return;
		}
		q->level = risk_from_string(e->detail);
		if (q->level < 0) {
			char n[CHARS_STRLEN];
			bad(x, "event %lld: its detail (%s) is not a risk level (standard, medium or high)",
			    (long long)e->id, chars(e->detail, n));
			return;
		}
	}
	q->agreed_ok = false;
	if (q->kind == EV_AGREED) {
		q->agreed_ok = e->detail && agreed_parse(e->detail, &q->agreed) == 0;
		/* A problem, not a bad row: what the standard promises
		 * everyone still applies. Said only where a rule takes
		 * agreed timescales, and once the event has happened. */
		if (!x->ev->rules->agreed_contact || q->t > x->ev->at)
			;
		else if (!e->detail)
			note(x, "event %lld: an agreed event with no timescale in its detail: the standard's own "
				"timescale applies from its date", (long long)e->id);
		else if (!q->agreed_ok) {
			char n[CHARS_STRLEN];
			note(x, "event %lld: its detail (%s) is not an agreed timescale like \"10 working days\", "
				"\"fortnightly\" or \"1 month\": the standard's own timescale applies from its date",
			     (long long)e->id, chars(e->detail, n));
		}
	}
	x->n_events++;
}

static bool event_before(const struct pevent *a, const struct pevent *b)
{
	return a->t < b->t || (a->t == b->t && a->id < b->id);
}

static int event_cmp(const void *a, const void *b)
{
	return event_before(a, b) ? -1 : event_before(b, a) ? 1 : 0;
}

/* Time order, then id (event ids are unique: a total order). The rows
 * come sorted by their text, which is not time order when offsets differ
 * or seconds have fractions (dropped when read), and an integration can
 * write rows in any order. Insertion sort is linear on the nearly sorted
 * input this almost always is, and quadratic on the rest (7 s for 80,000
 * events of one case out of order, 19 minutes for a million, past the
 * daemon's watchdog): it goes on only while it has moved fewer events
 * than twice their number, and qsort, O(n log n) whatever the order,
 * finishes the work. */
static void sort_events(struct pevent *v, size_t n)
{
	size_t moves = 0, budget = 2 * n;
	for (size_t i = 1; i < n; i++) {
		if (!event_before(&v[i], &v[i - 1]))
			continue;
		struct pevent e = v[i];
		size_t j = i;
		do {
			v[j] = v[j - 1];
			j--;
		} while (++moves <= budget && j > 0 && event_before(&e, &v[j - 1]));
		v[j] = e;
		if (moves > budget) {
			qsort(v, n, sizeof(*v), event_cmp);
			return;
		}
	}
}

/* What reading did to the case's reference and ids (casewatch-rules(5),
 * LIMITS): a problem, not a bad row, since the case is the same case
 * whatever it is called, and its reminders must still go out. */
static void note_texts(struct ctx *x)
{
	static const struct {
		const char *name;
		size_t cap;
	} texts[_EVAL_TEXT_MAX] = {
		[EVAL_TEXT_REF] = { "the reference", TEXT_MAX_REF },
		[EVAL_TEXT_OFFICER] = { "the officer id", TEXT_MAX_ID },
		[EVAL_TEXT_TEAM] = { "the team id", TEXT_MAX_ID },
	};
	for (size_t i = 0; i < _EVAL_TEXT_MAX; i++) {
		const struct eval_text_fix *f = &x->c->fixed[i];
		if (f->flags & TEXT_CUT)
			note(x, "%s is %zu bytes, more than the %zu allowed: shown cut short", texts[i].name, f->len,
			     texts[i].cap);
		if (f->flags & TEXT_NOT_UTF8)
			note(x, "%s is not valid UTF-8: shown with U+FFFD", texts[i].name);
		if (f->flags & TEXT_CONTROL)
			note(x, "%s has control characters: shown with spaces", texts[i].name);
	}
}

static bool load_case(struct ctx *x)
{
	const struct eval_case *c = x->c;
	struct scratch *s = x->s;

	if (!c->received_at) {
		bad(x, "received_at is empty");
		return false;
	}
	if (!parse_time(x, c->received_at, &x->received)) {
		bad(x, "received_at '%s' is not an RFC 3339 timestamp", quote(x, c->received_at));
		return false;
	}
	/* A case received after the moment does not exist yet, bad rows and
	 * all. */
	if (x->received > x->ev->at) {
		x->res->next_input = x->received;
		return false;
	}
	if (!c->stage)
		bad(x, "the case has no stage");
	else if (stage_from_string(c->stage) < 0)
		bad(x, "unknown stage '%s' (enquiry, case or closed)", quote(x, c->stage));
	if (!c->risk)
		bad(x, "the case has no risk level");
	else if (risk_from_string(c->risk) < 0) {
		char n[CHARS_STRLEN];
		bad(x, "the risk column (%s) is not a risk level (standard, medium or high)", chars(c->risk, n));
	}
	if (c->serious != 0 && c->serious != 1)
		bad(x, "serious is %lld, not 0 or 1", (long long)c->serious);
	if (c->hate != 0 && c->hate != 1)
		bad(x, "hate is %lld, not 0 or 1", (long long)c->hate);
	if (c->agreed_contact) {
		x->has_agreed = agreed_parse(c->agreed_contact, &x->agreed) == 0;
		char n[CHARS_STRLEN];
		if (!x->has_agreed && x->ev->rules->agreed_contact)
			note(x, "agreed_contact (%s) is not a timescale like \"10 working days\", \"fortnightly\" "
				"or \"1 month\": the standard's own timescale applies", chars(c->agreed_contact, n));
	}

	s->parties = xgrow(s->parties, &s->cap_parties, c->n_parties, sizeof(struct pparty));
	x->n_parties = 0;
	for (size_t i = 0; i < c->n_parties; i++)
		load_party(x, &c->parties[i]);

	s->events = xgrow(s->events, &s->cap_events, c->n_events, sizeof(struct pevent));
	x->n_events = 0;
	for (size_t i = 0; i < c->n_events; i++)
		load_event(x, &c->events[i]);
	if (x->res->skipped)
		return false;

	sort_events(s->events, x->n_events);
	struct pevent *v = s->events;

	/* Nothing can happen to a case before it comes in. An event dated
	 * a day before receipt means one of the two dates is wrong, and
	 * which one casewatch cannot know: it says so, and takes the event
	 * as happening at receipt (its order among the events kept) without
	 * meeting anything. One earlier on the day of receipt is a case
	 * logged after the first call: taken as at receipt, it counts
	 * (casewatch-rules(5), THE CASE OVER TIME). */
	cw_day received = local_day(x, x->received);
	x->n_agreed = 0;
	for (size_t i = 0; i < x->n_events; i++) {
		v[i].early = false;
		if (v[i].t < x->received) {
			cw_day d = local_day(x, v[i].t);
			if (d < received) {
				char ds[DATE_STRLEN], rs[DATE_STRLEN];
				note(x, "event %lld (%s) is dated %s, before the case was received on %s: taken as at "
					"receipt, and meets nothing", (long long)v[i].id,
				     event_kind_to_string(v[i].kind), date_format(d, ds), date_format(received, rs));
				v[i].early = true;
			}
			v[i].t = x->received;
		}
		if (v[i].kind == EV_AGREED) {
			s->agreed = xgrow(s->agreed, &s->cap_agreed, x->n_agreed + 1, sizeof(size_t));
			s->agreed[x->n_agreed++] = i;
		}
	}

	return true;
}

static bool is_lifecycle(enum event_kind k)
{
	return k == EV_ACCEPTED || k == EV_NOT_ACCEPTED || k == EV_CLOSED || k == EV_REOPENED;
}

static void push_segment(struct ctx *x, const struct segment *seg)
{
	struct scratch *s = x->s;
	s->segs = xgrow(s->segs, &s->cap_segs, x->n_segs + 1, sizeof(struct segment));
	s->segs[x->n_segs++] = *seg;
}

/* The case over time (casewatch-rules(5), THE CASE OVER TIME). */
static void build_timeline(struct ctx *x)
{
	const struct eval_case *c = x->c;
	const struct pevent *v = x->s->events;
	int64_t at = x->ev->at;
	bool any_lifecycle = false, any_risk = false, any_serious = false, any_hate = false, has_accepted = false;
	enum event_kind last_lifecycle = _EV_MAX;
	for (size_t i = 0; i < x->n_events; i++) {
		if (is_lifecycle(v[i].kind)) {
			any_lifecycle = true;
			last_lifecycle = v[i].kind;
		}
		any_risk |= v[i].kind == EV_RISK;
		any_serious |= v[i].kind == EV_SERIOUS;
		any_hate |= v[i].kind == EV_HATE;
		has_accepted |= v[i].kind == EV_ACCEPTED;
	}
	enum stage column = (enum stage)stage_from_string(c->stage);
	if (column == STAGE_CASE && !has_accepted)
		note(x, "stage is 'case' but there is no accepted event: nothing counted from acceptance can start");

	struct segment cur = {
		.t = x->received,
		.stage = any_lifecycle || column == STAGE_CLOSED ? STAGE_ENQUIRY : column,
		.risk = any_risk ? RISK_STANDARD : (enum risk)risk_from_string(c->risk),
		.serious = any_serious ? false : c->serious == 1,
		/* With no hate event of its own, a hate column of 1 dates from
		 * the first serious event when there is one: an integration that
		 * records when a case became serious, hate crimes included (the
		 * design's serious column), has dated it there. */
		.hate = any_hate || any_serious ? false : c->hate == 1,
	};
	cur.open_stage = cur.stage;
	x->n_segs = 0;
	push_segment(x, &cur);

	bool accepted = false;
	x->n_holds = 0;
	x->on_hold = false;
	struct scratch *s = x->s;
	for (size_t i = 0; i < x->n_events && v[i].t <= at; i++) {
		const struct pevent *e = &v[i];
		struct segment next = cur;
		next.t = e->t;
		switch (e->kind) {
		case EV_ACCEPTED:
			accepted = true;
			next.stage = next.open_stage = STAGE_CASE;
			break;
		case EV_NOT_ACCEPTED:
			if (next.stage != STAGE_CLOSED)
				next.stage = next.open_stage = STAGE_ENQUIRY;
			break;
		case EV_CLOSED:
			next.stage = STAGE_CLOSED;
			break;
		case EV_REOPENED:
			if (next.stage == STAGE_CLOSED)
				next.stage = next.open_stage = accepted ? STAGE_CASE : STAGE_ENQUIRY;
			break;
		case EV_RISK:
			next.risk = (enum risk)e->level;
			break;
		case EV_SERIOUS:
			next.serious = true;
			if (!any_hate && c->hate == 1)
				next.hate = true;
			break;
		case EV_HATE:
			next.hate = true;
			break;
		case EV_HOLD:
			if (!x->on_hold) {
				s->holds = xgrow(s->holds, &s->cap_holds, x->n_holds + 1, sizeof(struct hold));
				s->holds[x->n_holds++] = (struct hold){ e->t, EVAL_NONE };
				x->on_hold = true;
			}
			break;
		case EV_RESUME:
			if (x->on_hold) {
				s->holds[x->n_holds - 1].to = e->t;
				x->on_hold = false;
			}
			break;
		case EV_CONTACT:
		case EV_AGREED:
		case _EV_MAX:
			break;
		}
		if (next.stage != cur.stage || next.open_stage != cur.open_stage || next.risk != cur.risk ||
		    next.serious != cur.serious || next.hate != cur.hate) {
			push_segment(x, &next);
			cur = next;
		}
	}
	/* The column says closed and the events do not: closed as of now. */
	if (column == STAGE_CLOSED && last_lifecycle != EV_CLOSED && cur.stage != STAGE_CLOSED) {
		struct segment next = cur;
		next.t = at;
		next.stage = STAGE_CLOSED;
		push_segment(x, &next);
		cur = next;
		x->closed_now = true;
	}
	x->res->open = cur.stage != STAGE_CLOSED;
}

/* ---- Rules over the timeline ------------------------------------------ */

static inline bool filter_one(const struct ctx *x, const struct rule_filter *f, enum stage st,
			      const struct segment *seg)
{
	if (f->stages && !(f->stages & (1u << st)))
		return false;
	if (f->risks && !(f->risks & (1u << seg->risk)))
		return false;
	if (f->serious >= 0 && seg->serious != (f->serious == 1))
		return false;
	if (f->hate >= 0 && seg->hate != (f->hate == 1))
		return false;
	if (f->n_categories) {
		bool found = false;
		for (size_t i = 0; i < f->n_categories && !found; i++)
			found = x->c->category && strcmp(x->c->category, f->categories[i]) == 0;
		if (!found)
			return false;
	}
	return true;
}

static bool filter_holds(const struct ctx *x, const struct rule *r, const struct segment *seg)
{
	enum stage st = r->kind == RULE_GATE ? seg->open_stage : seg->stage;
	if (r->kind != RULE_GATE && seg->stage == STAGE_CLOSED)
		return false;
	if (r->n_when == 0)
		return true;
	for (size_t i = 0; i < r->n_when; i++)
		if (filter_one(x, &r->when[i], st, seg))
			return true;
	return false;
}

/* The segment in force at instant t. */
static size_t segment_at(const struct ctx *x, int64_t t)
{
	size_t i = 0;
	while (i + 1 < x->n_segs && x->s->segs[i + 1].t <= t)
		i++;
	return i;
}

/* The first instant at or after t at which the filter holds, and the first
 * after that at which it stops holding (or EVAL_NONE). Returns false when
 * it never holds from t on. */
static bool applies_from(const struct ctx *x, const struct rule *r, int64_t t, int64_t *ret_start,
			 int64_t *ret_end)
{
	const struct segment *segs = x->s->segs;
	size_t i = segment_at(x, t);
	int64_t start = t;
	while (!filter_holds(x, r, &segs[i])) {
		if (++i >= x->n_segs)
			return false;
		start = segs[i].t;
	}
	int64_t end = EVAL_NONE;
	for (size_t j = i + 1; j < x->n_segs; j++)
		if (!filter_holds(x, r, &segs[j])) {
			end = segs[j].t;
			break;
		}
	*ret_start = start;
	*ret_end = end;
	return true;
}

/* The instant an anchor happened, or EVAL_NONE. */
static int64_t anchor_time(const struct ctx *x, int anchor, const struct pparty *p)
{
	const struct pevent *v = x->s->events;
	int64_t at = x->ev->at;
	if (anchor == ANCHOR_RECEIVED)
		return x->received;
	if (anchor == ANCHOR_IDENTIFIED)
		return p ? p->exists : x->received;
	if (anchor == EV_RISK) {
		/* The first of the latest run of risk events naming the level
		 * now in force. */
		int64_t t = x->received;
		int level = RISK_STANDARD; /* before the first risk event */
		for (size_t i = 0; i < x->n_events && v[i].t <= at; i++) {
			if (v[i].kind != EV_RISK)
				continue;
			if (v[i].level != level)
				t = v[i].t;
			level = v[i].level;
		}
		return t;
	}
	for (size_t i = 0; i < x->n_events && v[i].t <= at; i++)
		if ((int)v[i].kind == anchor)
			return v[i].t;
	return EVAL_NONE;
}

static int64_t rule_anchor(const struct ctx *x, const struct rule *r, const struct pparty *p)
{
	int64_t t = x->received;
	for (int a = 0; a < _ANCHOR_MAX; a++) {
		if (!(r->anchors & (1u << a)))
			continue;
		int64_t u = anchor_time(x, a, p);
		if (u == EVAL_NONE)
			return EVAL_NONE;
		if (u > t)
			t = u;
	}
	return t;
}

static bool event_matches(const struct ctx *x, const struct rule *r, const struct pevent *e, int own)
{
	if (e->kind != r->met_kind || e->early)
		return false;
	if (r->met_channels && (e->channel < 0 || !(r->met_channels & (1u << e->channel))))
		return false;
	const struct pparty *p = e->party >= 0 ? &x->s->parties[e->party] : NULL;
	if (r->met_preferred && p && p->preferred >= 0 && e->channel != p->preferred)
		return false;
	if (r->n_met_details) {
		bool found = false;
		for (size_t i = 0; i < r->n_met_details && !found; i++)
			found = e->detail && strcmp(e->detail, r->met_details[i]) == 0;
		if (!found)
			return false;
	}
	if (r->met_own_party && e->party != own)
		return false;
	if (r->met_roles && (!p || !(r->met_roles & p->roles)))
		return false;
	return true;
}

/* The index of the first event from index `from` at or after instant t,
 * no later than `until`, that meets the rule; -1 when none. */
static long find_meeting(const struct ctx *x, const struct rule *r, size_t from, int64_t t, int64_t until,
			 int own)
{
	const struct pevent *v = x->s->events;
	for (size_t i = from; i < x->n_events && v[i].t <= until; i++)
		if (v[i].t >= t && event_matches(x, r, &v[i], own))
			return (long)i;
	return -1;
}

/* The local midnight starting `day`. */
static int64_t midnight(struct ctx *x, cw_day day)
{
	int64_t guess = (int64_t)day * 86400 - x->tz_off;
	/* A full day clear of the last clock change, so no fold or gap can
	 * make another answer right. */
	if (guess - x->tz_from >= 86400 && guess < x->tz_until)
		return guess;
	return tz_local_to_instant(x->ev->tz, day, 0);
}

/* The deadline of a clock started at instant t for duration d, with the
 * case's holds: fills o's start, due and overdue_at. */
static void set_deadline(struct ctx *x, const struct rule *r, int64_t t, struct duration d, struct obligation *o)
{
	const struct calendar *cal = x->ev->cal;
	const struct tz *tz = x->ev->tz;
	cw_day start = local_day(x, t);
	o->start = start;
	o->has_due = true;
	o->due_instant = d.unit == DUR_HOURS;

	if (d.unit == DUR_HOURS) {
		int64_t due = t + (int64_t)d.n * 3600;
		for (size_t i = 0; r->pause_on_hold && i < x->n_holds; i++) {
			const struct hold *h = &x->s->holds[i];
			int64_t to = h->to == EVAL_NONE ? x->ev->at : h->to;
			if (h->from > due)
				break;
			int64_t lo = h->from > t ? h->from : t;
			if (to > lo)
				due += to - lo;
			if (h->to == EVAL_NONE)
				x->res->moving = true;
		}
		o->due_at = due;
		o->overdue_at = due + 1;
		return;
	}

	/* "An event at or after the cutoff counts as arriving on the next
	 * working day": it becomes day 0. */
	cw_day day0 = start;
	if (r->cutoff >= 0 && tz_local_seconds(tz, t) >= r->cutoff &&
	    calendar_next_working_day(cal, start, &day0) < 0)
		goto range;
	cw_day due;
	if (d.unit == DUR_WORKING_DAYS) {
		if (calendar_add_working_days(cal, day0, d.n, &due) < 0)
			goto range;
	} else if (d.unit == DUR_MONTHS) {
		/* The same day of the month N months on, or that month's
		 * last day when it is shorter. */
		int y, m, dd;
		date_to_ymd(day0, &y, &m, &dd);
		int mi = y * 12 + (m - 1) + d.n;
		int dim = date_days_in_month(mi / 12, mi % 12 + 1);
		due = date_from_ymd(mi / 12, mi % 12 + 1, dd > dim ? dim : dd);
	} else {
		due = day0 + d.n;
	}
	for (size_t i = 0; r->pause_on_hold && i < x->n_holds; i++) {
		const struct hold *h = &x->s->holds[i];
		cw_day from = local_day(x, h->from);
		/* Up to, not including, the resume's date; while the hold is
		 * open, up to and including today. */
		cw_day to = h->to == EVAL_NONE ? x->today + 1 : local_day(x, h->to);
		if (from > due)
			break; /* late is late */
		if (from < start)
			from = start;
		if (to <= from)
			continue;
		/* A month deadline moves by days, as a day deadline does. */
		if (d.unit == DUR_WORKING_DAYS) {
			int k;
			if (calendar_working_days_between(cal, from - 1, to - 1, &k) < 0 ||
			    calendar_add_working_days(cal, due, k, &due) < 0)
				goto range;
		} else {
			due += to - from;
		}
	}
	if (!calendar_in_range(due))
		goto range;
	o->due_day = due;
	o->due_at = EVAL_NONE;
	o->overdue_at = midnight(x, due + 1);
	return;
range:
	x->range_error = true;
	o->due_day = start;
	o->due_at = EVAL_NONE;
	o->overdue_at = EVAL_NONE;
}

static bool met_in_time(struct ctx *x, const struct obligation *o, int64_t met)
{
	if (o->due_instant)
		return met <= o->due_at;
	return local_day(x, met) <= o->due_day;
}

/* The state of a clock-driven obligation, given when it was met (EVAL_NONE:
 * not by `end`) and when the rule stopped applying. */
static void settle(struct ctx *x, const struct rule *r, struct obligation *o, int64_t met, int64_t end)
{
	o->met_at = met;
	o->ended_at = met == EVAL_NONE && end != EVAL_NONE && end <= x->ev->at ? end : EVAL_NONE;
	if (met != EVAL_NONE)
		o->state = met_in_time(x, o, met) ? OB_MET : OB_MET_LATE;
	else if (end != EVAL_NONE && end <= x->ev->at && end < o->overdue_at)
		o->state = OB_CANCELLED;
	else if (x->ev->at >= o->overdue_at)
		o->state = OB_OVERDUE;
	else if (x->on_hold && r->pause_on_hold)
		o->state = OB_PAUSED;
	else
		o->state = OB_PENDING;
}

/* Whom an obligation is owed to: a party, in one of its roles, or the case
 * (p NULL). */
struct owed {
	const struct pparty *p;
	enum role role;
};

static struct obligation *emit(struct ctx *x, size_t rule, struct owed w, int cycle)
{
	struct eval_result *res = x->res;
	res->v = xgrow(res->v, &res->cap, res->n + 1, sizeof(struct obligation));
	struct obligation *o = &res->v[res->n++];
	*o = (struct obligation){
		.rule = rule,
		.has_party = w.p != NULL,
		.party_id = w.p ? w.p->id : 0,
		.party_role = w.p ? w.role : ROLE_VICTIM,
		.cycle = cycle,
		.met_at = EVAL_NONE,
		.due_at = EVAL_NONE,
		.overdue_at = EVAL_NONE,
		.ended_at = EVAL_NONE,
	};
	return o;
}

static int own_index(const struct ctx *x, const struct pparty *p)
{
	return p ? (int)(p - x->s->parties) : -2;
}

static void eval_deadline(struct ctx *x, size_t ri, struct owed w, int64_t stop)
{
	const struct rule *r = &x->ev->rules->v[ri];
	const struct pparty *p = w.p;
	int64_t a = rule_anchor(x, r, p), start, end;
	if (a == EVAL_NONE || !applies_from(x, r, a, &start, &end) || start > x->ev->at || start >= stop)
		return;
	if (stop < end)
		end = stop;
	struct obligation *o = emit(x, ri, w, 1);
	set_deadline(x, r, start, r->within, o);
	int64_t until = end < x->ev->at ? end : x->ev->at;
	long m = find_meeting(x, r, 0, start, until, own_index(x, p));
	settle(x, r, o, m >= 0 ? x->s->events[m].t : EVAL_NONE, end);
	if (m >= 0)
		o->met_at = x->s->events[m].rec;
}

/* The period of a cycle of rule r starting at instant t: the rule's own,
 * or with agreed_contact the timescale agreed for the party (or the case)
 * in force on t's date: the case's agreed_contact from receipt, then each
 * agreed event from its local date on. An agreement made once the cycle
 * runs can only bring it forward (agreed_during). */
static struct duration cycle_period(struct ctx *x, const struct rule *r, const struct pparty *p, int64_t t)
{
	if (!r->agreed_contact)
		return r->every;
	struct duration d = x->has_agreed ? x->agreed : r->every;
	if (x->n_agreed == 0)
		return d;
	cw_day day = local_day(x, t);
	int own = own_index(x, p);
	for (size_t i = 0; i < x->n_agreed; i++) {
		const struct pevent *e = &x->s->events[x->s->agreed[i]];
		if (e->t > x->ev->at || local_day(x, e->t) > day)
			break;
		if (e->party >= 0 && e->party != own)
			continue;
		d = e->agreed_ok ? e->agreed : r->every;
	}
	return d;
}

/* An agreement made while a cycle runs (dated after the day it started,
 * at or before the moment, and before the event that met it): the latest
 * such one brings the cycle's deadline forward to its own date plus its
 * timescale, when that is earlier. A victim who asks for weekly contact is
 * called within the week, and a longer timescale waits for the next cycle:
 * never later than a promise in force, never late before it was made. */
static void agreed_during(struct ctx *x, const struct rule *r, const struct pparty *p, int64_t cstart, int64_t met,
			  struct obligation *o)
{
	if (!r->agreed_contact || x->n_agreed == 0)
		return;
	const struct pevent *latest = NULL;
	cw_day day = local_day(x, cstart);
	int own = own_index(x, p);
	for (size_t i = 0; i < x->n_agreed; i++) {
		const struct pevent *e = &x->s->events[x->s->agreed[i]];
		if (e->t > x->ev->at || (met != EVAL_NONE && e->t > met))
			break;
		if ((e->party >= 0 && e->party != own) || local_day(x, e->t) <= day)
			continue;
		latest = e;
	}
	if (!latest)
		return;
	struct obligation alt = *o;
	set_deadline(x, r, latest->t, latest->agreed_ok ? latest->agreed : r->every, &alt);
	if (alt.overdue_at != EVAL_NONE && alt.overdue_at < o->overdue_at) {
		o->due_instant = alt.due_instant;
		o->due_day = alt.due_day;
		o->due_at = alt.due_at;
		o->overdue_at = alt.overdue_at;
	}
}

static void eval_recurring(struct ctx *x, size_t ri, struct owed w, int64_t stop)
{
	const struct rule *r = &x->ev->rules->v[ri];
	const struct pparty *p = w.p;
	int64_t at = x->ev->at;
	int64_t from = rule_anchor(x, r, p), start, end;
	int cycle = 0;
	if (from == EVAL_NONE)
		return;
	/* Each run of time in which the rule applies is a chain of cycles,
	 * the next starting only when the previous one is met. */
	while (applies_from(x, r, from, &start, &end) && start <= at && start < stop) {
		if (stop < end)
			end = stop;
		int64_t until = end < at ? end : at;
		int64_t cstart = start;
		size_t idx = 0;
		for (;;) {
			struct obligation *o = emit(x, ri, w, ++cycle);
			long m = find_meeting(x, r, idx, cstart, until, own_index(x, p));
			int64_t met = m >= 0 ? x->s->events[m].t : EVAL_NONE;
			set_deadline(x, r, cstart, cycle_period(x, r, p, cstart), o);
			agreed_during(x, r, p, cstart, met, o);
			settle(x, r, o, met, end);
			if (m >= 0)
				o->met_at = x->s->events[m].rec;
			/* A cycle met as the rule stops applying has no
			 * successor in this run. */
			if (met == EVAL_NONE || (end != EVAL_NONE && met >= end))
				break;
			cstart = met;
			idx = (size_t)m + 1;
		}
		if (end == EVAL_NONE || end > at)
			break;
		from = end;
	}
}

static void eval_gate(struct ctx *x, size_t ri, struct owed w, int64_t stop)
{
	const struct rule *r = &x->ev->rules->v[ri];
	const struct pparty *p = w.p;
	int64_t at = x->ev->at;
	int64_t a = rule_anchor(x, r, p), start, end;
	if (a == EVAL_NONE || !applies_from(x, r, a, &start, &end) || start > at || start >= stop)
		return;
	if (stop < end)
		end = stop;
	const struct pevent *v = x->s->events;
	int64_t gate = EVAL_NONE;
	for (size_t i = 0; i < x->n_events && v[i].t <= at; i++)
		if (v[i].t >= start && v[i].kind == r->before) {
			gate = v[i].t;
			break;
		}
	struct obligation *o = emit(x, ri, w, 1);
	o->start = local_day(x, start);
	o->has_due = false;
	o->overdue_at = gate;
	long m = find_meeting(x, r, 0, start, at, own_index(x, p));
	int64_t met = m >= 0 ? v[m].t : EVAL_NONE;
	o->met_at = m >= 0 ? v[m].rec : EVAL_NONE;
	if (met != EVAL_NONE && (gate == EVAL_NONE || met <= gate) && (end == EVAL_NONE || met <= end))
		o->state = OB_MET;
	else if (end != EVAL_NONE && end <= at && (gate == EVAL_NONE || end < gate)) {
		o->state = OB_CANCELLED;
		o->met_at = EVAL_NONE;
		o->ended_at = end;
	} else if (gate != EVAL_NONE)
		o->state = met != EVAL_NONE ? OB_MET_LATE : OB_OVERDUE;
	else
		o->state = OB_PENDING;
}

static void eval_check(struct ctx *x, size_t ri)
{
	const struct rule *r = &x->ev->rules->v[ri];
	int64_t a = rule_anchor(x, r, NULL), start, end;
	if (a == EVAL_NONE || !applies_from(x, r, a, &start, &end) || start > x->ev->at)
		return;
	/* missing: the condition holds until the first party of the roles
	 * exists. */
	int64_t resolved = EVAL_NONE;
	for (size_t i = 0; i < x->n_parties; i++) {
		const struct pparty *p = &x->s->parties[i];
		if ((r->missing_roles & p->roles) && p->exists < resolved)
			resolved = p->exists;
	}
	if (resolved <= start)
		return; /* never held */
	struct obligation *o = emit(x, ri, (struct owed){ NULL, ROLE_VICTIM }, 1);
	struct duration d = r->has_within ? r->within : (struct duration){ 0, DUR_DAYS };
	set_deadline(x, r, start, d, o);
	int64_t until = end < x->ev->at ? end : x->ev->at;
	settle(x, r, o, resolved <= until ? resolved : EVAL_NONE, end);
}

/* Does rule r apply to the case at the moment: its anchor has come (for
 * the case, not a party) and its filter holds? */
static bool applies_now(struct ctx *x, const struct rule *r)
{
	int64_t a = rule_anchor(x, r, NULL);
	return a != EVAL_NONE && a <= x->ev->at && filter_holds(x, r, &x->s->segs[segment_at(x, x->ev->at)]);
}

/* The tier of party p for rule r: 0 for the rule's own roles, i + 1 for
 * fallback[i], -1 for none. */
static int party_tier(const struct rule *r, const struct pparty *p)
{
	if (p->roles & r->for_roles)
		return 0;
	for (size_t i = 0; i < r->n_fallback; i++)
		if (p->roles & (1u << r->fallback[i]))
			return (int)i + 1;
	return -1;
}

/* The role an obligation of tier `tier` is owed to p in: the party's own
 * role when the rule names it, else the first of the rule's it holds. */
static enum role owed_role(const struct rule *r, const struct pparty *p, int tier)
{
	if (tier > 0)
		return r->fallback[tier - 1];
	if (r->for_roles & (1u << p->role))
		return p->role;
	for (int k = 0; k < _ROLE_MAX; k++)
		if (r->for_roles & p->roles & (1u << k))
			return (enum role)k;
	return p->role;
}

static void eval_owed(struct ctx *x, size_t ri, struct owed w, int64_t stop, bool interval)
{
	const struct rule *r = &x->ev->rules->v[ri];
	if (r->kind == RULE_GATE)
		eval_gate(x, ri, w, stop);
	else if (interval)
		eval_recurring(x, ri, w, stop);
	else
		eval_deadline(x, ri, w, stop);
}

bool eval_rule_has_obligations(const struct rule *r)
{
	return r->kind != RULE_UNIT && (r->kind != RULE_TARGET || r->measure == MEASURE_INTERVAL);
}

static void eval_rule(struct ctx *x, size_t ri)
{
	const struct rule *r = &x->ev->rules->v[ri];
	int64_t at = x->ev->at;
	bool interval = r->kind == RULE_RECURRING || (r->kind == RULE_TARGET && r->measure == MEASURE_INTERVAL);
	if (!eval_rule_has_obligations(r))
		return;
	if (r->kind == RULE_CHECK) {
		eval_check(x, ri);
		return;
	}
	if (!r->for_roles) {
		/* A rule met only by contact with parties of some roles owes
		 * nothing to a case that has none: it could never be met. */
		if (r->met_roles) {
			bool any = false;
			for (size_t i = 0; i < x->n_parties && !any; i++)
				any = (r->met_roles & x->s->parties[i].roles) && x->s->parties[i].exists <= at;
			if (!any) {
				if (r->no_party_problem && applies_now(x, r))
					note(x, "%s: no %s on the case, so nothing is owed until one is recorded", r->id,
					     r->no_party_roles);
				return;
			}
		}
		eval_owed(x, ri, (struct owed){ NULL, ROLE_VICTIM }, EVAL_NONE, interval);
		return;
	}
	/* Parties of the fallback roles stand in, in order: fallback[i]
	 * until the first party of the rule's own roles or of an earlier
	 * fallback role exists. first[k]: when the first party of tier k
	 * came to exist. */
	int64_t first[_ROLE_MAX + 1];
	for (size_t k = 0; k <= r->n_fallback; k++)
		first[k] = EVAL_NONE;
	bool any = false;
	for (size_t i = 0; i < x->n_parties; i++) {
		const struct pparty *p = &x->s->parties[i];
		int tier = p->exists <= at ? party_tier(r, p) : -1;
		if (tier >= 0 && p->exists < first[tier])
			first[tier] = p->exists;
		any |= tier >= 0;
	}
	if (!any) {
		if (r->no_party_problem && applies_now(x, r))
			note(x, "%s: no %s on the case, so nothing is owed until one is recorded", r->id,
			     r->no_party_roles);
		return;
	}
	for (size_t i = 0; i < x->n_parties; i++) {
		const struct pparty *p = &x->s->parties[i];
		int tier = p->exists <= at ? party_tier(r, p) : -1;
		if (tier < 0)
			continue;
		int64_t stop = EVAL_NONE;
		for (int k = 0; k < tier; k++)
			if (first[k] < stop)
				stop = first[k];
		eval_owed(x, ri, (struct owed){ p, owed_role(r, p, tier) }, stop, interval);
	}
}

void eval_case(const struct evaluator *ev, const struct eval_case *c, struct eval_result *res)
{
	for (size_t i = 0; i < res->n_problems; i++)
		free(res->problems[i]);
	res->n_problems = 0;
	res->n = 0;
	res->exists = res->skipped = res->open = res->moving = false;
	res->next_input = EVAL_NONE;
	if (!res->scratch)
		res->scratch = xcalloc(1, sizeof(struct scratch));

	struct ctx x = { .ev = ev, .c = c, .res = res, .s = res->scratch, .tz_from = 1, .tz_until = 0 };
	x.today = tz_local_day(ev->tz, ev->at);
	note_texts(&x);
	bool loaded = load_case(&x);
	free(x.quoted);
	if (!loaded || x.received > ev->at)
		return;
	res->exists = true;
	res->received = local_day(&x, x.received);
	build_timeline(&x);
	for (size_t i = 0; i < ev->rules->n; i++)
		eval_rule(&x, i);
	/* A closure of the column alone moves with the moment: what it
	 * cancels before its deadline is overdue once the deadline has
	 * passed with no closure dated before it (casewatch-rules(5), THE
	 * CASE OVER TIME). That is a change passing time alone makes. */
	for (size_t i = 0; x.closed_now && i < res->n; i++)
		if (res->v[i].state == OB_CANCELLED && res->v[i].ended_at == ev->at)
			later_input(&x, res->v[i].overdue_at);
	if (x.range_error) {
		bad(&x, "a date of this case is outside the calendar's years %d-%d", CALENDAR_MIN_YEAR,
		    CALENDAR_MAX_YEAR);
		res->n = 0;
	}
}

void eval_result_free(struct eval_result *res)
{
	struct scratch *s = res->scratch;
	if (s) {
		free(s->parties);
		free(s->events);
		free(s->segs);
		free(s->holds);
		free(s->agreed);
		free(s);
	}
	for (size_t i = 0; i < res->n_problems; i++)
		free(res->problems[i]);
	free(res->problems);
	free(res->v);
	*res = (struct eval_result){ 0 };
}

bool eval_result_unmet(const struct eval_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		if (ob_state_unmet(res->v[i].state))
			return true;
	return false;
}

int eval_lateness(const struct evaluator *ev, const struct obligation *o)
{
	if (!o->has_due || (o->state != OB_OVERDUE && o->state != OB_MET_LATE))
		return 0;
	int64_t until = o->state == OB_MET_LATE ? o->met_at : ev->at;
	if (o->due_instant)
		return until > o->due_at ? (int)((until - o->due_at + 3599) / 3600) : 0;
	int n = 0;
	if (calendar_working_days_between(ev->cal, o->due_day, tz_local_day(ev->tz, until), &n) < 0 || n < 0)
		return 0;
	return n;
}

/* ---- Unit rules -------------------------------------------------------- */

static int month_index(cw_day d)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	return y * 12 + (m - 1);
}

cw_day eval_window_start(const struct evaluator *ev, const struct rule *r)
{
	int y, m, d;
	date_to_ymd(tz_local_day(ev->tz, ev->at), &y, &m, &d);
	int mi = y * 12 + (m - 1) - r->window_months;
	int ny = mi / 12, nm = mi % 12 + 1;
	int dim = date_days_in_month(ny, nm);
	/* The window is (the same day N months before, today]. */
	return date_from_ymd(ny, nm, d > dim ? dim : d) + 1;
}

/* Of the months mi in [lo, hi], how many, and how many had a meeting. */
static void unit_months(const cw_day *days, size_t n, int lo, int hi, int *ret_months, int *ret_met)
{
	int months = 0, met = 0;
	for (int mi = lo; mi <= hi; mi++) {
		bool held = false;
		for (size_t i = 0; i < n && !held; i++)
			held = month_index(days[i]) == mi;
		months++;
		met += held;
	}
	*ret_months = months;
	*ret_met = met;
}

/* Whether the current month has had its meeting by today. */
static bool unit_current_met(cw_day today, const cw_day *days, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (month_index(days[i]) == month_index(today) && days[i] <= today)
			return true;
	return false;
}

void eval_unit(const struct evaluator *ev, const struct rule *r, cw_day first, const cw_day *days, size_t n,
	       struct unit_figure *ret)
{
	cw_day today = tz_local_day(ev->tz, ev->at);
	int y, m, d;
	date_to_ymd(today, &y, &m, &d);
	*ret = (struct unit_figure){ .current_due = date_from_ymd(y, m, date_days_in_month(y, m)) };
	if (first > today)
		return; /* no case and no meeting yet: nothing was owed */
	int cur = month_index(today);
	/* The complete months inside the window (eval_window_start). */
	cw_day from = eval_window_start(ev, r);
	int y0, m0, d0;
	date_to_ymd(from, &y0, &m0, &d0);
	int lo = month_index(from) + (d0 != 1);
	if (month_index(first) > lo)
		lo = month_index(first);
	unit_months(days, n, lo, cur - 1, &ret->months, &ret->met);
	ret->current_met = unit_current_met(today, days, n);
}

void eval_unit_range(const struct evaluator *ev, cw_day first, const cw_day *days, size_t n, cw_day from, cw_day to,
		     int *ret_months, int *ret_met, int *ret_current)
{
	cw_day today = tz_local_day(ev->tz, ev->at);
	*ret_months = *ret_met = 0;
	*ret_current = -1;
	if (first > today)
		return;
	int cur = month_index(today);
	int lo = month_index(from), hi = month_index(to);
	if (month_index(first) > lo)
		lo = month_index(first);
	unit_months(days, n, lo, hi < cur - 1 ? hi : cur - 1, ret_months, ret_met);
	if (lo > cur || cur > hi)
		return;
	/* The current month counts once it has had its meeting; until then
	 * it is still open, not missed. */
	*ret_current = unit_current_met(today, days, n);
	*ret_months += *ret_current;
	*ret_met += *ret_current;
}

cw_day eval_interval_end(const struct evaluator *ev, const struct obligation *o)
{
	if (o->met_at != EVAL_NONE)
		return tz_local_day(ev->tz, o->met_at);
	if (o->state == OB_CANCELLED)
		return CW_DAY_NONE;
	if (o->ended_at != EVAL_NONE)
		return tz_local_day(ev->tz, o->ended_at);
	return tz_local_day(ev->tz, ev->at);
}

bool eval_target_met(const struct rule *r, double figure)
{
	/* A hair of tolerance, so that 97.0 computed as 97 of 100 is 97. */
	if (r->measure == MEASURE_SATISFACTION)
		return figure + 1e-9 >= r->goal;
	return figure <= r->every.n + 1e-9;
}

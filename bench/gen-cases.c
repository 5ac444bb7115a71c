/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gen-cases: fill a new case database with N realistic cases for the
 * benchmarks. Usage: gen-cases [--seed S] DB N
 *
 * The cases are received over the two years ending 2026-11-20 and have the
 * shape of a busy ASB unit's: parties of every role, lifecycle events,
 * contacts that keep some standards and break others, surveys and JAG
 * meetings. The same seed gives the same database, byte for byte in its
 * rows. The file is created with the real schema (casedb_init), then loaded
 * the way a migration from another system would load it: case by case, the
 * case, then its parties, then its events, in one transaction. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "casedb.h"
#include "util.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)

/* splitmix64: small, fast, and the same on every machine, unlike rand(). */
static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* 0 .. n - 1 */
static uint32_t below(uint32_t n)
{
	return (uint32_t)(((rnd64() >> 32) * n) >> 32);
}

/* lo .. hi, both included */
static int64_t between(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd64() % (uint64_t)(hi - lo + 1));
}

/* [0, 1) */
static double unit(void)
{
	return (double)(rnd64() >> 11) * 0x1p-53;
}

static bool chance(double p)
{
	return unit() < p;
}

/* An index into weights, drawn in proportion to them. */
static unsigned pick(const unsigned *w, size_t n)
{
	unsigned total = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	uint32_t x = below(total);
	for (size_t i = 0; i < n; i++) {
		if (x < w[i])
			return (unsigned)i;
		x -= w[i];
	}
	return (unsigned)(n - 1);
}
#define PICK(...) pick((const unsigned[]){ __VA_ARGS__ }, ELEMENTSOF(((const unsigned[]){ __VA_ARGS__ })))

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *ret_y, unsigned *ret_m, unsigned *ret_d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned m = mp < 10 ? mp + 3 : mp - 9;
	*ret_d = doy - (153 * mp + 2) / 5 + 1;
	*ret_m = m;
	*ret_y = (int)((int64_t)yoe + era * 400 + (m <= 2));
}

/* 0 = Monday .. 6 = Sunday; 1970-01-01 was a Thursday. */
static int weekday(int64_t day)
{
	return (int)((day % 7 + 7 + 3) % 7);
}

/* RFC 3339 UTC, the form the council's systems write. */
static void fmt_time(char buf[static 21], int64_t t)
{
	int y;
	unsigned m, d;
	const int64_t day = t / DAY, s = t % DAY;
	civil_from_days(day, &y, &m, &d);
	snprintf(buf, 21, "%04d-%02u-%02uT%02u:%02u:%02uZ", y, m, d,
		 (unsigned)(s / HOUR), (unsigned)(s % HOUR / 60), (unsigned)(s % 60));
}

static void fmt_date(char buf[static 11], int64_t day)
{
	int y;
	unsigned m, d;
	civil_from_days(day, &y, &m, &d);
	snprintf(buf, 11, "%04d-%02u-%02u", y, m, d);
}

/* The window: two years of receipts ending on the evaluation day. */
static int64_t t_first, t_last; /* 2024-11-21T00:00:00Z, 2026-11-20T23:59:59Z */

/* When an officer acts on day `day` (days since the epoch) at the earliest
 * `lo`: a weekday between 08:30 and 17:30, now and then an evening or a
 * Saturday; never before `lo`, and always after it. */
static int64_t act_on(int64_t day, int64_t lo)
{
	int wd = weekday(day);
	if (wd >= 5 && !chance(0.05))
		day += 7 - wd;
	int64_t tod = chance(0.06) ? between(17 * HOUR + 1800, 20 * HOUR) : between(8 * HOUR + 1800, 17 * HOUR + 1800);
	int64_t t = day * DAY + tod;
	return t > lo ? t : lo + between(120, 2 * HOUR);
}

/* Acting `n` weekdays after the day of `lo` (0: that day, or the Monday
 * after a weekend). */
static int64_t after_wdays(int64_t lo, int n)
{
	int64_t day = lo / DAY;
	while (n > 0) {
		day++;
		if (weekday(day) < 5)
			n--;
	}
	return act_on(day, lo);
}

/* Acting about `n` calendar days after `lo`. */
static int64_t after_days(int64_t lo, int n)
{
	return act_on(lo / DAY + n, lo);
}

/* The contract's words, indexed by the enums below. */
enum role { VICTIM, COMPLAINANT, WITNESS, PERPETRATOR, REFERRER };
static const char *const role_name[] = { "victim", "complainant", "witness", "perpetrator", "referrer" };

enum channel { CH_NONE, CH_PHONE, CH_LETTER, CH_EMAIL, CH_VISIT, CH_SMS, CH_MEETING };
static const char *const channel_name[] = { NULL, "phone", "letter", "email", "visit", "sms", "meeting" };

enum kind { K_ACCEPTED, K_NOT_ACCEPTED, K_CLOSED, K_HOLD, K_RESUME, K_RISK, K_SERIOUS, K_CONTACT };
static const char *const kind_name[] = {
	"accepted", "not_accepted", "closed", "hold", "resume", "risk", "serious", "contact",
};

enum detail { D_NONE, D_ACK, D_UPDATE, D_SENDBACK, D_STANDARD, D_MEDIUM, D_HIGH };
static const char *const detail_name[] = {
	NULL, "acknowledgement", "update", "sendback", "standard", "medium", "high",
};

enum risk { RISK_STANDARD, RISK_MEDIUM, RISK_HIGH };
static const char *const risk_name[] = { "standard", "medium", "high" };

enum stage { ST_ENQUIRY, ST_CASE, ST_CLOSED };
static const char *const stage_name[] = { "enquiry", "case", "closed" };

static const char *const category_name[] = { "personal", "nuisance", "environmental" };

static const char *const agreed_contact[] = {
	"10 working days", "15 days", "5 working days", "20 working days", "28 days",
};

/* The unit: five teams of eight. */
static const struct team {
	const char *id, *name;
} teams[] = {
	{ "north", "North" },
	{ "south", "South" },
	{ "east", "East" },
	{ "west", "West" },
	{ "city", "City Centre" },
};
#define OFFICERS_PER_TEAM 8
#define N_OFFICERS (ELEMENTSOF(teams) * OFFICERS_PER_TEAM)

static const char *const first_names[N_OFFICERS] = {
	"Aisha", "Ben", "Chloe", "Daniel", "Emma", "Farhan", "Grace", "Harry",
	"Imran", "Jess", "Kieran", "Laura", "Mohammed", "Nadia", "Oliver", "Priya",
	"Quentin", "Rachel", "Sam", "Tariq", "Una", "Vikram", "Wendy", "Xavier",
	"Yasmin", "Zoe", "Adam", "Bethany", "Callum", "Dawn", "Ellis", "Fiona",
	"Gareth", "Hannah", "Ian", "Joanne", "Karl", "Leanne", "Mark", "Niamh",
};
static const char *const surnames[] = {
	"Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fletcher", "Green", "Hussain",
	"Iqbal", "Jones", "Khan", "Lewis", "Murphy", "Naylor", "O'Brien", "Patel",
	"Quinn", "Roberts", "Smith", "Taylor", "Usher", "Vaughan", "Walker", "Wright",
	"Young", "Zaman", "Atkinson", "Begum", "Cooper", "Dixon", "Edwards", "Fox",
	"Griffiths", "Hall", "Ingham", "Jackson", "Kaur", "Lee", "Mitchell", "Nolan",
};
static const char *const streets[] = {
	"Church Lane", "Station Road", "Elm Grove", "Victoria Street", "Mill Lane",
	"Park View", "Chapel Street", "Orchard Close", "Beech Avenue", "Kings Road",
	"Moor Crescent", "Canal Walk", "Holly Bank", "Ash Terrace", "Bridge Street",
	"Fern Way", "Westfield Drive", "Oak Court", "Cross Hill", "Low Fold",
};
static const char *const agencies[] = {
	"Police neighbourhood team", "Housing (ALMO) tenancy officer", "Adult social care",
	"Children's services", "Ward councillor", "Environmental health", "Victim Support",
	"Housing association", "Youth service", "Mental health team",
};
static const char *const titles[] = { "Mr", "Mrs", "Ms", "Miss", "Mx" };

/* Two officers left on 2025-09-30: their cases are all older. */
static bool officer_left(unsigned o)
{
	return o == 7 || o == 23;
}

static char *officer_id[N_OFFICERS];

#define MAX_PARTIES 4
#define MAX_EVENTS 64
#define MIN_EVENTS 5
#define TARGET_EVENTS_MAX 15

struct party {
	enum role role;
	enum channel pref;     /* CH_NONE: no preference recorded */
	int64_t identified;    /* 0: NULL, known from receipt */
	int64_t known;         /* when the unit could first contact them */
};

struct event {
	int64_t at;
	unsigned order;        /* tie-break: the order they were made */
	enum kind kind;
	enum channel channel;
	enum detail detail;
	int party;             /* index into the case's parties, or -1 */
};

struct gcase {
	int64_t received;
	unsigned officer;
	unsigned category;
	bool serious, hate;
	enum risk risk;
	int agreed;            /* index into agreed_contact, or -1 */
	enum stage stage;
	int64_t closed_at;     /* 0 while open */
	int64_t horizon;       /* nothing happens after it: the closure or t_last */
	size_t n_parties;
	struct party parties[MAX_PARTIES];
	size_t n_events;
	struct event events[MAX_EVENTS];
};

/* Record an event unless it would lie in the future of 2026-11-20 or after
 * the case closed: it has not happened (yet). */
static void add_event(struct gcase *c, int64_t at, enum kind kind, int party, enum channel ch, enum detail d)
{
	if (at > c->horizon || (c->closed_at && at >= c->closed_at && kind != K_CLOSED))
		return;
	if (c->n_events == MAX_EVENTS)
		return;
	c->events[c->n_events] = (struct event){
		.at = at, .order = (unsigned)c->n_events, .kind = kind, .channel = ch, .detail = d, .party = party,
	};
	c->n_events++;
}

static void add_contact(struct gcase *c, int64_t at, int party, enum channel ch, enum detail d)
{
	/* Now and then a contact is logged against no one in particular. */
	if (party >= 0 && chance(0.02))
		party = -1;
	add_event(c, at, K_CONTACT, party, ch, d);
}

static int find_party(const struct gcase *c, enum role role)
{
	for (size_t i = 0; i < c->n_parties; i++)
		if (c->parties[i].role == role)
			return (int)i;
	return -1;
}

/* How an officer gets in touch with `party`: their preferred way, mostly,
 * when they have one. */
static enum channel channel_for(const struct gcase *c, int party)
{
	if (party >= 0 && c->parties[party].pref != CH_NONE && chance(0.85))
		return c->parties[party].pref;
	static const enum channel ch[] = { CH_PHONE, CH_EMAIL, CH_LETTER, CH_VISIT, CH_SMS, CH_MEETING };
	return ch[PICK(40, 25, 15, 10, 7, 3)];
}

static int64_t party_known(const struct gcase *c, int party, int64_t t)
{
	if (party >= 0 && c->parties[party].known > t)
		return c->parties[party].known;
	return t;
}

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_time(const void *a, const void *b)
{
	const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* A moment of receipt: any day, weekends less often; mostly office hours,
 * a fair share of evenings, a few at night. */
static int64_t receipt_time(void)
{
	const int64_t first_day = t_first / DAY, n_days = (t_last - t_first + 1) / DAY;
	int64_t day;
	do
		day = first_day + below((uint32_t)n_days);
	while (weekday(day) >= 5 && !chance(0.45));
	int64_t tod;
	switch (PICK(70, 22, 8)) {
	case 0: tod = between(8 * HOUR, 17 * HOUR - 1); break;
	case 1: tod = between(17 * HOUR, 23 * HOUR - 1); break;
	default: tod = (between(23 * HOUR, 32 * HOUR - 1)) % DAY; break;
	}
	return day * DAY + tod;
}

static void gen_parties(struct gcase *c, bool accepted)
{
	const int64_t r = c->received;
	enum role want[MAX_PARTIES + 2];
	size_t n = 0;
	unsigned main_role = PICK(60, 35, 5);
	if (main_role < 2)
		want[n++] = main_role == 0 ? VICTIM : COMPLAINANT;
	if (main_role == 2 || chance(0.40))
		want[n++] = REFERRER;
	if (chance(accepted ? 0.88 : 0.35))
		want[n++] = PERPETRATOR;
	if (chance(0.18))
		want[n++] = WITNESS;
	if (chance(0.25))
		want[n++] = c->hate || chance(0.5) ? VICTIM : WITNESS;

	c->n_parties = n < MAX_PARTIES ? n : MAX_PARTIES;
	for (size_t i = 0; i < c->n_parties; i++) {
		struct party *p = &c->parties[i];
		*p = (struct party){ .role = want[i] };
		double pref_p = p->role == VICTIM || p->role == COMPLAINANT ? 0.30 :
				p->role == REFERRER ? 0.15 : p->role == WITNESS ? 0.10 : 0.0;
		if (chance(pref_p)) {
			static const enum channel ch[] = { CH_PHONE, CH_EMAIL, CH_SMS, CH_LETTER, CH_VISIT };
			p->pref = p->role == REFERRER ? CH_EMAIL : ch[PICK(40, 25, 15, 15, 5)];
		}
		double ident_p = p->role == PERPETRATOR ? 0.35 : p->role == WITNESS ? 0.40 :
				 p->role == VICTIM ? 0.04 : 0.0;
		if (chance(ident_p)) {
			int64_t t = after_days(r, (int)between(1, p->role == WITNESS ? 45 : 60));
			/* Known by now, then: sometime before the window ends. */
			if (t > t_last)
				t = between(r + 1, t_last);
			p->identified = t;
		}
		p->known = p->identified ? p->identified : r;
	}
}

static void gen_case(struct gcase *c, int64_t received)
{
	const int64_t r = received;
	*c = (struct gcase){ .received = r, .agreed = -1 };

	c->officer = below(N_OFFICERS);
	if (officer_left(c->officer) && r >= days_from_civil(2025, 10, 1) * DAY)
		c->officer = (c->officer + 1) % N_OFFICERS;

	/* Hate crime is serious by the standard's definition. */
	c->hate = chance(0.03);
	bool serious = c->hate || chance(0.052);
	c->category = c->hate ? (chance(0.85) ? 0 : 1) : PICK(45, 40, 15);
	if (chance(0.05))
		c->agreed = (int)below(ELEMENTSOF(agreed_contact));

	/* What happens to it, and when: 70% accepted within days, 15% not
	 * accepted and closed, the rest still being looked into or closed at
	 * the enquiry stage. Accepted cases run from weeks to years. */
	const unsigned outcome = PICK(70, 15, 15);
	int64_t decided = 0, close = 0;
	switch (outcome) {
	case 0: {
		decided = after_wdays(r, (int)(chance(0.85) ? between(0, 5) : between(6, 20)));
		int dur;
		switch (PICK(18, 22, 30, 30)) {
		case 0: dur = (int)between(14, 60); break;
		case 1: dur = (int)between(61, 180); break;
		case 2: dur = (int)between(181, 420); break;
		default: dur = (int)between(421, 1100); break;
		}
		close = after_days(decided, dur);
		break;
	}
	case 1:
		decided = after_wdays(r, (int)between(1, 15));
		close = after_wdays(decided, (int)between(2, 20));
		break;
	default:
		if (chance(0.55))
			close = after_days(r, (int)between(5, 150));
		break;
	}
	if (close && close <= t_last)
		c->closed_at = close;
	c->horizon = c->closed_at ? c->closed_at : t_last;

	gen_parties(c, outcome == 0);
	const int main_party = find_party(c, VICTIM) >= 0 ? find_party(c, VICTIM) :
			       find_party(c, COMPLAINANT) >= 0 ? find_party(c, COMPLAINANT) : find_party(c, REFERRER);
	const int referrer = find_party(c, REFERRER);

	/* Risk: cases.risk is the level now. Some got there by a risk event
	 * after receipt, a few went up and came down again. */
	const enum risk final_risk = (enum risk)PICK(75, 18, 7);
	enum risk initial = final_risk;
	if (final_risk != RISK_STANDARD && chance(0.4)) {
		initial = final_risk == RISK_HIGH && chance(0.3) ? RISK_MEDIUM : RISK_STANDARD;
		add_event(c, after_days(r, (int)between(1, 90)), K_RISK, -1, CH_NONE, D_STANDARD + final_risk);
	} else if (final_risk == RISK_STANDARD && chance(0.04)) {
		int64_t up = after_days(r, (int)between(1, 60));
		add_event(c, up, K_RISK, -1, CH_NONE, chance(0.5) ? D_MEDIUM : D_HIGH);
		add_event(c, after_days(up, (int)between(7, 90)), K_RISK, -1, CH_NONE, D_STANDARD);
	}

	/* Serious from receipt, or flagged serious after it. */
	int64_t serious_at = r;
	if (serious && !c->hate && chance(0.25)) {
		serious_at = after_days(r, (int)between(1, 20));
		add_event(c, serious_at, K_SERIOUS, -1, CH_NONE, D_NONE);
	}
	if (serious && chance(0.95)) {
		int k = chance(0.88) ? (int)between(0, 1) : (int)between(2, 4);
		add_contact(c, after_wdays(serious_at, k), main_party, CH_PHONE, D_UPDATE);
	}

	/* First contact and the acknowledgement of the enquiry. */
	if (main_party >= 0 && chance(0.95)) {
		unsigned when = PICK(80, 15);
		int k = when == 0 ? (int)between(0, 2) : (int)between(3, 7);
		static const enum channel ch[] = { CH_PHONE, CH_LETTER, CH_EMAIL, CH_SMS };
		enum channel how = c->parties[main_party].pref != CH_NONE && chance(0.85) ?
			c->parties[main_party].pref : ch[PICK(45, 20, 30, 5)];
		add_contact(c, after_wdays(party_known(c, main_party, r), k), main_party, how, D_ACK);
	}
	if (referrer >= 0 && referrer != main_party && chance(0.7))
		add_contact(c, after_wdays(r, (int)between(0, 4)), referrer, chance(0.5) ? CH_LETTER : CH_EMAIL, D_ACK);

	int update_party = main_party;
	int64_t updates_from = r;
	if (outcome == 0) {
		add_event(c, decided, K_ACCEPTED, -1, CH_NONE, D_NONE);
		for (size_t i = 0; i < c->n_parties; i++) {
			const struct party *p = &c->parties[i];
			const int64_t base = decided > p->known ? decided : p->known;
			if (p->role == VICTIM || p->role == WITNESS || p->role == REFERRER) {
				unsigned when = PICK(80, 12, 8);
				if (when < 2)
					add_contact(c, after_wdays(base, (int)(when == 0 ? between(0, 3) : between(4, 10))),
						    (int)i, chance(0.95) ? CH_LETTER : CH_EMAIL, D_ACK);
			}
			if (p->role == VICTIM) {
				unsigned when = PICK(75, 15, 10);
				if (when < 2)
					add_contact(c, after_wdays(base, (int)(when == 0 ? between(1, 10) : between(11, 20))),
						    (int)i, CH_VISIT, D_UPDATE);
			}
			if (p->role == PERPETRATOR) {
				unsigned when = PICK(80, 10, 10);
				if (when < 2)
					add_contact(c, after_wdays(base, (int)(when == 0 ? between(1, 20) : between(21, 35))),
						    (int)i, CH_LETTER, D_UPDATE);
			}
		}
		if (chance(0.06)) {
			int64_t hold = after_days(decided, (int)between(10, 120));
			int64_t resume = after_days(hold, (int)between(7, 60));
			if (!c->closed_at || resume < c->closed_at) {
				add_event(c, hold, K_HOLD, -1, CH_NONE, D_NONE);
				add_event(c, resume, K_RESUME, -1, CH_NONE, D_NONE);
			}
		}
		int v = find_party(c, VICTIM);
		update_party = v >= 0 ? v : referrer >= 0 ? referrer : main_party;
		updates_from = decided;
	} else if (outcome == 1) {
		add_event(c, decided, K_NOT_ACCEPTED, -1, CH_NONE, D_NONE);
		/* The sendback letter goes first, mostly; when it does not,
		 * the closure comes first and it is never sent. */
		if (referrer >= 0 && chance(0.9)) {
			int64_t sent = after_wdays(party_known(c, referrer, decided), (int)between(0, 8));
			if (chance(0.85) && (!close || close <= sent)) {
				close = after_wdays(sent, (int)between(0, 5));
				c->closed_at = close <= t_last ? close : 0;
				c->horizon = c->closed_at ? c->closed_at : t_last;
			}
			add_contact(c, sent, referrer, chance(0.92) ? CH_LETTER : CH_EMAIL, D_SENDBACK);
		}
		update_party = -2;
	}
	if (c->closed_at)
		add_event(c, c->closed_at, K_CLOSED, -1, CH_NONE, D_NONE);

	/* Updates fill the case out to its size, spread over its life until
	 * it closes or the window ends: a few days apart in a short case,
	 * several weeks in a long one, closer for high risk, and now and then
	 * a lapse. Some gaps keep the standards, some break them. */
	const int target = (int)between(MIN_EVENTS, TARGET_EVENTS_MAX);
	if (update_party >= -1) {
		int64_t t = party_known(c, update_party, updates_from);
		int budget = target - (int)c->n_events;
		double mean = budget > 0 ? (double)(c->horizon - t) / (double)DAY / (budget + 1) : 0;
		const double lo = final_risk == RISK_HIGH ? 2 : 3, hi = final_risk == RISK_HIGH ? 10 : 60;
		mean = mean < lo ? lo : mean > hi ? hi : mean;
		for (; budget > 0; budget--) {
			double gap = mean * (0.4 + 1.2 * unit());
			if (chance(0.08))
				gap *= 2 + unit();
			t = after_days(t, (int)gap);
			if (t >= c->horizon)
				break;
			add_contact(c, t, update_party, channel_for(c, update_party), D_UPDATE);
		}
	}
	/* Every case has at least a handful of rows: a young case squeezes
	 * them into the days it has had. */
	while (c->n_events < MIN_EVENTS) {
		int party = main_party;
		int64_t lo = party_known(c, party, r);
		int64_t hi = c->closed_at ? c->closed_at - 1 : t_last;
		if (hi < lo)
			party = -1, lo = r;
		add_contact(c, between(lo, hi > lo ? hi : lo), party, channel_for(c, party), D_UPDATE);
	}
	/* ... and at most TARGET_EVENTS_MAX: drop contacts beyond it. */
	while (c->n_events > TARGET_EVENTS_MAX) {
		size_t i;
		do
			i = below((uint32_t)c->n_events);
		while (c->events[i].kind != K_CONTACT);
		memmove(&c->events[i], &c->events[i + 1], (c->n_events - i - 1) * sizeof(c->events[0]));
		c->n_events--;
	}
	qsort(c->events, c->n_events, sizeof(c->events[0]), cmp_event);

	/* cases.stage, .risk and .serious as the council's system shows them
	 * now, consistent with the history. */
	c->stage = ST_ENQUIRY;
	c->risk = initial;
	c->serious = serious && serious_at == r;
	for (size_t i = 0; i < c->n_events; i++) {
		const struct event *e = &c->events[i];
		switch (e->kind) {
		case K_ACCEPTED:
			if (c->stage != ST_CLOSED)
				c->stage = ST_CASE;
			break;
		case K_CLOSED:
			c->stage = ST_CLOSED;
			break;
		case K_RISK:
			c->risk = (enum risk)(e->detail - D_STANDARD);
			break;
		case K_SERIOUS:
			c->serious = true;
			break;
		case K_NOT_ACCEPTED:
		case K_HOLD:
		case K_RESUME:
		case K_CONTACT:
			break;
		}
	}
}

static void party_label(char *buf, size_t size, const struct party *p)
{
	switch (p->role) {
	case REFERRER:
		snprintf(buf, size, "%s", agencies[below(ELEMENTSOF(agencies))]);
		break;
	case PERPETRATOR:
		if (chance(0.3)) {
			snprintf(buf, size, "Occupant, %u %s", (unsigned)between(1, 180), streets[below(ELEMENTSOF(streets))]);
			break;
		}
		/* fall through */
	case VICTIM:
	case COMPLAINANT:
	case WITNESS:
		snprintf(buf, size, "%s %c. %s, %u %s", titles[below(ELEMENTSOF(titles))], 'A' + (int)below(26),
			 surnames[below(ELEMENTSOF(surnames))], (unsigned)between(1, 180),
			 streets[below(ELEMENTSOF(streets))]);
		break;
	}
}

/* The loader: one connection, its statements, and what went wrong. */
struct gen {
	const char *path;
	sqlite3 *db;
	sqlite3_stmt *st[7];
	uint64_t n_parties, n_events, n_surveys, n_meetings;
};
enum { S_TEAM, S_OFFICER, S_CASE, S_PARTY, S_EVENT, S_SURVEY, S_MEETING };
static const char *const stmt_sql[] = {
	[S_TEAM] = "INSERT INTO teams (id, name, supervisor, manager_email) VALUES (?, ?, ?, ?)",
	[S_OFFICER] = "INSERT INTO officers (id, name, email, team, active) VALUES (?, ?, ?, ?, ?)",
	[S_CASE] = "INSERT INTO cases (ref, stage, category, serious, hate, risk, officer, team, "
		   "agreed_contact, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_PARTY] = "INSERT INTO parties (case_id, role, label, preferred_channel, identified_at) "
		    "VALUES (?, ?, ?, ?, ?)",
	[S_EVENT] = "INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?)",
	[S_SURVEY] = "INSERT INTO surveys (case_id, at, satisfied) VALUES (?, ?, ?)",
	[S_MEETING] = "INSERT INTO meetings (kind, held_on, team) VALUES ('jag', ?, ?)",
};

static int db_fail(struct gen *g, const char *what)
{
	fprintf(stderr, "gen-cases: %s: %s: %s\n", g->path, what, sqlite3_errmsg(g->db));
	return -EIO;
}

static int exec(struct gen *g, const char *sql)
{
	char *e = NULL;
	if (sqlite3_exec(g->db, sql, NULL, NULL, &e) != SQLITE_OK) {
		fprintf(stderr, "gen-cases: %s: %s: %s\n", g->path, sql, e ? e : sqlite3_errmsg(g->db));
		sqlite3_free(e);
		return -EIO;
	}
	return 0;
}

/* PRAGMA journal_mode answers with the mode it is in: it may refuse. */
static int journal_mode(struct gen *g, const char *mode)
{
	_cleanup_free_ char *sql = xasprintf("PRAGMA journal_mode = %s", mode);
	sqlite3_stmt *st = NULL;
	int r = 0;
	if (sqlite3_prepare_v2(g->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(g, sql);
	if (sqlite3_step(st) != SQLITE_ROW) {
		r = db_fail(g, sql);
	} else {
		const unsigned char *got = sqlite3_column_text(st, 0);
		if (!got || strcasecmp((const char *)got, mode) != 0) {
			fprintf(stderr, "gen-cases: %s: journal mode stayed %s, not %s\n", g->path,
				got ? (const char *)got : "(none)", mode);
			r = -EIO;
		}
	}
	if (sqlite3_finalize(st) != SQLITE_OK && r == 0)
		r = db_fail(g, sql);
	return r;
}

static int bind_text(struct gen *g, sqlite3_stmt *st, int i, const char *s)
{
	int rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
	return rc == SQLITE_OK ? 0 : db_fail(g, "bind");
}

static int bind_int(struct gen *g, sqlite3_stmt *st, int i, int64_t v)
{
	return sqlite3_bind_int64(st, i, v) == SQLITE_OK ? 0 : db_fail(g, "bind");
}

static int bind_id(struct gen *g, sqlite3_stmt *st, int i, int64_t v)
{
	int rc = v > 0 ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
	return rc == SQLITE_OK ? 0 : db_fail(g, "bind");
}

/* Run an INSERT bound by the caller, ready it for the next row. */
static int insert(struct gen *g, unsigned s, int64_t *ret_id)
{
	sqlite3_stmt *st = g->st[s];
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(g, stmt_sql[s]);
		sqlite3_reset(st);
		return -EIO;
	}
	if (sqlite3_reset(st) != SQLITE_OK)
		return db_fail(g, stmt_sql[s]);
	if (ret_id)
		*ret_id = sqlite3_last_insert_rowid(g->db);
	return 0;
}

static int load_unit(struct gen *g, char **names, char **emails)
{
	sqlite3_stmt *st = g->st[S_TEAM];
	for (size_t t = 0; t < ELEMENTSOF(teams); t++) {
		_cleanup_free_ char *manager = xasprintf("asb-manager-%s@council.example", teams[t].id);
		if (bind_text(g, st, 1, teams[t].id) < 0 || bind_text(g, st, 2, teams[t].name) < 0 ||
		    bind_text(g, st, 3, officer_id[t * OFFICERS_PER_TEAM]) < 0 || bind_text(g, st, 4, manager) < 0 ||
		    insert(g, S_TEAM, NULL) < 0)
			return -EIO;
	}
	st = g->st[S_OFFICER];
	for (unsigned o = 0; o < N_OFFICERS; o++)
		if (bind_text(g, st, 1, officer_id[o]) < 0 || bind_text(g, st, 2, names[o]) < 0 ||
		    bind_text(g, st, 3, emails[o]) < 0 || bind_text(g, st, 4, teams[o / OFFICERS_PER_TEAM].id) < 0 ||
		    bind_int(g, st, 5, !officer_left(o)) < 0 || insert(g, S_OFFICER, NULL) < 0)
			return -EIO;
	return 0;
}

static int load_case(struct gen *g, const struct gcase *c, const char *ref)
{
	char at[21], ident[21], label[96];
	int64_t case_id, party_id[MAX_PARTIES];
	const char *officer = officer_id[c->officer];
	sqlite3_stmt *st = g->st[S_CASE];

	fmt_time(at, c->received);
	if (bind_text(g, st, 1, ref) < 0 || bind_text(g, st, 2, stage_name[c->stage]) < 0 ||
	    bind_text(g, st, 3, category_name[c->category]) < 0 || bind_int(g, st, 4, c->serious) < 0 ||
	    bind_int(g, st, 5, c->hate) < 0 || bind_text(g, st, 6, risk_name[c->risk]) < 0 ||
	    bind_text(g, st, 7, officer) < 0 || bind_text(g, st, 8, teams[c->officer / OFFICERS_PER_TEAM].id) < 0 ||
	    bind_text(g, st, 9, c->agreed >= 0 ? agreed_contact[c->agreed] : NULL) < 0 ||
	    bind_text(g, st, 10, at) < 0 || insert(g, S_CASE, &case_id) < 0)
		return -EIO;

	st = g->st[S_PARTY];
	for (size_t i = 0; i < c->n_parties; i++) {
		const struct party *p = &c->parties[i];
		party_label(label, sizeof(label), p);
		if (p->identified)
			fmt_time(ident, p->identified);
		if (bind_int(g, st, 1, case_id) < 0 || bind_text(g, st, 2, role_name[p->role]) < 0 ||
		    bind_text(g, st, 3, label) < 0 || bind_text(g, st, 4, channel_name[p->pref]) < 0 ||
		    bind_text(g, st, 5, p->identified ? ident : NULL) < 0 || insert(g, S_PARTY, &party_id[i]) < 0)
			return -EIO;
	}
	g->n_parties += c->n_parties;

	st = g->st[S_EVENT];
	for (size_t i = 0; i < c->n_events; i++) {
		const struct event *e = &c->events[i];
		fmt_time(at, e->at);
		if (bind_int(g, st, 1, case_id) < 0 || bind_text(g, st, 2, at) < 0 ||
		    bind_text(g, st, 3, kind_name[e->kind]) < 0 ||
		    bind_id(g, st, 4, e->party >= 0 ? party_id[e->party] : 0) < 0 ||
		    bind_text(g, st, 5, channel_name[e->channel]) < 0 || bind_text(g, st, 6, detail_name[e->detail]) < 0 ||
		    bind_text(g, st, 7, officer) < 0 || insert(g, S_EVENT, NULL) < 0)
			return -EIO;
	}
	g->n_events += c->n_events;

	/* A tenth of the closed cases answer the survey, weeks later. */
	if (c->closed_at && chance(0.10)) {
		int64_t when = after_days(c->closed_at, (int)between(3, 40));
		if (when <= t_last) {
			st = g->st[S_SURVEY];
			fmt_time(at, when);
			if (bind_int(g, st, 1, case_id) < 0 || bind_text(g, st, 2, at) < 0 ||
			    bind_int(g, st, 3, chance(0.95)) < 0 || insert(g, S_SURVEY, NULL) < 0)
				return -EIO;
			g->n_surveys++;
		}
	}
	return 0;
}

/* One Joint Action Group meeting a month, chaired by each team in turn, on
 * a weekday; two months of the window went without. */
static int load_meetings(struct gen *g)
{
	int y = 2024;
	unsigned m = 11, n_months = 25;
	unsigned skip1 = below(n_months), skip2 = (skip1 + 1 + below(n_months - 1)) % n_months;
	sqlite3_stmt *st = g->st[S_MEETING];
	for (unsigned i = 0; i < n_months; i++) {
		int64_t first = days_from_civil(y, m, 1);
		int64_t next = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
		int64_t lo = first > t_first / DAY ? first : t_first / DAY;
		int64_t hi = next - 1 < t_last / DAY ? next - 1 : t_last / DAY;
		int64_t day;
		do
			day = between(lo, hi);
		while (weekday(day) >= 5);
		if (++m == 13)
			m = 1, y++;
		if (i == skip1 || i == skip2)
			continue;
		char held[11];
		fmt_date(held, day);
		if (bind_text(g, st, 1, held) < 0 || bind_text(g, st, 2, teams[i % ELEMENTSOF(teams)].id) < 0 ||
		    insert(g, S_MEETING, NULL) < 0)
			return -EIO;
		g->n_meetings++;
	}
	return 0;
}

static int load(struct gen *g, uint64_t n)
{
	int r = -EIO;
	int64_t *received = NULL;
	char *names[N_OFFICERS] = { NULL }, *emails[N_OFFICERS] = { NULL };
	struct gcase *c = xmalloc(sizeof(*c));

	for (unsigned o = 0; o < N_OFFICERS; o++) {
		const char *last = surnames[(o * 17 + 5) % N_OFFICERS];
		names[o] = xasprintf("%s %s", first_names[o], last);
		officer_id[o] = xasprintf("%s.%s", first_names[o], last);
		for (char *p = officer_id[o]; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p == '\'' ? '-' : *p);
		emails[o] = xasprintf("%s@council.example", officer_id[o]);
	}

	/* One thread, one connection: SQLite's mutexes would only cost time. */
	if (sqlite3_open_v2(g->path, &g->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (g->db)
			db_fail(g, "open");
		else
			fprintf(stderr, "gen-cases: %s: cannot open\n", g->path);
		goto out;
	}
	/* A bulk load into a new file: nothing to protect until it is done,
	 * and on failure the file is removed. */
	if (journal_mode(g, "off") < 0 || exec(g, "PRAGMA synchronous = OFF") < 0 ||
	    exec(g, "PRAGMA cache_size = -65536") < 0)
		goto out;
	for (size_t s = 0; s < ELEMENTSOF(stmt_sql); s++)
		if (sqlite3_prepare_v2(g->db, stmt_sql[s], -1, &g->st[s], NULL) != SQLITE_OK) {
			db_fail(g, stmt_sql[s]);
			goto out;
		}
	if (exec(g, "BEGIN") < 0 || load_unit(g, names, emails) < 0)
		goto out;

	/* Receipts in time order, so ids and references grow with time as in
	 * a real system; references count from 1 each calendar year. */
	if (n > 0) {
		received = xmalloc(n * sizeof(*received));
		for (uint64_t i = 0; i < n; i++)
			received[i] = receipt_time();
		qsort(received, n, sizeof(*received), cmp_time);
	}
	int year = 0;
	unsigned seq = 0;
	for (uint64_t i = 0; i < n; i++) {
		int y;
		unsigned mo, d;
		civil_from_days(received[i] / DAY, &y, &mo, &d);
		if (y != year)
			year = y, seq = 0;
		char ref[32];
		snprintf(ref, sizeof(ref), "ASB-%04d-%06u", y, ++seq);
		gen_case(c, received[i]);
		if (load_case(g, c, ref) < 0)
			goto out;
	}
	if (load_meetings(g) < 0 || exec(g, "COMMIT") < 0)
		goto out;
	r = 0;
out:
	for (size_t s = 0; s < ELEMENTSOF(g->st); s++) {
		if (sqlite3_finalize(g->st[s]) != SQLITE_OK && r == 0)
			r = db_fail(g, "finalize");
		g->st[s] = NULL;
	}
	/* Back to WAL, as `casewatch db init` made it, for the readers. */
	if (r == 0)
		r = journal_mode(g, "wal");
	if (g->db && sqlite3_close(g->db) != SQLITE_OK && r == 0) {
		fprintf(stderr, "gen-cases: %s: close: %s\n", g->path, sqlite3_errmsg(g->db));
		r = -EIO;
	}
	g->db = NULL;
	for (unsigned o = 0; o < N_OFFICERS; o++) {
		free(names[o]);
		free(emails[o]);
		free(officer_id[o]);
		officer_id[o] = NULL;
	}
	free(received);
	free(c);
	return r;
}

static void remove_db(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < ELEMENTSOF(suffix); i++) {
		_cleanup_free_ char *p = xasprintf("%s%s", path, suffix[i]);
		unlink(p);
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}

static int usage(void)
{
	fputs("Usage: gen-cases [--seed S] DB N\n"
	      "Create the case database DB (it must not exist) holding N cases.\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, n;
	int i = 1;
	if (argc > i && strcmp(argv[i], "--seed") == 0) {
		if (argc <= i + 1 || !parse_u64(argv[i + 1], &seed))
			return usage();
		i += 2;
	}
	if (argc - i != 2 || !parse_u64(argv[i + 1], &n) || n > 100000000)
		return usage();
	const char *path = argv[i];

	struct stat sb;
	if (lstat(path, &sb) == 0) {
		fprintf(stderr, "gen-cases: %s exists; refusing to touch it\n", path);
		return 1;
	}
	if (errno != ENOENT) {
		fprintf(stderr, "gen-cases: %s: %s\n", path, strerror(errno));
		return 1;
	}

	rng_state = seed;
	t_first = days_from_civil(2024, 11, 21) * DAY;
	t_last = days_from_civil(2026, 11, 20) * DAY + DAY - 1;

	double t0 = now();
	char *err = NULL;
	int from;
	if (casedb_init(path, &from, &err) < 0) {
		fprintf(stderr, "gen-cases: %s\n", err);
		free(err);
		return 1;
	}
	struct gen g = { .path = path };
	if (load(&g, n) < 0) {
		remove_db(path);
		return 1;
	}
	double secs = now() - t0;

	printf("seed %" PRIu64 "\n", seed);
	printf("cases %" PRIu64 "\n", n);
	printf("parties %" PRIu64 "\n", g.n_parties);
	printf("events %" PRIu64 "\n", g.n_events);
	printf("surveys %" PRIu64 "\n", g.n_surveys);
	printf("meetings %" PRIu64 "\n", g.n_meetings);
	printf("seconds %.2f\n", secs);
	return 0;
}

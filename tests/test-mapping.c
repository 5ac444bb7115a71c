/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tap.h"

#include "mapping.h"
#include "util.h"

static char dir[] = "/tmp/casewatch-mapping.XXXXXX";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static char *write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

static struct mapping *load_ok(const char *name, const char *text)
{
	_cleanup_free_ char *path = write_file(name, text);
	struct diags d = { 0 };
	struct mapping *m = NULL;
	int r = mapping_load(path, &m, &d);
	if (r < 0 || d.n > 0) {
		diags_print(&d, stderr);
		fail_msg("%s did not load cleanly", name);
	}
	assert_non_null(m);
	assert_string_equal(m->path, path);
	diags_free(&d);
	return m;
}

/* Load a file expected to fail; return its problems as "LINE: message"
 * lines, each checked to name the file itself. */
static char *load_bad(const char *name, const char *text)
{
	_cleanup_free_ char *path = write_file(name, text);
	struct diags d = { 0 };
	struct mapping *m = (struct mapping *)&d; /* a pointer it must not touch */
	assert_int_equal(mapping_load(path, &m, &d), -EINVAL);
	assert_ptr_equal(m, (struct mapping *)&d);
	diags_sort(&d);
	char *out = xstrdup("");
	for (size_t i = 0; i < d.n; i++) {
		assert_non_null(d.v[i].file);
		assert_string_equal(d.v[i].file, path);
		char *n = xasprintf("%s%d: %s\n", out, d.v[i].line, d.v[i].msg);
		free(out);
		out = n;
	}
	diags_free(&d);
	return out;
}

/* A mapping of one source, the text of the source's group given (its
 * group opens on line 2). */
static char *source_text(const char *body)
{
	return xasprintf("sources = (\n  {\n%s  }\n);\n", body);
}

static const struct map_column *column(const struct map_source *s, const char *name)
{
	for (size_t i = 0; i < s->n_columns; i++)
		if (strcmp(s->columns[i].column, name) == 0)
			return &s->columns[i];
	fail_msg("no column %s", name);
	return NULL;
}

/* A column's export columns, joined by '|'. */
static char *from_of(const struct map_column *c)
{
	struct strbuf b = { 0 };
	strbuf_adds(&b, "");
	for (size_t i = 0; i < c->n_from; i++) {
		if (i)
			strbuf_adds(&b, "|");
		strbuf_adds(&b, c->from[i]);
	}
	return b.p;
}

/* A column's values list as "from=to;from=to". */
static char *values_of(const struct map_column *c)
{
	struct strbuf b = { 0 };
	strbuf_adds(&b, "");
	for (size_t i = 0; i < c->n_values; i++) {
		if (i)
			strbuf_adds(&b, ";");
		strbuf_adds(&b, c->values[i].from);
		strbuf_adds(&b, "=");
		strbuf_adds(&b, c->values[i].to);
	}
	return b.p;
}

static char *strv_text(char *const *v, size_t n)
{
	struct strbuf b = { 0 };
	strbuf_adds(&b, "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_adds(&b, "|");
		strbuf_adds(&b, v[i]);
	}
	return b.p;
}

#define assert_from(c, want)                              \
	do {                                              \
		_cleanup_free_ char *_f = from_of(c);     \
		assert_string_equal(_f, want);            \
	} while (0)
#define assert_values(c, want)                            \
	do {                                              \
		_cleanup_free_ char *_v = values_of(c);   \
		assert_string_equal(_v, want);            \
	} while (0)
#define assert_strv(v, n, want)                           \
	do {                                              \
		_cleanup_free_ char *_s = strv_text(v, n); \
		assert_string_equal(_s, want);            \
	} while (0)

/* ---- DESIGN.md section 9 ----------------------------------------------- */

/* The example exactly as the design gives it. Two of its lines show
 * constructs out of their place: a translation for hate, which the
 * source does not map, and the constant kind, which is an events
 * column; a mapping that did either would be a mistake to report. */
static const char design_example[] =
	"encoding = \"utf-8\";                  # or \"windows-1252\"; a BOM is skipped\n"
	"delimiter = \",\";\n"
	"timestamp_format = \"%d/%m/%Y %H:%M\"; # strptime-style; local time in `timezone`\n"
	"date_format = \"%d/%m/%Y\";\n"
	"sources = (\n"
	"  {\n"
	"    match = \"*cases*.csv\";           # which files this source reads (glob on the name)\n"
	"    into = \"cases\";                  # cases | parties | events | officers | teams | surveys | meetings\n"
	"    key = [ \"Case Ref\" ];            # export column(s) that identify a row across exports\n"
	"    columns = {                      # casewatch column = export column, or a list joined by one space\n"
	"      ref = \"Case Ref\";\n"
	"      received_at = [ \"Date Received\", \"Time Received\" ];\n"
	"      stage = \"Status\";\n"
	"    };\n"
	"    values = {                       # per casewatch column: [ export value, casewatch value ] pairs\n"
	"      stage = ( [ \"Open - Enquiry\", \"enquiry\" ], [ \"Open - Case\", \"case\" ], [ \"Closed\", \"closed\" ] );\n"
	"      hate = ( [ \"Y\", \"1\" ], [ \"N\", \"0\" ] );\n"
	"    };\n"
	"    set = { kind = \"contact\"; };     # casewatch column = constant, for every row of this source\n"
	"  }\n"
	");\n";

static void test_design_example_as_written_reports_its_two_misplaced_lines(void **state)
{
	_cleanup_free_ char *got = load_bad("design.conf", design_example);
	assert_string_equal(got,
		"17: values.hate: hate is not mapped in columns: there is nothing to translate\n"
		"19: unknown column 'kind' of table cases (ref, stage, category, serious, hate, risk, officer, "
		"team, agreed_contact or received_at)\n");
}

static void test_design_example_loads_with_hate_mapped_and_kind_set_for_contacts(void **state)
{
	/* The same example with hate read from a column of the export, and
	 * the constant kind where it belongs, in a contacts source. */
	struct mapping *m = load_ok("design-fixed.conf",
		"encoding = \"utf-8\";\n"
		"delimiter = \",\";\n"
		"timestamp_format = \"%d/%m/%Y %H:%M\";\n"
		"date_format = \"%d/%m/%Y\";\n"
		"sources = (\n"
		"  {\n"
		"    match = \"*cases*.csv\";\n"
		"    into = \"cases\";\n"
		"    key = [ \"Case Ref\" ];\n"
		"    columns = {\n"
		"      ref = \"Case Ref\";\n"
		"      received_at = [ \"Date Received\", \"Time Received\" ];\n"
		"      stage = \"Status\";\n"
		"      hate = \"Hate Crime\";\n"
		"    };\n"
		"    values = {\n"
		"      stage = ( [ \"Open - Enquiry\", \"enquiry\" ], [ \"Open - Case\", \"case\" ], [ \"Closed\", \"closed\" ] );\n"
		"      hate = ( [ \"Y\", \"1\" ], [ \"N\", \"0\" ] );\n"
		"    };\n"
		"  },\n"
		"  {\n"
		"    match = \"*contacts*.csv\";\n"
		"    into = \"events\";\n"
		"    key = \"Contact ID\";\n"
		"    columns = { case = \"Case Ref\"; at = \"Contact Date\"; };\n"
		"    set = { kind = \"contact\"; };\n"
		"  }\n"
		");\n");
	assert_int_equal(m->n_sources, 2);
	const struct map_source *s = &m->sources[0];
	assert_string_equal(s->match, "*cases*.csv");
	assert_int_equal(s->into, IMPORT_CASES);
	assert_strv(s->key, s->n_key, "Case Ref");
	assert_int_equal(s->n_columns, 4);
	assert_from(column(s, "received_at"), "Date Received|Time Received");
	assert_values(column(s, "stage"), "Open - Enquiry=enquiry;Open - Case=case;Closed=closed");
	assert_values(column(s, "hate"), "Y=1;N=0");
	const struct map_column *kind = column(&m->sources[1], "kind");
	assert_string_equal(kind->set, "contact");
	assert_int_equal(kind->n_from, 0);
	assert_int_equal(kind->line, 26);
	mapping_free(m);
}

/* ---- What loads -------------------------------------------------------- */

static void test_defaults_of_a_minimal_mapping(void **state)
{
	struct mapping *m = load_ok("min.conf",
		"sources = ( { match = \"teams.csv\"; into = \"teams\"; key = \"Code\"; columns = { id = \"Code\"; }; } );\n");
	assert_int_equal(m->encoding, CSV_UTF8);
	assert_int_equal(m->delimiter, ',');
	assert_string_equal(m->timestamp_format, "%d/%m/%Y %H:%M");
	assert_string_equal(m->date_format, "%d/%m/%Y");
	assert_int_equal(m->fold, IMPORT_FOLD_EARLIER);
	assert_int_equal(m->n_sources, 1);
	const struct map_source *s = &m->sources[0];
	assert_int_equal(s->line, 1);
	assert_false(s->snapshot);
	assert_true(s->snapshot_min == 0.5);
	assert_int_equal(s->n_role_flags, 0);
	assert_strv(s->yes, s->n_yes, "Y|Yes|1|True|X");
	assert_int_equal(s->n_columns, 1);
	assert_string_equal(s->columns[0].column, "id");
	assert_from(&s->columns[0], "Code");
	assert_null(s->columns[0].set);
	assert_int_equal(s->columns[0].n_values, 0);
	mapping_free(m);
}

/* Every construct of the language, each value checked. */
static const char full_example[] =
	"encoding = \"windows-1252\";\n"                          /* 1 */
	"delimiter = \"\\t\";\n"
	"timestamp_format = \"%Y-%m-%d %H:%M:%S\";\n"
	"date_format = \"%e %B %Y\";\n"
	"ambiguous_time = \"later\";\n"                            /* 5 */
	"sources = (\n"
	"  {\n"
	"    match = \"people-*.csv\";\n"
	"    into = \"parties\";\n"
	"    key = [ \"Case\", \"Person\" ];\n"                    /* 10 */
	"    columns = {\n"
	"      case = \"Case\";\n"
	"      role = \"Type\";\n"
	"      identified_at = [ \"Added On\", \"Added At\" ];\n"
	"      preferred_channel = \"Contact\";\n"                  /* 15 */
	"    };\n"
	"    values = {\n"
	"      role = ( [ \"V\", \"victim\" ],\n"
	"               [ \"P\", \"perpetrator\" ] );\n"
	"      preferred_channel = ( [ \"Tel\", \"phone\" ] );\n"    /* 20 */
	"    };\n"
	"    set = { label = \"(not exported)\"; };\n"
	"    role_flags = { complainant = \"Reported\"; witness = \"Saw It\"; };\n"
	"    yes = [ \"J\", \"Ja\" ];\n"
	"    snapshot = true;\n"                                    /* 25 */
	"    snapshot_min = 0.75;\n"
	"  },\n"
	"  {\n"
	"    match = \"staff.csv\";\n"
	"    into = \"officers\";\n"                               /* 30 */
	"    key = \"No\";\n"
	"    columns = { id = \"No\"; };\n"
	"    set = { active = true; team = 42; name = \"Unknown\"; };\n"
	"    snapshot = true;\n"
	"    snapshot_min = 1;\n"                                  /* 35 */
	"  },\n"
	"  {\n"
	"    match = \"*.csv\";\n"
	"    into = \"events\";\n"
	"    key = \"Id\";\n"                                      /* 40 */
	"    columns = { case = \"Case\"; party = [ \"Case\", \"Person\" ]; at = \"When\"; kind = \"What\"; };\n"
	"    values = { kind = ( [ \"Phoned\", \"contact\" ], [ \"Shut\", \"closed\" ] ); };\n"
	"    set = { channel = \"phone\"; active_flag_is_not_here = \"x\"; };\n"
	"  }\n"
	");\n";

static void test_every_construct_is_kept(void **state)
{
	/* The stray constant in the last source makes it a bad file; first
	 * the good part alone. */
	_cleanup_free_ char *text = xstrdup(full_example);
	char *stray = strstr(text, " active_flag_is_not_here = \"x\";");
	assert_non_null(stray);
	memmove(stray, stray + strlen(" active_flag_is_not_here = \"x\";"),
		strlen(stray + strlen(" active_flag_is_not_here = \"x\";")) + 1);
	struct mapping *m = load_ok("full.conf", text);
	assert_int_equal(m->encoding, CSV_WINDOWS_1252);
	assert_int_equal(m->delimiter, '\t');
	assert_string_equal(m->timestamp_format, "%Y-%m-%d %H:%M:%S");
	assert_string_equal(m->date_format, "%e %B %Y");
	assert_int_equal(m->fold, IMPORT_FOLD_LATER);
	assert_int_equal(m->n_sources, 3);

	const struct map_source *p = &m->sources[0];
	assert_string_equal(p->match, "people-*.csv");
	assert_int_equal(p->into, IMPORT_PARTIES);
	assert_int_equal(p->line, 7);
	assert_strv(p->key, p->n_key, "Case|Person");
	/* columns first, in the file's order, then set */
	assert_int_equal(p->n_columns, 5);
	assert_string_equal(p->columns[0].column, "case");
	assert_string_equal(p->columns[1].column, "role");
	assert_string_equal(p->columns[2].column, "identified_at");
	assert_string_equal(p->columns[3].column, "preferred_channel");
	assert_string_equal(p->columns[4].column, "label");
	assert_from(&p->columns[0], "Case");
	assert_int_equal(p->columns[0].line, 12);
	assert_from(&p->columns[2], "Added On|Added At");
	assert_int_equal(p->columns[2].line, 14);
	assert_values(&p->columns[1], "V=victim;P=perpetrator");
	assert_values(&p->columns[3], "Tel=phone");
	assert_int_equal(p->columns[0].n_values, 0);
	assert_string_equal(p->columns[4].set, "(not exported)");
	assert_int_equal(p->columns[4].n_from, 0);
	assert_int_equal(p->columns[4].line, 22);
	assert_int_equal(p->n_role_flags, 2);
	assert_string_equal(p->role_flags[0].role, "complainant");
	assert_string_equal(p->role_flags[0].from, "Reported");
	assert_int_equal(p->role_flags[0].line, 23);
	assert_string_equal(p->role_flags[1].role, "witness");
	assert_string_equal(p->role_flags[1].from, "Saw It");
	assert_strv(p->yes, p->n_yes, "J|Ja");
	assert_true(p->snapshot);
	assert_true(p->snapshot_min == 0.75);

	const struct map_source *o = &m->sources[1];
	assert_int_equal(o->into, IMPORT_OFFICERS);
	assert_true(o->snapshot);
	assert_true(o->snapshot_min == 1.0);
	/* An integer or a boolean constant is kept as its digits. */
	assert_string_equal(column(o, "active")->set, "1");
	assert_string_equal(column(o, "team")->set, "42");
	assert_string_equal(column(o, "name")->set, "Unknown");
	assert_strv(o->yes, o->n_yes, "Y|Yes|1|True|X");

	const struct map_source *e = &m->sources[2];
	assert_int_equal(e->into, IMPORT_EVENTS);
	assert_from(column(e, "party"), "Case|Person");
	assert_values(column(e, "kind"), "Phoned=contact;Shut=closed");
	assert_string_equal(column(e, "channel")->set, "phone");
	assert_false(e->snapshot);
	mapping_free(m);

	/* And the whole text: the stray constant is the only problem. */
	_cleanup_free_ char *got = load_bad("full-bad.conf", full_example);
	assert_string_equal(got,
		"43: unknown column 'active_flag_is_not_here' of table events (case, party, at, kind, channel, "
		"detail or officer)\n");
}

static void test_false_constant_is_zero_and_booleans_fit_flag_columns(void **state)
{
	_cleanup_free_ char *text = source_text(
		"    match = \"c.csv\"; into = \"cases\"; key = \"R\";\n"
		"    columns = { ref = \"R\"; received_at = \"D\"; };\n"
		"    set = { serious = false; hate = true; risk = \"high\"; stage = \"case\"; };\n");
	struct mapping *m = load_ok("consts.conf", text);
	const struct map_source *s = &m->sources[0];
	assert_string_equal(column(s, "serious")->set, "0");
	assert_string_equal(column(s, "hate")->set, "1");
	assert_string_equal(column(s, "risk")->set, "high");
	assert_string_equal(column(s, "stage")->set, "case");
	mapping_free(m);
}

static void test_roles_translation_may_name_several_roles(void **state)
{
	_cleanup_free_ char *text = source_text(
		"    match = \"p.csv\"; into = \"parties\"; key = \"K\";\n"
		"    columns = { case = \"R\"; roles = \"Roles\"; };\n"
		"    values = { roles = ( [ \"VC\", \"victim, complainant\" ], [ \"W\", \"witness\" ] ); };\n");
	struct mapping *m = load_ok("roles.conf", text);
	assert_values(column(&m->sources[0], "roles"), "VC=victim, complainant;W=witness");
	mapping_free(m);
}

static void test_required_columns_may_come_from_set_or_role_flags(void **state)
{
	struct mapping *m = load_ok("req-set.conf",
		"sources = (\n"
		"  { match = \"a\"; into = \"teams\"; key = \"K\"; set = { id = \"north\"; }; },\n"
		"  { match = \"b\"; into = \"parties\"; key = \"K\"; columns = { case = \"R\"; };\n"
		"    role_flags = { victim = \"V\"; }; },\n"
		"  { match = \"c\"; into = \"parties\"; key = \"K\"; columns = { case = \"R\"; }; set = { role = \"victim\"; }; },\n"
		"  { match = \"d\"; into = \"parties\"; key = \"K\"; columns = { case = \"R\"; roles = \"Roles\"; }; },\n"
		"  { match = \"e\"; into = \"surveys\"; key = \"K\"; columns = { at = \"At\"; satisfied = \"S\"; }; },\n"
		"  { match = \"f\"; into = \"meetings\"; key = \"K\"; columns = { held_on = \"On\"; };\n"
		"    set = { kind = \"jag\"; }; }\n"
		");\n");
	assert_int_equal(m->n_sources, 6);
	assert_int_equal(m->sources[1].n_role_flags, 1);
	assert_string_equal(m->sources[1].role_flags[0].role, "victim");
	mapping_free(m);
}

/* The man page's examples, read from the page itself so that what it
 * shows is what loads. */
static char *man_example(const char *heading)
{
	const char *top = getenv("top_srcdir");
	_cleanup_free_ char *path = xasprintf("%s/man/casewatch-import.5", top && *top ? top : ".");
	_cleanup_free_ char *page = NULL;
	size_t len;
	assert_int_equal(read_file(path, &page, &len), 0);
	const char *h = strstr(page, heading);
	assert_non_null(h);
	const char *start = strstr(h, "\n.nf\n");
	assert_non_null(start);
	start += 5;
	const char *end = strstr(start, "\n.fi\n");
	assert_non_null(end);
	struct strbuf b = { 0 };
	strbuf_adds(&b, "");
	for (const char *p = start; p <= end; p++) {
		if (p[0] == '\\' && p[1] == '-') {
			strbuf_adds(&b, "-");
			p++;
		} else if (p[0] == '\\' && p[1] == 'e') {
			strbuf_adds(&b, "\\");
			p++;
		} else {
			assert_true(p[0] != '\\'); /* no other escape in an example */
			strbuf_add(&b, p, 1);
		}
	}
	return b.p;
}

static void test_man_page_example_one_export_per_table_loads(void **state)
{
	_cleanup_free_ char *text = man_example(".SS One export per table");
	struct mapping *m = load_ok("northfield.conf", text);
	assert_int_equal(m->encoding, CSV_WINDOWS_1252);
	assert_int_equal(m->n_sources, 7);
	for (int t = 0; t < _IMPORT_TABLE_MAX; t++)
		assert_int_equal(m->sources[t].into, t);
	assert_from(column(&m->sources[1], "name"), "First Name|Surname");
	assert_true(m->sources[1].snapshot_min == 0.9);
	assert_values(column(&m->sources[2], "stage"), "Open - Enquiry=enquiry;Open - Case=case;Closed=closed");
	assert_strv(m->sources[3].key, m->sources[3].n_key, "Case Ref|Party No");
	assert_from(column(&m->sources[4], "party"), "Case Ref|Party No");
	assert_string_equal(column(&m->sources[6], "kind")->set, "jag");
	mapping_free(m);
}

static void test_man_page_example_wide_contacts_file_loads(void **state)
{
	_cleanup_free_ char *text = man_example(".SS A wide contacts file");
	struct mapping *m = load_ok("southvale.conf", text);
	assert_int_equal(m->encoding, CSV_UTF8);
	assert_int_equal(m->delimiter, ';');
	assert_string_equal(m->timestamp_format, "%d/%m/%Y %H:%M");
	assert_int_equal(m->fold, IMPORT_FOLD_REJECT);
	assert_int_equal(m->n_sources, 3);
	assert_from(column(&m->sources[0], "received_at"), "Date Reported|Time Reported");
	const struct map_source *p = &m->sources[1];
	assert_values(column(p, "role"), "VIC=victim;WIT=witness;PERP=perpetrator;AGY=referrer");
	assert_int_equal(p->n_role_flags, 2);
	assert_string_equal(p->role_flags[0].role, "complainant");
	assert_string_equal(p->role_flags[0].from, "Reported It");
	assert_strv(p->yes, p->n_yes, "Y|Ticked");
	const struct map_source *e = &m->sources[2];
	assert_from(column(e, "at"), "Date|Time");
	assert_values(column(e, "channel"), "T=phone;L=letter;E=email;HV=visit;S=sms;M=meeting");
	assert_string_equal(column(e, "kind")->set, "contact");
	assert_ptr_equal(mapping_source_for(m, "/srv/exports/ASB_Contacts_20261103.csv"), e);
	assert_null(mapping_source_for(m, "/srv/exports/ASB_Officers_20261103.csv"));
	mapping_free(m);
}

static void test_delimiters_encodings_and_ambiguous_times(void **state)
{
	static const struct {
		const char *top;
		char delimiter;
		enum csv_encoding enc;
		enum import_fold fold;
	} cases[] = {
		{ "delimiter = \"|\";", '|', CSV_UTF8, IMPORT_FOLD_EARLIER },
		{ "delimiter = \";\"; encoding = \"UTF-8\";", ';', CSV_UTF8, IMPORT_FOLD_EARLIER },
		{ "encoding = \"Windows-1252\"; ambiguous_time = \"reject\";", ',', CSV_WINDOWS_1252,
		  IMPORT_FOLD_REJECT },
		{ "ambiguous_time = \"earlier\";", ',', CSV_UTF8, IMPORT_FOLD_EARLIER },
		{ "ambiguous_time = \"later\"; delimiter = \"\t\";", '\t', CSV_UTF8, IMPORT_FOLD_LATER },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *text = xasprintf(
			"%s\nsources = ( { match = \"t\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; } );\n",
			cases[i].top);
		struct mapping *m = load_ok("top.conf", text);
		assert_int_equal(m->delimiter, cases[i].delimiter);
		assert_int_equal(m->encoding, cases[i].enc);
		assert_int_equal(m->fold, cases[i].fold);
		mapping_free(m);
	}
}

static void test_formats_take_every_listed_conversion(void **state)
{
	struct mapping *m = load_ok("formats.conf",
		"timestamp_format = \"%a %A %d %e %m %b %B %h %y %Y %H %I %M %S %p %D %F %T %R%n%t%%\";\n"
		"date_format = \"%Y%m%d\";\n"
		"sources = ( { match = \"t\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; } );\n");
	assert_string_equal(m->timestamp_format, "%a %A %d %e %m %b %B %h %y %Y %H %I %M %S %p %D %F %T %R%n%t%%");
	assert_string_equal(m->date_format, "%Y%m%d");
	mapping_free(m);
}

/* ---- Problems ---------------------------------------------------------- */

static void test_top_level_problems(void **state)
{
	_cleanup_free_ char *got = load_bad("top.conf",
		"encoding = \"latin1\";\n"
		"delimiter = \",,\";\n"
		"timestamp_format = \"%d/%m/%Y %H:%M %z\";\n"
		"date_format = \"\";\n"
		"ambiguous_time = \"first\";\n"
		"timezone = \"Europe/London\";\n"
		"sources = { match = \"x\"; };\n");
	assert_string_equal(got,
		"1: unknown encoding 'latin1' (utf-8 or windows-1252)\n"
		"2: delimiter ',,' must be one byte, like \",\", \";\", \"\\t\" or \"|\"\n"
		"3: timestamp_format '%d/%m/%Y %H:%M %z': %z is not a conversion a format may use (%d %e %m %b %B "
		"%h %y %Y %H %I %M %S %p %a %A %D %F %T %R %n %t or %%)\n"
		"4: date_format must not be empty\n"
		"5: ambiguous_time must be \"earlier\", \"later\" or \"reject\", not 'first'\n"
		"6: unknown setting 'timezone' in a mapping\n"
		"7: sources must be a list of sources, like sources = ( { match = \"...\"; ... } );, not a group\n");
}

static void test_top_level_types_and_delimiters_that_cannot_be(void **state)
{
	_cleanup_free_ char *got = load_bad("types.conf",
		"encoding = 8;\n"
		"delimiter = \"\\\"\";\n"
		"date_format = \"%d/%m/%\";\n"
		"ambiguous_time = true;\n"
		"timestamp_format = [ \"%d\" ];\n"
		"sources = ();\n");
	assert_string_equal(got,
		"1: encoding must be a string, not an integer\n"
		"2: delimiter must not be a quote or a line end\n"
		"3: date_format '%d/%m/%': % is not a conversion a format may use (%d %e %m %b %B %h %y %Y %H %I "
		"%M %S %p %a %A %D %F %T %R %n %t or %%)\n"
		"4: ambiguous_time must be a string, not a boolean\n"
		"5: timestamp_format must be a string, not an array\n"
		"6: sources is an empty list: the mapping would read no file\n");
	_cleanup_free_ char *nl = load_bad("newline.conf",
		"delimiter = \"\\n\";\nsources = ( { match = \"t\"; into = \"teams\"; key = \"K\"; "
		"columns = { id = \"K\"; }; } );\n");
	assert_string_equal(nl, "1: delimiter must not be a quote or a line end\n");
}

static void test_mapping_without_sources_is_a_problem_of_the_file(void **state)
{
	_cleanup_free_ char *got = load_bad("nosrc.conf", "encoding = \"utf-8\";\n");
	assert_string_equal(got,
		"0: mapping has no sources (sources = ( { match = \"...\"; into = \"...\"; key = ...; "
		"columns = { ... }; } );)\n");
}

static void test_source_needs_match_into_and_key(void **state)
{
	_cleanup_free_ char *got = load_bad("needs.conf",
		"sources = (\n"
		"  { columns = { id = \"K\"; }; },\n"
		"  \"cases.csv\",\n"
		"  { match = \"x\"; into = \"cases\"; key = \"K\"; colums = { ref = \"K\"; }; }\n"
		");\n");
	assert_string_equal(got,
		"2: source has no match (match = \"*cases*.csv\";): which files it reads\n"
		"2: source has no into: the table it fills (teams, officers, cases, parties, events, surveys or "
		"meetings)\n"
		"2: source has no key (key = [ \"Case Ref\" ];): the export columns that identify a row across "
		"exports\n"
		"3: each source must be a group { match = \"...\"; into = \"...\"; key = ...; ... }, not a string\n"
		"4: unknown setting 'colums' in a source\n"
		"4: a source into cases needs ref: map it in columns or give it in set\n"
		"4: a source into cases needs received_at: map it in columns or give it in set\n");
}

static void test_match_and_into_problems(void **state)
{
	_cleanup_free_ char *got = load_bad("match.conf",
		"sources = (\n"
		"  { match = \"cases*.csv\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; },\n"
		"  { match = \"\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; },\n"
		"  { match = \"exports/*.csv\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; },\n"
		"  { match = \"cases*.csv\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; },\n"
		"  { match = \"y\"; into = \"case\"; key = \"K\"; columns = { ref = \"K\"; nonsense = \"N\"; }; },\n"
		"  { match = 5; into = [ \"teams\" ]; key = \"K\"; },\n"
		"  { match = \"y\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; }\n"
		");\n");
	assert_string_equal(got,
		"3: match must not be empty\n"
		"4: match 'exports/*.csv' must not hold '/': it is compared with the file's name alone\n"
		"5: match 'cases*.csv' is the same as the source's at line 2: this source would never be used\n"
		"6: unknown table 'case' in into (teams, officers, cases, parties, events, surveys or meetings)\n"
		"7: match must be a string, not an integer\n"
		"7: into must be a string, not an array\n"
		/* The source at line 6 was refused, but its pattern still
		 * comes first. */
		"8: match 'y' is the same as the source's at line 6: this source would never be used\n");
}

static void test_key_problems(void **state)
{
	_cleanup_free_ char *got = load_bad("key.conf",
		"sources = (\n"
		"  { match = \"a\"; into = \"teams\"; key = []; columns = { id = \"K\"; }; },\n"
		"  { match = \"b\"; into = \"teams\"; key = \"\"; columns = { id = \"K\"; }; },\n"
		"  { match = \"c\"; into = \"teams\"; key = [ \"K\", \"\" ]; columns = { id = \"K\"; }; },\n"
		"  { match = \"d\"; into = \"teams\"; key = ( \"K\", 1 ); columns = { id = \"K\"; }; },\n"
		"  { match = \"e\"; into = \"teams\"; key = [ \"K\", \"K\" ]; columns = { id = \"K\"; }; },\n"
		"  { match = \"f\"; into = \"teams\"; key = { a = \"K\"; }; columns = { id = \"K\"; }; }\n"
		");\n");
	assert_string_equal(got,
		"2: key is an empty list: name the export columns that identify a row\n"
		"3: key must not be empty: it names the export column that identifies a row\n"
		"4: a column of key must not be empty\n"
		"5: each column of key must be a string, not an integer\n"
		"6: key names 'K' twice\n"
		"7: key must be a list, like [ \"...\" ], not a group\n");
}

static void test_unknown_column_names_the_tables_columns(void **state)
{
	_cleanup_free_ char *got = load_bad("cols.conf",
		"sources = (\n"
		"  { match = \"a\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; email = \"E\"; }; },\n"
		"  { match = \"b\"; into = \"officers\"; key = \"K\"; columns = { id = \"K\"; supervisor = \"S\"; }; },\n"
		"  { match = \"c\"; into = \"cases\"; key = \"K\"; columns = { ref = \"K\"; received_at = \"R\"; id = \"I\"; }; },\n"
		"  { match = \"d\"; into = \"parties\"; key = \"K\"; columns = { case = \"K\"; role = \"R\"; party = \"P\"; }; },\n"
		"  { match = \"e\"; into = \"events\"; key = \"K\"; columns = { case = \"K\"; at = \"A\"; kind = \"K\"; case_id = \"C\"; }; },\n"
		"  { match = \"f\"; into = \"surveys\"; key = \"K\"; columns = { at = \"A\"; satisfied = \"S\"; held_on = \"H\"; }; },\n"
		"  { match = \"g\"; into = \"meetings\"; key = \"K\"; columns = { kind = \"K\"; held_on = \"H\"; at = \"A\"; }; }\n"
		");\n");
	assert_string_equal(got,
		"2: unknown column 'email' of table teams (id, name, supervisor or manager_email)\n"
		"3: unknown column 'supervisor' of table officers (id, name, email, team or active)\n"
		"4: unknown column 'id' of table cases (ref, stage, category, serious, hate, risk, officer, team, "
		"agreed_contact or received_at)\n"
		"5: unknown column 'party' of table parties (case, role, roles, label, preferred_channel or "
		"identified_at)\n"
		"6: unknown column 'case_id' of table events (case, party, at, kind, channel, detail or officer)\n"
		"7: unknown column 'held_on' of table surveys (case, at or satisfied)\n"
		"8: unknown column 'at' of table meetings (kind, held_on or team)\n");
}

static void test_required_columns_of_each_table(void **state)
{
	_cleanup_free_ char *got = load_bad("required.conf",
		"sources = (\n"
		"  { match = \"a\"; into = \"teams\"; key = \"K\"; columns = { name = \"N\"; }; },\n"
		"  { match = \"b\"; into = \"officers\"; key = \"K\"; },\n"
		"  { match = \"c\"; into = \"cases\"; key = \"K\"; columns = { ref = \"K\"; }; },\n"
		"  { match = \"d\"; into = \"parties\"; key = \"K\"; columns = { label = \"L\"; }; },\n"
		"  { match = \"e\"; into = \"events\"; key = \"K\"; set = { kind = \"contact\"; }; },\n"
		"  { match = \"f\"; into = \"surveys\"; key = \"K\"; columns = { case = \"C\"; }; },\n"
		"  { match = \"g\"; into = \"meetings\"; key = \"K\"; columns = { team = \"T\"; }; }\n"
		");\n");
	assert_string_equal(got,
		"2: a source into teams needs id: map it in columns or give it in set\n"
		"3: a source into officers needs id: map it in columns or give it in set\n"
		"4: a source into cases needs received_at: map it in columns or give it in set\n"
		"5: a source into parties needs case: map it in columns or give it in set\n"
		"5: a source into parties needs a role: map role or roles in columns, give role in set, or name each "
		"role's column in role_flags\n"
		"6: a source into events needs case: map it in columns or give it in set\n"
		"6: a source into events needs at: map it in columns or give it in set\n"
		"7: a source into surveys needs at: map it in columns or give it in set\n"
		"7: a source into surveys needs satisfied: map it in columns or give it in set\n"
		"8: a source into meetings needs kind: map it in columns or give it in set\n"
		"8: a source into meetings needs held_on: map it in columns or give it in set\n");
}

static void test_columns_that_name_no_export_column(void **state)
{
	_cleanup_free_ char *text = source_text(
		"    match = \"c\"; into = \"cases\"; key = \"K\";\n"
		"    columns = {\n"
		"      ref = \"\";\n"
		"      received_at = [];\n"
		"      stage = [ \"S\", \"\" ];\n"
		"      risk = 3;\n"
		"      category = ( \"C\", true );\n"
		"      officer = { a = \"b\"; };\n"
		"    };\n");
	_cleanup_free_ char *got = load_bad("colshape.conf", text);
	/* Refused, ref and received_at are not also reported missing. */
	assert_string_equal(got,
		"5: columns.ref: the export column's name must not be empty\n"
		"6: columns.received_at is an empty list: it names no export column\n"
		"7: columns.stage: the export column's name must not be empty\n"
		"8: columns.risk must be an export column's name, like \"Case Ref\", or a list of them, not an "
		"integer\n"
		"9: each export column of columns.category must be a string, not a boolean\n"
		"10: columns.officer must be an export column's name, like \"Case Ref\", or a list of them, not "
		"a group\n");
	_cleanup_free_ char *shape = load_bad("colgroup.conf",
		"sources = ( { match = \"c\"; into = \"cases\"; key = \"K\"; columns = [ \"ref\" ]; set = 1; values = 2; } );\n");
	assert_string_equal(shape,
		"1: columns must be a group { ... }, not an array\n"
		"1: set must be a group { ... }, not an integer\n"
		"1: values must be a group { ... }, not an integer\n");
}

static void test_column_both_in_columns_and_set(void **state)
{
	_cleanup_free_ char *text = source_text(
		"    match = \"c\"; into = \"cases\"; key = \"K\";\n"
		"    columns = { ref = \"K\"; received_at = \"R\";\n"
		"                stage = \"S\"; };\n"
		"    set = { stage = \"case\"; };\n");
	_cleanup_free_ char *got = load_bad("both.conf", text);
	assert_string_equal(got, "6: stage is both in columns (line 5) and in set: give it one way\n");
}

static void test_values_for_a_column_not_mapped_or_set(void **state)
{
	_cleanup_free_ char *text = source_text(
		"    match = \"c\"; into = \"cases\"; key = \"K\";\n"
		"    columns = { ref = \"K\"; received_at = \"R\"; };\n"
		"    set = { stage = \"case\"; };\n"
		"    values = {\n"
		"      hate = ( [ \"Y\", \"1\" ] );\n"
		"      stage = ( [ \"Open\", \"case\" ] );\n"
		"      kind = ( [ \"Phone\", \"contact\" ] );\n"
		"    };\n");
	_cleanup_free_ char *got = load_bad("unmapped.conf", text);
	assert_string_equal(got,
		"7: values.hate: hate is not mapped in columns: there is nothing to translate\n"
		"8: values.stage: stage is a constant of set (line 5): there is nothing to translate\n"
		"9: unknown column 'kind' of table cases (ref, stage, category, serious, hate, risk, officer, team, "
		"agreed_contact or received_at)\n");
}

static void test_values_that_are_not_pairs_of_strings(void **state)
{
	_cleanup_free_ char *text = source_text(
		"    match = \"c\"; into = \"cases\"; key = \"K\";\n"
		"    columns = { ref = \"K\"; received_at = \"R\"; stage = \"S\"; risk = \"Risk\"; hate = \"H\";\n"
		"                serious = \"Ser\"; category = \"Cat\"; };\n"
		"    values = {\n"
		"      stage = ( [ \"Open\" ],\n"
		"                [ \"Open\", \"case\", \"closed\" ],\n"
		"                [ 1, 2 ],\n"
		"                \"Open\",\n"
		"                ( \"Open\", 1 ),\n"
		"                { from = \"Open\"; to = \"case\"; },\n"
		"                ( \"Closed\", \"closed\" ) );\n"
		"      risk = [ \"High\", \"high\" ];\n"
		"      hate = \"Y\";\n"
		"      serious = ();\n"
		"      category = { a = \"b\"; };\n"
		"    };\n");
	_cleanup_free_ char *got = load_bad("pairs.conf", text);
	/* A list ( "Closed", "closed" ) of two strings is a pair too. */
	assert_string_equal(got,
		"7: each entry of values.stage must be a pair of strings [ \"export value\", \"casewatch value\" ]\n"
		"8: each entry of values.stage must be a pair of strings [ \"export value\", \"casewatch value\" ]\n"
		"9: each entry of values.stage must be a pair of strings [ \"export value\", \"casewatch value\" ]\n"
		"10: each entry of values.stage must be a pair of strings [ \"export value\", \"casewatch value\" ]\n"
		"11: each entry of values.stage must be a pair of strings [ \"export value\", \"casewatch value\" ]\n"
		"12: each entry of values.stage must be a pair of strings [ \"export value\", \"casewatch value\" ]\n"
		"14: values.risk must be a list of pairs, like ( [ \"Open\", \"case\" ], [ \"Closed\", \"closed\" ] ), "
		"not an array\n"
		"15: values.hate must be a list of pairs, like ( [ \"Open\", \"case\" ], [ \"Closed\", \"closed\" ] ), "
		"not a string\n"
		"16: values.serious is an empty list: every value would be refused\n"
		"17: values.category must be a list of pairs, like ( [ \"Open\", \"case\" ], [ \"Closed\", \"closed\" "
		"] ), not a group\n");
}

static void test_values_export_side_and_empty_translations(void **state)
{
	_cleanup_free_ char *text = source_text(
		"    match = \"c\"; into = \"cases\"; key = \"K\";\n"
		"    columns = { ref = \"K\"; received_at = \"R\"; category = \"Cat\"; };\n"
		"    values = {\n"
		"      category = ( [ \"\", \"personal\" ],\n"
		"                   [ \"   \", \"personal\" ],\n"
		"                   [ \" PER\", \"personal\" ],\n"
		"                   [ \"NUI \", \"nuisance\" ],\n"
		"                   [ \"ENV\", \"\" ],\n"
		"                   [ \"PER\", \"personal\" ],\n"
		"                   [ \"per\", \"personal\" ],\n"
		"                   [ \"PER\", \"nuisance\" ] );\n"
		"    };\n");
	_cleanup_free_ char *got = load_bad("export-side.conf", text);
	/* Case matters: "per" and "PER" are two values. */
	assert_string_equal(got,
		"6: values.category: the export value must not be empty: an empty field is NULL and needs no "
		"translation\n"
		"7: values.category: the export value must not be empty: an empty field is NULL and needs no "
		"translation\n"
		"8: values.category: the export value ' PER' could never match: the spaces around an export's value "
		"are removed before it is compared\n"
		"9: values.category: the export value 'NUI ' could never match: the spaces around an export's "
		"value are removed before it is compared\n"
		"10: values.category: the casewatch value for 'ENV' must not be empty\n"
		"13: values.category lists the export value 'PER' twice (first at line 11)\n");
}

static void test_translations_must_be_the_columns_words(void **state)
{
	_cleanup_free_ char *got = load_bad("words.conf",
		"sources = (\n"
		"  { match = \"c\"; into = \"cases\"; key = \"K\";\n"
		"    columns = { ref = \"K\"; received_at = \"R\"; stage = \"S\"; risk = \"Ri\"; serious = \"Se\"; hate = \"H\"; };\n"
		"    values = {\n"
		"      stage = ( [ \"Open\", \"open\" ], [ \"Closed\", \"closed\" ] );\n"
		"      risk = ( [ \"Hi\", \"High\" ] );\n"
		"      serious = ( [ \"Y\", \"yes\" ], [ \"N\", \"0\" ] );\n"
		"      hate = ( [ \"Y\", \"true\" ] );\n"
		"    }; },\n"
		"  { match = \"o\"; into = \"officers\"; key = \"K\"; columns = { id = \"K\"; active = \"A\"; };\n"
		"    values = { active = ( [ \"Active\", \"2\" ] ); }; },\n"
		"  { match = \"s\"; into = \"surveys\"; key = \"K\"; columns = { at = \"A\"; satisfied = \"S\"; };\n"
		"    values = { satisfied = ( [ \"Yes\", \"Y\" ] ); }; },\n"
		"  { match = \"p\"; into = \"parties\"; key = \"K\";\n"
		"    columns = { case = \"C\"; role = \"R\"; roles = \"Rs\"; preferred_channel = \"P\"; };\n"
		"    values = {\n"
		"      role = ( [ \"V\", \"victims\" ] );\n"
		"      roles = ( [ \"VB\", \"victim bystander\" ], [ \"N\", \" , \" ], [ \"VW\", \"victim/witness\" ] );\n"
		"      preferred_channel = ( [ \"T\", \"telephone\" ] );\n"
		"    }; },\n"
		"  { match = \"e\"; into = \"events\"; key = \"K\";\n"
		"    columns = { case = \"C\"; at = \"A\"; kind = \"K\"; channel = \"Ch\"; detail = \"D\"; };\n"
		"    values = {\n"
		"      kind = ( [ \"Call\", \"call\" ] );\n"
		"      channel = ( [ \"Txt\", \"text\" ] );\n"
		"      detail = ( [ \"U\", \"anything at all\" ] );\n"
		"    }; }\n"
		");\n");
	assert_string_equal(got,
		"5: values.stage: 'open' is not a stage (enquiry, case or closed)\n"
		"6: values.risk: 'High' is not a risk level (standard, medium or high)\n"
		"7: values.serious: 'yes' is not 0 or 1\n"
		"8: values.hate: 'true' is not 0 or 1\n"
		"11: values.active: '2' is not 0 or 1\n"
		"13: values.satisfied: 'Y' is not 0 or 1\n"
		"17: values.role: 'victims' is not a role (victim, complainant, witness, perpetrator or referrer)\n"
		"18: values.roles: 'victim bystander' is not a list of roles: 'bystander' is no role (victim, "
		"complainant, witness, perpetrator or referrer)\n"
		"18: values.roles: ' , ' names no role (victim, complainant, witness, perpetrator or referrer)\n"
		"19: values.preferred_channel: 'telephone' is not a channel (phone, letter, email, visit, sms or "
		"meeting)\n"
		"24: values.kind: 'call' is not an event kind (accepted, not_accepted, closed, reopened, hold, "
		"resume, risk, serious, contact, hate or agreed)\n"
		"25: values.channel: 'text' is not a channel (phone, letter, email, visit, sms or meeting)\n");
}

static void test_constants_must_be_the_columns_words(void **state)
{
	_cleanup_free_ char *got = load_bad("setwords.conf",
		"sources = (\n"
		"  { match = \"c\"; into = \"cases\"; key = \"K\"; columns = { ref = \"K\"; received_at = \"R\"; };\n"
		"    set = { stage = \"Open\"; risk = \"low\"; serious = 2; hate = \"Y\"; category = \"\"; team = 1.5;\n"
		"            officer = [ \"a\" ]; }; },\n"
		"  { match = \"o\"; into = \"officers\"; key = \"K\"; columns = { id = \"K\"; }; set = { active = \"yes\"; }; },\n"
		"  { match = \"p\"; into = \"parties\"; key = \"K\"; columns = { case = \"C\"; };\n"
		"    set = { role = \"bystander\"; roles = \"victim,, victims\"; preferred_channel = \"fax\"; }; },\n"
		"  { match = \"e\"; into = \"events\"; key = \"K\"; columns = { case = \"C\"; at = \"A\"; };\n"
		"    set = { kind = \"call\"; channel = \"Phone\"; }; },\n"
		"  { match = \"s\"; into = \"surveys\"; key = \"K\"; columns = { at = \"A\"; }; set = { satisfied = -1; }; }\n"
		");\n");
	/* A refused constant is not reported missing too (parties' role,
	 * events' kind, surveys' satisfied). */
	assert_string_equal(got,
		"3: set.stage: 'Open' is not a stage (enquiry, case or closed)\n"
		"3: set.risk: 'low' is not a risk level (standard, medium or high)\n"
		"3: set.serious: '2' is not 0 or 1\n"
		"3: set.hate: 'Y' is not 0 or 1\n"
		"3: set.category must not be empty: leave the column out for NULL\n"
		"3: set.team must be a string, a whole number or true or false, not a number\n"
		"4: set.officer must be a string, a whole number or true or false, not an array\n"
		"5: set.active: 'yes' is not 0 or 1\n"
		"7: set.role: 'bystander' is not a role (victim, complainant, witness, perpetrator or referrer)\n"
		"7: set.roles: 'victim,, victims' is not a list of roles: 'victims' is no role (victim, "
		"complainant, witness, perpetrator or referrer)\n"
		"7: set.preferred_channel: 'fax' is not a channel (phone, letter, email, visit, sms or meeting)\n"
		"9: set.kind: 'call' is not an event kind (accepted, not_accepted, closed, reopened, hold, resume, "
		"risk, serious, contact, hate or agreed)\n"
		"9: set.channel: 'Phone' is not a channel (phone, letter, email, visit, sms or meeting)\n"
		"10: set.satisfied: '-1' is not 0 or 1\n");
}

static void test_role_flags_problems(void **state)
{
	_cleanup_free_ char *got = load_bad("flags.conf",
		"sources = (\n"
		"  { match = \"c\"; into = \"cases\"; key = \"K\"; columns = { ref = \"K\"; received_at = \"R\"; };\n"
		"    role_flags = { victim = \"V\"; }; },\n"
		"  { match = \"p\"; into = \"parties\"; key = \"K\"; columns = { case = \"C\"; };\n"
		"    role_flags = {\n"
		"      victim = \"Is Victim\";\n"
		"      bystander = \"Saw It\";\n"
		"      witness = 1;\n"
		"      referrer = \"\";\n"
		"    }; },\n"
		"  { match = \"q\"; into = \"parties\"; key = \"K\"; columns = { case = \"C\"; }; role_flags = {}; },\n"
		"  { match = \"r\"; into = \"parties\"; key = \"K\"; columns = { case = \"C\"; }; role_flags = [ \"V\" ]; }\n"
		");\n");
	assert_string_equal(got,
		"3: role_flags applies only to a parties source\n"
		"7: unknown role 'bystander' in role_flags (victim, complainant, witness, perpetrator or referrer)\n"
		"8: role_flags.witness must be a string, not an integer\n"
		"9: role_flags.referrer: the export column's name must not be empty\n"
		"11: role_flags is empty: name the export column of at least one role\n"
		"12: role_flags must be a group { ... }, not an array\n");
}

static void test_yes_problems(void **state)
{
	_cleanup_free_ char *got = load_bad("yes.conf",
		"sources = (\n"
		"  { match = \"p\"; into = \"parties\"; key = \"K\"; columns = { case = \"C\"; role = \"R\"; };\n"
		"    yes = [ \"Y\" ]; },\n"
		"  { match = \"q\"; into = \"parties\"; key = \"K\"; columns = { case = \"C\"; };\n"
		"    role_flags = { victim = \"V\"; }; yes = []; },\n"
		"  { match = \"r\"; into = \"parties\"; key = \"K\"; columns = { case = \"C\"; };\n"
		"    role_flags = { victim = \"V\"; }; yes = ( \"Y\", 1, \"\" ); },\n"
		"  { match = \"s\"; into = \"parties\"; key = \"K\"; columns = { case = \"C\"; };\n"
		"    role_flags = { victim = \"V\"; }; yes = \"Y\"; }\n"
		");\n");
	assert_string_equal(got,
		"3: yes applies only with role_flags\n"
		"5: yes is an empty list: no role of role_flags would ever be held\n"
		"7: each value of yes must be a string, not an integer\n"
		"7: a value of yes must not be empty\n"
		"9: yes must be a list, like [ \"...\" ], not a string\n");
}

static void test_snapshot_problems(void **state)
{
	_cleanup_free_ char *got = load_bad("snap.conf",
		"sources = (\n"
		"  { match = \"a\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; snapshot = \"yes\"; },\n"
		"  { match = \"b\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; snapshot_min = 0.5; },\n"
		"  { match = \"c\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; snapshot = false;\n"
		"    snapshot_min = 0.5; },\n"
		"  { match = \"d\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; snapshot = true;\n"
		"    snapshot_min = 0; },\n"
		"  { match = \"e\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; snapshot = true;\n"
		"    snapshot_min = 1.5; },\n"
		"  { match = \"f\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; snapshot = true;\n"
		"    snapshot_min = -0.5; },\n"
		"  { match = \"g\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; snapshot = true;\n"
		"    snapshot_min = \"50%\"; },\n"
		"  { match = \"h\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; snapshot = 1;\n"
		"    snapshot_min = 2; }\n"
		");\n");
	assert_string_equal(got,
		"2: snapshot must be true or false, not a string\n"
		"3: snapshot_min applies only with snapshot = true\n"
		"5: snapshot_min applies only with snapshot = true\n"
		"7: snapshot_min must be more than 0 and at most 1, like 0.5 (half the rows of the last import)\n"
		"9: snapshot_min must be more than 0 and at most 1, like 0.5 (half the rows of the last import)\n"
		"11: snapshot_min must be more than 0 and at most 1, like 0.5 (half the rows of the last import)\n"
		"13: snapshot_min must be a number like 0.5, not a string\n"
		"14: snapshot must be true or false, not an integer\n"
		"15: snapshot_min must be more than 0 and at most 1, like 0.5 (half the rows of the last import)\n");
}

static void test_every_problem_of_a_file_in_one_run(void **state)
{
	_cleanup_free_ char *got = load_bad("many.conf",
		"encoding = \"ascii\";\n"
		"sources = (\n"
		"  { match = \"ok.csv\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; },\n"
		"  { match = \"cases.csv\"; into = \"cases\"; key = \"K\";\n"
		"    columns = { ref = \"K\"; received_at = \"R\"; stage = \"S\"; colour = \"C\"; };\n"
		"    values = { stage = ( [ \"Open\", \"opened\" ] ); };\n"
		"    snapshot_min = 0.2;\n"
		"    extra = 1;\n"
		"  },\n"
		"  { match = \"ev.csv\"; into = \"events\"; key = \"K\"; columns = { case = \"C\"; }; }\n"
		");\n");
	assert_string_equal(got,
		"1: unknown encoding 'ascii' (utf-8 or windows-1252)\n"
		"5: unknown column 'colour' of table cases (ref, stage, category, serious, hate, risk, officer, "
		"team, agreed_contact or received_at)\n"
		"6: values.stage: 'opened' is not a stage (enquiry, case or closed)\n"
		"7: snapshot_min applies only with snapshot = true\n"
		"8: unknown setting 'extra' in a source\n"
		"10: a source into events needs at: map it in columns or give it in set\n"
		"10: a source into events needs kind: map it in columns or give it in set\n");
}

static void test_unreadable_and_syntax_errors(void **state)
{
	struct diags d = { 0 };
	struct mapping *m = NULL;
	_cleanup_free_ char *missing = xasprintf("%s/no-such.conf", dir);
	assert_int_equal(mapping_load(missing, &m, &d), -ENOENT);
	assert_null(m);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].file, missing);
	assert_int_equal(d.v[0].line, 0);
	assert_string_equal(d.v[0].msg, "cannot read: No such file or directory");
	diags_free(&d);
	mapping_free(m); /* NULL, as every _free takes */

	assert_int_equal(mapping_load(dir, &m, &d), -EISDIR);
	assert_null(m);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].msg, "cannot read: it is a folder");
	diags_free(&d);

	_cleanup_free_ char *got = load_bad("syntax.conf", "sources = (\n  { match = \"a\"; into = ; }\n);\n");
	assert_string_equal(got, "2: syntax error\n");
	_cleanup_free_ char *dup = load_bad("dupkey.conf",
		"sources = ( { match = \"a\"; into = \"teams\"; key = \"K\";\n"
		"  columns = { id = \"K\"; id = \"L\"; }; } );\n");
	assert_string_equal(dup, "2: duplicate setting name\n");
}

/* ---- Using a mapping --------------------------------------------------- */

static void test_table_names_both_ways(void **state)
{
	static const char *const names[] = { "teams", "officers", "cases", "parties", "events", "surveys", "meetings" };
	for (int t = 0; t < _IMPORT_TABLE_MAX; t++) {
		assert_string_equal(import_table_to_string(t), names[t]);
		assert_int_equal(import_table_from_string(names[t]), t);
	}
	assert_int_equal(import_table_from_string("Cases"), -EINVAL);
	assert_int_equal(import_table_from_string("case"), -EINVAL);
	assert_int_equal(import_table_from_string(""), -EINVAL);
}

static void test_source_for_matches_the_base_name_and_the_first_wins(void **state)
{
	struct mapping *m = load_ok("globs.conf",
		"sources = (\n"
		"  { match = \"cases-closed*.csv\"; into = \"teams\"; key = \"K\"; columns = { id = \"K\"; }; },\n"
		"  { match = \"*cases*.csv\"; into = \"cases\"; key = \"K\"; columns = { ref = \"K\"; received_at = \"R\"; }; },\n"
		"  { match = \"contacts_[0-9][0-9].CSV\"; into = \"events\"; key = \"K\";\n"
		"    columns = { case = \"C\"; at = \"A\"; kind = \"K\"; }; }\n"
		");\n");
	assert_ptr_equal(mapping_source_for(m, "cases-closed-2026.csv"), &m->sources[0]);
	assert_ptr_equal(mapping_source_for(m, "/srv/in/cases-closed-2026.csv"), &m->sources[0]);
	assert_ptr_equal(mapping_source_for(m, "/srv/in/open-cases-2026.csv"), &m->sources[1]);
	assert_ptr_equal(mapping_source_for(m, "cases.csv"), &m->sources[1]);
	/* The folder is not part of what is matched. */
	assert_null(mapping_source_for(m, "/srv/cases/list.csv"));
	assert_null(mapping_source_for(m, "cases.csv.bak"));
	assert_ptr_equal(mapping_source_for(m, "contacts_07.CSV"), &m->sources[2]);
	assert_null(mapping_source_for(m, "contacts_07.csv"));
	assert_null(mapping_source_for(m, "contacts_7.CSV"));
	mapping_free(m);
}

static void test_translate_compares_exactly_after_trimming_spaces(void **state)
{
	_cleanup_free_ char *text = source_text(
		"    match = \"c\"; into = \"cases\"; key = \"K\";\n"
		"    columns = { ref = \"K\"; received_at = \"R\"; stage = \"S\"; };\n"
		"    values = { stage = ( [ \"Open - Case\", \"case\" ], [ \"Closed\", \"closed\" ] ); };\n");
	struct mapping *m = load_ok("translate.conf", text);
	const struct map_column *stage = column(&m->sources[0], "stage");
	assert_string_equal(map_translate(stage, "Open - Case"), "case");
	assert_string_equal(map_translate(stage, "  Open - Case "), "case");
	assert_string_equal(map_translate(stage, "Closed"), "closed");
	assert_null(map_translate(stage, "closed"));
	assert_null(map_translate(stage, "Open  - Case"));
	assert_null(map_translate(stage, "Open - Case\t"));
	assert_null(map_translate(stage, "Closed."));
	assert_null(map_translate(stage, "Close"));
	assert_null(map_translate(stage, ""));
	/* A column with no list gives the value back, as it is. */
	const struct map_column *ref = column(&m->sources[0], "ref");
	const char *v = " ASB/2026/0042 ";
	assert_ptr_equal(map_translate(ref, v), v);
	mapping_free(m);
}

static void test_is_yes_ignores_case_and_spaces(void **state)
{
	_cleanup_free_ char *text = source_text(
		"    match = \"p\"; into = \"parties\"; key = \"K\"; columns = { case = \"C\"; };\n"
		"    role_flags = { victim = \"V\"; };\n");
	struct mapping *m = load_ok("yes-default.conf", text);
	const struct map_source *s = &m->sources[0];
	static const char *const yes[] = { "Y", "y", "Yes", "YES", "yes", "1", "True", "true", "TRUE", "X", "x", " Y " };
	static const char *const no[] = { "N", "No", "0", "False", "", "Ye", "Yess", "YES!", "2", "T", "on" };
	for (size_t i = 0; i < ELEMENTSOF(yes); i++)
		assert_true(map_is_yes(s, yes[i]));
	for (size_t i = 0; i < ELEMENTSOF(no); i++)
		assert_false(map_is_yes(s, no[i]));
	mapping_free(m);

	_cleanup_free_ char *own = source_text(
		"    match = \"p\"; into = \"parties\"; key = \"K\"; columns = { case = \"C\"; };\n"
		"    role_flags = { victim = \"V\"; }; yes = [ \"Ticked\", \"J\" ];\n");
	m = load_ok("yes-own.conf", own);
	s = &m->sources[0];
	assert_true(map_is_yes(s, "ticked"));
	assert_true(map_is_yes(s, "J"));
	assert_true(map_is_yes(s, "j"));
	assert_false(map_is_yes(s, "Y"));
	assert_false(map_is_yes(s, "Yes"));
	mapping_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_example_as_written_reports_its_two_misplaced_lines),
		cmocka_unit_test(test_design_example_loads_with_hate_mapped_and_kind_set_for_contacts),
		cmocka_unit_test(test_defaults_of_a_minimal_mapping),
		cmocka_unit_test(test_every_construct_is_kept),
		cmocka_unit_test(test_false_constant_is_zero_and_booleans_fit_flag_columns),
		cmocka_unit_test(test_roles_translation_may_name_several_roles),
		cmocka_unit_test(test_required_columns_may_come_from_set_or_role_flags),
		cmocka_unit_test(test_man_page_example_one_export_per_table_loads),
		cmocka_unit_test(test_man_page_example_wide_contacts_file_loads),
		cmocka_unit_test(test_delimiters_encodings_and_ambiguous_times),
		cmocka_unit_test(test_formats_take_every_listed_conversion),
		cmocka_unit_test(test_top_level_problems),
		cmocka_unit_test(test_top_level_types_and_delimiters_that_cannot_be),
		cmocka_unit_test(test_mapping_without_sources_is_a_problem_of_the_file),
		cmocka_unit_test(test_source_needs_match_into_and_key),
		cmocka_unit_test(test_match_and_into_problems),
		cmocka_unit_test(test_key_problems),
		cmocka_unit_test(test_unknown_column_names_the_tables_columns),
		cmocka_unit_test(test_required_columns_of_each_table),
		cmocka_unit_test(test_columns_that_name_no_export_column),
		cmocka_unit_test(test_column_both_in_columns_and_set),
		cmocka_unit_test(test_values_for_a_column_not_mapped_or_set),
		cmocka_unit_test(test_values_that_are_not_pairs_of_strings),
		cmocka_unit_test(test_values_export_side_and_empty_translations),
		cmocka_unit_test(test_translations_must_be_the_columns_words),
		cmocka_unit_test(test_constants_must_be_the_columns_words),
		cmocka_unit_test(test_role_flags_problems),
		cmocka_unit_test(test_yes_problems),
		cmocka_unit_test(test_snapshot_problems),
		cmocka_unit_test(test_every_problem_of_a_file_in_one_run),
		cmocka_unit_test(test_unreadable_and_syntax_errors),
		cmocka_unit_test(test_table_names_both_ways),
		cmocka_unit_test(test_source_for_matches_the_base_name_and_the_first_wins),
		cmocka_unit_test(test_translate_compares_exactly_after_trimming_spaces),
		cmocka_unit_test(test_is_yes_ignores_case_and_spaces),
	};
	return tap_exit(cmocka_run_group_tests(tests, setup, teardown));
}

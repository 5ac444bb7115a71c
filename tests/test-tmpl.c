/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Message templates: parsing against the fields a message kind offers,
 * rendering in text and HTML, and every load-time error with its line.
 * Every expected string below was written out by hand from tmpl.h and the
 * mustache rules it follows, not copied from what the code printed. */
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

#include "diag.h"
#include "tmpl.h"
#include "util.h"

/* A digest-like message: the officer's own fields, a list of cases, and
 * in each case a list of steps. "title" is offered both by the message and
 * by each case, to show which one a tag inside the list means. */
static const struct tmpl_field step_fields[] = {
	{ .name = "what" },
	{ .name = "when" },
	{ .name = NULL },
};
static const struct tmpl_field case_fields[] = {
	{ .name = "case" },
	{ .name = "rule" },
	{ .name = "title" },
	{ .name = "steps", .items = step_fields },
	{ .name = NULL },
};
static const struct tmpl_field fields[] = {
	{ .name = "officer" },
	{ .name = "title" },
	{ .name = "note" },
	{ .name = "url" },
	{ .name = "cases", .items = case_fields },
	{ .name = NULL },
};

/* ---- Helpers ------------------------------------------------------------- */

static struct tmpl *parse_ok(const char *text)
{
	struct diags d = { 0 };
	struct tmpl *t = NULL;
	int r = tmpl_parse(text, "test.tmpl", fields, &t, &d);
	if (r < 0 || d.n) {
		diags_print(&d, stderr);
		fail_msg("template did not parse: %s", text);
	}
	assert_int_equal(r, 0);
	assert_non_null(t);
	diags_free(&d);
	return t;
}

static void expect_render(const char *text, const struct tmpl_data *d, bool html, const char *want)
{
	struct tmpl *t = parse_ok(text);
	_cleanup_free_ char *got = tmpl_render(t, d, html);
	assert_string_equal(got, want);
	tmpl_free(t);
}

/* Parse a template expected to fail; return its problems as "LINE: message"
 * lines, in the order reported. */
static char *parse_bad(const char *text)
{
	struct diags d = { 0 };
	struct tmpl *sentinel = (struct tmpl *)&d, *t = sentinel;
	assert_int_equal(tmpl_parse(text, "bad.tmpl", fields, &t, &d), -EINVAL);
	/* ret_* is written only on success. */
	assert_ptr_equal(t, sentinel);
	assert_true(d.n > 0);
	char *out = xstrdup("");
	for (size_t i = 0; i < d.n; i++) {
		assert_string_equal(d.v[i].file, "bad.tmpl");
		char *n = xasprintf("%s%d: %s\n", out, d.v[i].line, d.v[i].msg);
		free(out);
		out = n;
	}
	diags_free(&d);
	return out;
}

static void expect_errors(const char *text, const char *want)
{
	_cleanup_free_ char *got = parse_bad(text);
	assert_string_equal(got, want);
}

/* ---- Values -------------------------------------------------------------- */

static void test_fields_replaced_text_copied(void **state)
{
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "officer", "Sam Okafor");
	tmpl_data_setf(d, "note", "%d cases, %s", 3, "2 overdue");
	expect_render("Dear {{officer}},\n\n{{note}} today.\n", d, false,
		      "Dear Sam Okafor,\n\n3 cases, 2 overdue today.\n");
	expect_render("", d, false, "");
	expect_render("no tags at all { } }} {x}\n", d, false, "no tags at all { } }} {x}\n");
	tmpl_data_free(d);
}

static void test_unset_field_renders_empty(void **state)
{
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "officer", "Sam");
	expect_render("[{{officer}}|{{note}}|{{url}}]", d, false, "[Sam||]");
	/* No data at all is the same as nothing set. */
	expect_render("[{{officer}}]", NULL, false, "[]");
	tmpl_data_free(d);
}

static void test_later_set_replaces_and_null_unsets(void **state)
{
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "note", "first");
	tmpl_data_set(d, "note", "second");
	expect_render("{{note}}", d, false, "second");
	tmpl_data_setf(d, "note", "%s-%03d", "third", 7);
	expect_render("{{note}}", d, false, "third-007");
	tmpl_data_set(d, "note", NULL);
	expect_render("<{{note}}>", d, false, "<>");
	tmpl_data_free(d);
}

static void test_set_copies_the_value(void **state)
{
	char value[] = "original";
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "note", value);
	strcpy(value, "changed!");
	expect_render("{{note}}", d, false, "original");
	tmpl_data_free(d);
}

static void test_html_escapes_values_not_template_text(void **state)
{
	static const char text[] = "<p class=\"t\">{{title}} &amp; co's</p>\n";
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "title", "<b>\"Tom\" & 'Jerry'</b>");
	expect_render(text, d, true,
		      "<p class=\"t\">&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt; &amp; co's</p>\n");
	expect_render(text, d, false, "<p class=\"t\"><b>\"Tom\" & 'Jerry'</b> &amp; co's</p>\n");
	tmpl_data_free(d);
}

static void test_html_escapes_item_fields(void **state)
{
	struct tmpl_data *d = tmpl_data_new();
	struct tmpl_data *c = tmpl_data_add(d, "cases");
	tmpl_data_set(c, "case", "A&B<1>");
	expect_render("{{#cases}}<li>{{case}}</li>{{/cases}}", d, true, "<li>A&amp;B&lt;1&gt;</li>");
	tmpl_data_free(d);
}

/* ---- Lists --------------------------------------------------------------- */

static void test_list_repeats_block_with_outer_fields_visible(void **state)
{
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "officer", "Sam");
	static const char *const ids[] = { "ASB-101", "ASB-102", "ASB-103" };
	for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
		struct tmpl_data *c = tmpl_data_add(d, "cases");
		tmpl_data_set(c, "case", ids[i]);
		tmpl_data_setf(c, "rule", "r%zu", i + 1);
	}
	expect_render("{{#cases}}{{case}}/{{rule}} for {{officer}}; {{/cases}}end", d, false,
		      "ASB-101/r1 for Sam; ASB-102/r2 for Sam; ASB-103/r3 for Sam; end");
	tmpl_data_free(d);
}

static void test_item_field_hides_outer_field_of_same_name(void **state)
{
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "title", "Daily digest");
	tmpl_data_set(tmpl_data_add(d, "cases"), "title", "Call the victim");
	/* The second case offers a title but leaves it unset: it is empty,
	 * not the digest's title. */
	tmpl_data_add(d, "cases");
	expect_render("{{title}}:{{#cases}} [{{title}}]{{/cases}}", d, false,
		      "Daily digest: [Call the victim] []");
	tmpl_data_free(d);
}

static void test_nested_lists_see_every_outer_scope(void **state)
{
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "officer", "Sam");
	struct tmpl_data *c1 = tmpl_data_add(d, "cases");
	tmpl_data_set(c1, "case", "ASB-1");
	struct tmpl_data *s = tmpl_data_add(c1, "steps");
	tmpl_data_set(s, "what", "call");
	tmpl_data_set(s, "when", "Mon");
	s = tmpl_data_add(c1, "steps");
	tmpl_data_set(s, "what", "visit");
	tmpl_data_set(s, "when", "Tue");
	struct tmpl_data *c2 = tmpl_data_add(d, "cases");
	tmpl_data_set(c2, "case", "ASB-2");
	s = tmpl_data_add(c2, "steps");
	tmpl_data_set(s, "what", "letter");
	struct tmpl_data *c3 = tmpl_data_add(d, "cases");
	tmpl_data_set(c3, "case", "ASB-3");

	expect_render("{{#cases}}{{case}}:{{#steps}} {{what}}@{{when}}({{case}},{{officer}}){{/steps}}"
		      "{{^steps}} nothing{{/steps}};{{/cases}}",
		      d, false,
		      "ASB-1: call@Mon(ASB-1,Sam) visit@Tue(ASB-1,Sam);"
		      "ASB-2: letter@(ASB-2,Sam);"
		      "ASB-3: nothing;");
	tmpl_data_free(d);
}

static void test_empty_list_renders_nothing_and_inverted_block(void **state)
{
	static const char text[] = "<{{#cases}}{{case}},{{/cases}}>{{^cases}}No cases.{{/cases}}";
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "officer", "Sam");
	expect_render(text, d, false, "<>No cases.");
	expect_render(text, NULL, false, "<>No cases.");
	tmpl_data_set(tmpl_data_add(d, "cases"), "case", "ASB-9");
	expect_render(text, d, false, "<ASB-9,>");
	tmpl_data_free(d);
}

static void test_list_set_as_a_value_is_still_empty(void **state)
{
	/* A list is judged by its items, whatever value has the same name. */
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "cases", "yes");
	expect_render("{{#cases}}item{{/cases}}{{^cases}}none{{/cases}}", d, false, "none");
	tmpl_data_free(d);
}

static void test_thousands_of_items_in_order(void **state)
{
	enum { N = 5000 };
	struct tmpl_data *d = tmpl_data_new();
	char *want = xstrdup("");
	size_t len = 0;
	for (int i = 0; i < N; i++) {
		tmpl_data_setf(tmpl_data_add(d, "cases"), "case", "ASB-%d", i);
		char line[32];
		int n = snprintf(line, sizeof(line), "ASB-%d\n", i);
		want = xrealloc(want, len + (size_t)n + 1);
		memcpy(want + len, line, (size_t)n + 1);
		len += (size_t)n;
	}
	expect_render("{{#cases}}\n{{case}}\n{{/cases}}\n", d, false, want);
	free(want);
	tmpl_data_free(d);
}

/* ---- Plain-field sections ------------------------------------------------ */

static void test_plain_field_section_when_set_and_not_empty(void **state)
{
	static const char text[] = "[{{#note}}Note: {{note}}{{/note}}{{^note}}no note{{/note}}]";
	struct tmpl_data *d = tmpl_data_new();
	expect_render(text, d, false, "[no note]");
	tmpl_data_set(d, "note", "");
	expect_render(text, d, false, "[no note]");
	tmpl_data_set(d, "note", " ");
	expect_render(text, d, false, "[Note:  ]");
	tmpl_data_set(d, "note", "keys with neighbour");
	expect_render(text, d, false, "[Note: keys with neighbour]");
	tmpl_data_free(d);
}

static void test_plain_field_section_inside_a_list(void **state)
{
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "url", "https://cw.example/");
	tmpl_data_set(tmpl_data_add(d, "cases"), "rule", "r1");
	tmpl_data_add(d, "cases");
	expect_render("{{#cases}}({{#rule}}{{url}}{{rule}}{{/rule}}{{^rule}}-{{/rule}}){{/cases}}", d, false,
		      "(https://cw.example/r1)(-)");
	tmpl_data_free(d);
}

/* ---- Comments, whitespace, standalone lines ------------------------------ */

static void test_comments_render_nothing(void **state)
{
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "officer", "Sam");
	expect_render("a{{! a note for editors }}b", d, false, "ab");
	expect_render("a{{!}}b", d, false, "ab");
	/* A comment can hold anything but "}}", tags and newlines too. */
	expect_render("a{{! {{officer}b\nc {{#x y }}d", d, false, "ad");
	expect_render("Hi {{officer}}{{! comments need no known field: {{nosuch }}.", d, false, "Hi Sam.");
	tmpl_data_free(d);
}

static void test_whitespace_inside_tags(void **state)
{
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "officer", "Sam");
	tmpl_data_set(tmpl_data_add(d, "cases"), "case", "ASB-1");
	expect_render("{{ officer }}|{{\tofficer\t}}|{{#  cases  }}{{ case}}{{/ cases }}|{{ ^note }}none{{ /note }}"
		      "|{{\nofficer\n}}",
		      d, false, "Sam|Sam|ASB-1|none|Sam");
	tmpl_data_free(d);
}

static void test_standalone_tag_lines_removed(void **state)
{
	static const char text[] =
		"Cases for {{officer}}:\n"
		"{{#cases}}\n"
		"  - {{case}}: {{title}}\n"
		"    {{#steps}}\n"
		"    * {{what}}\n"
		"    {{/steps}}\n"
		"{{/cases}}\n"
		"{{^cases}}\n"
		"  (none)\n"
		"{{/cases}}\n"
		"  {{! standalone comment }}  \n"
		"End\n";
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "officer", "Sam");
	expect_render(text, d, false, "Cases for Sam:\n  (none)\nEnd\n");

	struct tmpl_data *c = tmpl_data_add(d, "cases");
	tmpl_data_set(c, "case", "ASB-1");
	tmpl_data_set(c, "title", "Call");
	tmpl_data_set(tmpl_data_add(c, "steps"), "what", "phone victim");
	tmpl_data_set(tmpl_data_add(c, "steps"), "what", "write letter");
	c = tmpl_data_add(d, "cases");
	tmpl_data_set(c, "case", "ASB-2");
	tmpl_data_set(c, "title", "Visit");
	expect_render(text, d, false,
		      "Cases for Sam:\n"
		      "  - ASB-1: Call\n"
		      "    * phone victim\n"
		      "    * write letter\n"
		      "  - ASB-2: Visit\n"
		      "End\n");
	tmpl_data_free(d);
}

static void test_standalone_edge_cases(void **state)
{
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "note", "n");
	/* CRLF line endings go with the line. */
	expect_render("a\r\n{{#note}}\r\nb\r\n{{/note}}\r\nc\r\n", d, false, "a\r\nb\r\nc\r\n");
	/* Tabs count as blank; the last line needs no newline. */
	expect_render("a\n\t{{#note}} \nb\n\t {{/note}}", d, false, "a\nb\n");
	/* First line of the template. */
	expect_render("{{#note}}\nb\n{{/note}}\n", d, false, "b\n");
	/* A multi-line comment alone on its lines. */
	expect_render("a\n{{! one\ntwo }}\nb\n", d, false, "a\nb\n");
	tmpl_data_free(d);
}

static void test_tags_sharing_a_line_are_not_standalone(void **state)
{
	struct tmpl_data *d = tmpl_data_new();
	tmpl_data_set(d, "note", "n");
	/* Text before or after the tag keeps the line. */
	expect_render("a {{#note}}\nb\n{{/note}} c\n", d, false, "a \nb\n c\n");
	/* Two tags on one line: neither stands alone. */
	expect_render("x\n{{#note}}{{/note}}\ny\n", d, false, "x\n\ny\n");
	/* A field tag alone on its line is text to be kept, empty or not. */
	expect_render("x\n{{url}}\n{{note}}\ny\n", d, false, "x\n\nn\ny\n");
	tmpl_data_free(d);
}

/* ---- Errors -------------------------------------------------------------- */

static void test_unknown_field_lists_fields_here(void **state)
{
	expect_errors("Dear {{officer}},\n\n{{labelx}}\n",
		      "3: unknown field 'labelx' (fields here: officer, title, note, url, cases)\n");
	/* Inside a list: the items' fields first, then the outer ones not
	 * hidden by them (the message's title is). */
	expect_errors("{{#cases}}\n{{nope}}\n{{/cases}}\n",
		      "2: unknown field 'nope' (fields here: case, rule, title, steps, officer, note, url, cases)\n");
	/* Sections are checked the same way. */
	expect_errors("a\nb\n{{#notes}}x{{/notes}}\n{{^urls}}y{{/urls}}\n",
		      "3: unknown field 'notes' (fields here: officer, title, note, url, cases)\n"
		      "4: unknown field 'urls' (fields here: officer, title, note, url, cases)\n");
}

static void test_unknown_field_with_empty_schema(void **state)
{
	static const struct tmpl_field none[] = { { .name = NULL } };
	struct diags d = { 0 };
	struct tmpl *t = NULL;
	assert_int_equal(tmpl_parse("x {{y}}", NULL, none, &t, &d), -EINVAL);
	assert_null(t);
	assert_int_equal(d.n, 1);
	assert_null(d.v[0].file);
	assert_int_equal(d.v[0].line, 1);
	assert_string_equal(d.v[0].msg, "unknown field 'y' (no fields here)");
	diags_free(&d);
}

static void test_item_field_outside_its_list(void **state)
{
	expect_errors("{{case}}\n{{#cases}}{{case}}{{/cases}}\n{{what}}\n{{#cases}}{{when}}{{/cases}}\n",
		      "1: field 'case' is only valid inside {{#cases}}...{{/cases}}\n"
		      "3: field 'what' is only valid inside {{#steps}}...{{/steps}}\n"
		      "4: field 'when' is only valid inside {{#steps}}...{{/steps}}\n");
	/* {{^cases}} renders when there is no item: no item fields there. */
	expect_errors("{{^cases}}\n{{case}}\n{{/cases}}\n",
		      "2: field 'case' is only valid inside {{#cases}}...{{/cases}}\n");
}

static void test_list_used_as_scalar(void **state)
{
	expect_errors("x\n{{cases}}\n{{#cases}}{{ steps }}{{/cases}}\n",
		      "2: '{{cases}}' is a list: use {{#cases}}...{{/cases}}\n"
		      "3: '{{steps}}' is a list: use {{#steps}}...{{/steps}}\n");
}

static void test_unclosed_section(void **state)
{
	expect_errors("a\n{{#cases}}\n{{case}}\n", "2: section 'cases' is not closed\n");
	/* Each one still open at the end, outermost first. */
	expect_errors("{{#note}}\n{{#cases}}\n{{^steps}}\n", "1: section 'note' is not closed\n"
							      "2: section 'cases' is not closed\n"
							      "3: section 'steps' is not closed\n");
}

static void test_mismatched_close(void **state)
{
	/* A misspelt close: one report, and the section counts as closed. */
	expect_errors("a\n{{#cases}}\n{{case}}\n{{/case}}\nb\n",
		      "4: '{{/case}}' where '{{/cases}}' was expected (opened on line 2)\n");
	/* A forgotten close: the outer close ends both. */
	expect_errors("{{#cases}}\n{{#steps}}\n{{what}}\n{{/cases}}\n{{officer}}\n",
		      "4: '{{/cases}}' where '{{/steps}}' was expected (opened on line 2)\n");
	/* Nothing open. */
	expect_errors("a\nb\n{{/note}}\n", "3: '{{/note}}' closes no open section\n");
}

static void test_unterminated_tag(void **state)
{
	expect_errors("Dear {{officer}},\n\nsee {{url\n", "3: '{{' without a closing '}}'\n");
	/* The next "{{" ends the broken tag; what follows is still checked. */
	expect_errors("a {{officer\nb\nc {{nosuch}}\n",
		      "1: '{{' without a closing '}}'\n"
		      "3: unknown field 'nosuch' (fields here: officer, title, note, url, cases)\n");
	/* An unterminated comment. */
	expect_errors("a\n{{! never ends\n", "2: '{{' without a closing '}}'\n");
}

static void test_empty_tag(void **state)
{
	expect_errors("{{}}\n{{ }}\nx {{#}}\n{{^ }}\n{{/\t}}\n", "1: empty tag '{{}}'\n"
								 "2: empty tag '{{}}'\n"
								 "3: empty tag '{{#}}'\n"
								 "4: empty tag '{{^}}'\n"
								 "5: empty tag '{{/}}'\n");
}

static void test_every_problem_reported_at_once(void **state)
{
	/* Lines counted across standalone lines, comments spanning lines and
	 * multi-line tags. */
	expect_errors("Dear {{officr}},\n"			/* 1 */
		      "{{#cases}}\n"				/* 2 */
		      "{{! a comment\n"				/* 3 */
		      "over two lines }}\n"			/* 4 */
		      "  - {{case}} {{titel}}\n"		/* 5 */
		      "  {{steps}}\n"				/* 6 */
		      "{{/cases}}\n"				/* 7 */
		      "{{\n"					/* 8 */
		      "}}\n"					/* 9 */
		      "{{what}} {{/note}}\n"			/* 10 */
		      "{{#note}}\n"				/* 11 */
		      "{{\n"					/* 12 */
		      "  rule }}\n"				/* 13 */
		      "end {{url\n",				/* 14 */
		      "1: unknown field 'officr' (fields here: officer, title, note, url, cases)\n"
		      "5: unknown field 'titel' (fields here: case, rule, title, steps, officer, note, url, cases)\n"
		      "6: '{{steps}}' is a list: use {{#steps}}...{{/steps}}\n"
		      "8: empty tag '{{}}'\n"
		      "10: field 'what' is only valid inside {{#steps}}...{{/steps}}\n"
		      "10: '{{/note}}' closes no open section\n"
		      "12: field 'rule' is only valid inside {{#cases}}...{{/cases}}\n"
		      "14: '{{' without a closing '}}'\n"
		      "11: section 'note' is not closed\n");
}

static void test_unknown_section_reported_once(void **state)
{
	/* A misspelt list name: its block uses the list's fields, which are
	 * not reported again; structure inside is still checked. */
	expect_errors("{{#casse}}\n{{case}} {{rule}}\n{{#steps}}{{/stepz}}\n{{/casse}}\n{{nosuch}}\n",
		      "1: unknown field 'casse' (fields here: officer, title, note, url, cases)\n"
		      "3: '{{/stepz}}' where '{{/steps}}' was expected (opened on line 3)\n"
		      "5: unknown field 'nosuch' (fields here: officer, title, note, url, cases)\n");
}

static void test_problems_appended_to_existing_diags(void **state)
{
	struct diags d = { 0 };
	diags_add(&d, "earlier.conf", 7, "an earlier problem");
	struct tmpl *t = NULL;
	/* A good template adds nothing and succeeds despite what came before. */
	assert_int_equal(tmpl_parse("{{officer}}", "a.tmpl", fields, &t, &d), 0);
	assert_non_null(t);
	tmpl_free(t);
	t = NULL;
	assert_int_equal(tmpl_parse("\n{{x}}", "b.tmpl", fields, &t, &d), -EINVAL);
	assert_null(t);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[0].msg, "an earlier problem");
	assert_string_equal(d.v[1].file, "b.tmpl");
	assert_int_equal(d.v[1].line, 2);
	diags_free(&d);
}

static void test_free_accepts_null(void **state)
{
	tmpl_free(NULL);
	tmpl_data_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_replaced_text_copied),
		cmocka_unit_test(test_unset_field_renders_empty),
		cmocka_unit_test(test_later_set_replaces_and_null_unsets),
		cmocka_unit_test(test_set_copies_the_value),
		cmocka_unit_test(test_html_escapes_values_not_template_text),
		cmocka_unit_test(test_html_escapes_item_fields),
		cmocka_unit_test(test_list_repeats_block_with_outer_fields_visible),
		cmocka_unit_test(test_item_field_hides_outer_field_of_same_name),
		cmocka_unit_test(test_nested_lists_see_every_outer_scope),
		cmocka_unit_test(test_empty_list_renders_nothing_and_inverted_block),
		cmocka_unit_test(test_list_set_as_a_value_is_still_empty),
		cmocka_unit_test(test_thousands_of_items_in_order),
		cmocka_unit_test(test_plain_field_section_when_set_and_not_empty),
		cmocka_unit_test(test_plain_field_section_inside_a_list),
		cmocka_unit_test(test_comments_render_nothing),
		cmocka_unit_test(test_whitespace_inside_tags),
		cmocka_unit_test(test_standalone_tag_lines_removed),
		cmocka_unit_test(test_standalone_edge_cases),
		cmocka_unit_test(test_tags_sharing_a_line_are_not_standalone),
		cmocka_unit_test(test_unknown_field_lists_fields_here),
		cmocka_unit_test(test_unknown_field_with_empty_schema),
		cmocka_unit_test(test_item_field_outside_its_list),
		cmocka_unit_test(test_list_used_as_scalar),
		cmocka_unit_test(test_unclosed_section),
		cmocka_unit_test(test_mismatched_close),
		cmocka_unit_test(test_unterminated_tag),
		cmocka_unit_test(test_empty_tag),
		cmocka_unit_test(test_every_problem_reported_at_once),
		cmocka_unit_test(test_unknown_section_reported_once),
		cmocka_unit_test(test_problems_appended_to_existing_diags),
		cmocka_unit_test(test_free_accepts_null),
	};
	return tap_exit(cmocka_run_group_tests(tests, NULL, NULL));
}

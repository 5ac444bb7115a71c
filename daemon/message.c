/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "message.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "address.h"
#include "util.h"

const char *msg_kind_to_string(enum msg_kind k)
{
	static const char *const names[_MSG_KIND_MAX] = {
		[MSG_NOTICE] = "notice",
		[MSG_OFFICER_DIGEST] = "officer-digest",
		[MSG_MANAGER_DIGEST] = "manager-digest",
	};
	return names[k];
}

const char *msg_template_key(enum msg_kind k, enum msg_part p)
{
	static const char *const keys[_MSG_KIND_MAX][_MSG_PART_MAX] = {
		[MSG_NOTICE] = { "notice_subject", "notice_text", "notice_html" },
		[MSG_OFFICER_DIGEST] = { "officer_digest_subject", "officer_digest_text", "officer_digest_html" },
		[MSG_MANAGER_DIGEST] = { "manager_digest_subject", "manager_digest_text", "manager_digest_html" },
	};
	return keys[k][p];
}

/* The fields: only what DESIGN.md section 5 allows a message to carry. No
 * party, no flag, no free text from the case database. */
static const struct tmpl_field notice_item[] = {
	{ "case", NULL }, { "rule", NULL }, { "title", NULL }, { "stage", NULL }, { "due", NULL }, { "late", NULL },
	{ "officer", NULL }, { "team", NULL }, { "link", NULL }, { "deadline", NULL }, { "when", NULL },
	{ "owed_to", NULL }, { "met_by", NULL }, { "colour", NULL }, { NULL, NULL },
};
static const struct tmpl_field notice_fields[] = {
	{ "summary", NULL }, { "count", NULL }, { "recipient", NULL }, { "case", NULL }, { "items", notice_item },
	{ "more", NULL }, { NULL, NULL },
};
static const struct tmpl_field digest_item[] = {
	{ "case", NULL }, { "rule", NULL }, { "title", NULL }, { "stage", NULL }, { "due", NULL }, { "late", NULL },
	{ "team", NULL }, { "link", NULL }, { "deadline", NULL }, { "when", NULL }, { "owed_to", NULL },
	{ "met_by", NULL }, { "colour", NULL }, { "new", NULL }, { NULL, NULL },
};
static const struct tmpl_field officer_fields[] = {
	{ "summary", NULL }, { "officer", NULL }, { "date", NULL }, { "recipient", NULL }, { "stale", NULL },
	{ "due_today", digest_item }, { "overdue", digest_item }, { "upcoming", digest_item },
	{ "notices", notice_item }, { "notices_more", NULL }, { "more", NULL }, { NULL, NULL },
};
static const struct tmpl_field manager_officer[] = {
	{ "officer", NULL }, { "count", NULL }, { "items", digest_item }, { NULL, NULL },
};
static const struct tmpl_field manager_team[] = {
	{ "team", NULL }, { "count", NULL }, { "more", NULL }, { "officers", manager_officer }, { NULL, NULL },
};
static const struct tmpl_field manager_standard[] = {
	{ "rule", NULL }, { "title", NULL }, { "pending", NULL }, { "overdue", NULL }, { "paused", NULL },
	{ "met", NULL }, { "met_late", NULL }, { "this", NULL }, { "this_pct", NULL }, { "this_due", NULL },
	{ "last", NULL }, { "last_pct", NULL }, { "last_due", NULL }, { NULL, NULL },
};
static const struct tmpl_field manager_undelivered[] = {
	{ "recipient", NULL }, { "subject", NULL }, { "error", NULL }, { "since", NULL }, { NULL, NULL },
};
static const struct tmpl_field manager_import[] = {
	{ "file", NULL }, { "problem", NULL }, { NULL, NULL },
};
static const struct tmpl_field manager_officer_total[] = {
	{ "officer", NULL }, { "this", NULL }, { "this_pct", NULL }, { "this_due", NULL }, { "overdue", NULL },
	{ NULL, NULL },
};
static const struct tmpl_field manager_team_total[] = {
	{ "team", NULL }, { "this", NULL }, { "this_pct", NULL }, { "this_due", NULL }, { "overdue", NULL },
	{ "officers", manager_officer_total }, { NULL, NULL },
};
static const struct tmpl_field manager_target[] = {
	{ "rule", NULL }, { "title", NULL }, { "goal", NULL }, { "this", NULL }, { "this_met", NULL },
	{ "last", NULL }, { "last_met", NULL }, { NULL, NULL },
};
static const struct tmpl_field manager_fields[] = {
	{ "summary", NULL }, { "period", NULL }, { "date", NULL }, { "recipient", NULL }, { "stale", NULL },
	{ "this_period", NULL }, { "last_period", NULL }, { "teams", manager_team }, { "standards", manager_standard },
	{ "by_team", NULL }, { "team_totals", manager_team_total }, { "targets", manager_target },
	{ "targets_this", NULL },
	{ "targets_last", NULL },
	{ "undelivered", manager_undelivered }, { "undelivered_count", NULL },
	{ "import_problems", manager_import }, { "notices", notice_item }, { "notices_more", NULL }, { NULL, NULL },
};

const struct tmpl_field *msg_fields(enum msg_kind k)
{
	static const struct tmpl_field *const fields[_MSG_KIND_MAX] = {
		[MSG_NOTICE] = notice_fields,
		[MSG_OFFICER_DIGEST] = officer_fields,
		[MSG_MANAGER_DIGEST] = manager_fields,
	};
	return fields[k];
}

/* The built-in templates. */

#define FOOTER_TEXT \
	"-- \n" \
	"Sent automatically by casewatch, the unit's service-standard monitor.\n"
/* To whom an item is owed, and what record meets it. */
#define ITEM_DUTY_TEXT \
	"{{#owed_to}}\n" \
	"  owed to the {{owed_to}}\n" \
	"{{/owed_to}}\n" \
	"{{#met_by}}\n" \
	"  met by {{met_by}}\n" \
	"{{/met_by}}\n"
#define FONT "font-family:Arial,Helvetica,sans-serif;"
#define TEXT_STYLE FONT "font-size:15px;line-height:1.45;color:#1b1b1b;"
/* One column at most 640 pixels wide, full width on a phone; tables for
 * layout and inline styles only, which Outlook honours. */
#define HTML_HEAD \
	"<!DOCTYPE html>\n" \
	"<html lang=\"en\">\n" \
	"<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" \
	"<title>{{summary}}</title></head>\n" \
	"<body style=\"margin:0;padding:0;background-color:#f2f2f2\">\n" \
	"<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" " \
	"style=\"background-color:#f2f2f2\"><tr><td align=\"center\" style=\"padding:12px 6px\">\n" \
	"<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" " \
	"style=\"max-width:640px;background-color:#ffffff;border:1px solid #d0d0d0\">\n"
/* The coloured bar with the message's heading. */
#define HTML_TITLE(t) \
	"<tr><td style=\"padding:14px 18px;background-color:#1d3557;color:#ffffff;" FONT \
	"font-size:18px;line-height:1.3;font-weight:bold\">" t "</td></tr>\n"
#define ROW_OPEN "<tr><td style=\"padding:12px 18px 4px 18px;" TEXT_STYLE "\">\n"
#define ROW_CLOSE "</td></tr>\n"
#define H2(t) "<h2 style=\"margin:8px 0 8px 0;" FONT "font-size:17px;color:#1d3557\">" t "</h2>\n"
#define WARNING \
	"{{#stale}}\n" \
	"<p style=\"margin:0 0 12px 0;padding:8px 10px;border:2px solid #b00020;" TEXT_STYLE "\">" \
	"<strong>Warning:</strong> {{stale}}.</p>\n" \
	"{{/stale}}\n"
#define CASE_LINK "{{#link}}<a href=\"{{link}}\" style=\"color:#1d4e89\">{{case}}</a>{{/link}}{{^link}}{{case}}{{/link}}"
/* An item: its stage in words (in its colour, but never by colour alone),
 * the case and standard, the deadline, to whom and by what, who. */
#define NEW_HTML "{{#new}} &middot; <strong>new</strong>{{/new}}"
#define ITEM_HTML(marker, who) \
	"<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" " \
	"style=\"margin:0 0 12px 0\"><tr><td style=\"padding:2px 0 2px 10px;border-left:4px solid {{colour}};" \
	TEXT_STYLE "\">\n" \
	"<strong style=\"color:{{colour}};text-transform:uppercase\">{{stage}}</strong>" marker "<br>\n" \
	"<strong>" CASE_LINK "</strong>: {{title}}<br>\n" \
	"Deadline {{deadline}}{{#late}} &middot; <strong>{{late}}</strong>{{/late}}<br>\n" \
	"{{#owed_to}}Owed to the {{owed_to}}<br>\n{{/owed_to}}" \
	"{{#met_by}}Met by {{met_by}}<br>\n{{/met_by}}" \
	who \
	"</td></tr></table>\n"
#define WHO_HTML "<span style=\"color:#555555\">Officer {{officer}}, team {{team}}</span>\n"
#define TH_L "<th align=\"left\" style=\"padding:4px 6px;border-bottom:2px solid #1d3557;" FONT "font-size:13px\">"
#define TH_R "<th align=\"right\" style=\"padding:4px 6px;border-bottom:2px solid #1d3557;" FONT "font-size:13px\">"
#define TD_L "<td style=\"padding:4px 6px;border-bottom:1px solid #e0e0e0;" FONT "font-size:13px\">"
#define TD_R \
	"<td align=\"right\" style=\"padding:4px 6px;border-bottom:1px solid #e0e0e0;white-space:nowrap;" FONT \
	"font-size:13px\">"
#define TABLE_OPEN \
	"<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" " \
	"style=\"border-collapse:collapse;margin:0 0 12px 0\">\n"
#define FOOTER_HTML \
	"<tr><td style=\"padding:10px 18px 14px 18px;" FONT "font-size:12px;color:#555555\">Sent automatically by " \
	"casewatch, the unit's service-standard monitor.</td></tr>\n" \
	"</table>\n</td></tr></table>\n</body>\n</html>\n"
/* The notices of the scan a digest lists no more of. */
#define NOTICES_MORE_HTML \
	"{{#notices_more}}\n" \
	"<p style=\"margin:0 0 12px 0;" TEXT_STYLE "\">And {{notices_more}} more notifications of this scan not " \
	"listed here: <code>casewatch status --unmet</code> lists them all.</p>\n" \
	"{{/notices_more}}\n"

static const char *const builtin[_MSG_KIND_MAX][_MSG_PART_MAX] = {
	[MSG_NOTICE] = {
		[MSG_SUBJECT] = "casewatch: {{#case}}{{case}}: {{/case}}{{summary}}",
		[MSG_TEXT] =
			"{{summary}}\n"
			"\n"
			"{{#items}}\n"
			"{{case}}: {{title}} ({{rule}})\n"
			"  {{when}}\n"
			ITEM_DUTY_TEXT
			"  officer {{officer}}, team {{team}}\n"
			"{{#link}}\n"
			"  {{link}}\n"
			"{{/link}}\n"
			"\n"
			"{{/items}}\n"
			"{{#more}}\n"
			"And {{more}} more notifications not listed here: casewatch status --unmet lists them all.\n"
			"\n"
			"{{/more}}\n"
			FOOTER_TEXT,
		[MSG_HTML] =
			HTML_HEAD
			HTML_TITLE("{{summary}}")
			ROW_OPEN
			"{{#items}}\n"
			ITEM_HTML("", WHO_HTML)
			"{{/items}}\n"
			"{{#more}}\n"
			"<p style=\"margin:0 0 12px 0;" TEXT_STYLE "\">And {{more}} more notifications not listed here: "
			"<code>casewatch status --unmet</code> lists them all.</p>\n"
			"{{/more}}\n"
			ROW_CLOSE
			FOOTER_HTML,
	},
	[MSG_OFFICER_DIGEST] = {
		[MSG_SUBJECT] = "casewatch: your cases on {{date}}: {{summary}}",
		[MSG_TEXT] =
			"Good morning {{officer}}: {{summary}}.\n"
			"{{#stale}}\n"
			"\n"
			"Note: {{stale}}.\n"
			"{{/stale}}\n"
			"{{#overdue}}\n"
			"\n"
			"Overdue{{#new}} (new){{/new}}: {{case}}: {{title}}\n"
			"  {{when}}\n"
			ITEM_DUTY_TEXT
			"{{#link}}\n"
			"  {{link}}\n"
			"{{/link}}\n"
			"{{/overdue}}\n"
			"{{#due_today}}\n"
			"\n"
			"Due today{{#new}} (new){{/new}}: {{case}}: {{title}}\n"
			"  {{when}}\n"
			ITEM_DUTY_TEXT
			"{{#link}}\n"
			"  {{link}}\n"
			"{{/link}}\n"
			"{{/due_today}}\n"
			"{{#upcoming}}\n"
			"\n"
			"Coming up{{#new}} (new){{/new}}: {{case}}: {{title}}\n"
			"  {{when}}\n"
			ITEM_DUTY_TEXT
			"{{#link}}\n"
			"  {{link}}\n"
			"{{/link}}\n"
			"{{/upcoming}}\n"
			"{{#notices}}\n"
			"\n"
			"Also for you: {{case}}: {{title}} (officer {{officer}}, team {{team}})\n"
			"  {{when}}\n"
			ITEM_DUTY_TEXT
			"{{#link}}\n"
			"  {{link}}\n"
			"{{/link}}\n"
			"{{/notices}}\n"
			"{{#notices_more}}\n"
			"\n"
			"And {{notices_more}} more notifications of this scan not listed here: casewatch status --unmet "
			"lists them all.\n"
			"{{/notices_more}}\n"
			"{{#more}}\n"
			"\n"
			"And {{more}} more not listed here: casewatch status --unmet lists them all.\n"
			"{{/more}}\n"
			"\n"
			FOOTER_TEXT,
		[MSG_HTML] =
			HTML_HEAD
			HTML_TITLE("Good morning {{officer}}: {{summary}}")
			ROW_OPEN
			WARNING
			"{{#overdue}}\n"
			ITEM_HTML(NEW_HTML, "")
			"{{/overdue}}\n"
			"{{#due_today}}\n"
			ITEM_HTML(NEW_HTML, "")
			"{{/due_today}}\n"
			"{{#upcoming}}\n"
			ITEM_HTML(NEW_HTML, "")
			"{{/upcoming}}\n"
			"{{#notices}}\n"
			ITEM_HTML("", WHO_HTML)
			"{{/notices}}\n"
			NOTICES_MORE_HTML
			"{{#more}}\n"
			"<p style=\"margin:0 0 12px 0;" TEXT_STYLE "\">And {{more}} more not listed here: "
			"<code>casewatch status --unmet</code> lists them all.</p>\n"
			"{{/more}}\n"
			ROW_CLOSE
			FOOTER_HTML,
	},
	[MSG_MANAGER_DIGEST] = {
		[MSG_SUBJECT] = "casewatch: service standards, {{period}}: {{summary}}",
		[MSG_TEXT] =
			"Service standards, {{period}}: {{summary}}.\n"
			"{{#stale}}\n"
			"\n"
			"Warning: {{stale}}.\n"
			"{{/stale}}\n"
			"\n"
			"On time, of the deadlines {{this_period}} (before: {{last_period}}):\n"
			"{{#standards}}\n"
			"  {{title}}: {{this}}; before: {{last}}\n"
			"{{/standards}}\n"
			"{{#targets_this}}\n"
			"\n"
			"The unit's targets, this month ({{targets_this}}) so far and last month ({{targets_last}}):\n"
			"{{/targets_this}}\n"
			"{{#targets}}\n"
			"  {{title}} ({{goal}}): this month {{this_met}}: {{this}}; last month {{last_met}}: {{last}}\n"
			"{{/targets}}\n"
			"{{#by_team}}\n"
			"\n"
			"By team and officer, on time of the same deadlines, and overdue now:\n"
			"{{/by_team}}\n"
			"{{#team_totals}}\n"
			"  {{team}}: {{this}}; {{overdue}} overdue now\n"
			"{{#officers}}\n"
			"    {{officer}}: {{this}}; {{overdue}} overdue now\n"
			"{{/officers}}\n"
			"{{/team_totals}}\n"
			"{{#teams}}\n"
			"\n"
			"Team {{team}}: {{count}} overdue\n"
			"{{#officers}}\n"
			"  {{officer}}: {{count}}\n"
			"{{#items}}\n"
			"    {{case}}{{#new}} (new){{/new}}: {{title}}: {{when}}{{#owed_to}}, owed to the {{owed_to}}{{/owed_to}}\n"
			"{{/items}}\n"
			"{{/officers}}\n"
			"{{#more}}\n"
			"  And {{more}} more not listed here: casewatch status --unmet lists them all.\n"
			"{{/more}}\n"
			"{{/teams}}\n"
			"{{#notices}}\n"
			"\n"
			"Also for you: {{case}}: {{title}} (officer {{officer}}, team {{team}})\n"
			"  {{when}}\n"
			"{{/notices}}\n"
			"{{#notices_more}}\n"
			"\n"
			"And {{notices_more}} more notifications of this scan not listed here: casewatch status --unmet "
			"lists them all.\n"
			"{{/notices_more}}\n"
			"{{^teams}}\n"
			"{{^stale}}\n"
			"\n"
			"Nothing is overdue.\n"
			"{{/stale}}\n"
			"{{/teams}}\n"
			"\n"
			"Every obligation, by state (closed cases included):\n"
			"{{#standards}}\n"
			"  {{title}} ({{rule}}): {{overdue}} overdue, {{pending}} pending, {{paused}} paused, "
			"{{met}} met, {{met_late}} met late\n"
			"{{/standards}}\n"
			"{{#undelivered}}\n"
			"\n"
			"Undelivered: {{recipient}}: \"{{subject}}\" since {{since}}: {{error}}\n"
			"{{/undelivered}}\n"
			"{{#import_problems}}\n"
			"\n"
			"Import: {{file}}: {{problem}}\n"
			"{{/import_problems}}\n"
			"\n"
			FOOTER_TEXT,
		[MSG_HTML] =
			HTML_HEAD
			HTML_TITLE("Service standards, {{period}}: {{summary}}")
			ROW_OPEN
			WARNING
			H2("On time")
			"<p style=\"margin:0 0 8px 0;" TEXT_STYLE "\">Of the deadlines {{this_period}}, and before: "
			"{{last_period}}.</p>\n"
			TABLE_OPEN
			"<tr>" TH_L "Standard</th>" TH_R "On time</th>" TH_R "Before</th></tr>\n"
			"{{#standards}}\n"
			"<tr>" TD_L "{{title}}</td>" TD_R "{{this}}</td>" TD_R "{{last}}</td></tr>\n"
			"{{/standards}}\n"
			"</table>\n"
			"{{#targets_this}}\n"
			H2("Targets")
			"<p style=\"margin:0 0 8px 0;" TEXT_STYLE "\">The unit's, this month ({{targets_this}}) so far and "
			"last month ({{targets_last}}).</p>\n"
			TABLE_OPEN
			"<tr>" TH_L "Target</th>" TH_L "This month</th>" TH_L "Last month</th></tr>\n"
			"{{/targets_this}}\n"
			"{{#targets}}\n"
			"<tr>" TD_L "{{title}}<br><span style=\"color:#555555\">{{goal}}</span></td>" TD_L
			"<strong>{{this_met}}</strong>: {{this}}</td>" TD_L "<strong>{{last_met}}</strong>: {{last}}</td></tr>\n"
			"{{/targets}}\n"
			"{{#targets_this}}\n"
			"</table>\n"
			"{{/targets_this}}\n"
			"{{#by_team}}\n"
			H2("By team and officer")
			"<p style=\"margin:0 0 8px 0;" TEXT_STYLE "\">On time, of the deadlines {{this_period}}; and what "
			"is overdue now.</p>\n"
			TABLE_OPEN
			"<tr>" TH_L "Team or officer</th>" TH_R "On time</th>" TH_R "Overdue now</th></tr>\n"
			"{{/by_team}}\n"
			"{{#team_totals}}\n"
			"<tr>" TD_L "<strong>{{team}}</strong></td>" TD_R "<strong>{{this}}</strong></td>" TD_R
			"<strong>{{overdue}}</strong></td></tr>\n"
			"{{#officers}}\n"
			"<tr>" TD_L "&nbsp;&nbsp;&nbsp;&nbsp;{{officer}}</td>" TD_R "{{this}}</td>" TD_R "{{overdue}}</td></tr>\n"
			"{{/officers}}\n"
			"{{/team_totals}}\n"
			"{{#by_team}}\n"
			"</table>\n"
			"{{/by_team}}\n"
			"{{#teams}}\n"
			H2("Team {{team}}: {{count}} overdue")
			"{{#officers}}\n"
			"<p style=\"margin:0 0 6px 0;" TEXT_STYLE "\"><strong>{{officer}}</strong>: {{count}} overdue</p>\n"
			"{{#items}}\n"
			ITEM_HTML(NEW_HTML, "")
			"{{/items}}\n"
			"{{/officers}}\n"
			"{{#more}}\n"
			"<p style=\"margin:0 0 12px 0;" TEXT_STYLE "\">And {{more}} more not listed here: "
			"<code>casewatch status --unmet</code> lists them all.</p>\n"
			"{{/more}}\n"
			"{{/teams}}\n"
			"{{^teams}}\n"
			"{{^stale}}\n"
			"<p style=\"margin:0 0 12px 0;" TEXT_STYLE "\">Nothing is overdue.</p>\n"
			"{{/stale}}\n"
			"{{/teams}}\n"
			"{{#notices}}\n"
			ITEM_HTML("", WHO_HTML)
			"{{/notices}}\n"
			NOTICES_MORE_HTML
			H2("Every obligation, by state")
			TABLE_OPEN
			"<tr>" TH_L "Standard</th>" TH_R "Obligations</th></tr>\n"
			"{{#standards}}\n"
			"<tr>" TD_L "{{title}}</td>" TD_R "{{overdue}} overdue<br>{{pending}} pending<br>{{paused}} paused<br>"
			"{{met}} met<br>{{met_late}} met late</td></tr>\n"
			"{{/standards}}\n"
			"</table>\n"
			"{{#undelivered}}\n"
			"<p style=\"margin:0 0 8px 0;" TEXT_STYLE "\"><strong>Undelivered:</strong> {{recipient}}: "
			"&ldquo;{{subject}}&rdquo; since {{since}}: {{error}}</p>\n"
			"{{/undelivered}}\n"
			"{{#import_problems}}\n"
			"<p style=\"margin:0 0 8px 0;" TEXT_STYLE "\"><strong>Import:</strong> {{file}}: {{problem}}</p>\n"
			"{{/import_problems}}\n"
			ROW_CLOSE
			FOOTER_HTML,
	},
};
int templates_load(struct templates *t, char *const paths[_MSG_KIND_MAX][_MSG_PART_MAX], struct diags *diags)
{
	int ret = 0;
	for (int k = 0; k < _MSG_KIND_MAX; k++)
		for (int p = 0; p < _MSG_PART_MAX; p++) {
			const char *path = paths[k][p];
			_cleanup_free_ char *data = NULL;
			const char *text = builtin[k][p];
			if (path) {
				size_t len;
				int r = read_file(path, &data, &len);
				if (r < 0) {
					diags_add(diags, path, 0, "cannot read the template %s: %s",
						  msg_template_key((enum msg_kind)k, (enum msg_part)p),
						  r == -EISDIR ? "it is a folder" : strerror(-r));
					ret = -EINVAL;
					continue;
				}
				if (strlen(data) != len) {
					diags_add(diags, path, 0, "the template holds a NUL byte");
					ret = -EINVAL;
					continue;
				}
				text = data;
			}
			if (tmpl_parse(text, path, msg_fields((enum msg_kind)k), &t->t[k][p], diags) < 0)
				ret = -EINVAL;
		}
	return ret;
}

void templates_free(struct templates *t)
{
	for (int k = 0; k < _MSG_KIND_MAX; k++)
		for (int p = 0; p < _MSG_PART_MAX; p++) {
			tmpl_free(t->t[k][p]);
			t->t[k][p] = NULL;
		}
}

/* Building the email. */

static void base64(struct strbuf *b, const unsigned char *s, size_t n)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? s[i + 2] : 0);
		char q[4] = { abc[v >> 18 & 63], abc[v >> 12 & 63], i + 1 < n ? abc[v >> 6 & 63] : '=',
			      i + 2 < n ? abc[v & 63] : '=' };
		strbuf_add(b, q, 4);
	}
}

/* The longest header value written as it is: a line may be at most 998
 * characters (RFC 5322 section 2.1.1), "Subject: " included. */
#define HEADER_RAW_MAX 900

/* A header value on one line, whatever the value holds: text_clean() makes
 * it UTF-8 (U+FFFD for each byte that is not) and its control characters
 * (a line end in a value from the database could otherwise start a header
 * of its own) spaces. Then RFC 2047 encoded words of whole UTF-8
 * characters when it is not ASCII, when it is too long for one line, or
 * when it holds "=?": "text that looks like an encoded-word must be
 * encoded" (RFC 2047 section 5, read by a mail client as one). */
static void header_text(struct strbuf *b, const char *s)
{
	_cleanup_free_ char *clean = text_clean(s, 0, NULL);
	size_t len = strlen(clean), i = 0;
	bool ascii = len <= HEADER_RAW_MAX && !strstr(clean, "=?");
	for (const char *c = clean; ascii && *c; c++)
		if ((unsigned char)*c >= 0x80)
			ascii = false;
	if (ascii) {
		strbuf_adds(b, clean);
		return;
	}
	while (i < len) {
		/* At most 39 bytes per word: 52 characters of base64, and a
		 * line of at most 76 with "Subject: " before it. A word ends
		 * between characters: the text is UTF-8 now. */
		size_t max = len - i < 39 ? len - i : 39, n = max;
		while (n > 0 && i + n < len && ((unsigned char)clean[i + n] & 0xc0) == 0x80)
			n--;
		if (n == 0)
			n = max;
		if (i)
			strbuf_adds(b, "\r\n ");
		strbuf_adds(b, "=?UTF-8?B?");
		base64(b, (const unsigned char *)clean + i, n);
		strbuf_adds(b, "?=");
		i += n;
	}
}

/* Quoted-printable (RFC 2045): readable where it is ASCII, lines of at
 * most 76 characters, line ends CRLF. White space ending a line, and a "."
 * starting one (after a soft break too), are encoded. */
static void qp_line(struct strbuf *b, const unsigned char *p, size_t len)
{
	size_t col = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		bool last = i + 1 == len;
		/* A stray carriage return is not text. */
		if (c == '\r')
			continue;
		bool lit = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
		size_t w = lit ? 1 : 3;
		/* Room for the "=" of a soft break, unless this ends the line. */
		if (col + w > (last ? 76u : 75u)) {
			strbuf_adds(b, "=\r\n");
			col = 0;
		}
		if (col == 0 && c == '.')
			lit = false, w = 3;
		char e[4];
		if (lit) {
			e[0] = (char)c;
			e[1] = '\0';
		} else {
			snprintf(e, sizeof(e), "=%02X", c);
		}
		strbuf_adds(b, e);
		col += w;
	}
	strbuf_adds(b, "\r\n");
}

static void quoted_printable(struct strbuf *b, const char *s)
{
	const char *p = s;
	while (*p) {
		size_t n = strcspn(p, "\n");
		size_t len = n;
		if (len && p[len - 1] == '\r')
			len--;
		qp_line(b, (const unsigned char *)p, len);
		p += n;
		if (*p == '\n')
			p++;
	}
}

/* An addr-spec as it is: an encoded word may not hold one (RFC 2047
 * section 5), or no reader finds it. The callers give only addresses
 * addr_spec_ok() let through; should one not be, a control character
 * becomes a space and a byte that is not ASCII "?", so that it stays one
 * header of ASCII. */
static void header_plain(struct strbuf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char c = *p < 0x20 || *p == 0x7f ? ' ' : *p > 0x7f ? '?' : (char)*p;
		strbuf_add(b, &c, 1);
	}
}

/* The longest line of a header field (RFC 5322 section 2.1.1's "SHOULD be
 * no more than 78 characters"), and of one that holds an encoded-word (RFC
 * 2047 section 2: 76), and the longest encoded-word (RFC 2047 section 2). */
#define LINE_MAX_PLAIN 78
#define LINE_MAX_ENCODED 76
#define ENCODED_WORD_MAX 75
/* "=?UTF-8?B?" and "?=". */
#define ENCODED_WORD_FRAME 12

/* A header field being written, folded where it must be. */
struct hfield {
	struct strbuf *b;
	size_t col;  /* characters on the line so far */
	size_t max;  /* LINE_MAX_* */
	bool first;  /* nothing written after "Name: " yet */
};

/* Token t[0..n): after "Name: " when it is the first; else after a space,
 * or after a fold (CRLF and a space, RFC 5322 section 2.2.3) when the line
 * would pass its maximum. */
static void hfield_token(struct hfield *h, const char *t, size_t n)
{
	if (!h->first) {
		if (h->col + 1 + n > h->max) {
			strbuf_adds(h->b, "\r\n ");
			h->col = 1;
		} else {
			strbuf_adds(h->b, " ");
			h->col++;
		}
	}
	strbuf_add(h->b, t, n);
	h->col += n;
	h->first = false;
}

/* How many bytes of the UTF-8 text s[0..n), whole characters, an
 * encoded-word of at most `room` characters holds: 0 when not one. */
static size_t encoded_word_fit(const unsigned char *s, size_t n, size_t room)
{
	if (room > ENCODED_WORD_MAX)
		room = ENCODED_WORD_MAX;
	if (room < ENCODED_WORD_FRAME + 4)
		return 0;
	size_t max = (room - ENCODED_WORD_FRAME) / 4 * 3;
	if (max >= n)
		return n;
	size_t k = max;
	while (k > 0 && (s[k] & 0xc0) == 0x80)
		k--;
	return k;
}

/* s[0..len) as B encoded-words of UTF-8 (RFC 2047), as many as it takes,
 * each at most ENCODED_WORD_MAX characters of whole characters. A reader
 * drops the white space between two encoded-words (section 6.2), so the
 * text's own spaces are inside them. A word is cut before a space when
 * there is one to cut at, so that the text's words stay whole for a
 * reader that keeps that white space (Python 3.11's email package does in
 * a display name, CPython gh-128110: a space too many rather than a word
 * cut in two); and a word that would be cut short at the end of a line
 * starts the next instead. */
static void hfield_encoded(struct hfield *h, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t sep = h->first ? 0 : 1;
		size_t room = h->col + sep < h->max ? h->max - h->col - sep : 0;
		size_t n = encoded_word_fit(u + i, len - i, room);
		size_t whole = encoded_word_fit(u + i, len - i, h->max - 1);
		size_t cut = n;
		while (n < len - i && cut > 0 && s[i + cut] != ' ')
			cut--;
		if (n == 0 || (n < len - i && cut == 0 && whole > n && !h->first)) {
			/* The word starts the next line, after the fold's
			 * space. */
			strbuf_adds(h->b, "\r\n");
			h->col = 0;
			h->first = false;
			n = whole;
			cut = n;
			while (n < len - i && cut > 0 && s[i + cut] != ' ')
				cut--;
		}
		if (cut > 0)
			n = cut;
		struct strbuf w = { 0 };
		strbuf_adds(&w, "=?UTF-8?B?");
		base64(&w, u + i, n);
		strbuf_adds(&w, "?=");
		hfield_token(h, w.p, w.n);
		free(w.p);
		i += n;
	}
}

/* s[0..len) as one quoted-string (RFC 5322 section 3.2.4): a backslash
 * before each " and \, folded at its spaces, which unfolding keeps. */
static void hfield_quoted(struct hfield *h, const char *s, size_t len)
{
	struct strbuf q = { 0 };
	strbuf_adds(&q, "\"");
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			strbuf_adds(&q, "\\");
		strbuf_add(&q, s + i, 1);
	}
	strbuf_adds(&q, "\"");
	for (const char *p = q.p;;) {
		size_t k = strcspn(p, " ");
		hfield_token(h, p, k);
		if (!p[k])
			break;
		p += k + 1;
	}
	free(q.p);
}

/* The longest word written as ASCII, its quotes and backslashes counted:
 * a longer one could not be folded onto a line of LINE_MAX_ENCODED after
 * "Reply-To: ", so it goes as encoded-words, which can be cut anywhere. */
#define ASCII_WORD_MAX 64

/* How a word of a display name (RFC 5322 section 3.4's phrase) is
 * written: as it is when it is atext; in a quoted-string when it is other
 * ASCII; as encoded-words when it is not ASCII, or holds "=?" (text that
 * looks like an encoded-word is one to a reader, RFC 2047 section 5, and
 * to many in a quoted-string too: encoded, it is read as what it is). */
enum word_form { WORD_ATOM, WORD_QUOTED, WORD_ENCODED };

static enum word_form word_form(const char *s, size_t n)
{
	enum word_form f = WORD_ATOM;
	size_t width = 2;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c > 0x7e || (c == '=' && i + 1 < n && s[i + 1] == '?'))
			return WORD_ENCODED;
		if (!addr_is_atext(c))
			f = WORD_QUOTED;
		width += c == '"' || c == '\\' ? 2 : 1;
	}
	return width > ASCII_WORD_MAX ? WORD_ENCODED : f;
}

/* The end of the word at s: the next space; the spaces after the first of
 * a run begin the next word, so that they are kept (in its quoted-string
 * or encoded-word). */
static size_t word_len(const char *s)
{
	size_t n = strspn(s, " ");
	return n + strcspn(s + n, " ");
}

/* The display name, cleaned and trimmed, not empty. A name of atoms goes
 * as it is, a name of other ASCII as one quoted-string. A name with words
 * that must be encoded is written word by word: each run of them as
 * encoded-words, each run of the others between as atoms or one
 * quoted-string, so that a space between the two kinds is white space
 * every reader keeps, and only the spaces inside a run are encoded. */
static void hfield_name(struct hfield *h, const char *name)
{
	bool encoded = false, atoms = true;
	for (const char *p = name; *p;) {
		size_t n = word_len(p);
		enum word_form f = word_form(p, n);
		encoded |= f == WORD_ENCODED;
		atoms &= f == WORD_ATOM;
		p += n + (p[n] == ' ');
	}
	if (!encoded) {
		if (atoms) {
			for (const char *p = name; *p;) {
				size_t n = word_len(p);
				hfield_token(h, p, n);
				p += n + (p[n] == ' ');
			}
		} else {
			hfield_quoted(h, name, strlen(name));
		}
		return;
	}
	h->max = LINE_MAX_ENCODED;
	for (const char *p = name; *p;) {
		/* A run of words of one kind, encoded or not. */
		bool enc = word_form(p, word_len(p)) == WORD_ENCODED, run_atoms = true;
		const char *end = p;
		for (;;) {
			size_t n = word_len(end);
			enum word_form f = word_form(end, n);
			if ((f == WORD_ENCODED) != enc)
				break;
			run_atoms &= f == WORD_ATOM;
			end += n;
			if (*end != ' ' || (word_form(end + 1, word_len(end + 1)) == WORD_ENCODED) != enc)
				break;
			end++;
		}
		if (enc) {
			hfield_encoded(h, p, (size_t)(end - p));
		} else if (run_atoms) {
			for (const char *w = p; w < end;) {
				size_t n = word_len(w);
				hfield_token(h, w, n);
				w += n + (w[n] == ' ');
			}
		} else {
			hfield_quoted(h, p, (size_t)(end - p));
		}
		p = end + (*end == ' ');
	}
}

void email_header_address(struct strbuf *b, const char *field, const struct email_address *a)
{
	struct hfield h = { .b = b, .col = strlen(field) + 2, .max = LINE_MAX_PLAIN, .first = true };
	strbuf_adds(b, field);
	strbuf_adds(b, ": ");
	/* The name made one line of UTF-8 (text_clean()), without the
	 * spaces around it. */
	_cleanup_free_ char *name = text_clean(a->name ? a->name : "", 0, NULL);
	size_t skip = strspn(name, " "), n = strlen(name);
	while (n > skip && name[n - 1] == ' ')
		name[--n] = '\0';
	struct strbuf ab = { 0 };
	strbuf_adds(&ab, name[skip] ? "<" : "");
	header_plain(&ab, a->address ? a->address : "");
	strbuf_adds(&ab, name[skip] ? ">" : "");
	if (name[skip])
		hfield_name(&h, name + skip);
	hfield_token(&h, ab.p, ab.n);
	free(ab.p);
	strbuf_adds(b, "\r\n");
}

/* The alternative of the text and the HTML, after its Content-Type. */
static void alternative(struct strbuf *b, const char *boundary, const char *text, const char *html)
{
	strbuf_adds(b, "multipart/alternative; boundary=\"");
	strbuf_adds(b, boundary);
	strbuf_adds(b, "\"\r\n\r\nThis is a message in plain text and HTML.\r\n\r\n--");
	strbuf_adds(b, boundary);
	strbuf_adds(b, "\r\nContent-Type: text/plain; charset=utf-8\r\n"
		  "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	quoted_printable(b, text);
	strbuf_adds(b, "\r\n--");
	strbuf_adds(b, boundary);
	strbuf_adds(b, "\r\nContent-Type: text/html; charset=utf-8\r\n"
		  "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	quoted_printable(b, html);
	strbuf_adds(b, "\r\n--");
	strbuf_adds(b, boundary);
	strbuf_adds(b, "--\r\n");
}

/* An attachment's part: base64 in lines of 76 characters (RFC 2045
 * section 6.8), under a name of the caller's (a plain ASCII file name). */
static void attachment(struct strbuf *b, const struct email_attachment *a)
{
	strbuf_adds(b, "Content-Type: ");
	strbuf_adds(b, a->type);
	strbuf_adds(b, "; name=\"");
	strbuf_adds(b, a->name);
	strbuf_adds(b, "\"\r\nContent-Disposition: attachment; filename=\"");
	strbuf_adds(b, a->name);
	strbuf_adds(b, "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	for (size_t i = 0; i < a->len; i += 57) {
		base64(b, (const unsigned char *)a->data + i, a->len - i < 57 ? a->len - i : 57);
		strbuf_adds(b, "\r\n");
	}
}

char *email_build_mixed(const struct email_head *h, const char *subject, const char *text, const char *html,
			const struct email_attachment *att, size_t n_att, size_t *ret_len)
{
	struct strbuf b = { 0 };
	char date[64];
	time_t t = (time_t)h->date;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	/* A boundary must not occur in the parts: quoted-printable never
	 * writes "=_" at the start of a line, base64 never writes "_", and
	 * this does; the two differ after it. */
	unsigned long long hash = (unsigned long long)hash_str(HASH_INIT, h->message_id);
	char boundary[64], mixed[64];
	snprintf(boundary, sizeof(boundary), "=_casewatch_%016llx", hash);
	snprintf(mixed, sizeof(mixed), "=_casewatch_mixed_%016llx", hash);

	email_header_address(&b, "From", &h->from);
	email_header_address(&b, "To", &h->to);
	strbuf_adds(&b, "Subject: ");
	header_text(&b, subject);
	strbuf_adds(&b, "\r\nDate: ");
	strbuf_adds(&b, date);
	strbuf_adds(&b, "\r\nMessage-ID: ");
	strbuf_adds(&b, h->message_id);
	if (h->references) {
		strbuf_adds(&b, "\r\nReferences: ");
		strbuf_adds(&b, h->references);
	}
	strbuf_adds(&b, "\r\nAuto-Submitted: auto-generated\r\n"
		  "X-Auto-Response-Suppress: All\r\n"
		  "MIME-Version: 1.0\r\n"
		  "Content-Type: ");
	if (n_att == 0) {
		alternative(&b, boundary, text, html);
	} else {
		strbuf_adds(&b, "multipart/mixed; boundary=\"");
		strbuf_adds(&b, mixed);
		strbuf_adds(&b, "\"\r\n\r\nThis is a message in several parts.\r\n\r\n--");
		strbuf_adds(&b, mixed);
		strbuf_adds(&b, "\r\nContent-Type: ");
		alternative(&b, boundary, text, html);
		for (size_t i = 0; i < n_att; i++) {
			strbuf_adds(&b, "\r\n--");
			strbuf_adds(&b, mixed);
			strbuf_adds(&b, "\r\n");
			attachment(&b, &att[i]);
		}
		strbuf_adds(&b, "\r\n--");
		strbuf_adds(&b, mixed);
		strbuf_adds(&b, "--\r\n");
	}
	*ret_len = b.n;
	return b.p;
}

char *email_build(const struct email_head *h, const char *subject, const char *text, const char *html,
		  size_t *ret_len)
{
	return email_build_mixed(h, subject, text, html, NULL, 0, ret_len);
}

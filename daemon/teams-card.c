/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outbox-int.h"
#include "util.h"
#include "webhook.h"

/* Microsoft Teams: an Adaptive Card in the message envelope that Teams'
 * Workflows webhooks ("When a Teams webhook request is received") take,
 * as the retired Incoming Webhook connectors did. It carries what the
 * other formats carry, laid out for a phone: a heading, then for each
 * notification a block with the case (a link when case_link is set) and
 * its stage, the standard, and a FactSet of the deadline, how late, the
 * officer and the team; at most CARD_MAX_ITEMS blocks, the most
 * urgent first, and "and N more" for the rest. */

/* Workflows' "Post card in a chat or channel" refuses cards of a later
 * version; nothing here needs more than 1.0. */
#define CARD_VERSION "1.4"
/* Blocks at most: a card longer than this is not read on a phone. */
#define CARD_MAX_ITEMS 10
/* Teams takes a message of about 28 KB at most. */
#define CARD_MAX_BYTES 24000
/* Kept free in that budget for the "and N more" line. */
#define CARD_RESERVE 300

/* Data made inert in a TextBlock's text or a fact's value, which Teams
 * reads as markdown: webhook_teams_escape()'s backslashes, and one more
 * where the text would start a list ("- x", "1. x"): here data does start
 * the text. */
static char *card_text(const char *s)
{
	char *e = webhook_teams_escape(s);
	size_t sp = strspn(e, " ");
	size_t digits = strspn(e + sp, "0123456789");
	size_t at;
	if (!digits && e[sp] == '-')
		at = sp;
	else if (digits && (e[sp + digits] == '.' || e[sp + digits] == ')'))
		at = sp + digits;
	else
		return e;
	char *r = xasprintf("%.*s\\%s", (int)at, e, e + at);
	free(e);
	return r;
}

static json_t *text_block(const char *text)
{
	return json_pack("{s:s, s:s, s:b}", "type", "TextBlock", "text", text, "wrap", 1);
}

static json_t *open_url(const char *ref, const char *url)
{
	_cleanup_free_ char *title = xasprintf("Open %s", ref);
	return json_pack("{s:s, s:s, s:s}", "type", "Action.OpenUrl", "title", title, "url", url);
}

/* The json_*_new() calls take the value even when they fail (or are
 * given NULL), so a block is built by appending, and checked once. */
static int add_fact(json_t *facts, const char *title, const char *value)
{
	_cleanup_free_ char *v = card_text(value);
	return json_array_append_new(facts, json_pack("{s:s, s:s}", "title", title, "value", v));
}

/* The link for an Action.OpenUrl: what cannot be in a URL percent-encoded.
 * In a markdown link, the parentheses are too. */
static char *url_of(const char *link)
{
	return link_encode(link, " \"<>\\^`{|}");
}

/* One notification's block, or NULL when its JSON could not be made. */
static json_t *item_block(struct composer *m, const struct item *it)
{
	_cleanup_free_ char *link = case_link(m->conf, it->ref);
	_cleanup_free_ char *late = late_text(m, it->due_day, it->overdue_at, it->hours);
	_cleanup_free_ char *due = deadline_text(it->due, m->today);
	_cleanup_free_ char *met_by = met_by_text(m->conf, it->rule);
	_cleanup_free_ char *title = text_clean(rule_title(m->conf, it->rule), 0, NULL);
	_cleanup_free_ char *ref = card_text(it->ref), *standard = card_text(title), *what = NULL, *head = NULL;
	if (link) {
		_cleanup_free_ char *md = link_encode(link, " \"<>\\^`{|}()");
		what = xasprintf("[%s](%s)", ref, md);
	} else
		what = xstrdup(ref);
	head = xasprintf("%s: %s", what, stage_label(it->stage, it->hours));

	json_t *block = json_pack("{s:s, s:b, s:s, s:[]}", "type", "Container", "separator", 1, "spacing", "medium",
				  "items");
	json_t *items = json_object_get(block, "items");
	json_t *heading = text_block(head);
	json_t *set = json_pack("{s:s, s:[]}", "type", "FactSet", "facts");
	json_t *facts = json_object_get(set, "facts");
	int r = 0;
	r |= json_object_set_new(heading, "weight", json_string("bolder"));
	if (stage_rank(it->stage) >= 2)
		r |= json_object_set_new(heading, "color", json_string("attention"));
	r |= json_array_append_new(items, heading);
	r |= json_array_append_new(items, text_block(standard));
	r |= add_fact(facts, "Deadline", due);
	if (late)
		r |= add_fact(facts, "Late", late);
	if (it->party_role && *it->party_role)
		r |= add_fact(facts, "Owed to", it->party_role);
	if (met_by && *met_by)
		r |= add_fact(facts, "Met by", met_by);
	r |= add_fact(facts, "Officer", directory_officer_name(&m->dir, it->officer));
	r |= add_fact(facts, "Team", directory_team_name(&m->dir, it->team));
	r |= json_array_append_new(items, set);
	/* On a phone the whole block is the thing to tap. */
	if (link) {
		_cleanup_free_ char *url = url_of(link);
		r |= json_object_set_new(block, "selectAction", open_url(it->ref, url));
	}
	if (r < 0 || !block) {
		json_decref(block);
		return NULL;
	}
	return block;
}

/* The most urgent first, so that what "and N more" leaves out is the
 * least urgent; then by case and rule, as a reader looks for them. */
static int cmp_urgency(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = stage_rank(y->stage) - stage_rank(x->stage);
	if (!c)
		c = strcmp(x->ref, y->ref);
	if (!c)
		c = strcmp(x->rule, y->rule);
	if (!c)
		c = x->id < y->id ? -1 : x->id > y->id;
	return c;
}

static size_t dumped_len(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	size_t n = s ? strlen(s) : SIZE_MAX / 2;
	free(s);
	return n;
}

char *teams_card(struct composer *m, const struct item *v, size_t n, const char *subject, char **ret_why)
{
	char *out = NULL;
	json_error_t e;
	/* A shallow copy, to sort: the strings stay the caller's. */
	struct item *sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
	memcpy(sorted, v, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_urgency);
	/* A message about one case has a button for it too. */
	bool one_case = n > 0;
	for (size_t i = 1; i < n; i++)
		if (sorted[i].case_id != sorted[0].case_id)
			one_case = false;
	_cleanup_free_ char *link = one_case ? case_link(m->conf, sorted[0].ref) : NULL;

	json_t *card = json_pack_ex(&e, 0, "{s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:b, s:s, s:s}]}", "$schema",
				    "http://adaptivecards.io/schemas/adaptive-card.json", "type", "AdaptiveCard",
				    "version", CARD_VERSION, "fallbackText", subject, "body", "type", "TextBlock",
				    "text", subject, "wrap", 1, "size", "medium", "weight", "bolder");
	json_t *root = card ? json_pack_ex(&e, 0, "{s:s, s:[{s:s, s:n, s:O}]}", "type", "message", "attachments",
					   "contentType", "application/vnd.microsoft.card.adaptive", "contentUrl",
					   "content", card)
			    : NULL;
	if (!root) {
		*ret_why = xasprintf("its JSON could not be made (%s)", e.text);
		goto out;
	}
	if (link) {
		_cleanup_free_ char *url = url_of(link);
		json_t *actions = json_array();
		int r = json_object_set_new(card, "actions", actions);
		if (r < 0 || json_array_append_new(actions, open_url(sorted[0].ref, url)) < 0) {
			*ret_why = xstrdup("its JSON could not be made (actions)");
			goto out;
		}
	}

	/* Bounded in count, and in size: Teams takes a message of at most
	 * about 28 KB, and a rule's title may be of any length. */
	json_t *body = json_object_get(card, "body");
	size_t used = dumped_len(root) + CARD_RESERVE, shown = 0;
	for (; shown < n && shown < CARD_MAX_ITEMS; shown++) {
		json_t *block = item_block(m, &sorted[shown]);
		if (!block) {
			*ret_why = xasprintf("its JSON could not be made (%s)", sorted[shown].ref);
			goto out;
		}
		size_t len = dumped_len(block) + 1;
		if (used + len > CARD_MAX_BYTES) {
			json_decref(block);
			break;
		}
		used += len;
		if (json_array_append_new(body, block) < 0) {
			*ret_why = xstrdup("its JSON could not be made (appending)");
			goto out;
		}
	}
	if (shown < n) {
		_cleanup_free_ char *rest = notice_summary(sorted + shown, n - shown);
		_cleanup_free_ char *text = shown ? xasprintf("and %zu more: %s", n - shown, rest)
						  : xasprintf("%zu notification%s, too long to show here: %s", n,
							      n == 1 ? "" : "s", rest);
		json_t *more = text_block(text);
		int r = json_object_set_new(more, "isSubtle", json_true());
		r |= json_object_set_new(more, "separator", json_true());
		if ((r | json_array_append_new(body, more)) < 0) {
			*ret_why = xstrdup("its JSON could not be made (and more)");
			goto out;
		}
	}
	out = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (!out)
		*ret_why = xstrdup("its JSON could not be written");
out:
	json_decref(card);
	json_decref(root);
	free(sorted);
	return out;
}

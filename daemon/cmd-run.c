/* SPDX-License-Identifier: GPL-3.0-or-later */
/* casewatch run --once: one scan through casewatchd's own code, for cron
 * and for tests (casewatch(1)). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "outbox.h"
#include "progress.h"
#include "retention.h"
#include "schema.h"
#include "stage.h"
#include "util.h"
#include "watch.h"

/* notify.keep_sent: remove the text of the messages sent or given up
 * before it, or with dry_run say how many a pass would. Returns 0 or
 * EXIT_BADINPUT. */
static int keep_sent(const struct cmd_world *world, sqlite3 *db, bool dry_run)
{
	const struct conf *c = world->conf;
	if (c->keep_sent <= 0)
		return 0;
	_cleanup_free_ char *err = NULL;
	struct retention_result res = { 0 };
	int r = dry_run ? retention_count(db, world->at, c->keep_sent, &res.pruned, &err)
			: retention_prune(db, world->at, c->keep_sent, 0, NULL, NULL, &res, &err);
	if (res.pruned) {
		_cleanup_free_ char *what = retention_text(res.pruned, world->at - c->keep_sent, c->keep_sent, world->tz);
		printf("%s %s\n", dry_run ? "would remove" : "removed", what);
	}
	return r < 0 ? bad_input("%s", err) : 0;
}

int cmd_run(int argc, char **argv)
{
	const char *at_arg = NULL;
	bool once = false, dry_run = false, full = false;
	struct cmd_parser p;
	int o;
	cmd_parser_init(&p, cmd_lookup("run"), false);
	while ((o = cmd_getopt(&p, argc, argv)) != -1) {
		switch (o) {
		case CMD_EXIT:
			return p.status;
		case 'o':
			once = true;
			break;
		case 'a':
			at_arg = optarg;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'f':
			full = true;
			break;
		}
	}
	if (optind < argc)
		return usage_error("run takes no operands, got '%s'", argv[optind]);
	if (!once)
		return usage_error("run needs --once (casewatchd runs the scans continuously)");

	struct cmd_world world;
	struct watch *w = NULL;
	struct watch_stats st = { 0 };
	struct outbox_report rep = { 0 };
	_cleanup_free_ char *err = NULL;
	int status = 0;
	bool created = false;
	char *scratch = NULL, *scratch_db = NULL;

	if (cmd_world_load(at_arg, &world) != 0)
		return EXIT_BADINPUT;
	const struct conf *c = world.conf;
	int64_t at = world.at;
	/* A dry run keeps nothing, not even a new state database: with none
	 * yet, it works in a scratch one. */
	const char *state = c->state;
	if (dry_run && access(c->state, F_OK) < 0 && errno == ENOENT) {
		const char *tmp = getenv("TMPDIR");
		scratch = xasprintf("%s/casewatch-run.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(scratch)) {
			status = bad_input("cannot make a scratch folder %s: %s", scratch, strerror(errno));
			free(scratch);
			scratch = NULL;
			goto out;
		}
		scratch_db = xasprintf("%s/state.db", scratch);
		state = scratch_db;
		fprintf(stderr, "casewatch: there is no state database %s yet: this is what its first scan "
			"would do\n", c->state);
	}
	if (watch_open(state, &w, &created, &err) < 0) {
		status = bad_input("%s", err);
		goto out;
	}
	if (created && !scratch)
		fprintf(stderr, "casewatch: created the state database %s: it holds no record of notifications "
			"sent before; the stages obligations have reached now are the starting point and are "
			"not notified again\n", c->state);
	if (c->ruleset.n == 0)
		fprintf(stderr, "casewatch: no rules are configured: there are no obligations to watch "
			"(see casewatch-rules(5))\n");
	watch_set_config(w, &c->ruleset, world.cal, world.tz);
	watch_set_webhooks(w, c->webhooks, c->n_webhooks);
	struct outbox_ctx octx = { .conf = c, .cal = world.cal, .tz = world.tz, .at = at, .report = &rep };
	struct watch_hooks hooks = {
		.compose = outbox_compose,
		.full_begin = outbox_full_begin,
		.each = outbox_each,
		.userdata = &octx,
		.meter = progress_new_stderr(),
	};
	int r = watch_scan(w, c->database, at, full ? WATCH_FULL_REQUESTED : WATCH_FULL_NO, dry_run, &hooks, &st, &err);
	progress_free(hooks.meter);
	if (r < 0) {
		status = bad_input("%s", err);
		goto out;
	}

	char when[TZ_TIMESTAMP_STRLEN];
	tz_format_timestamp(world.tz, at, when);
	printf("scan at %s: %zu cases evaluated (%s%s), %zu changed\n", when, st.scanned,
	       st.full ? "full: " : "", watch_full_to_string(st.full), st.changed);
	for (size_t i = 0; i < st.n_problems; i++)
		printf("problem: %s\n", st.problems[i]);
	if (st.new_problems > st.n_problems)
		printf("and %zu more cases with new problems\n", st.new_problems - st.n_problems);
	if (st.baseline) {
		printf("first scan of this state database: %zu stages reached are the starting point; "
		       "none queued\n", st.transitions);
	} else {
		for (size_t i = 0; i < st.n_tv; i++) {
			const struct watch_transition *t = &st.tv[i];
			printf("%s%s %s: %s", dry_run ? "would queue: " : "queued: ", t->ref, t->rule,
			       notify_stage_to_string((enum notify_stage)t->stage));
			if (t->told != STAGE_NONE && t->told != t->stage)
				printf(" (off: telling %s)", notify_stage_to_string((enum notify_stage)t->told));
			if (t->recipients)
				printf(" (%zu notification%s)\n", t->recipients, t->recipients == 1 ? "" : "s");
			else
				puts(" (no notification: the stage is off for this rule, or was queued before)");
		}
		if (st.transitions > st.n_tv)
			printf("and %zu more stages reached\n", st.transitions - st.n_tv);
	}
	printf("%zu due today, %zu overdue, %zu notifications queued\n", st.due_today, st.overdue, st.pending);
	for (size_t i = 0; i < rep.n_lines; i++)
		printf("%s%s\n", rep.lines[i].problem ? "problem: " : dry_run ? "would send: " : "composed: ",
		       rep.lines[i].text);
	printf("%zu message%s composed", rep.messages, rep.messages == 1 ? "" : "s");
	if (rep.held)
		printf(", %zu notification%s held for the send window", rep.held, rep.held == 1 ? "" : "s");
	if (rep.voided)
		printf(", %zu dropped (met or overtaken)", rep.voided);
	putchar('\n');
	if (rep.stale) {
		char last[TZ_TIMESTAMP_STRLEN];
		printf("the case data is stale: %s%s; %zu overdue or escalated notification%s held until a fresh "
		       "import lands (import.max_age)\n", rep.last_import ? "no import since " : "no import yet",
		       rep.last_import ? tz_format_timestamp(world.tz, rep.last_import, last) : "", rep.held_stale,
		       rep.held_stale == 1 ? "" : "s");
	}
	if (dry_run) {
		if ((status = keep_sent(&world, watch_db(w), true)) != 0)
			goto out;
		puts("dry run: nothing was kept or sent");
	} else {
		/* Everything due goes now, retries included. */
		fflush(stdout);
		r = cmd_send(c, watch_db(w), at, &err);
		if (r != 0) {
			status = r;
			goto out;
		}
		/* Then notify.keep_sent, as casewatchd does after sending. */
		if ((status = keep_sent(&world, watch_db(w), false)) != 0)
			goto out;
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		status = bad_input("cannot write the output: %s", strerror(errno));
out:
	watch_stats_free(&st);
	outbox_report_free(&rep);
	watch_free(w);
	if (scratch) {
		schema_remove_files(scratch_db);
		rmdir(scratch);
		free(scratch);
		free(scratch_db);
	}
	cmd_world_free(&world);
	return status;
}

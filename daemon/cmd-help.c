/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What casewatch says about its own command line, all of it from the
 * command table (cmd-table.c): the options' parsing, the usage printed
 * with a usage error, `help` and `--help`, and the words the bash
 * completion offers (casewatch(1), HELP and COMPLETION). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf.h"
#include "table.h"
#include "util.h"

#ifndef CONFIG_DEFAULT
#define CONFIG_DEFAULT "/etc/casewatch/casewatch.conf"
#endif

const char *cmd_current;

/* ---- Options ------------------------------------------------------------ */

void cmd_parser_init(struct cmd_parser *p, const struct cmd_def *def, bool stop_at_operand)
{
	*p = (struct cmd_parser){ .def = def };
	size_t n = 0, k = 0;
	/* "+" stops at the first operand; ":" reports a missing value apart
	 * from an unknown option. */
	if (stop_at_operand)
		p->shorts[k++] = '+';
	p->shorts[k++] = ':';
	p->shorts[k++] = 'h';
	for (const struct cmd_opt *o = def->opts; o && o->name; o++) {
		if (n >= CMD_OPTS_MAX)
			abort(); /* the table outgrew the parser: caught by any test */
		p->lopts[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL, o->id };
		if (o->short_name) {
			p->shorts[k++] = o->short_name;
			if (o->arg)
				p->shorts[k++] = ':';
		}
	}
	p->lopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	p->lopts[n] = (struct option){ 0 };
	p->shorts[k] = '\0';
	optind = 0;
	opterr = 0;
}

int cmd_getopt(struct cmd_parser *p, int argc, char **argv)
{
	int o = getopt_long(argc, argv, p->shorts, p->lopts, NULL);
	if (o == 'h') {
		cmd_help_print(p->def->name, stdout);
		p->status = fflush(stdout) == 0 && !ferror(stdout) ? 0 : EXIT_BADINPUT;
		return CMD_EXIT;
	}
	if (o == '?' || o == ':') {
		/* A long option is the word just read; a short one is optopt
		 * (which for a long option missing its value is its id). */
		char shortopt[3] = { '-', (char)optopt, '\0' };
		const char *last = argv[optind - 1];
		bool is_long = strncmp(last, "--", 2) == 0 && (o == ':' || optopt == 0);
		const char *what = is_long ? last : shortopt;
		if (o == '?')
			p->status = usage_error("unknown option '%s' for %s", what, p->def->name);
		else
			p->status = usage_error("%s needs a value", what);
		return CMD_EXIT;
	}
	return o;
}

const struct cmd_opt *cmd_find_opt(const struct cmd_def *def, const char *name)
{
	for (const struct cmd_opt *o = def->opts; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* ---- Usage and help ----------------------------------------------------- */

static const char *prefix(const struct cmd_def *d)
{
	return d->no_config ? "casewatch " : "casewatch [-c FILE] ";
}

void cmd_usage(const char *name, FILE *f)
{
	const char *lead = "Usage: ";
	if (!name) {
		fprintf(f, "%scasewatch [-c FILE] COMMAND [ARGS]\n", lead);
		return;
	}
	for (const struct cmd_def *d = cmd_table; d->name; d++) {
		if (!cmd_in_group(d, name))
			continue;
		for (size_t i = 0; i < CMD_SYNOPSIS_MAX && d->synopsis[i]; i++) {
			fprintf(f, "%s%s%s\n", lead, prefix(d), d->synopsis[i]);
			lead = "       ";
		}
	}
}

int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* Said as bad_input() says it, then how the command is used. */
	bad_input("%s", msg);
	cmd_usage(cmd_current, stderr);
	if (cmd_current)
		fprintf(stderr, "Try 'casewatch %s --help'.\n", cmd_current);
	else
		fputs("Try 'casewatch --help'.\n", stderr);
	return EXIT_USAGE;
}

/* An option as the help lists it: "-o, --output FILE", "    --at TIME". */
static char *opt_text(const struct cmd_opt *o)
{
	char s[4] = "   ";
	if (o->short_name)
		snprintf(s, sizeof(s), "-%c,", o->short_name);
	return xasprintf("%s --%s%s%s", s, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

static void print_options(const struct cmd_opt *opts, const struct cmd_opt *extra, FILE *f)
{
	_cleanup_(table_freep) struct table *t = table_new(3);
	for (const struct cmd_opt *o = opts; o && o->name; o++) {
		if (o->hidden)
			continue;
		_cleanup_free_ char *s = opt_text(o);
		table_add(t, (const char *[]){ "", s, o->help }, NULL);
	}
	for (const struct cmd_opt *o = extra; o && o->name; o++) {
		_cleanup_free_ char *s = opt_text(o);
		table_add(t, (const char *[]){ "", s, o->help }, NULL);
	}
	fputs("\nOptions:\n", f);
	table_min_width(t, 0, 1); /* an indent of two */
	table_print(t, f, false);
}

static const struct cmd_opt help_only[] = {
	{ .name = "help", .short_name = 'h', .help = "show this help" },
	{ 0 }
};

static const struct cmd_opt global_opts[] = {
	{ .name = "config", .short_name = 'c', .arg = "FILE", .help = "the configuration (default " CONFIG_DEFAULT ")" },
	{ .name = "help", .short_name = 'h', .help = "show this help" },
	{ .name = "version", .short_name = 'V', .help = "show the version" },
	{ 0 }
};

/* The commands of the table (or of a group) with their summaries. */
static void print_commands(const char *group, FILE *f)
{
	_cleanup_(table_freep) struct table *t = table_new(3);
	for (const struct cmd_def *d = cmd_table; d->name; d++)
		if (!group || cmd_in_group(d, group))
			table_add(t, (const char *[]){ "", d->name, d->summary }, NULL);
	fputs("\nCommands:\n", f);
	table_min_width(t, 0, 1);
	table_print(t, f, false);
}

void cmd_help_print(const char *name, FILE *f)
{
	if (!name) {
		fputs("Usage: casewatch [-c FILE] COMMAND [ARGS]\n"
		      "       casewatch help [COMMAND [SUBCOMMAND]]\n"
		      "\n"
		      "Answer on demand what an ASB unit's service standards require: what is due,\n"
		      "what is late, how the unit did.\n", f);
		print_commands(NULL, f);
		print_options(global_opts, NULL, f);
		fputs("\n'casewatch help COMMAND' or 'casewatch COMMAND --help' shows a command's usage\n"
		      "and options; casewatch(1) tells everything.\n", f);
		return;
	}
	const struct cmd_def *d = cmd_lookup(name);
	cmd_usage(name, f);
	if (d) /* the summary as a sentence */
		fprintf(f, "\n%c%s.\n", toupper((unsigned char)d->summary[0]), d->summary + 1);
	if (cmd_is_group(name))
		print_commands(name, f);
	if (d)
		print_options(d->opts, help_only, f);
	if (cmd_is_group(name))
		fprintf(f, "\n'casewatch help %s COMMAND' shows its usage and options.\n", name);
	fprintf(f, "\nSee casewatch(1), COMMANDS.\n");
}

/* ---- Completion ---------------------------------------------------------- */

static bool starts(const char *s, const char *pfx)
{
	return strncmp(s, pfx, strlen(pfx)) == 0;
}

static void offer(const char *w, const char *cur)
{
	if (starts(w, cur))
		puts(w);
}

/* The first words of the table's names: the commands. */
static void offer_commands(const char *cur)
{
	for (const struct cmd_def *d = cmd_table; d->name; d++) {
		size_t n = strcspn(d->name, " ");
		bool seen = false;
		for (const struct cmd_def *e = cmd_table; e < d; e++)
			seen = seen || (strncmp(e->name, d->name, n) == 0 && strcspn(e->name, " ") == n);
		_cleanup_free_ char *w = xstrndup(d->name, n);
		if (!seen)
			offer(w, cur);
	}
}

static void offer_subcommands(const char *group, const char *cur)
{
	size_t n = strlen(group);
	for (const struct cmd_def *d = cmd_table; d->name; d++)
		if (strncmp(d->name, group, n) == 0 && d->name[n] == ' ')
			offer(d->name + n + 1, cur);
}

static void offer_options(const struct cmd_def *d, const char *cur)
{
	for (const struct cmd_opt *o = d->opts; o && o->name; o++) {
		if (o->hidden)
			continue;
		_cleanup_free_ char *w = xasprintf("--%s", o->name);
		offer(w, cur);
	}
	offer("--help", cur);
}

static struct conf *completion_conf(void)
{
	struct conf *c = NULL;
	struct diags d = { 0 };
	bool embedded;
	int r = load_conf_diags(&c, &embedded, &d);
	diags_free(&d);
	return r < 0 ? NULL : c;
}

static void offer_value(const struct cmd_arg *a, const char *cur)
{
	struct conf *c;
	switch (a->kind) {
	case CMD_VAL_NONE:
	case CMD_VAL_TEXT:
		return;
	case CMD_VAL_FILE: /* "files" instead of words: complete() */
		return;
	case CMD_VAL_WORDS:
		for (size_t i = 0; a->words[i]; i++)
			offer(a->words[i], cur);
		return;
	case CMD_VAL_COMMAND:
		offer_commands(cur);
		return;
	case CMD_VAL_RULE:
		if ((c = completion_conf())) {
			for (size_t i = 0; i < c->ruleset.n; i++)
				offer(c->ruleset.v[i].id, cur);
			conf_free(c);
		}
		return;
	case CMD_VAL_REF:
		if ((c = completion_conf())) {
			_cleanup_free_ char *err = NULL;
			cmd_list_refs(c->database, cur, stdout, &err);
			conf_free(c);
		}
		return;
	}
}

/* What operand k (from 0) of d is, or NULL when d takes no more. */
static const struct cmd_arg *operand_arg(const struct cmd_def *d, int k)
{
	int n = d->operands[1].kind != CMD_VAL_NONE ? 2 : d->operands[0].kind != CMD_VAL_NONE ? 1 : 0;
	if (k < n)
		return &d->operands[k];
	return n > 0 && d->operands_repeat ? &d->operands[n - 1] : NULL;
}

/* words[0..n): the command line after "casewatch", the last word the one
 * being completed. Prints "files" when a file name is wanted, or else
 * "words" and the words that may stand there, one a line. */
static int complete(char **words, int n)
{
	if (n < 1)
		return usage_error("help --complete needs the words after --, the last the one to complete");
	const char *cur = words[n - 1];
	int i = 0;
	/* casewatch's own options; -c names the configuration that the rules
	 * and the case database come from. */
	for (; i < n - 1 && words[i][0] == '-'; i++) {
		const char *w = words[i];
		if (strcmp(w, "-c") == 0 || strcmp(w, "--config") == 0) {
			if (++i == n - 1) {
				puts("files");
				return 0;
			}
			config_path = words[i];
			config_explicit = true;
		} else if (starts(w, "--config=")) {
			config_path = w + 9;
			config_explicit = true;
		} else if (starts(w, "-c")) {
			config_path = w + 2;
			config_explicit = true;
		}
	}
	if (i == n - 1) {
		puts("words");
		if (cur[0] == '-') {
			for (const struct cmd_opt *o = global_opts; o->name; o++) {
				_cleanup_free_ char *w = xasprintf("--%s", o->name);
				offer(w, cur);
			}
		} else {
			offer_commands(cur);
		}
		return 0;
	}
	const struct cmd_def *d;
	const char *cmd = words[i++];
	if (cmd_is_group(cmd) && !cmd_lookup(cmd)) {
		/* calendar, db: a subcommand first */
		if (i == n - 1) {
			puts("words");
			if (cur[0] == '-')
				offer("--help", cur);
			else
				offer_subcommands(cmd, cur);
			return 0;
		}
		_cleanup_free_ char *name = xasprintf("%s %s", cmd, words[i++]);
		d = cmd_lookup(name);
	} else {
		d = cmd_lookup(cmd);
	}
	if (!d) {
		puts("words");
		return 0;
	}
	const struct cmd_arg *value = NULL;
	const char *first = NULL; /* the first operand */
	int operand = 0;
	bool options_done = false;
	for (; i < n - 1; i++) {
		const char *w = words[i];
		if (!options_done && strcmp(w, "--") == 0) {
			options_done = true;
		} else if (!options_done && w[0] == '-' && w[1] != '\0') {
			/* --name VALUE and -o VALUE take the next word; --name=VALUE
			 * and -oVALUE do not. */
			const struct cmd_opt *o = NULL;
			if (w[1] == '-' && !strchr(w, '='))
				o = cmd_find_opt(d, w + 2);
			else if (w[1] != '-' && w[2] == '\0')
				for (const struct cmd_opt *p = d->opts; p && p->name; p++)
					if (p->short_name == w[1])
						o = p;
			if (o && o->arg && ++i == n - 1)
				value = &o->value;
		} else {
			/* outbox retry, and outbox --dead retry: the subcommand's. */
			_cleanup_free_ char *sub = operand == 0 ? xasprintf("%s %s", d->name, w) : NULL;
			if (sub && cmd_lookup(sub)) {
				d = cmd_lookup(sub);
				continue;
			}
			if (operand++ == 0)
				first = w;
		}
	}
	if (!value && (options_done || cur[0] != '-')) {
		if (d->operands[0].kind == CMD_VAL_COMMAND && operand == 1) {
			/* help calendar <TAB>: its subcommands */
			puts("words");
			if (cmd_is_group(first))
				offer_subcommands(first, cur);
			return 0;
		}
		value = operand_arg(d, operand);
	}
	if (value && value->kind == CMD_VAL_FILE) {
		puts("files");
		return 0;
	}
	puts("words");
	if (value)
		offer_value(value, cur);
	else if (!options_done)
		offer_options(d, cur);
	return 0;
}

/* ---- help --------------------------------------------------------------- */

int cmd_help(int argc, char **argv)
{
	const struct cmd_def *def = cmd_lookup("help");
	struct cmd_parser p;
	bool synopsis = false, completion = false;
	int o;
	cmd_parser_init(&p, def, true);
	while ((o = cmd_getopt(&p, argc, argv)) != -1) {
		switch (o) {
		case CMD_EXIT:
			return p.status;
		case 'S':
			synopsis = true;
			break;
		case 'X':
			completion = true;
			break;
		}
	}
	if (completion) {
		/* Everything after "--" is the words, options or not. */
		return complete(argv + optind, argc - optind);
	}
	if (synopsis) {
		if (optind < argc)
			return usage_error("help --synopsis takes no operands");
		for (const struct cmd_def *d = cmd_table; d->name; d++)
			for (size_t i = 0; i < CMD_SYNOPSIS_MAX && d->synopsis[i]; i++)
				printf("%s%s\n", prefix(d), d->synopsis[i]);
		return 0;
	}
	if (argc - optind > 2)
		return usage_error("help takes a command, and a subcommand of it");
	_cleanup_free_ char *name = NULL;
	if (argc - optind == 2)
		name = xasprintf("%s %s", argv[optind], argv[optind + 1]);
	else if (argc - optind == 1)
		name = xstrdup(argv[optind]);
	if (name && !cmd_lookup(name) && !cmd_is_group(name))
		return usage_error("unknown command '%s'", name);
	cmd_help_print(name, stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		return bad_input("cannot write the output: %s", strerror(errno));
	return 0;
}

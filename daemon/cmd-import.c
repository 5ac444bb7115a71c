/* SPDX-License-Identifier: GPL-3.0-or-later */
/* casewatch import: CSV exports into the case database through a mapping
 * (casewatch(1), casewatch-import(5)). */
#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "import.h"
#include "mapping.h"
#include "progress.h"
#include "tz.h"
#include "util.h"

static void on_line(void *userdata, bool rejected, const char *text)
{
	(void)userdata;
	progress_hide();
	fprintf(stderr, "%s%s\n", rejected ? "rejected: " : "note: ", text);
}

int cmd_import(int argc, char **argv)
{
	const char *mapping_path = NULL;
	bool dry_run = false;
	struct cmd_parser p;
	int o;
	cmd_parser_init(&p, cmd_lookup("import"), false);
	while ((o = cmd_getopt(&p, argc, argv)) != -1) {
		switch (o) {
		case CMD_EXIT:
			return p.status;
		case 'm':
			mapping_path = optarg;
			break;
		case 'n':
			dry_run = true;
			break;
		}
	}
	if (optind >= argc)
		return usage_error("import needs the files to import");
	/* Before SQLite starts (it ignores it after): no count of SQLite's
	 * memory, which takes a lock at every allocation, several for each
	 * row imported. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

	struct conf *c = NULL;
	if (load_conf(&c) < 0)
		return EXIT_BADINPUT;
	/* The configuration's import.mapping, unless one is named. */
	if (!mapping_path && !c->mapping) {
		conf_free(c);
		return usage_error("import needs --mapping FILE, or import.mapping in the configuration "
				   "(see casewatch-import(5))");
	}
	int status = 0;
	struct tz *tz = NULL;
	struct mapping *m = NULL;
	const struct mapping *use = c->mapping;
	sqlite3 *db = NULL;
	struct diags d = { 0 };
	char *summary = NULL;
	if (conf_timezone(c, &tz, &d) < 0 || (mapping_path && mapping_load(mapping_path, &m, &d) < 0)) {
		diags_print(&d, stderr);
		status = EXIT_BADINPUT;
		goto out;
	}
	if ((status = cmd_open_cases_rw(c->database, &db)) != 0)
		goto out;

	struct import_hooks hooks = { .line = on_line, .meter = progress_new_stderr() };
	struct import_result res;
	if (m)
		use = m;
	int r = import_files(db, use, tz, argv + optind, (size_t)(argc - optind), dry_run, &hooks, &res, &d);
	progress_free(hooks.meter);
	if (r < 0) {
		diags_print(&d, stderr);
		if (d.n == 0)
			fprintf(stderr, "casewatch: the import failed: nothing imported\n");
		status = EXIT_BADINPUT;
		goto out;
	}
	summary = import_summary(&res);
	printf("%s%s\n", dry_run ? "dry run, nothing written: " : "", summary);
	if (res.rejected)
		status = EXIT_REJECTED;
out:
	free(summary);
	sqlite3_close(db);
	mapping_free(m);
	tz_free(tz);
	diags_free(&d);
	conf_free(c);
	return status;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libconfig.h>
#include <stdbool.h>

#include "diag.h"

/* Walking a libconfig tree with every problem reported as FILE:LINE, for
 * the configuration (conf.c) and the rule packs (rules.c). libconfig 1.5
 * has no schema: each group's keys are checked against the known set. */

struct cfgctx {
	struct diags *diags;
	const char *path; /* the file read, for settings with no source file */
};

void cfg_problem(const struct cfgctx *x, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *cfg_type_name(int type);
/* A string setting, or NULL (and a problem) when it is something else. */
const char *cfg_string(const struct cfgctx *x, const config_setting_t *s, const char *what);
/* A boolean setting: 0 or 1, or -1 (and a problem). */
int cfg_bool(const struct cfgctx *x, const config_setting_t *s, const char *what);
/* An array or list, or false (and a problem). */
bool cfg_aggregate(const struct cfgctx *x, const config_setting_t *s, const char *what);
/* A group, or false (and a problem). */
bool cfg_group(const struct cfgctx *x, const config_setting_t *s, const char *what);
/* Report every key of `group` not in the NULL-terminated `known`. */
bool cfg_check_keys(const struct cfgctx *x, const config_setting_t *group,
		    const char *const *known, const char *where);

/* Read `path` into cfg (already initialised). A syntax error or an
 * unreadable file is one problem; returns 0 or -errno / -EINVAL. */
int cfg_read_file(config_t *cfg, const char *path, struct diags *diags);

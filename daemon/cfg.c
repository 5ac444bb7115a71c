/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cfg.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

void cfg_problem(const struct cfgctx *x, const config_setting_t *s, const char *fmt, ...)
{
	const char *f = config_setting_source_file(s);
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	diags_add(x->diags, f ? f : x->path, (int)config_setting_source_line(s), "%s", msg);
}

const char *cfg_type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a number";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_LIST: return "a list";
	}
	return "a setting";
}

const char *cfg_string(const struct cfgctx *x, const config_setting_t *s, const char *what)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_problem(x, s, "%s must be a string, not %s", what, cfg_type_name(config_setting_type(s)));
		return NULL;
	}
	return config_setting_get_string(s);
}

int cfg_bool(const struct cfgctx *x, const config_setting_t *s, const char *what)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfg_problem(x, s, "%s must be true or false, not %s", what,
			    cfg_type_name(config_setting_type(s)));
		return -1;
	}
	return config_setting_get_bool(s) ? 1 : 0;
}

bool cfg_aggregate(const struct cfgctx *x, const config_setting_t *s, const char *what)
{
	int t = config_setting_type(s);
	if (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST)
		return true;
	cfg_problem(x, s, "%s must be a list, like [ \"...\" ], not %s", what, cfg_type_name(t));
	return false;
}

bool cfg_group(const struct cfgctx *x, const config_setting_t *s, const char *what)
{
	int t = config_setting_type(s);
	if (t == CONFIG_TYPE_GROUP)
		return true;
	cfg_problem(x, s, "%s must be a group { ... }, not %s", what, cfg_type_name(t));
	return false;
}

bool cfg_check_keys(const struct cfgctx *x, const config_setting_t *group,
		    const char *const *known, const char *where)
{
	bool ok = true;
	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *e = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(e);
		bool found = false;
		for (const char *const *k = known; *k; k++)
			if (strcmp(name, *k) == 0)
				found = true;
		if (!found) {
			cfg_problem(x, e, "unknown setting '%s' in %s", name, where);
			ok = false;
		}
	}
	return ok;
}

int cfg_read_file(config_t *cfg, const char *path, struct diags *diags)
{
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		diags_add(diags, path, 0, "cannot read: %s",
			  S_ISDIR(st.st_mode) ? "it is a folder" : "not a regular file");
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	errno = 0;
	if (config_read_file(cfg, path))
		return 0;
	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO) {
		int r = errno ? -errno : -EIO;
		diags_add(diags, path, 0, "cannot read: %s", strerror(-r));
		return r;
	}
	const char *f = config_error_file(cfg);
	diags_add(diags, f ? f : path, config_error_line(cfg), "%s", config_error_text(cfg));
	return -EINVAL;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "inbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "scan.h"
#include "util.h"

/* The daemon's import inbox: which files are complete, one import run over
 * them, and the moves into done/ and failed/ with their reports. */

/* One file of the run. */
struct entry {
	char *name;
	char *path;   /* inbox/name, as the importer names it in its lines */
	char *report; /* inbox/.name.errors.tmp while it is written */
	FILE *rep;
	size_t rejected;
	bool failed;
};

struct run {
	const char *dir;
	struct entry *v;
	size_t n;
	struct inbox_result *res;
	int (*progress)(void *userdata);
	void *userdata;
	int write_error; /* errno of a report that could not be written */
};

void inbox_result_free(struct inbox_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].problem);
	}
	free(r->v);
	for (size_t i = 0; i < r->n_lines; i++)
		free(r->lines[i]);
	free(r->lines);
	free(r->summary);
	*r = (struct inbox_result){ 0 };
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A name a writer uses while the file is not complete, or one of ours. */
static bool name_skipped(const char *name)
{
	return name[0] == '.' || ends_with(name, ".tmp") || ends_with(name, ".part") || ends_with(name, ".errors");
}

/* The complete files, in name order: regular files (not links), named as
 * a complete file is, and not modified in the last INBOX_SETTLE_SEC. */
static int list_complete(const char *dir, char ***ret, size_t *ret_n, size_t *ret_waiting, char **ret_err)
{
	DIR *d = opendir(dir);
	if (!d) {
		int e = errno;
		*ret_err = xasprintf("cannot read the import inbox %s: %s", dir, strerror(e));
		return -e;
	}
	char **v = NULL;
	size_t n = 0, cap = 0, waiting = 0;
	time_t now = time(NULL);
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		struct stat st;
		if (name_skipped(de->d_name) || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (st.st_mtime <= now && now - st.st_mtime < INBOX_SETTLE_SEC) {
			waiting++;
			continue;
		}
		v = xgrow(v, &cap, n + 1, sizeof(*v));
		v[n++] = xstrdup(de->d_name);
		errno = 0;
	}
	int e = errno;
	closedir(d);
	if (e) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		*ret_err = xasprintf("cannot read the import inbox %s: %s", dir, strerror(e));
		return -e;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_name);
	*ret = v;
	*ret_n = n;
	*ret_waiting = waiting;
	return 0;
}

static struct entry *entry_of(struct run *run, const char *text)
{
	for (size_t i = 0; i < run->n; i++) {
		size_t k = strlen(run->v[i].path);
		if (!run->v[i].failed && strncmp(text, run->v[i].path, k) == 0 && text[k] == ':')
			return &run->v[i];
	}
	return NULL;
}

static void report_put(struct run *run, struct entry *e, const char *prefix, const char *text)
{
	if (!e->rep) {
		e->rep = fopen(e->report, "w");
		if (!e->rep) {
			if (!run->write_error)
				run->write_error = errno;
			return;
		}
	}
	if (fprintf(e->rep, "%s%s\n", prefix, text) < 0 && !run->write_error)
		run->write_error = errno ? errno : EIO;
}

static void report_drop(struct entry *e)
{
	if (e->rep)
		fclose(e->rep);
	e->rep = NULL;
	unlink(e->report);
}

static void on_line(void *userdata, bool rejected, const char *text)
{
	struct run *run = userdata;
	struct inbox_result *res = run->res;
	struct entry *e = entry_of(run, text);
	if (e) {
		report_put(run, e, rejected ? "rejected: " : "note: ", text);
		if (rejected)
			e->rejected++;
	}
	if (res->n_lines < INBOX_LOG_LINES) {
		res->lines = xgrow(res->lines, &res->cap_lines, res->n_lines + 1, sizeof(char *));
		res->lines[res->n_lines++] = xasprintf("%s%s", rejected ? "rejected: " : "note: ", text);
	} else {
		res->more_lines++;
	}
}

static int on_progress(void *userdata)
{
	struct run *run = userdata;
	return run->progress ? run->progress(run->userdata) : 0;
}

/* Forget what a run that was not committed said. */
static void run_reset(struct run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		report_drop(&run->v[i]);
		run->v[i].rejected = 0;
	}
	struct inbox_result *res = run->res;
	for (size_t i = 0; i < res->n_lines; i++)
		free(res->lines[i]);
	res->n_lines = 0;
	res->more_lines = 0;
}

/* The report, closed and moved beside where its file goes; or, with none,
 * an older report of the same name there removed. */
static int place_report(struct run *run, struct entry *e, const char *sub, char **ret_err)
{
	_cleanup_free_ char *dst = xasprintf("%s/%s/%s.errors", run->dir, sub, e->name);
	if (!e->rep) {
		if (unlink(dst) < 0 && errno != ENOENT) {
			int err = errno;
			*ret_err = xasprintf("cannot remove the old report %s: %s", dst, strerror(err));
			return -err;
		}
		return 0;
	}
	int r = fflush(e->rep) != 0 || ferror(e->rep) ? -(errno ? errno : EIO) : 0;
	if (fclose(e->rep) != 0 && r == 0)
		r = -(errno ? errno : EIO);
	e->rep = NULL;
	if (r == 0 && rename(e->report, dst) < 0)
		r = -errno;
	if (r < 0) {
		*ret_err = xasprintf("cannot write the report %s: %s", dst, strerror(-r));
		unlink(e->report);
	}
	return r;
}

static int move_file(struct run *run, struct entry *e, const char *sub, char **ret_err)
{
	_cleanup_free_ char *dst = xasprintf("%s/%s/%s", run->dir, sub, e->name);
	if (rename(e->path, dst) < 0) {
		int err = errno;
		*ret_err = xasprintf("cannot move %s into %s/: %s", e->path, sub, strerror(err));
		return -err;
	}
	return 0;
}

static struct inbox_file *result_add(struct inbox_result *res, const struct entry *e, enum inbox_outcome o)
{
	res->v = xgrow(res->v, &res->cap, res->n + 1, sizeof(*res->v));
	struct inbox_file *f = &res->v[res->n++];
	*f = (struct inbox_file){ .name = xstrdup(e->name), .outcome = o, .rejected = e->rejected };
	return f;
}

/* A file the run cannot take: its problems into its report, both into
 * failed/. */
static int fail_file(struct run *run, struct entry *e, const struct diags *d, char **ret_err)
{
	struct inbox_file *f = result_add(run->res, e, INBOX_FAILED);
	f->rejected = 0;
	report_drop(e);
	e->rejected = 0;
	size_t k = strlen(run->dir) + 1;
	for (size_t i = 0; i < d->n; i++) {
		_cleanup_free_ char *line = diag_line(&d->v[i]);
		if (strncmp(line, e->path, strlen(e->path)) != 0 || line[strlen(e->path)] != ':')
			continue;
		report_put(run, e, "", line);
		if (!f->problem)
			f->problem = xstrdup(line + k);
	}
	if (!f->problem) {
		/* Nothing names the file: the run's problems are its. */
		for (size_t i = 0; i < d->n; i++) {
			_cleanup_free_ char *line = diag_line(&d->v[i]);
			report_put(run, e, "", line);
			if (!f->problem)
				f->problem = xstrdup(line);
		}
	}
	if (!f->problem)
		f->problem = xstrdup("the import failed");
	f->report = e->rep != NULL;
	e->failed = true;
	run->res->failed++;
	int r = place_report(run, e, "failed", ret_err);
	if (r == 0)
		r = move_file(run, e, "failed", ret_err);
	return r;
}

static bool names_file(const struct diags *d, const struct entry *e)
{
	size_t k = strlen(e->path);
	for (size_t i = 0; i < d->n; i++) {
		_cleanup_free_ char *line = diag_line(&d->v[i]);
		if (strncmp(line, e->path, k) == 0 && line[k] == ':')
			return true;
	}
	return false;
}

static int open_cases(const char *path, sqlite3 **ret, char **ret_err)
{
	sqlite3 *db = NULL;
	int r = scan_open(path, &db, ret_err);
	sqlite3_close(db);
	if (r < 0)
		return r;
	db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		*ret_err = xasprintf("cannot open the case database %s for writing: %s", path,
				     db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -EIO;
	}
	sqlite3_busy_timeout(db, 10000);
	*ret = db;
	return 0;
}

static int make_dir(const char *dir, const char *sub, char **ret_err)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, sub);
	if (mkdir(p, 0750) < 0 && errno != EEXIST) {
		int e = errno;
		*ret_err = xasprintf("cannot make %s: %s", p, strerror(e));
		return -e;
	}
	return 0;
}

int inbox_run(const struct conf *c, const struct tz *tz, int (*progress)(void *userdata), void *userdata,
	      struct inbox_result *ret, char **ret_err)
{
	*ret = (struct inbox_result){ 0 };
	const char *dir = c->import_inbox;
	char **names = NULL;
	size_t n = 0;
	int r = list_complete(dir, &names, &n, &ret->waiting, ret_err);
	if (r < 0 || n == 0) {
		free(names);
		return r;
	}
	struct run run = { .dir = dir, .v = xcalloc(n, sizeof(struct entry)), .n = n, .res = ret,
			   .progress = progress, .userdata = userdata };
	for (size_t i = 0; i < n; i++) {
		run.v[i].name = names[i];
		run.v[i].path = path_join(dir, names[i]);
		run.v[i].report = xasprintf("%s/.%s.errors.tmp", dir, names[i]);
	}
	free(names);
	char **paths = xcalloc(n, sizeof(char *));
	sqlite3 *db = NULL;
	if ((r = make_dir(dir, "done", ret_err)) < 0 || (r = make_dir(dir, "failed", ret_err)) < 0 ||
	    (r = open_cases(c->database, &db, ret_err)) < 0)
		goto out;

	struct import_hooks hooks = { .line = on_line, .progress = on_progress, .userdata = &run };
	struct import_result res;
	for (;;) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!run.v[i].failed)
				paths[k++] = run.v[i].path;
		if (k == 0)
			break;
		struct diags d = { 0 };
		r = import_files(db, c->mapping, tz, paths, k, false, &hooks, &res, &d);
		if (r == -EINVAL) {
			/* The files the problems name fail; the rest go again.
			 * With none named, every one fails. */
			bool any = false;
			for (size_t i = 0; i < n; i++)
				any = any || (!run.v[i].failed && names_file(&d, &run.v[i]));
			for (size_t i = 0; i < n && r != 0; i++) {
				if (run.v[i].failed || (any && !names_file(&d, &run.v[i])))
					continue;
				int e = fail_file(&run, &run.v[i], &d, ret_err);
				if (e < 0) {
					diags_free(&d);
					r = e;
					goto out;
				}
			}
			diags_free(&d);
			run_reset(&run);
			r = 0;
			continue;
		}
		if (r < 0) {
			if (r != -ECANCELED && !*ret_err) {
				struct strbuf b = { 0 };
				strbuf_adds(&b, "the import failed, the files are left in the inbox");
				for (size_t i = 0; i < d.n; i++) {
					_cleanup_free_ char *line = diag_line(&d.v[i]);
					strbuf_adds(&b, i ? "; " : ": ");
					strbuf_adds(&b, line);
				}
				*ret_err = b.p;
			}
			diags_free(&d);
			run_reset(&run);
			goto out;
		}
		diags_free(&d);
		ret->summary = import_summary(&res);
		ret->rejected = res.rejected;
		break;
	}
	/* Committed: every file that took part goes to done/. A move that
	 * fails leaves the file to be imported again, which changes
	 * nothing. */
	for (size_t i = 0; i < n && r == 0; i++) {
		struct entry *e = &run.v[i];
		if (e->failed)
			continue;
		struct inbox_file *f = result_add(ret, e, INBOX_DONE);
		f->report = e->rep != NULL;
		ret->done++;
		if ((r = place_report(&run, e, "done", ret_err)) == 0)
			r = move_file(&run, e, "done", ret_err);
	}
	if (r == 0 && run.write_error) {
		*ret_err = xasprintf("a report in %s could not be written: %s", dir, strerror(run.write_error));
		r = -run.write_error;
	}
	/* Kept in name order, whatever failed first. */
	if (ret->n > 1)
		qsort(ret->v, ret->n, sizeof(*ret->v), cmp_name);
out:
	sqlite3_close(db);
	for (size_t i = 0; i < n; i++) {
		report_drop(&run.v[i]);
		free(run.v[i].name);
		free(run.v[i].path);
		free(run.v[i].report);
	}
	free(run.v);
	free(paths);
	return r;
}

int inbox_failed(const char *inbox, void (*each)(void *userdata, const char *name, const char *problem),
		 void *userdata)
{
	_cleanup_free_ char *dir = path_join(inbox, "failed");
	char **names = NULL;
	size_t n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	struct dirent *de;
	size_t cap = 0;
	while ((de = readdir(d))) {
		struct stat st;
		if (name_skipped(de->d_name) || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		names = xgrow(names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *report = xasprintf("%s/%s.errors", dir, names[i]);
		char line[512] = "";
		FILE *f = fopen(report, "r");
		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = '\0';
			fclose(f);
		}
		line[strcspn(line, "\n")] = '\0';
		/* The report names the file by its inbox path: the line
		 * without it. */
		size_t k = strlen(inbox);
		const char *p = strncmp(line, inbox, k) == 0 && line[k] == '/' ? line + k + 1 : line;
		_cleanup_free_ char *clean = text_clean(*p ? p : "no report", 300, NULL);
		_cleanup_free_ char *name = text_clean(names[i], 200, NULL);
		each(userdata, name, clean);
		free(names[i]);
	}
	free(names);
	return (int)n;
}

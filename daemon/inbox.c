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
	char *path;   /* inbox/.importing/name, as the importer names it */
	char *shown;  /* inbox/name, as the reports and the log name it */
	char *report; /* inbox/.importing/.name.errors while it is written */
	bool rep;     /* it has one */
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

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct inbox_file *)a)->name, ((const struct inbox_file *)b)->name);
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
 * a complete file is, and (with settle) not modified in the last
 * INBOX_SETTLE_SEC. Appended to *ret. */
static int list_complete(const char *dir, bool settle, char ***ret, size_t *ret_n, size_t *ret_cap,
			 size_t *ret_waiting, char **ret_err)
{
	/* settle: the inbox, whose links and folders are not ours to take;
	 * else the work folder, where anything is ours to take (and refuse
	 * when it is not a plain file). */
	DIR *d = opendir(dir);
	if (!d) {
		int e = errno;
		*ret_err = xasprintf("cannot read the import inbox %s: %s", dir, strerror(e));
		return -e;
	}
	char **v = *ret;
	size_t n = *ret_n, cap = *ret_cap, waiting = 0;
	time_t now = time(NULL);
	struct dirent *de;
	int e = 0;
	for (;;) {
		errno = 0;
		if (!(de = readdir(d))) {
			e = errno;
			break;
		}
		struct stat st;
		if (name_skipped(de->d_name) || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (settle && !S_ISREG(st.st_mode)) || S_ISDIR(st.st_mode))
			continue;
		/* Written within INBOX_SETTLE_SEC, or in the future (a clock
		 * ahead), unless by so much that the clock is plainly wrong. */
		if (settle && st.st_mtime > now - INBOX_SETTLE_SEC && st.st_mtime <= now + 3600) {
			waiting++;
			continue;
		}
		v = xgrow(v, &cap, n + 1, sizeof(*v));
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	*ret = v;
	*ret_n = n;
	*ret_cap = cap;
	*ret_waiting += waiting;
	if (e) {
		*ret_err = xasprintf("cannot read the import inbox %s: %s", dir, strerror(e));
		return -e;
	}
	return 0;
}

/* The file a line is about: the longest path it starts with, then ':'. */
static struct entry *entry_of(struct run *run, const char *text)
{
	struct entry *best = NULL;
	for (size_t i = 0; i < run->n; i++) {
		size_t k = strlen(run->v[i].path);
		if (!run->v[i].failed && strncmp(text, run->v[i].path, k) == 0 && text[k] == ':' &&
		    (!best || k > strlen(best->path)))
			best = &run->v[i];
	}
	return best;
}

/* A line of e's report, the file named as it was in the inbox. Opened
 * for each line, so that a run of many files holds no descriptor open. */
static void report_put(struct run *run, struct entry *e, const char *prefix, const char *text)
{
	int fd = open(e->report, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0640);
	FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!f) {
		if (!run->write_error)
			run->write_error = errno ? errno : EIO;
		if (fd >= 0)
			close(fd);
		return;
	}
	e->rep = true;
	size_t k = strlen(e->path);
	bool named = strncmp(text, e->path, k) == 0;
	if ((fprintf(f, "%s%s%s\n", prefix, named ? e->shown : "", named ? text + k : text) < 0 || fclose(f) != 0) &&
	    !run->write_error)
		run->write_error = errno ? errno : EIO;
}

static void report_drop(struct entry *e)
{
	e->rep = false;
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
		size_t k = e ? strlen(e->path) : 0;
		_cleanup_free_ char *line = xasprintf("%s%s%s", rejected ? "rejected: " : "note: ", e ? e->shown : "",
						      text + k);
		res->lines[res->n_lines++] = text_clean(line, 0, NULL);
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
	run->write_error = 0;
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
	int r = rename(e->report, dst) < 0 ? -errno : 0;
	e->rep = false;
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
		*ret_err = xasprintf("cannot move %s into %s/%s/: %s", e->path, run->dir, sub, strerror(err));
		return -err;
	}
	return 0;
}

static struct inbox_file *result_add(struct inbox_result *res, const struct entry *e, enum inbox_outcome o)
{
	res->v = xgrow(res->v, &res->cap, res->n + 1, sizeof(*res->v));
	struct inbox_file *f = &res->v[res->n++];
	*f = (struct inbox_file){ .name = text_clean(e->name, 0, NULL), .outcome = o, .rejected = e->rejected };
	return f;
}

/* A file the run cannot take: its problems (those of d that are about it,
 * or all of them when none is, or `why`) into its report, and both into
 * failed/. */
static int fail_file(struct run *run, struct entry *e, const struct diags *d, const char *why, char **ret_err)
{
	struct inbox_file *f = result_add(run->res, e, INBOX_FAILED);
	f->rejected = 0;
	report_drop(e);
	e->rejected = 0;
	size_t k = strlen(e->path);
	for (size_t i = 0; d && i < d->n; i++) {
		_cleanup_free_ char *line = diag_line(&d->v[i]);
		if (entry_of(run, line) != e)
			continue;
		report_put(run, e, "", line);
		if (!f->problem) {
			_cleanup_free_ char *p = xasprintf("%s%s", e->name, line + k);
			f->problem = text_clean(p, 0, NULL);
		}
	}
	for (size_t i = 0; d && i < d->n && !f->problem; i++) {
		/* Nothing names the file: the run's problems are its. */
		for (size_t j = 0; j < d->n; j++) {
			_cleanup_free_ char *line = diag_line(&d->v[j]);
			report_put(run, e, "", line);
			if (!f->problem)
				f->problem = text_clean(line, 0, NULL);
		}
	}
	if (why) {
		_cleanup_free_ char *line = xasprintf("%s: %s", e->path, why);
		report_put(run, e, "", line);
		_cleanup_free_ char *p = xasprintf("%s: %s", e->name, why);
		f->problem = text_clean(p, 0, NULL);
	}
	if (!f->problem)
		f->problem = xstrdup("the import failed");
	f->report = e->rep;
	e->failed = true;
	run->res->failed++;
	int r = place_report(run, e, "failed", ret_err);
	if (r == 0)
		r = move_file(run, e, "failed", ret_err);
	return r;
}

static bool names_file(struct run *run, const struct diags *d, const struct entry *e)
{
	for (size_t i = 0; i < d->n; i++) {
		_cleanup_free_ char *line = diag_line(&d->v[i]);
		if (entry_of(run, line) == e)
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

/* A folder of the inbox that only this process may write: made when
 * missing, and refused when it is anything else (a link the export job
 * put there, a folder of another owner), since files and reports are
 * written into it. */
static int own_dir(const char *dir, const char *sub, char **ret_err)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, sub);
	if (mkdir(p, 0750) < 0 && errno != EEXIST) {
		int e = errno;
		*ret_err = xasprintf("cannot make %s: %s", p, strerror(e));
		return -e;
	}
	struct stat st;
	if (lstat(p, &st) < 0) {
		int e = errno;
		*ret_err = xasprintf("cannot read %s: %s", p, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0022)) {
		*ret_err = xasprintf("%s is not a folder of this user's that only it may write: move it away", p);
		return -EPERM;
	}
	return 0;
}

static void entries_free(struct entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		report_drop(&v[i]);
		free(v[i].name);
		free(v[i].path);
		free(v[i].shown);
		free(v[i].report);
	}
	free(v);
}

int inbox_usable(const char *dir, char **ret_err)
{
	/* An inbox others may write must be sticky, or they could rename
	 * the daemon's own folders in it away and put theirs in place. */
	struct stat st;
	if (stat(dir, &st) < 0) {
		int r = -errno;
		*ret_err = xasprintf("cannot read the import inbox %s: %s", dir, strerror(-r));
		return r;
	}
	if (!S_ISDIR(st.st_mode)) {
		*ret_err = xasprintf("the import inbox %s is not a folder", dir);
		return -ENOTDIR;
	}
	if ((st.st_mode & 0022) && !(st.st_mode & S_ISVTX)) {
		*ret_err = xasprintf("the import inbox %s may be written by others but is not sticky: chmod +t it "
				     "(casewatchd(8), THE IMPORT INBOX)", dir);
		return -EPERM;
	}
	return 0;
}

int inbox_run(const struct conf *c, const struct tz *tz, int (*progress)(void *userdata), void *userdata,
	      struct progress *meter, struct inbox_result *ret, char **ret_err)
{
	*ret = (struct inbox_result){ 0 };
	const char *dir = c->import_inbox;
	_cleanup_free_ char *work = path_join(dir, INBOX_WORK);
	char **names = NULL;
	size_t n = 0, cap = 0, n_left;
	int r;
	if ((r = inbox_usable(dir, ret_err)) < 0)
		return r;
	/* What a crash left in the work folder first (taken whole, and
	 * imported again), then the inbox's complete files, each moved into
	 * the work folder, where no one else can change it. */
	if ((r = own_dir(dir, INBOX_WORK, ret_err)) < 0 || (r = own_dir(dir, "done", ret_err)) < 0 ||
	    (r = own_dir(dir, "failed", ret_err)) < 0 ||
	    (r = list_complete(work, false, &names, &n, &cap, &ret->waiting, ret_err)) < 0)
		goto fail_names;
	n_left = n;
	if ((r = list_complete(dir, true, &names, &n, &cap, &ret->waiting, ret_err)) < 0)
		goto fail_names;
	/* At most INBOX_MAX_FILES a run, the first by name: the rest wait. */
	if (n - n_left > 1)
		qsort(names + n_left, n - n_left, sizeof(*names), cmp_name);
	while (n > n_left && n > INBOX_MAX_FILES) {
		free(names[--n]);
		ret->waiting++;
	}
	for (size_t i = n_left; i < n; i++) {
		_cleanup_free_ char *from = path_join(dir, names[i]), *to = path_join(work, names[i]);
		/* The same name as one a crash left: that one is imported
		 * first, and this waits for the next scan. */
		bool again = false;
		for (size_t j = 0; j < n_left && !again; j++)
			again = strcmp(names[j], names[i]) == 0;
		if (again)
			ret->waiting++;
		if (again || rename(from, to) < 0) {
			/* Waiting, or gone meanwhile. */
			free(names[i]);
			names[i] = NULL;
		}
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (names[i])
			names[k++] = names[i];
	n = k;
	if (n == 0) {
		free(names);
		return 0;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_name);

	struct run run = { .dir = dir, .v = xcalloc(n, sizeof(struct entry)), .n = n, .res = ret,
			   .progress = progress, .userdata = userdata };
	for (size_t i = 0; i < n; i++) {
		run.v[i].name = names[i];
		run.v[i].path = path_join(work, names[i]);
		run.v[i].shown = path_join(dir, names[i]);
		run.v[i].report = xasprintf("%s/.%s.errors", work, names[i]);
		report_drop(&run.v[i]); /* one a crash left half-written */
	}
	free(names);
	char **paths = xcalloc(n, sizeof(char *));
	sqlite3 *db = NULL;
	/* Only a plain file with no other name is read: not a link, a
	 * device or a hard link to a file elsewhere. */
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		const char *why = lstat(run.v[i].path, &st) < 0 ? strerror(errno)
				  : !S_ISREG(st.st_mode)      ? "not a plain file"
				  : st.st_nlink != 1          ? "it has other names (hard links): copy it instead"
							      : NULL;
		if (why && (r = fail_file(&run, &run.v[i], NULL, why, ret_err)) < 0)
			goto out;
	}
	if ((r = open_cases(c->database, &db, ret_err)) < 0)
		goto out;

	struct import_hooks hooks = { .line = on_line, .progress = on_progress, .userdata = &run, .meter = meter };
	struct import_result res;
	for (;;) {
		k = 0;
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
				any = any || (!run.v[i].failed && names_file(&run, &d, &run.v[i]));
			bool failing[n];
			for (size_t i = 0; i < n; i++)
				failing[i] = !run.v[i].failed && (!any || names_file(&run, &d, &run.v[i]));
			for (size_t i = 0; i < n; i++) {
				if (!failing[i])
					continue;
				int e = fail_file(&run, &run.v[i], &d, NULL, ret_err);
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
				strbuf_adds(&b, "the import failed, the files are kept for the next scan");
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
	 * fails leaves the file in the work folder, to be imported again at
	 * the next scan, which changes nothing. */
	for (size_t i = 0; i < n && r == 0; i++) {
		struct entry *e = &run.v[i];
		if (e->failed)
			continue;
		struct inbox_file *f = result_add(ret, e, INBOX_DONE);
		f->report = e->rep;
		ret->done++;
		if ((r = place_report(&run, e, "done", ret_err)) == 0)
			r = move_file(&run, e, "done", ret_err);
	}
	if (r == 0 && run.write_error) {
		*ret_err = xasprintf("a report in %s could not be written: %s", work, strerror(run.write_error));
		r = -run.write_error;
	}
	/* Kept in name order, whatever failed first. */
	if (ret->n > 1)
		qsort(ret->v, ret->n, sizeof(*ret->v), cmp_file);
out:
	sqlite3_close(db);
	entries_free(run.v, n);
	free(paths);
	return r;

fail_names:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int inbox_failed(const char *inbox, void (*each)(void *userdata, const char *name, const char *problem),
		 void *userdata)
{
	_cleanup_free_ char *dir = path_join(inbox, "failed");
	char **names = NULL;
	size_t n = 0, cap = 0, waiting = 0;
	_cleanup_free_ char *err = NULL;
	int r = list_complete(dir, false, &names, &n, &cap, &waiting, &err);
	if (r < 0 && r != -ENOENT) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return r;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *report = xasprintf("%s/%s.errors", dir, names[i]);
		char line[512] = "";
		int fd = open(report, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = '\0';
			fclose(f);
		} else if (fd >= 0) {
			close(fd);
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

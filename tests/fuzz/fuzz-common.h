/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* For the harnesses whose parser reads a file by path (configuration, rule
 * packs): one private folder per process, removed at exit, and the input
 * written into it for each run. */

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static char fuzz_dir_path[64];

static inline int fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static inline void fuzz_dir_remove(void)
{
	nftw(fuzz_dir_path, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* The folder, made on first use. */
static inline const char *fuzz_dir(void)
{
	if (!fuzz_dir_path[0]) {
		strcpy(fuzz_dir_path, "/tmp/casewatch-fuzz.XXXXXX");
		if (!mkdtemp(fuzz_dir_path)) {
			perror("mkdtemp");
			abort();
		}
		atexit(fuzz_dir_remove);
	}
	return fuzz_dir_path;
}

/* Write `len` bytes as `name` (with mode `mode`) in the folder; returns its
 * path, newly allocated. A failure to write is the machine's, not the
 * parser's: abort. */
static inline char *fuzz_write(const char *name, const void *data, size_t len, mode_t mode)
{
	char *path = xasprintf("%s/%s", fuzz_dir(), name);
	FILE *f = fopen(path, "we");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0 || chmod(path, mode) < 0) {
		perror(path);
		abort();
	}
	return path;
}

static inline void fuzz_write_str(const char *name, const char *text, mode_t mode)
{
	free(fuzz_write(name, text, strlen(text), mode));
}

/* Does the input hold `word` in any case? (memmem, but case-blind) */
static inline int fuzz_has_word(const uint8_t *data, size_t len, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i + n <= len; i++) {
		size_t j = 0;
		while (j < n && (data[i + j] | 0x20) == (word[j] | 0x20))
			j++;
		if (j == n)
			return 1;
	}
	return 0;
}

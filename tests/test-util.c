/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tap.h"

#include "scan.h"
#include "util.h"

static size_t seq(const char *s)
{
	return utf8_seq((const unsigned char *)s, strlen(s));
}

/* RFC 3629's table, and what it leaves out. */
static void test_utf8_seq_takes_only_well_formed_sequences(void **state)
{
	(void)state;
	assert_int_equal(seq("A"), 1);
	assert_int_equal(seq("\xc2\xa3"), 2);         /* £ */
	assert_int_equal(seq("\xe2\x80\x99"), 3);     /* ’ */
	assert_int_equal(seq("\xf0\x9f\x98\x80"), 4); /* U+1F600 */
	assert_int_equal(seq("\xf4\x8f\xbf\xbf"), 4); /* U+10FFFF, the last */
	assert_int_equal(seq("\xef\xbf\xbd"), 3);     /* U+FFFD itself */
	assert_int_equal(seq("\x80"), 0);             /* a lone continuation */
	assert_int_equal(seq("\xbf"), 0);
	assert_int_equal(seq("\xc0\xaf"), 0);         /* overlong '/' */
	assert_int_equal(seq("\xc1\xbf"), 0);
	assert_int_equal(seq("\xe0\x80\xaf"), 0);     /* overlong, 3 bytes */
	assert_int_equal(seq("\xe0\x9f\xbf"), 0);
	assert_int_equal(seq("\xe0\xa0\x80"), 3);     /* U+0800, the first */
	assert_int_equal(seq("\xed\xa0\x80"), 0);     /* U+D800, a surrogate */
	assert_int_equal(seq("\xed\xbf\xbf"), 0);     /* U+DFFF */
	assert_int_equal(seq("\xed\x9f\xbf"), 3);     /* U+D7FF */
	assert_int_equal(seq("\xf0\x80\x80\xaf"), 0); /* overlong, 4 bytes */
	assert_int_equal(seq("\xf4\x90\x80\x80"), 0); /* above U+10FFFF */
	assert_int_equal(seq("\xf5\x80\x80\x80"), 0);
	assert_int_equal(seq("\xff"), 0);
	assert_int_equal(seq("\xe2\x80"), 0);         /* cut short */
	assert_int_equal(seq("\xe2\x28\xa1"), 0);     /* a bad second byte */
	assert_int_equal(seq("\xf0\x9f\x98\x28"), 0); /* a bad fourth byte */
	/* n bounds what is read, whatever follows. */
	assert_int_equal(utf8_seq((const unsigned char *)"\xc2\xa3", 1), 0);
	assert_int_equal(utf8_seq((const unsigned char *)"A", 0), 0);

	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("Caf\xc3\xa9 \xc2\xa3""5", 9));
	assert_false(utf8_valid("Caf\xc3", 4));
	assert_false(utf8_valid("a\xffz", 3));
}

static void check_clean(const char *in, size_t cap, const char *want, unsigned want_flags)
{
	unsigned flags = 99;
	char *got = text_clean(in, cap, &flags);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(flags, want_flags);
	/* The same answer, found without cleaning. */
	assert_int_equal(text_faults(in, strlen(in), cap), want_flags);
	if (cap)
		assert_true(strlen(got) <= cap);
	assert_true(utf8_valid(got, strlen(got)));
	free(got);
}

static void test_text_clean_repairs_and_caps(void **state)
{
	(void)state;
	unsigned flags = 99;
	assert_null(text_clean(NULL, 10, &flags));
	assert_int_equal(flags, 0);
	check_clean("", 10, "", 0);
	check_clean("ASB-2026-0137", 64, "ASB-2026-0137", 0);
	check_clean("ASB-2026-0137", 0, "ASB-2026-0137", 0);
	/* Each bad byte is one U+FFFD. */
	check_clean("A\xff" "B", 0, "A\xef\xbf\xbd" "B", TEXT_NOT_UTF8);
	check_clean("\xc0\xaf", 0, "\xef\xbf\xbd\xef\xbf\xbd", TEXT_NOT_UTF8);
	check_clean("\xed\xa0\x80", 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", TEXT_NOT_UTF8);
	check_clean("end\xe2\x80", 0, "end\xef\xbf\xbd\xef\xbf\xbd", TEXT_NOT_UTF8);
	/* Control characters, C1 included, are spaces; U+00A0 and above
	 * stay. */
	check_clean("a\r\nb\tc\x1b[2Jd\x7f", 0, "a  b c [2Jd ", TEXT_CONTROL);
	check_clean("x\xc2\x85y\xc2\x9fz\xc2\xa0!", 0, "x y z\xc2\xa0!", TEXT_CONTROL);
	/* Longer than the cap: cut on a character boundary, with an
	 * ellipsis (3 bytes) inside the cap. */
	check_clean("abcdefghij", 10, "abcdefghij", 0);
	check_clean("abcdefghijk", 10, "abcdefg\xe2\x80\xa6", TEXT_CUT);
	check_clean("\xc2\xa3\xc2\xa3\xc2\xa3\xc2\xa3\xc2\xa3\xc2\xa3", 10, "\xc2\xa3\xc2\xa3\xc2\xa3\xe2\x80\xa6",
		    TEXT_CUT);
	check_clean("\xc2\xa3\xc2\xa3\xc2\xa3\xc2\xa3\xc2\xa3\xc2\xa3", 11, "\xc2\xa3\xc2\xa3\xc2\xa3\xc2\xa3\xe2\x80\xa6",
		    TEXT_CUT);
	check_clean("ab\xff" "cdefghijkl", 8, "ab\xef\xbf\xbd\xe2\x80\xa6", TEXT_CUT | TEXT_NOT_UTF8);
	/* A cap too small for the ellipsis cuts without one. */
	check_clean("abcdef", 2, "ab", TEXT_CUT);
}

static void test_text_clean_bounds_ten_megabytes(void **state)
{
	(void)state;
	size_t n = 10 * 1024 * 1024;
	char *big = malloc(n + 1);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i % 3 == 0 ? '\xff' : 'x');
	big[n] = '\0';
	unsigned flags = 0;
	char *got = text_clean(big, TEXT_MAX_REF, &flags);
	assert_int_equal(flags, TEXT_CUT | TEXT_NOT_UTF8);
	assert_int_equal(text_faults(big, n, TEXT_MAX_REF), TEXT_CUT | TEXT_NOT_UTF8);
	assert_true(strlen(got) <= TEXT_MAX_REF);
	assert_true(utf8_valid(got, strlen(got)));
	assert_memory_equal(got, "\xef\xbf\xbdxx", 5);
	free(got);
	free(big);
}

static void expect_seconds(long long secs, const char *want)
{
	char *got = seconds_text(secs);
	assert_string_equal(got, want);
	free(got);
}

static void test_seconds_text_largest_unit(void **state)
{
	(void)state;
	expect_seconds(26 * 3600, "26 hours");
	expect_seconds(3600, "1 hour");
	expect_seconds(86400, "1 day");
	expect_seconds(3 * 86400, "3 days");
	expect_seconds(90 * 60, "90 minutes");
	expect_seconds(60, "1 minute");
	expect_seconds(3601, "3601 seconds");
	expect_seconds(1, "1 second");
	expect_seconds(0, "0 seconds");
}

/* html_fputs and strbuf_add_html: the same five entities, the rest
 * (UTF-8 included) as it is. */
static void test_html_escape_writes_the_five_entities(void **state)
{
	(void)state;
	const char *in = "<b class=\"x\">Tom & Jerry's \xc2\xa3</b>";
	const char *want = "&lt;b class=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s \xc2\xa3&lt;/b&gt;";
	char *got = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&got, &len);
	assert_non_null(f);
	html_fputs(in, f);
	html_fputs("", f);
	html_fputs("plain", f);
	assert_int_equal(fclose(f), 0);
	char *both = NULL;
	assert_true(asprintf(&both, "%splain", want) > 0);
	assert_string_equal(got, both);
	struct strbuf b = { 0 };
	strbuf_add_html(&b, in);
	assert_string_equal(b.p, want);
	free(b.p);
	free(both);
	free(got);
}

/* A file under dir, made with its folders. */
static void put(const char *dir, const char *rel, const char *text)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static unsigned cpus_of(const char *dir)
{
	_cleanup_free_ char *root = xasprintf("%s/sys", dir), *self = xasprintf("%s/self", dir);
	return scan_cgroup_cpus(root, self);
}

/* The CPU quota of a process's cgroup, as systemd's CPUQuota= or a
 * container's limit sets it, in both cgroup versions; the least of the
 * cgroup's and its ancestors', rounded up. */
static void test_cgroup_cpus_from_the_quota(void **state)
{
	(void)state;
	char dir[] = "/tmp/casewatch-cgroup.XXXXXX";
	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);

	/* No file of the process's cgroups: no limit known. */
	assert_int_equal(cpus_of(dir), 0);

	/* v2, as on Debian 12: the service at 150%, its slice unlimited. */
	put(dir, "self", "0::/system.slice/casewatchd.service\n");
	put(dir, "sys/cgroup.controllers", "cpu io memory pids\n");
	put(dir, "sys/system.slice/casewatchd.service/cpu.max", "150000 100000\n");
	put(dir, "sys/system.slice/cpu.max", "max 100000\n");
	assert_int_equal(cpus_of(dir), 2);
	/* The slice at one CPU holds the service to one. */
	put(dir, "sys/system.slice/cpu.max", "100000 100000\n");
	assert_int_equal(cpus_of(dir), 1);
	/* None anywhere. */
	put(dir, "sys/system.slice/cpu.max", "max 100000\n");
	put(dir, "sys/system.slice/casewatchd.service/cpu.max", "max 100000\n");
	assert_int_equal(cpus_of(dir), 0);
	/* A container sees its own cgroup as the top: 0::/, limited there. */
	put(dir, "self", "0::/\n");
	put(dir, "sys/cpu.max", "50000 100000\n");
	assert_int_equal(cpus_of(dir), 1);
	assert_int_equal(system(cmd), 0);

	/* v1 (or a hybrid, whose unified tree has no cpu controller): the
	 * hierarchy with cpu among its controllers. */
	assert_non_null(mkdtemp(strcpy(dir, "/tmp/casewatch-cgroup.XXXXXX")));
	free(cmd);
	cmd = xasprintf("rm -rf '%s'", dir);
	put(dir, "self", "9:name=systemd:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/docker/abc\n");
	put(dir, "sys/cpu/docker/abc/cpu.cfs_quota_us", "250000\n");
	put(dir, "sys/cpu/docker/abc/cpu.cfs_period_us", "100000\n");
	put(dir, "sys/cpu/docker/cpu.cfs_quota_us", "-1\n");
	put(dir, "sys/cpu/docker/cpu.cfs_period_us", "100000\n");
	put(dir, "sys/cpu/cpu.cfs_quota_us", "-1\n");
	put(dir, "sys/cpu/cpu.cfs_period_us", "100000\n");
	assert_int_equal(cpus_of(dir), 3);
	put(dir, "sys/cpu/docker/cpu.cfs_quota_us", "80000\n");
	assert_int_equal(cpus_of(dir), 1);
	put(dir, "sys/cpu/docker/cpu.cfs_quota_us", "-1\n");
	put(dir, "sys/cpu/docker/abc/cpu.cfs_quota_us", "-1\n");
	assert_int_equal(cpus_of(dir), 0);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_seq_takes_only_well_formed_sequences),
		cmocka_unit_test(test_text_clean_repairs_and_caps),
		cmocka_unit_test(test_text_clean_bounds_ten_megabytes),
		cmocka_unit_test(test_seconds_text_largest_unit),
		cmocka_unit_test(test_html_escape_writes_the_five_entities),
		cmocka_unit_test(test_cgroup_cpus_from_the_quota),
	};
	return tap_exit(cmocka_run_group_tests(tests, NULL, NULL));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tap.h"

/* The statics: the memory cap, lowered to see a spill. */
#include "table.c"

/* What table_print() writes. */
static char *printed(struct table *t, bool colour)
{
	char *got = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&got, &len);
	assert_non_null(f);
	assert_int_equal(table_print(t, f, colour), 0);
	assert_int_equal(fclose(f), 0);
	return got;
}

static void test_columns_as_wide_as_their_widest_cell(void **state)
{
	(void)state;
	struct table *t = table_new(3);
	table_add(t, (const char *[]){ "CASE", "STATE", "LATE" }, NULL);
	table_add(t, (const char *[]){ "ASB-2026-0103", "overdue", "2 working days late" }, NULL);
	table_add(t, (const char *[]){ "A-1", "met", "" }, NULL);
	char *got = printed(t, false);
	assert_string_equal(got, "CASE          STATE   LATE\n"
				 "ASB-2026-0103 overdue 2 working days late\n"
				 "A-1           met\n");
	free(got);
	table_free(t);
}

/* An empty last cell, or several, and a cell ending in spaces: the line
 * ends with the last text. */
static void test_no_line_ends_in_whitespace(void **state)
{
	(void)state;
	struct table *t = table_new(4);
	table_add(t, (const char *[]){ "a", "bbbb", "c", "dddd" }, NULL);
	table_add(t, (const char *[]){ "aaaa", NULL, NULL, NULL }, NULL);
	table_add(t, (const char *[]){ "", "b  ", "", "\t" }, NULL);
	table_add(t, (const char *[]){ NULL, NULL, NULL, NULL }, NULL);
	char *got = printed(t, false);
	assert_string_equal(got, "a    bbbb c dddd\n"
				 "aaaa\n"
				 "     b\n"
				 "\n");
	free(got);
	table_free(t);
}

static void test_numbers_right_aligned(void **state)
{
	(void)state;
	struct table *t = table_new(3);
	table_align(t, 1, TABLE_RIGHT);
	table_align(t, 2, TABLE_RIGHT);
	table_add(t, (const char *[]){ "STANDARD", "met", "overdue" }, NULL);
	table_add(t, (const char *[]){ "keep-informed", "12345", "7" }, NULL);
	char *got = printed(t, false);
	assert_string_equal(got, "STANDARD        met overdue\n"
				 "keep-informed 12345       7\n");
	free(got);
	table_free(t);
}

/* Characters, not bytes: £ and ’ are one column each. */
static void test_utf8_counts_characters(void **state)
{
	(void)state;
	assert_int_equal(table_text_width("\xc2\xa3" "5"), 2);
	assert_int_equal(table_text_width("O\xe2\x80\x99Neil"), 6);
	assert_int_equal(table_text_width("\xff\xfe"), 2); /* not UTF-8: one each */
	struct table *t = table_new(2);
	table_add(t, (const char *[]){ "O\xe2\x80\x99Neil", "x" }, NULL);
	table_add(t, (const char *[]){ "Smith", "y" }, NULL);
	char *got = printed(t, false);
	assert_string_equal(got, "O\xe2\x80\x99Neil x\n"
				 "Smith  y\n");
	free(got);
	table_free(t);
}

/* The colour wraps the text, never the padding, and an empty cell gets
 * none. */
static void test_alert_in_red_only_with_colour(void **state)
{
	(void)state;
	struct table *t = table_new(3);
	enum table_style alert[] = { TABLE_PLAIN, TABLE_ALERT, TABLE_PLAIN };
	table_add(t, (const char *[]){ "A-1", "overdue", "1 working day late" }, alert);
	table_add(t, (const char *[]){ "A-22", "met", "" }, NULL);
	table_add(t, (const char *[]){ "A-3", "", "" }, alert);
	char *plain = printed(t, false), *red = printed(t, true);
	assert_string_equal(plain, "A-1  overdue 1 working day late\n"
				   "A-22 met\n"
				   "A-3\n");
	assert_string_equal(red, "A-1  \033[31moverdue\033[0m 1 working day late\n"
				 "A-22 met\n"
				 "A-3\n");
	free(plain);
	free(red);
	table_free(t);
}

static void test_min_width_lines_tables_up(void **state)
{
	(void)state;
	struct table *t = table_new(2);
	table_add(t, (const char *[]){ "ab", "x" }, NULL);
	assert_int_equal(table_width(t, 0), 2);
	table_min_width(t, 0, 5);
	table_min_width(t, 0, 1);
	assert_int_equal(table_width(t, 0), 5);
	char *got = printed(t, false);
	assert_string_equal(got, "ab    x\n");
	free(got);
	table_free(t);
}

/* Past the cap the rows go to a file, and come back the same, in order;
 * printing twice gives the same. */
static void test_rows_past_the_cap_spill_to_a_file(void **state)
{
	(void)state;
	table_memory_max = 64;
	struct table *t = table_new(2);
	table_align(t, 1, TABLE_RIGHT);
	for (int i = 0; i < 200; i++) {
		char a[16], b[16];
		snprintf(a, sizeof(a), "row%d", i);
		snprintf(b, sizeof(b), "%d", i * 7);
		table_add(t, (const char *[]){ a, b }, NULL);
	}
	assert_true(t->spilled);
	assert_int_equal(table_rows(t), 200);
	char *got = printed(t, false), *again = printed(t, false);
	assert_string_equal(got, again);
	assert_int_equal(strncmp(got, "row0      0\nrow1      7\n", 24), 0);
	assert_non_null(strstr(got, "\nrow199 1393\n"));
	assert_int_equal(strlen(got), 200 * 12);
	free(got);
	free(again);
	table_free(t);
	table_memory_max = TABLE_MEMORY_MAX;
}

static void test_empty_table_prints_nothing(void **state)
{
	(void)state;
	struct table *t = table_new(2);
	char *got = printed(t, true);
	assert_string_equal(got, "");
	free(got);
	table_free(t);
	table_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns_as_wide_as_their_widest_cell),
		cmocka_unit_test(test_no_line_ends_in_whitespace),
		cmocka_unit_test(test_numbers_right_aligned),
		cmocka_unit_test(test_utf8_counts_characters),
		cmocka_unit_test(test_alert_in_red_only_with_colour),
		cmocka_unit_test(test_min_width_lines_tables_up),
		cmocka_unit_test(test_rows_past_the_cap_spill_to_a_file),
		cmocka_unit_test(test_empty_table_prints_nothing),
	};
	return tap_exit(cmocka_run_group_tests(tests, NULL, NULL));
}

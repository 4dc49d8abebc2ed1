/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "verifylog.h"

static char	*dir;
static char	*path;

static void			setup(void);
static void			teardown(void);
static enum verifylog_result	run(const char *, struct verifylog_counts *,
				    char **);

static void
setup(void)
{
	dir = tu_tmpdir();
	path = tu_join(dir, "events.ndjson");
}

static void
teardown(void)
{
	tu_rmtree(dir);
	free(path);
	free(dir);
}

/* Writes text to the file and verifies it; *report gets what it said. */
static enum verifylog_result
run(const char *text, struct verifylog_counts *vc, char **report)
{
	FILE			*out;
	size_t			 n;
	enum verifylog_result	 rc;

	if (text != NULL)
		tu_write_str(path, text);
	memset(vc, 0, sizeof(*vc));
	out = open_memstream(report, &n);
	ck_assert_ptr_nonnull(out);
	rc = verifylog_file(path, out, vc);
	fclose(out);
	return rc;
}

START_TEST(good_file_counts_every_line)
{
	struct verifylog_counts	 vc;
	char			*report;

	ck_assert_int_eq(run("{\"a\":1}\n{\"b\":[1,2]}\n{ \"c\" : \"\xc3\xa9\" }\n",
	    &vc, &report), VERIFYLOG_GOOD);
	ck_assert_uint_eq(vc.lines, 3);
	ck_assert_uint_eq(vc.bad, 0);
	ck_assert_str_eq(report, "");
	free(report);
	/* An empty file is good too. */
	ck_assert_int_eq(run("", &vc, &report), VERIFYLOG_GOOD);
	ck_assert_uint_eq(vc.lines, 0);
	free(report);
}
END_TEST

START_TEST(torn_last_line_is_reported)
{
	struct verifylog_counts	 vc;
	char			*report, want[4200];

	ck_assert_int_eq(run("{\"a\":1}\n{\"b\":2}\n{\"c\":", &vc, &report),
	    VERIFYLOG_BAD);
	ck_assert_uint_eq(vc.lines, 2);
	ck_assert_uint_eq(vc.bad, 1);
	snprintf(want, sizeof(want),
	    "%s:3: torn line (no newline at the end)\n", path);
	ck_assert_str_eq(report, want);
	free(report);
	/* Complete JSON without its newline is torn as well. */
	ck_assert_int_eq(run("{\"a\":1}\n{\"b\":2}", &vc, &report),
	    VERIFYLOG_BAD);
	ck_assert_uint_eq(vc.bad, 1);
	free(report);
}
END_TEST

START_TEST(invalid_lines_are_reported_with_their_numbers)
{
	struct verifylog_counts	 vc;
	char			*report, want[4200];

	ck_assert_int_eq(run("{\"a\":1}\n{bad}\n{\"ok\":true}\n[1,2]\n\n"
	    "{\"a\":1,\"a\":2}\n{\"a\":1} {\"b\":2}\n", &vc, &report),
	    VERIFYLOG_BAD);
	ck_assert_uint_eq(vc.lines, 3);
	ck_assert_uint_eq(vc.bad, 4);
	snprintf(want, sizeof(want), "%s:2: ", path);
	ck_assert_msg(strncmp(report, want, strlen(want)) == 0, "%s", report);
	snprintf(want, sizeof(want), "\n%s:4: not a JSON object\n%s:5: empty "
	    "line\n%s:7: ", path, path, path);
	ck_assert_msg(strstr(report, want) != NULL, "%s", report);
	/* Repeated keys are still one JSON object to verify-log. */
	snprintf(want, sizeof(want), "%s:6:", path);
	ck_assert_ptr_null(strstr(report, want));
	free(report);
}
END_TEST

START_TEST(missing_file_is_an_error)
{
	struct verifylog_counts	 vc;
	char			*report;

	ck_assert_int_eq(run(NULL, &vc, &report), VERIFYLOG_UNREADABLE);
	ck_assert_ptr_nonnull(strstr(report, path));
	ck_assert_ptr_nonnull(strstr(report, "cannot open"));
	free(report);
}
END_TEST

Suite *
verifylog_suite(void)
{
	Suite	*s = suite_create("verifylog");
	TCase	*tc;

	tc = tcase_create("verifylog");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good_file_counts_every_line);
	tcase_add_test(tc, torn_last_line_is_reported);
	tcase_add_test(tc, invalid_lines_are_reported_with_their_numbers);
	tcase_add_test(tc, missing_file_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}

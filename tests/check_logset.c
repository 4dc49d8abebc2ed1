/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logset.h"
#include "suites.h"

#define SEEN_MAX	16

static char	*dir;
static char	*path;		/* dir/events.ndjson */

/* What a logset_line_fn was told. */
struct seen {
	size_t	 n;
	char	*line[SEEN_MAX];
	size_t	 len[SEEN_MAX];
	size_t	 stop_at;	/* non-zero: the fn returns 1 on this line */
};

static void	setup(void);
static void	teardown(void);
static char	*rank(unsigned);
static void	touch_rank(unsigned);
static bool	record(const char *, size_t, void *);
static void	seen_free(struct seen *);
static void	expect_names(unsigned, const unsigned *, size_t);
static void	write_rank(unsigned, const char *, time_t);
static void	expect_holder(const struct timespec *, const char *, int);

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

/* path (k = 0) or path.k, malloc'd. */
static char *
rank(unsigned k)
{
	size_t	 n = strlen(path) + 16;
	char	*p = malloc(n);

	ck_assert_ptr_nonnull(p);
	if (k == 0)
		snprintf(p, n, "%s", path);
	else
		snprintf(p, n, "%s.%u", path, k);
	return p;
}

static void
touch_rank(unsigned k)
{
	char	*p = rank(k);

	tu_write_str(p, "{}\n");
	free(p);
}

static bool
record(const char *line, size_t len, void *arg)
{
	struct seen	*s = arg;

	ck_assert_uint_lt(s->n, SEEN_MAX);
	s->line[s->n] = malloc(len + 1);
	ck_assert_ptr_nonnull(s->line[s->n]);
	memcpy(s->line[s->n], line, len);
	s->line[s->n][len] = '\0';
	s->len[s->n] = len;
	s->n++;
	return s->stop_at != 0 && s->n == s->stop_at;
}

static void
seen_free(struct seen *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->line[i]);
	memset(s, 0, sizeof(*s));
}

/* logset_list(path, keep) gives exactly the ranks want, in that order. */
static void
expect_names(unsigned keep, const unsigned *want, size_t nwant)
{
	char	**names, *p;
	size_t	 n, i;

	ck_assert_int_eq(logset_list(path, keep, &names, &n), 0);
	ck_assert_uint_eq(n, nwant);
	for (i = 0; i < n; i++) {
		p = rank(want[i]);
		ck_assert_str_eq(names[i], p);
		free(p);
	}
	logset_free(names, n);
}

/* path.k holding text, last written at mtime. */
static void
write_rank(unsigned k, const char *text, time_t mtime)
{
	struct timespec	 t[2] = { { mtime, 0 }, { mtime, 0 } };
	char		*p = rank(k);

	tu_write_str(p, text);
	ck_assert_int_eq(utimensat(AT_FDCWD, p, t, 0), 0);
	free(p);
}

/* logset_holder(path, 10, "R1", received) is rank k (-1: NULL). */
static void
expect_holder(const struct timespec *received, const char *id, int k)
{
	char	*got = logset_holder(path, 10, id, received), *p;

	if (k < 0) {
		ck_assert_ptr_null(got);
		return;
	}
	p = rank((unsigned)k);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, p);
	free(p);
	free(got);
}

START_TEST(holder_is_the_only_file_written_since_the_event)
{
	struct timespec	 now = { time(NULL), 0 };

	/* Neither rotated file can hold a line appended after received. */
	write_rank(2, "{\"request_id\":\"R1\"}\n", now.tv_sec - 100);
	write_rank(1, "{\"request_id\":\"R0\"}\n", now.tv_sec - 50);
	write_rank(0, "{\"request_id\":\"R2\"}\n", now.tv_sec);
	expect_holder(&now, "R1", 0);
}
END_TEST

START_TEST(holder_after_rotations_is_the_file_with_the_id)
{
	struct timespec	 now = { time(NULL), 0 };

	write_rank(3, "{\"request_id\":\"R1\"}\n", now.tv_sec - 100);
	write_rank(2, "{\"request_id\":\"R10\"}\n", now.tv_sec);
	write_rank(1, "{\"request_id\":\"R0\"}\n{\"request_id\":\"R1\"}\n",
	    now.tv_sec);
	write_rank(0, "{\"request_id\":\"R2\"}\n", now.tv_sec);
	/* R10 in path.2 is not R1: the closing quote is looked for. */
	expect_holder(&now, "R1", 1);
	expect_holder(&now, "R2", 0);
	expect_holder(&now, "R10", 2);
}
END_TEST

START_TEST(holder_sees_an_id_across_the_border_of_two_reads)
{
	struct timespec	 now = { time(NULL), 0 };
	static const char id_line[] = "{\"request_id\":\"R1\"}\n";
	size_t		 i, total = 3 * 64 * 1024 + 17, at;
	char		*text = malloc(total + 1);

	ck_assert_ptr_nonnull(text);
	/* One line of filler, the id's line cut by the 64 KiB mark. */
	for (at = 0; at <= 12; at++) {
		memset(text, 'x', total);
		text[total] = '\0';
		i = total - 64 * 1024 - at;
		memcpy(text + i, id_line, sizeof(id_line) - 1);
		write_rank(1, text, now.tv_sec);
		write_rank(0, "{\"request_id\":\"R2\"}\n", now.tv_sec);
		expect_holder(&now, "R1", 1);
	}
	free(text);
}
END_TEST

START_TEST(holder_is_null_when_no_file_left_holds_the_id)
{
	struct timespec	 now = { time(NULL), 0 };

	write_rank(1, "{\"request_id\":\"R0\"}\n", now.tv_sec);
	write_rank(0, "{\"request_id\":\"R2\"}\n", now.tv_sec);
	expect_holder(&now, "R1", -1);
	/* Nor any file written since. */
	now.tv_sec += 100;
	expect_holder(&now, "R2", -1);
}
END_TEST

START_TEST(list_is_oldest_first_ending_with_the_current_file)
{
	static const unsigned want[] = { 3, 2, 1, 0 };

	touch_rank(0);
	touch_rank(1);
	touch_rank(2);
	touch_rank(3);
	expect_names(5, want, 4);
}
END_TEST

START_TEST(list_skips_gaps_within_keep)
{
	static const unsigned want[] = { 4, 2, 0 };

	touch_rank(0);
	touch_rank(2);
	touch_rank(4);
	expect_names(5, want, 3);
}
END_TEST

START_TEST(list_has_no_current_file_when_it_is_missing)
{
	static const unsigned want[] = { 2, 1 };

	touch_rank(1);
	touch_rank(2);
	expect_names(3, want, 2);
}
END_TEST

START_TEST(list_takes_files_past_keep_up_to_the_first_gap)
{
	/* Left by a larger log_keep: .3 and .4 are read, .6 is not. */
	static const unsigned want[] = { 4, 3, 2, 1, 0 };
	static const unsigned keep0[] = { 2, 1, 0 };

	touch_rank(0);
	touch_rank(1);
	touch_rank(2);
	touch_rank(3);
	touch_rank(4);
	touch_rank(6);
	expect_names(2, want, 5);
	/* With log_keep = 0 a .1 is still there to read. */
	{
		char	*p = rank(3);

		ck_assert_int_eq(unlink(p), 0);
		free(p);
	}
	expect_names(0, keep0, 3);
}
END_TEST

START_TEST(list_leaves_out_what_is_not_a_regular_file)
{
	static const unsigned want[] = { 2, 0 };
	char	*p = rank(1);

	touch_rank(0);
	touch_rank(2);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	free(p);
	expect_names(3, want, 2);
}
END_TEST

START_TEST(list_of_a_log_never_written_is_empty)
{
	char	**names;
	size_t	 n;

	ck_assert_int_eq(logset_list(path, 10, &names, &n), 0);
	ck_assert_uint_eq(n, 0);
	logset_free(names, n);
}
END_TEST

START_TEST(lines_leaves_a_partial_last_line_for_the_next_call)
{
	struct seen	 s;
	long long	 off = 0;
	int		 fd;

	memset(&s, 0, sizeof(s));
	tu_write_str(path, "{\"a\":1}\n{\"b\":2}\n{\"c\":");
	ck_assert_int_eq(logset_lines(path, &off, record, &s), LOGSET_EOF);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.line[0], "{\"a\":1}");
	ck_assert_str_eq(s.line[1], "{\"b\":2}");
	ck_assert_int_eq(off, 16);
	seen_free(&s);

	/* Nothing new: nothing told, the offset stays. */
	ck_assert_int_eq(logset_lines(path, &off, record, &s), LOGSET_EOF);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(off, 16);

	/* The writer finishes the line and adds another. */
	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "3}\n{}\n", 6), 6);
	close(fd);
	ck_assert_int_eq(logset_lines(path, &off, record, &s), LOGSET_EOF);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.line[0], "{\"c\":3}");
	ck_assert_str_eq(s.line[1], "{}");
	ck_assert_int_eq(off, 27);
	seen_free(&s);
}
END_TEST

START_TEST(lines_starts_at_the_offset_given)
{
	struct seen	 s;
	long long	 off = 4;

	memset(&s, 0, sizeof(s));
	tu_write_str(path, "one\ntwo\n\nfour\n");
	ck_assert_int_eq(logset_lines(path, &off, record, &s), LOGSET_EOF);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_str_eq(s.line[0], "two");
	ck_assert_uint_eq(s.len[1], 0);		/* an empty line is a line */
	ck_assert_str_eq(s.line[2], "four");
	ck_assert_int_eq(off, 14);
	seen_free(&s);

	/* Past the end (a file cut short): nothing, no error. */
	off = 100;
	ck_assert_int_eq(logset_lines(path, &off, record, &s), LOGSET_EOF);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(off, 100);
}
END_TEST

START_TEST(lines_stops_when_told_and_leaves_the_offset_after_that_line)
{
	struct seen	 s;
	long long	 off = 0;

	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	tu_write_str(path, "aa\nbbb\ncccc\n");
	ck_assert_int_eq(logset_lines(path, &off, record, &s), LOGSET_STOPPED);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(off, 7);
	seen_free(&s);
	ck_assert_int_eq(logset_lines(path, &off, record, &s), LOGSET_EOF);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.line[0], "cccc");
	ck_assert_int_eq(off, 12);
	seen_free(&s);
}
END_TEST

START_TEST(lines_reads_a_line_longer_than_its_buffer_whole)
{
	size_t		 big = 3 * 1024 * 1024 + 17, i;
	struct seen	 s;
	long long	 off = 0;
	char		*text;

	memset(&s, 0, sizeof(s));
	text = malloc(big + 8);
	ck_assert_ptr_nonnull(text);
	memcpy(text, "x\n", 2);
	memset(text + 2, 'y', big);
	memcpy(text + 2 + big, "\nz\n", 3);
	tu_write(path, text, big + 5);
	ck_assert_int_eq(logset_lines(path, &off, record, &s), LOGSET_EOF);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(s.len[1], big);
	for (i = 0; i < big; i++)
		if (s.line[1][i] != 'y')
			break;
	ck_assert_uint_eq(i, big);
	ck_assert_str_eq(s.line[2], "z");
	ck_assert_int_eq(off, (long long)big + 5);
	seen_free(&s);
	free(text);
}
END_TEST

START_TEST(lines_skips_a_line_too_long_to_hold_and_reads_on)
{
	/* 200 MiB without a newline (a hole costs no disk), then lines. */
	static const long long	 hole = 200LL * 1024 * 1024;
	struct seen		 s;
	long long		 off = 0;
	int			 fd;

	memset(&s, 0, sizeof(s));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "first\n", 6), 6);
	ck_assert_int_eq(ftruncate(fd, 6 + hole), 0);
	ck_assert_int_eq(pwrite(fd, "\nnext\n", 6, 6 + hole), 6);
	close(fd);
	ck_assert_int_eq(logset_lines(path, &off, record, &s), LOGSET_EOF);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.line[0], "first");
	ck_assert_str_eq(s.line[1], "next");
	ck_assert_int_eq(off, 12 + hole);
	seen_free(&s);
}
END_TEST

START_TEST(lines_of_a_missing_file_is_an_error)
{
	struct seen	 s;
	long long	 off = 0;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(logset_lines(path, &off, record, &s), LOGSET_ERROR);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

START_TEST(str_gives_the_escaped_text_of_the_first_member)
{
	static const char line[] =
	    "{\"request_id\":\"r-1\",\"remote_addr\":null,"
	    "\"error\":\"say \\\"hi\\\" \\\\\",\"empty\":\"\","
	    "\"body\":\"{\\\"request_id\\\":\\\"evil\\\"}\"}";
	const char	*v;
	size_t		 n;

	v = logline_str(line, sizeof(line) - 1, "request_id", &n);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq((int)n, 3);
	ck_assert_int_eq(memcmp(v, "r-1", 3), 0);
	v = logline_str(line, sizeof(line) - 1, "error", &n);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq((int)n, 13);
	ck_assert_int_eq(memcmp(v, "say \\\"hi\\\" \\\\", n), 0);
	v = logline_str(line, sizeof(line) - 1, "empty", &n);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(n, 0);
	/* null, absent, and a member only inside a string. */
	ck_assert_ptr_null(logline_str(line, sizeof(line) - 1, "remote_addr",
	    &n));
	ck_assert_ptr_null(logline_str(line, sizeof(line) - 1, "status", &n));
	ck_assert_ptr_null(logline_str(line, sizeof(line) - 1, "evil", &n));
	/* A key that ends another is not it. */
	ck_assert_ptr_null(logline_str(line, sizeof(line) - 1, "id", &n));
}
END_TEST

START_TEST(str_of_a_string_cut_short_is_null)
{
	static const char line[] = "{\"a\":\"open \\\" still";

	ck_assert_ptr_null(logline_str(line, sizeof(line) - 1, "a",
	    &(size_t){ 0 }));
	ck_assert_ptr_null(logline_str("{\"a\":\"x\\", 8, "a",
	    &(size_t){ 0 }));
	ck_assert_ptr_null(logline_str("{\"a\":", 5, "a", &(size_t){ 0 }));
}
END_TEST

START_TEST(int_reads_negative_and_zero_and_refuses_the_rest)
{
	static const char line[] =
	    "{\"status\":422,\"neg\":-17,\"zero\":0,\"exit\":null,"
	    "\"s\":\"5\",\"minus\":-,\"big\":99999999999999999999,"
	    "\"max\":922337203685477579}";
	long long	 v;
	size_t		 n = sizeof(line) - 1;

	ck_assert_int_eq(logline_int(line, n, "status", &v), 0);
	ck_assert_int_eq(v, 422);
	ck_assert_int_eq(logline_int(line, n, "neg", &v), 0);
	ck_assert_int_eq(v, -17);
	ck_assert_int_eq(logline_int(line, n, "zero", &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(logline_int(line, n, "max", &v), 0);
	ck_assert_int_eq(v, 922337203685477579LL);
	ck_assert_int_eq(logline_int(line, n, "exit", &v), -1);
	ck_assert_int_eq(logline_int(line, n, "s", &v), -1);
	ck_assert_int_eq(logline_int(line, n, "minus", &v), -1);
	ck_assert_int_eq(logline_int(line, n, "big", &v), -1);
	ck_assert_int_eq(logline_int(line, n, "absent", &v), -1);
	ck_assert_int_eq(logline_int("{\"a\":", 5, "a", &v), -1);
}
END_TEST

START_TEST(bool_is_true_false_or_absent)
{
	static const char line[] =
	    "{\"duplicate\":false,\"timed_out\":true,\"n\":null,\"s\":\"true\","
	    "\"cut\":tru}";
	size_t	 n = sizeof(line) - 1;
	bool	 b;

	ck_assert_int_eq(logline_bool(line, n, "timed_out", &b), 0);
	ck_assert(b);
	ck_assert(logline_true(line, n, "timed_out"));
	ck_assert_int_eq(logline_bool(line, n, "duplicate", &b), 0);
	ck_assert(!b);
	ck_assert(!logline_true(line, n, "duplicate"));
	ck_assert(!logline_true(line, n, "absent"));
	ck_assert_int_eq(logline_bool(line, n, "n", &b), -1);
	ck_assert_int_eq(logline_bool(line, n, "s", &b), -1);
	ck_assert_int_eq(logline_bool(line, n, "cut", &b), -1);
	ck_assert_int_eq(logline_bool(line, n, "absent", &b), -1);
}
END_TEST

START_TEST(time_reads_ekahooks_own_format_to_the_millisecond)
{
	static const struct {
		const char	*s;
		long long	 ms;
	} good[] = {
		{ "1970-01-01T00:00:00.000Z", 0 },
		{ "2026-11-23T20:20:42.123Z", 1795465242123LL },
		{ "1969-12-31T23:59:59.999Z", -1 },
		/* Leap days: every fourth year, not 2100, but 2000. */
		{ "2028-02-29T00:00:00.000Z", 1835395200000LL },
		{ "2000-02-29T12:00:00.001Z", 951825600001LL },
		{ "2026-12-31T23:59:59.999Z", 1798761599999LL },
	};
	long long	 ms;
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(logline_time(good[i].s, strlen(good[i].s), &ms) ==
		    0, "%s refused", good[i].s);
		ck_assert_int_eq(ms, good[i].ms);
	}
}
END_TEST

START_TEST(time_refuses_what_ekahook_never_writes)
{
	static const char *const bad[] = {
		"2027-02-29T00:00:00.000Z",	/* not a leap year */
		"2100-02-29T00:00:00.000Z",	/* nor is 2100 */
		"2026-02-30T00:00:00.000Z",
		"2026-04-31T00:00:00.000Z",
		"2026-13-01T00:00:00.000Z",
		"2026-00-10T00:00:00.000Z",
		"2026-11-00T00:00:00.000Z",
		"2026-11-23T24:00:00.000Z",
		"2026-11-23T20:60:00.000Z",
		"2026-11-23T20:20:61.000Z",
		"2026-11-23 20:20:42.123Z",
		"2026-11-23T20:20:42.123+",
		"2026-11-23T20:20:42,123Z",
		"2026-11-23T20:20:4x.123Z",
		"2026-11-23T20:20:42.12Z",	/* 23 bytes */
		"2026-11-23T20:20:42.1234Z",	/* 25 bytes */
		"2026-11-23T20:20:42Z",
		"",
	};
	long long	 ms;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(logline_time(bad[i], strlen(bad[i]), &ms) == -1,
		    "%s taken", bad[i]);
	/* The length given counts, not a terminating NUL. */
	ck_assert_int_eq(logline_time("2026-11-23T20:20:42.123Z", 23, &ms),
	    -1);
}
END_TEST

Suite *
logset_suite(void)
{
	Suite	*s = suite_create("logset");
	TCase	*tc;

	tc = tcase_create("list");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, list_is_oldest_first_ending_with_the_current_file);
	tcase_add_test(tc, list_skips_gaps_within_keep);
	tcase_add_test(tc, list_has_no_current_file_when_it_is_missing);
	tcase_add_test(tc, list_takes_files_past_keep_up_to_the_first_gap);
	tcase_add_test(tc, list_leaves_out_what_is_not_a_regular_file);
	tcase_add_test(tc, list_of_a_log_never_written_is_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("holder");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, holder_is_the_only_file_written_since_the_event);
	tcase_add_test(tc, holder_after_rotations_is_the_file_with_the_id);
	tcase_add_test(tc, holder_sees_an_id_across_the_border_of_two_reads);
	tcase_add_test(tc, holder_is_null_when_no_file_left_holds_the_id);
	suite_add_tcase(s, tc);

	tc = tcase_create("lines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, lines_leaves_a_partial_last_line_for_the_next_call);
	tcase_add_test(tc, lines_starts_at_the_offset_given);
	tcase_add_test(tc,
	    lines_stops_when_told_and_leaves_the_offset_after_that_line);
	tcase_add_test(tc, lines_reads_a_line_longer_than_its_buffer_whole);
	tcase_add_test(tc, lines_skips_a_line_too_long_to_hold_and_reads_on);
	tcase_add_test(tc, lines_of_a_missing_file_is_an_error);
	suite_add_tcase(s, tc);

	tc = tcase_create("fields");
	tcase_add_test(tc, str_gives_the_escaped_text_of_the_first_member);
	tcase_add_test(tc, str_of_a_string_cut_short_is_null);
	tcase_add_test(tc, int_reads_negative_and_zero_and_refuses_the_rest);
	tcase_add_test(tc, bool_is_true_false_or_absent);
	tcase_add_test(tc, time_reads_ekahooks_own_format_to_the_millisecond);
	tcase_add_test(tc, time_refuses_what_ekahook_never_writes);
	suite_add_tcase(s, tc);
	return s;
}

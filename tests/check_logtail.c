/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_hook.h"
#include "logfile.h"
#include "logheld.h"
#include "logtail.h"

static char		*dir;
static char		*path;		/* dir/events.ndjson */
static struct logfile	 lf;

static void	 setup(void);
static void	 teardown(void);
static void	 append(const char *);
static void	 append_n(unsigned);
static void	 raw_append(const char *, const char *);
static int	 next(struct logtail *, char *, size_t, struct logpos *);
static unsigned	 drain(struct logtail *, unsigned, struct logpos *);

static void
setup(void)
{
	dir = tu_tmpdir();
	path = tu_join(dir, "events.ndjson");
	/* Line "line 0007 …" is 40 bytes: 5 lines a file before rotation. */
	logfile_init(&lf, path, 200, 5);
}

static void
teardown(void)
{
	logfile_close(&lf);
	free(lf.path);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

static void
append(const char *line)
{
	ck_assert_int_eq(logfile_append(&lf, line, strlen(line), false), 0);
}

/* The line numbered i, as logfile writes it (with rotation). */
static void
append_n(unsigned i)
{
	char	 line[64];

	snprintf(line, sizeof(line),
	    "line %04u .............................\n", i);
	ck_assert_uint_eq(strlen(line), 40);
	append(line);
}

/* Bytes added to a file by hand, not through logfile. */
static void
raw_append(const char *file, const char *s)
{
	int	 fd = open(file, O_WRONLY | O_APPEND | O_CREAT, 0640);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

/* The next line as a C string in out; logtail_next's result. */
static int
next(struct logtail *lt, char *out, size_t cap, struct logpos *after)
{
	const char	*line;
	size_t		 len;
	int		 rc;

	rc = logtail_next(lt, &line, &len, after);
	ck_assert_int_ne(rc, -1);
	if (rc == 1) {
		ck_assert_uint_lt(len, cap);
		memcpy(out, line, len);
		out[len] = '\0';
	}
	return rc;
}

/*
 * Reads numbered lines until none is left, checking they go on from
 * want without a gap or a repeat.  Returns the next number expected.
 */
static unsigned
drain(struct logtail *lt, unsigned want, struct logpos *after)
{
	char		 line[128];
	unsigned	 got;

	while (next(lt, line, sizeof(line), after) == 1) {
		ck_assert_int_eq(sscanf(line, "line %u", &got), 1);
		ck_assert_uint_eq(got, want);
		want++;
	}
	return want;
}

START_TEST(whole_lines_only_the_rest_waits)
{
	struct logtail	 lt;
	struct logpos	 after, none;
	char		 line[64];

	setup();
	memset(&none, 0, sizeof(none));
	raw_append(path, "a\nb");
	logtail_init(&lt, path, 5, &none);
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 1);
	ck_assert_str_eq(line, "a\n");
	ck_assert_int_eq(after.off, 2);
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 0);
	ck_assert(!logtail_pending(&lt));
	raw_append(path, "c\n");
	ck_assert(logtail_pending(&lt));
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 1);
	ck_assert_str_eq(line, "bc\n");
	ck_assert_int_eq(after.off, 5);
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 0);
	logtail_free(&lt);
	teardown();
}
END_TEST

START_TEST(rotation_by_logfile_loses_and_repeats_nothing)
{
	struct logtail	 lt;
	struct logpos	 after, none;
	unsigned	 i, want = 0;

	setup();
	memset(&none, 0, sizeof(none));
	logtail_init(&lt, path, 5, &none);
	/* 100 lines, 20 rotations; read after every 7th line written. */
	for (i = 0; i < 100; i++) {
		append_n(i);
		if (i % 7 == 6)
			want = drain(&lt, want, &after);
	}
	want = drain(&lt, want, &after);
	ck_assert_uint_eq(want, 100);
	ck_assert(!logtail_pending(&lt));
	logtail_free(&lt);
	teardown();
}
END_TEST

START_TEST(a_line_written_just_before_the_rename_is_read)
{
	struct logtail	 lt;
	struct logpos	 after, none;
	char		*old = tu_join(dir = tu_tmpdir(), "events.ndjson.1");
	char		 line[64];

	path = tu_join(dir, "events.ndjson");
	logfile_init(&lf, path, 0, 5);
	memset(&none, 0, sizeof(none));
	raw_append(path, "first\n");
	logtail_init(&lt, path, 5, &none);
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 1);
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 0);
	/* Written at the end, then renamed before the reader looked. */
	raw_append(path, "second\n");
	ck_assert_int_eq(rename(path, old), 0);
	raw_append(path, "third\n");
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 1);
	ck_assert_str_eq(line, "second\n");
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 1);
	ck_assert_str_eq(line, "third\n");
	ck_assert_int_eq(after.off, 6);
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 0);
	logtail_free(&lt);
	free(old);
	teardown();
}
END_TEST

START_TEST(a_torn_last_line_of_a_rotated_file_comes_out_alone)
{
	struct logtail	 lt;
	struct logpos	 after, none;
	char		*old = tu_join(dir = tu_tmpdir(), "events.ndjson.1");
	char		 line[64];

	path = tu_join(dir, "events.ndjson");
	logfile_init(&lf, path, 0, 5);
	memset(&none, 0, sizeof(none));
	raw_append(path, "whole\ntorn");
	ck_assert_int_eq(rename(path, old), 0);
	raw_append(path, "next\n");
	logtail_init(&lt, path, 5, &none);
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 1);
	ck_assert_str_eq(line, "whole\n");
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 1);
	ck_assert_str_eq(line, "torn");
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 1);
	ck_assert_str_eq(line, "next\n");
	logtail_free(&lt);
	free(old);
	teardown();
}
END_TEST

START_TEST(a_saved_position_in_a_rotated_file_carries_on_there)
{
	struct logtail	 lt;
	struct logpos	 after, none, saved;
	char		*pos_file, line[128];
	unsigned	 i;

	setup();
	pos_file = tu_join(dir, "position");
	memset(&none, 0, sizeof(none));
	for (i = 0; i < 12; i++)
		append_n(i);
	/* Stop after line 3 (in what is now events.ndjson.2). */
	logtail_init(&lt, path, 5, &none);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(next(&lt, line, sizeof(line), &saved), 1);
	ck_assert_str_eq(line, "line 0003 .............................\n");
	logtail_free(&lt);
	ck_assert_int_eq(logpos_save(pos_file, &saved, true), 0);
	memset(&after, 0, sizeof(after));
	ck_assert_int_eq(logpos_load(pos_file, &after), 0);
	ck_assert(after.known && after.dev == saved.dev &&
	    after.ino == saved.ino && after.off == saved.off &&
	    after.tag == saved.tag && after.taglen == LOGPOS_TAG_LEN);
	ck_assert_int_eq(logtail_rank(path, 5, &saved, NULL, 0),
	    2);
	/* More lines rotate it further away meanwhile. */
	for (i = 12; i < 17; i++)
		append_n(i);
	ck_assert_int_eq(logtail_rank(path, 5, &saved, NULL, 0),
	    3);
	ck_assert(logpos_behind(path, 5, &after));
	logtail_init(&lt, path, 5, &after);
	ck_assert_uint_eq(drain(&lt, 4, &saved), 17);
	ck_assert(!logpos_behind(path, 5, &saved));
	logtail_free(&lt);
	free(pos_file);
	teardown();
}
END_TEST

START_TEST(a_position_in_a_deleted_file_starts_at_the_oldest_there_is)
{
	struct logtail	 lt;
	struct logpos	 after, first;
	unsigned	 i;
	char		 line[128];

	setup();
	append_n(0);
	logpos_end(path, &first);
	first.off = 0;
	/* 40 more lines: the first file is rotated out of the 5 kept. */
	for (i = 1; i <= 40; i++)
		append_n(i);
	ck_assert_int_eq(logtail_rank(path, 5, &first, NULL, 0),
	    -1);
	logtail_init(&lt, path, 5, &first);
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 1);
	/* Files .5 … .1 and the current one hold the last 26 lines. */
	ck_assert_str_eq(line, "line 0015 .............................\n");
	ck_assert_uint_eq(drain(&lt, 16, &after), 41);
	logtail_free(&lt);
	teardown();
}
END_TEST

static bool
hold_all(const char *name, unsigned rank, void *arg)
{
	unsigned	*asked = arg;

	(void)name;
	ck_assert_uint_eq(rank, 5);
	(*asked)++;
	return true;
}

/*
 * Files a rotation holds for the runner (logheld.h) are the ranks past
 * log_keep: read oldest first before .5 … .1, and deleted by the reader
 * that drops held files once it is past them.
 */
START_TEST(held_files_are_read_first_and_dropped_once_read)
{
	struct logtail	 lt;
	struct logpos	 after, none;
	char		 name[4096], line[128];
	unsigned	 i, asked = 0;

	setup();
	memset(&none, 0, sizeof(none));
	logfile_set_hold(&lf, hold_all, &asked);
	for (i = 0; i <= 40; i++)
		append_n(i);
	/* 8 rotations; the 3 files past .5 were held, lines 0-14. */
	ck_assert_uint_eq(asked, 3);
	ck_assert_uint_eq(logheld_count(path), 3);
	ck_assert_int_eq(logtail_oldest_rank(path, 5), 8);
	ck_assert_int_eq(logtail_rank_name(path, 5, 8, name, sizeof(name)), 0);
	ck_assert_ptr_nonnull(strstr(name, "/.events.ndjson.held/"));
	ck_assert_int_eq(logtail_rank_name(path, 5, 9, name, sizeof(name)), -1);
	/* A reader that does not drop them leaves them. */
	logtail_init(&lt, path, 5, &none);
	ck_assert_uint_eq(drain(&lt, 0, &after), 41);
	logtail_free(&lt);
	ck_assert_uint_eq(logheld_count(path), 3);
	/* The runner's: the same lines, and the held files go. */
	logtail_init(&lt, path, 5, &none);
	lt.drop_held = true;
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 1);
	/* In the second held file: the first is gone, it stays. */
	ck_assert_uint_eq(logheld_count(path), 2);
	ck_assert_uint_eq(drain(&lt, 7, &after), 41);
	ck_assert_uint_eq(logheld_count(path), 0);
	logtail_free(&lt);
	teardown();
}
END_TEST

START_TEST(going_back_to_a_position_reads_the_lines_again)
{
	struct logtail	 lt;
	struct logpos	 after, none, mark;
	char		 line[128];

	setup();
	memset(&none, 0, sizeof(none));
	append_n(0);
	append_n(1);
	append_n(2);
	logtail_init(&lt, path, 5, &none);
	ck_assert_int_eq(next(&lt, line, sizeof(line), &mark), 1);
	ck_assert_int_eq(next(&lt, line, sizeof(line), &after), 1);
	logtail_seek(&lt, &mark);
	ck_assert_uint_eq(drain(&lt, 1, &after), 3);
	logtail_free(&lt);
	teardown();
}
END_TEST

START_TEST(creating_a_position_keeps_the_first_one)
{
	struct logpos	 a, b, got;
	char		*pos_file;

	setup();
	pos_file = tu_join(dir, "position");
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(logpos_load(pos_file, &got), 1);
	ck_assert_int_eq(logpos_create(pos_file, &a, false), 0);
	memset(&b, 0, sizeof(b));
	b.known = true;
	b.dev = 1;
	b.ino = 2;
	b.off = 3;
	ck_assert_int_eq(logpos_create(pos_file, &b, false), 1);
	ck_assert_int_eq(logpos_load(pos_file, &got), 0);
	ck_assert(!got.known);
	ck_assert_int_eq(logpos_save(pos_file, &b, false), 0);
	ck_assert_int_eq(logpos_load(pos_file, &got), 0);
	ck_assert(got.known && got.dev == 1 && got.ino == 2 && got.off == 3);
	/* No log yet: nothing behind; once it exists, all of it is. */
	memset(&a, 0, sizeof(a));
	ck_assert(!logpos_behind(path, 5, &a));
	append_n(0);
	ck_assert(logpos_behind(path, 5, &a));
	logpos_end(path, &a);
	ck_assert(!logpos_behind(path, 5, &a));
	free(pos_file);
	teardown();
}
END_TEST

START_TEST(positions_compare_across_rotated_files)
{
	struct logpos	 older, newer;
	unsigned	 i;

	setup();
	append_n(0);
	logpos_end(path, &older);
	for (i = 1; i < 8; i++)
		append_n(i);
	logpos_end(path, &newer);
	ck_assert(logpos_after(path, 5, &newer, &older));
	ck_assert(!logpos_after(path, 5, &older, &newer));
	older.dev = newer.dev;
	older.ino = newer.ino;
	older.off = newer.off - 1;
	ck_assert(logpos_after(path, 5, &newer, &older));
	memset(&older, 0, sizeof(older));
	ck_assert(logpos_after(path, 5, &newer, &older));
	teardown();
}
END_TEST

Suite *
logtail_suite(void)
{
	Suite	*s = suite_create("logtail");
	TCase	*tc = tcase_create("logtail");

	tcase_add_test(tc, whole_lines_only_the_rest_waits);
	tcase_add_test(tc, rotation_by_logfile_loses_and_repeats_nothing);
	tcase_add_test(tc, a_line_written_just_before_the_rename_is_read);
	tcase_add_test(tc, a_torn_last_line_of_a_rotated_file_comes_out_alone);
	tcase_add_test(tc, a_saved_position_in_a_rotated_file_carries_on_there);
	tcase_add_test(tc,
	    a_position_in_a_deleted_file_starts_at_the_oldest_there_is);
	tcase_add_test(tc, going_back_to_a_position_reads_the_lines_again);
	tcase_add_test(tc, held_files_are_read_first_and_dropped_once_read);
	tcase_add_test(tc, creating_a_position_keeps_the_first_one);
	tcase_add_test(tc, positions_compare_across_rotated_files);
	suite_add_tcase(s, tc);
	return s;
}

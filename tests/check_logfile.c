/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logfile.h"
#include "suites.h"

static char	*dir;
static char	*path;		/* dir/events.ndjson */

static void	setup(void);
static void	teardown(void);
static void	line_n(char *, size_t, unsigned, size_t);
static char	*rotated(unsigned);

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

/* Line number i, exactly len bytes with its newline: "0007xxxx…\n". */
static void
line_n(char *out, size_t len, unsigned i, size_t cap)
{
	ck_assert_uint_lt(len, cap);
	ck_assert_uint_ge(len, 6);
	snprintf(out, cap, "%04u", i);
	memset(out + 4, 'x', len - 5);
	out[len - 1] = '\n';
	out[len] = '\0';
}

/* path.N, malloc'd. */
static char *
rotated(unsigned n)
{
	char	 suffix[32];
	size_t	 len = strlen(path) + sizeof(suffix);
	char	*p = malloc(len);

	ck_assert_ptr_nonnull(p);
	snprintf(suffix, sizeof(suffix), ".%u", n);
	snprintf(p, len, "%s%s", path, suffix);
	return p;
}

START_TEST(append_creates_the_file_0640_one_line_per_call)
{
	struct logfile	 lf;
	struct stat	 st;
	char		*text;
	size_t		 n;
	mode_t		 old;

	old = umask(022);
	logfile_init(&lf, path, 0, 0);
	ck_assert_int_eq(logfile_append(&lf, "{\"a\":1}\n", 8, true), 0);
	ck_assert_int_eq(logfile_append(&lf, "{\"b\":2}\n", 8, false), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	text = tu_read(path, &n);
	ck_assert_str_eq(text, "{\"a\":1}\n{\"b\":2}\n");
	free(text);
	logfile_close(&lf);
	free(lf.path);
	umask(old);
}
END_TEST

START_TEST(a_stricter_umask_narrows_the_mode)
{
	struct logfile	 lf;
	struct stat	 st;
	mode_t		 old;

	old = umask(077);
	logfile_init(&lf, path, 0, 0);
	ck_assert_int_eq(logfile_append(&lf, "{}\n", 3, false), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	logfile_close(&lf);
	free(lf.path);
	umask(old);
}
END_TEST

START_TEST(rotation_keeps_n_files_none_over_the_limit)
{
	struct logfile	 lf;
	struct stat	 st;
	char		 line[64], want[64], *p, *text;
	unsigned	 i, f, next;
	size_t		 n, off;

	/* 30-byte lines, 100-byte files: three lines a file. */
	logfile_init(&lf, path, 100, 3);
	for (i = 1; i <= 20; i++) {
		line_n(line, 30, i, sizeof(line));
		ck_assert_int_eq(logfile_append(&lf, line, 30, false), 0);
	}
	p = rotated(4);
	ck_assert(!tu_exists(p));
	free(p);
	/* Oldest first: .3 .2 .1 then the live file, lines in order. */
	next = 0;
	for (f = 4; f-- > 0;) {
		p = f == 0 ? strdup(path) : rotated(f);
		ck_assert_int_eq(stat(p, &st), 0);
		ck_assert_int_le(st.st_size, 100);
		text = tu_read(p, &n);
		ck_assert_uint_eq(n % 30, 0);
		for (off = 0; off < n; off += 30) {
			unsigned got = (unsigned)strtoul(text + off, NULL, 10);

			if (next == 0)
				next = got;
			ck_assert_uint_eq(got, next);
			line_n(want, 30, next, sizeof(want));
			ck_assert_mem_eq(text + off, want, 30);
			next++;
		}
		free(text);
		free(p);
	}
	/* 20 lines: 18 rotated in 6 files, of which 3 kept, and 2 live. */
	ck_assert_uint_eq(next, 21);
	text = tu_read(path, &n);
	ck_assert_uint_eq(n, 60);
	free(text);
	logfile_close(&lf);
	free(lf.path);
}
END_TEST

START_TEST(a_line_exactly_filling_the_file_does_not_rotate)
{
	struct logfile	 lf;
	char		 line[64], *p;

	logfile_init(&lf, path, 60, 2);
	line_n(line, 30, 1, sizeof(line));
	ck_assert_int_eq(logfile_append(&lf, line, 30, false), 0);
	ck_assert_int_eq(logfile_append(&lf, line, 30, false), 0);
	p = rotated(1);
	ck_assert(!tu_exists(p));
	ck_assert_int_eq(logfile_append(&lf, line, 30, false), 0);
	ck_assert(tu_exists(p));
	free(p);
	logfile_close(&lf);
	free(lf.path);
}
END_TEST

START_TEST(keep_zero_drops_the_full_file)
{
	struct logfile	 lf;
	char		 line[64], *p, *text;
	unsigned	 i;
	size_t		 n;

	logfile_init(&lf, path, 100, 0);
	for (i = 1; i <= 10; i++) {
		line_n(line, 30, i, sizeof(line));
		ck_assert_int_eq(logfile_append(&lf, line, 30, false), 0);
	}
	p = rotated(1);
	ck_assert(!tu_exists(p));
	free(p);
	/* Lines 1-3, 4-6, 7-9 were dropped; 10 is alone. */
	text = tu_read(path, &n);
	line_n(line, 30, 10, sizeof(line));
	ck_assert_str_eq(text, line);
	free(text);
	logfile_close(&lf);
	free(lf.path);
}
END_TEST

/* log_keep lowered from 5 to 2: .3 to .5 go at the next rotation. */
START_TEST(lowering_keep_drops_the_older_files_at_the_next_rotation)
{
	struct logfile	 lf;
	char		 line[64], *p;
	unsigned	 i;

	logfile_init(&lf, path, 60, 5);
	for (i = 1; i <= 12; i++) {
		line_n(line, 30, i, sizeof(line));
		ck_assert_int_eq(logfile_append(&lf, line, 30, false), 0);
	}
	p = rotated(5);
	ck_assert(tu_exists(p));
	free(p);
	logfile_close(&lf);
	free(lf.path);
	logfile_init(&lf, path, 60, 2);
	line_n(line, 30, 13, sizeof(line));
	ck_assert_int_eq(logfile_append(&lf, line, 30, false), 0);
	for (i = 1; i <= 6; i++) {
		p = rotated(i);
		ck_assert_msg(tu_exists(p) == (i <= 2), "%s", p);
		free(p);
	}
	logfile_close(&lf);
	free(lf.path);
}
END_TEST

/*
 * Rotations are kept apart by a lock on the log's directory (another
 * tool may have put a new file at the path, whose lock a second
 * rotator holds): one that finds it held waits for it.
 */
START_TEST(a_rotation_waits_for_the_directory_lock)
{
	struct logfile	 lf;
	char		 line[64], *p;
	unsigned	 i;
	pid_t		 pid;
	int		 dfd, st;

	logfile_init(&lf, path, 100, 3);
	for (i = 1; i <= 3; i++) {
		line_n(line, 30, i, sizeof(line));
		ck_assert_int_eq(logfile_append(&lf, line, 30, false), 0);
	}
	ck_assert_int_ne(dfd = open(dir, O_RDONLY | O_DIRECTORY), -1);
	ck_assert_int_eq(flock(dfd, LOCK_EX), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		close(dfd);	/* ours would keep the parent's lock */
		line_n(line, 30, 4, sizeof(line));
		_exit(logfile_append(&lf, line, 30, false) == 0 ? 0 : 1);
	}
	/* A line that must rotate: not while the directory is held. */
	p = rotated(1);
	for (i = 0; i < 30; i++) {
		ck_assert(!tu_exists(p));
		ck_assert_int_eq(waitpid(pid, &st, WNOHANG), 0);
		usleep(10000);
	}
	close(dfd);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert(tu_exists(p));
	free(p);
	logfile_close(&lf);
	free(lf.path);
}
END_TEST

START_TEST(a_line_larger_than_the_limit_is_written_alone)
{
	struct logfile	 lf;
	char		 line[64], *text, *p;
	size_t		 n;

	logfile_init(&lf, path, 20, 1);
	line_n(line, 30, 1, sizeof(line));
	ck_assert_int_eq(logfile_append(&lf, line, 30, false), 0);
	line_n(line, 30, 2, sizeof(line));
	ck_assert_int_eq(logfile_append(&lf, line, 30, false), 0);
	text = tu_read(path, &n);
	ck_assert_str_eq(text, line);
	free(text);
	p = rotated(1);
	text = tu_read(p, &n);
	ck_assert_uint_eq(n, 30);
	ck_assert_mem_eq(text, "0001", 4);
	free(text);
	free(p);
	logfile_close(&lf);
	free(lf.path);
}
END_TEST

START_TEST(a_file_renamed_away_is_noticed_on_the_next_append)
{
	struct logfile	 lf;
	char		*old, *text;

	old = tu_join(dir, "logrotated");
	logfile_init(&lf, path, 0, 0);
	ck_assert_int_eq(logfile_append(&lf, "A\n", 2, false), 0);
	ck_assert_int_eq(rename(path, old), 0);
	ck_assert_int_eq(logfile_append(&lf, "B\n", 2, false), 0);
	text = tu_read(path, NULL);
	ck_assert_str_eq(text, "B\n");
	free(text);
	text = tu_read(old, NULL);
	ck_assert_str_eq(text, "A\n");
	free(text);
	/* Replaced by another file of the same name: that one is used. */
	ck_assert_int_eq(rename(path, old), 0);
	tu_write_str(path, "other\n");
	ck_assert_int_eq(logfile_append(&lf, "C\n", 2, false), 0);
	text = tu_read(path, NULL);
	ck_assert_str_eq(text, "other\nC\n");
	free(text);
	/* Deleted: created again. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(logfile_append(&lf, "D\n", 2, true), 0);
	text = tu_read(path, NULL);
	ck_assert_str_eq(text, "D\n");
	free(text);
	logfile_close(&lf);
	free(lf.path);
	free(old);
}
END_TEST

START_TEST(a_torn_last_line_gets_ours_on_a_new_line)
{
	struct logfile	 lf;
	char		*text;
	int		 quiet;

	tu_write_str(path, "{\"complete\":1}\n{\"torn");
	logfile_init(&lf, path, 0, 0);
	quiet = tu_stderr_off();
	ck_assert_int_eq(logfile_append(&lf, "{\"a\":1}\n", 8, false), 0);
	ck_assert_int_eq(logfile_append(&lf, "{\"b\":2}\n", 8, false), 0);
	tu_stderr_on(quiet);
	/*
	 * The fragment may be cut off (no partial line is kept) or left on
	 * a line of its own; either way complete lines stay and ours are
	 * whole lines.
	 */
	text = tu_read(path, NULL);
	ck_assert_msg(strcmp(text, "{\"complete\":1}\n{\"a\":1}\n"
	    "{\"b\":2}\n") == 0 || strcmp(text, "{\"complete\":1}\n{\"torn\n"
	    "{\"a\":1}\n{\"b\":2}\n") == 0, "\"%s\"", text);
	free(text);
	logfile_close(&lf);
	free(lf.path);
}
END_TEST

/*
 * In a child whose file size limit stops the write after room bytes
 * (a real short write, or EFBIG when room is 0): the append fails and
 * leaves the file as it was.
 */
static void
short_write(off_t room)
{
	struct logfile	 lf;
	struct rlimit	 rl;
	char		 line[200], *before, *after;
	size_t		 nb, na;
	pid_t		 pid;
	int		 status;

	tu_write_str(path, "{\"first\":1}\n");
	before = tu_read(path, &nb);
	line_n(line, 100, 2, sizeof(line));
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		int	 rc, e;

		signal(SIGXFSZ, SIG_IGN);
		rl.rlim_cur = rl.rlim_max = (rlim_t)nb + (rlim_t)room;
		if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
			_exit(10);
		logfile_init(&lf, path, 0, 0);
		rc = logfile_append(&lf, line, 100, true);
		e = errno;
		if (rc != -1)
			_exit(11);
		if (e != EFBIG && e != ENOSPC)
			_exit(12);
		/* The descriptor is still good for a line that fits. */
		if (room >= 5 && logfile_append(&lf, "{}\n", 3, false) != 0)
			_exit(13);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child status %d", status);
	after = tu_read(path, &na);
	if (room >= 5) {
		ck_assert_uint_eq(na, nb + 3);
		ck_assert_mem_eq(after, before, nb);
		ck_assert_str_eq(after + nb, "{}\n");
	} else {
		ck_assert_uint_eq(na, nb);
		ck_assert_str_eq(after, before);
	}
	free(before);
	free(after);
}

START_TEST(a_short_write_fails_and_leaves_no_partial_line)
{
	short_write(10);
}
END_TEST

START_TEST(a_write_refused_outright_fails_and_leaves_the_file)
{
	short_write(0);
}
END_TEST

START_TEST(a_missing_directory_fails_with_enoent)
{
	struct logfile	 lf;
	char		*p;

	p = tu_join(dir, "no/such/dir/events.ndjson");
	logfile_init(&lf, p, 0, 0);
	errno = 0;
	ck_assert_int_eq(logfile_append(&lf, "{}\n", 3, true), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(logfile_ready(&lf), -1);
	ck_assert_int_eq(lf.fd, -1);
	free(lf.path);
	free(p);
}
END_TEST

START_TEST(a_directory_at_the_path_is_refused)
{
	struct logfile	 lf;

	ck_assert_int_eq(mkdir(path, 0700), 0);
	logfile_init(&lf, path, 0, 0);
	ck_assert_int_eq(logfile_append(&lf, "{}\n", 3, false), -1);
	ck_assert_int_eq(lf.fd, -1);
	free(lf.path);
}
END_TEST

START_TEST(ready_opens_and_configure_retargets)
{
	struct logfile	 lf;
	char		*other, *text;
	int		 fd;

	logfile_init(&lf, path, 0, 0);
	ck_assert_int_eq(logfile_ready(&lf), 0);
	ck_assert(tu_exists(path));
	fd = lf.fd;
	ck_assert_int_ne(fd, -1);
	/* Same path: the descriptor stays. */
	logfile_configure(&lf, path, 100, 2);
	ck_assert_int_eq(lf.fd, fd);
	ck_assert_uint_eq(lf.max_bytes, 100);
	ck_assert_uint_eq(lf.keep, 2);
	/* Another path: the next line goes there. */
	other = tu_join(dir, "other.ndjson");
	logfile_configure(&lf, other, 0, 0);
	ck_assert_int_eq(lf.fd, -1);
	ck_assert_int_eq(logfile_append(&lf, "X\n", 2, false), 0);
	text = tu_read(other, NULL);
	ck_assert_str_eq(text, "X\n");
	free(text);
	text = tu_read(path, NULL);
	ck_assert_str_eq(text, "");
	free(text);
	logfile_close(&lf);
	free(lf.path);
	free(other);
}
END_TEST

Suite *
logfile_suite(void)
{
	Suite	*s = suite_create("logfile");
	TCase	*tc;

	tc = tcase_create("append");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, append_creates_the_file_0640_one_line_per_call);
	tcase_add_test(tc, a_stricter_umask_narrows_the_mode);
	tcase_add_test(tc, a_torn_last_line_gets_ours_on_a_new_line);
	tcase_add_test(tc, a_file_renamed_away_is_noticed_on_the_next_append);
	tcase_add_test(tc, ready_opens_and_configure_retargets);
	suite_add_tcase(s, tc);

	tc = tcase_create("rotate");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rotation_keeps_n_files_none_over_the_limit);
	tcase_add_test(tc, a_line_exactly_filling_the_file_does_not_rotate);
	tcase_add_test(tc, keep_zero_drops_the_full_file);
	tcase_add_test(tc, lowering_keep_drops_the_older_files_at_the_next_rotation);
	tcase_add_test(tc, a_line_larger_than_the_limit_is_written_alone);
	tcase_add_test(tc, a_rotation_waits_for_the_directory_lock);
	suite_add_tcase(s, tc);

	tc = tcase_create("failure");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_short_write_fails_and_leaves_no_partial_line);
	tcase_add_test(tc, a_write_refused_outright_fails_and_leaves_the_file);
	tcase_add_test(tc, a_missing_directory_fails_with_enoent);
	tcase_add_test(tc, a_directory_at_the_path_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"
#include "suites.h"

#define ID1	"0190f2c3d4e5-00abcd-12345678-000001"
#define ID2	"0190f2c3d4e6-00abcd-12345678-000002"

static char		*dir;
static struct spool	 sp;

static void
setup(void)
{
	dir = tu_tmpdir();
	spool_init(&sp);
}

static void
teardown(void)
{
	spool_close(&sp);
	tu_rmtree(dir);
	free(dir);
}

/* dir/hooks/<rel>, malloc'd. */
static char *
hp(const char *rel)
{
	char	*h = tu_join(dir, "hooks"), *p = tu_join(h, rel);

	free(h);
	return p;
}

static void
add(const char *id, const char *text, time_t sec)
{
	struct timespec	 ts = { sec, 123000000 };

	ck_assert_int_eq(spool_add(&sp, dir, id, &ts, text, strlen(text),
	    NULL, true), 0);
}

START_TEST(add_makes_the_file_the_hook_reads)
{
	struct stat	 st;
	char		*p = hp("new/" ID1), *got;
	size_t		 len;

	add(ID1, "{\"a\":1}", 1764000000);
	got = tu_read(p, &len);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, "{\"a\":1}\n");
	ck_assert_int_eq(stat(p, &st), 0);
	/* Its mtime is the event's received_at, to the millisecond. */
	ck_assert_int_eq(st.st_mtim.tv_sec, 1764000000);
	ck_assert_int_eq(st.st_mtim.tv_nsec / 1000000, 123);
	ck_assert_int_eq(st.st_mode & 0777, SPOOL_MODE & ~0022 & 0777);
	ck_assert(spool_has(&sp, SPOOL_NEW, ID1));
	ck_assert(!spool_has(&sp, SPOOL_FAILED, ID1));
	/* Nothing is left in tmp/. */
	free(p);
	p = hp("tmp");
	ck_assert_int_eq(rmdir(p), 0);
	free(got);
	free(p);
}
END_TEST

START_TEST(bad_ids_are_refused)
{
	struct timespec	 ts = { 0, 0 };
	static const char *bad[] = { "", "../x", "a/b", ".hidden", "a b",
	    "0123456789012345678901234567890123456789012345678901234567890123" };
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(spool_add(&sp, dir, bad[i], &ts, "{}", 2,
		    NULL, false), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

START_TEST(list_is_sorted_and_skips_strangers)
{
	char	**v, *p;
	size_t	 n;

	add(ID2, "{}", 1);
	add(ID1, "{}", 1);
	p = hp("new/.hidden");
	tu_write_str(p, "x");
	free(p);
	p = hp("new/has space");
	tu_write_str(p, "x");
	free(p);
	ck_assert_int_eq(spool_list(&sp, SPOOL_NEW, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0], ID1);
	ck_assert_str_eq(v[1], ID2);
	spool_list_free(v, n);
	ck_assert_int_eq(spool_list(&sp, SPOOL_FAILED, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	spool_list_free(v, n);
}
END_TEST

START_TEST(take_locks_once)
{
	int	 a, b;

	add(ID1, "{}", 1);
	ck_assert_int_ge(a = spool_take(&sp, ID1), 0);
	b = spool_take(&sp, ID1);
	ck_assert_int_eq(b, -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	close(a);
	ck_assert_int_ge(b = spool_take(&sp, ID1), 0);
	close(b);
	ck_assert_int_eq(spool_take(&sp, ID2), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(take_sees_a_job_settled_meanwhile)
{
	struct job	 j = job_new(0);
	char		*p = hp("new/" ID1);
	int		 fd, again;

	add(ID1, "{}", 1);
	fd = open(p, O_RDONLY);		/* as a racing taker */
	free(p);
	ck_assert_int_ge(again = spool_take(&sp, ID1), 0);
	ck_assert_int_eq(spool_settle(&sp, ID1, JOB_DONE, &j, false), 0);
	close(again);
	/* Its lock is free now, but the name is gone. */
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	ck_assert_int_eq(spool_take(&sp, ID1), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* The request path: the file put, the log's line, then the commit. */
struct logged {
	struct spool	*runner;
	int		 rc;		/* what the log says */
	int		 told;
};

/* spool_log_fn: the file is in new/, and no runner may take it yet. */
static int
log_line(void *arg)
{
	struct logged	*l = arg;

	l->told++;
	ck_assert(spool_has(l->runner, SPOOL_NEW, ID1));
	errno = 0;
	ck_assert_int_eq(spool_take(l->runner, ID1), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	return l->rc;
}

START_TEST(logged_add_is_kept_from_runners_until_committed)
{
	struct timespec	 ts = { 1764000000, 0 };
	struct spool	 runner;
	struct logged	 l = { &runner, 0, 0 };
	int		 fd;

	spool_init(&runner);
	ck_assert_int_eq(spool_open(&runner, dir), 0);
	ck_assert_int_eq(spool_add_logged(&sp, dir, ID1, &ts, "{}", 2, true,
	    log_line, &l), SPOOL_ADDED);
	ck_assert_int_eq(l.told, 1);
	ck_assert_int_ge(fd = spool_take(&runner, ID1), 0);
	close(fd);
	spool_close(&runner);
}
END_TEST

START_TEST(logged_add_leaves_no_file_when_the_log_fails)
{
	struct timespec	 ts = { 1764000000, 0 };
	struct spool	 runner;
	struct logged	 l = { &runner, -1, 0 };
	char		**v;
	size_t		 n;

	spool_init(&runner);
	ck_assert_int_eq(spool_open(&runner, dir), 0);
	ck_assert_int_eq(spool_add_logged(&sp, dir, ID1, &ts, "{}", 2, false,
	    log_line, &l), SPOOL_NOT_LOGGED);
	ck_assert_int_eq(l.told, 1);
	ck_assert(!spool_has(&sp, SPOOL_NEW, ID1));
	errno = 0;
	ck_assert_int_eq(spool_take(&runner, ID1), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(spool_list(&sp, SPOOL_NEW, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	spool_list_free(v, n);
	/* And the next one is queued. */
	l.rc = 0;
	ck_assert_int_eq(spool_add_logged(&sp, dir, ID1, &ts, "{}", 2, true,
	    log_line, &l), SPOOL_ADDED);
	ck_assert(spool_has(&sp, SPOOL_NEW, ID1));
	spool_close(&runner);
}
END_TEST

START_TEST(job_state_round_trip)
{
	struct job	 j, n;
	struct job_policy p = { 1, 1.0 };
	int		 fd;

	add(ID1, "{}", 1764000000);
	fd = spool_take(&sp, ID1);
	ck_assert_int_eq(spool_job(&sp, ID1, fd, &j), 0);
	ck_assert_uint_eq(j.attempts, 0);
	ck_assert_int_eq(j.due_ms, 1764000000123LL);
	j = job_begin(&j);
	ck_assert_int_eq(job_after(&j, false, 5, &p, &n), JOB_WAIT);
	ck_assert_int_eq(spool_settle(&sp, ID1, JOB_WAIT, &n, true), 0);
	ck_assert(spool_has(&sp, SPOOL_NEW, ID1));
	ck_assert_int_eq(spool_job(&sp, ID1, fd, &j), 0);
	ck_assert_uint_eq(j.attempts, 1);
	ck_assert_int_eq(j.due_ms, 5005);
	close(fd);
}
END_TEST

START_TEST(dead_letters_and_requeue)
{
	struct job	 j = { 2, 1, 0 }, r;
	char		*p, *got;
	int		 fd;

	add(ID1, "{\"x\":true}", 1);
	ck_assert_int_eq(spool_settle(&sp, ID1, JOB_DEAD, &j, true), 0);
	ck_assert(!spool_has(&sp, SPOOL_NEW, ID1));
	ck_assert(spool_has(&sp, SPOOL_FAILED, ID1));
	ck_assert_int_eq(spool_requeue(&sp, ID1, 9000, true), 0);
	ck_assert(spool_has(&sp, SPOOL_NEW, ID1));
	ck_assert(!spool_has(&sp, SPOOL_FAILED, ID1));
	fd = spool_take(&sp, ID1);
	ck_assert_int_eq(spool_job(&sp, ID1, fd, &r), 0);
	ck_assert_uint_eq(job_attempt(&r), 3);
	ck_assert_uint_eq(r.fails, 0);
	ck_assert_int_eq(r.due_ms, 9000);
	close(fd);
	p = hp("new/" ID1);
	got = tu_read(p, NULL);
	ck_assert_str_eq(got, "{\"x\":true}\n");
	free(got);
	free(p);
	ck_assert_int_eq(spool_requeue(&sp, ID2, 1, false), -1);
}
END_TEST

START_TEST(done_removes_file_and_state)
{
	struct job	 j = { 1, 1, 0 };
	char		*p;

	add(ID1, "{}", 1);
	ck_assert_int_eq(spool_settle(&sp, ID1, JOB_WAIT, &j, false), 0);
	p = hp("tries/" ID1);
	ck_assert(tu_exists(p));
	ck_assert_int_eq(spool_settle(&sp, ID1, JOB_DONE, &j, true), 0);
	ck_assert(!tu_exists(p));
	ck_assert(!spool_has(&sp, SPOOL_NEW, ID1));
	free(p);
}
END_TEST

START_TEST(tidy_drops_orphans_only)
{
	struct job	 j = { 1, 1, 0 };
	char		*orphan, *kept, *tmp;

	add(ID1, "{}", 1);
	ck_assert_int_eq(spool_settle(&sp, ID1, JOB_WAIT, &j, false), 0);
	orphan = hp("tries/" ID2);
	tu_write_str(orphan, "1 1 0\n");
	tmp = hp("tmp/" ID2 ".new.1");
	tu_write_str(tmp, "{}");
	spool_tidy(&sp, time(NULL));
	ck_assert(!tu_exists(orphan));
	kept = hp("tries/" ID1);
	ck_assert(tu_exists(kept));
	/* A young file in tmp/ may be a writer's: kept. */
	ck_assert(tu_exists(tmp));
	spool_tidy(&sp, time(NULL) + 7200);
	ck_assert(!tu_exists(tmp));
	free(orphan);
	free(kept);
	free(tmp);
}
END_TEST

Suite *
spool_suite(void)
{
	Suite	*s = suite_create("spool");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, add_makes_the_file_the_hook_reads);
	tcase_add_test(tc, bad_ids_are_refused);
	tcase_add_test(tc, list_is_sorted_and_skips_strangers);
	tcase_add_test(tc, take_locks_once);
	tcase_add_test(tc, take_sees_a_job_settled_meanwhile);
	tcase_add_test(tc, logged_add_is_kept_from_runners_until_committed);
	tcase_add_test(tc, logged_add_leaves_no_file_when_the_log_fails);
	tcase_add_test(tc, job_state_round_trip);
	tcase_add_test(tc, dead_letters_and_requeue);
	tcase_add_test(tc, done_removes_file_and_state);
	tcase_add_test(tc, tidy_drops_orphans_only);
	suite_add_tcase(s, tc);
	return s;
}

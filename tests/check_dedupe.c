/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dedupe.h"
#include "suites.h"

#define WINDOW	86400

static char	*dir;
static char	*state;		/* dir/state, not yet created */
static time_t	 now;		/* commits stamp the real time */

static void	setup(void);
static void	teardown(void);
static void	hash_of(unsigned char *, unsigned char, unsigned char);
static void	set_mtime(const char *, time_t);
static bool	waiting_on_lock(pid_t, dev_t, ino_t);
static void	give_up(pid_t, const char *);

static void
setup(void)
{
	dir = tu_tmpdir();
	state = tu_join(dir, "state");
	now = time(NULL);
}

static void
teardown(void)
{
	tu_rmtree(dir);
	free(state);
	free(dir);
}

/* A made-up body hash: bucket first byte, then a tag. */
static void
hash_of(unsigned char *h, unsigned char bucket, unsigned char tag)
{
	memset(h, tag, DEDUPE_HASH_LEN);
	h[0] = bucket;
}

static void
set_mtime(const char *path, time_t t)
{
	struct timespec	 ts[2] = { { t, 0 }, { t, 0 } };

	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

START_TEST(first_claim_is_new_and_a_second_after_commit_is_duplicate)
{
	struct dedupe_claim	 c;
	unsigned char		 h[DEDUPE_HASH_LEN];
	struct stat		 st;
	char			 want[4096];

	hash_of(h, 0xab, 0x11);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	ck_assert(!c.duplicate);
	ck_assert_int_ne(c.fd, -1);
	snprintf(want, sizeof(want), "%s/seen/ab/ab1111111111111111111111111111"
	    "1111111111111111111111111111111111", state);
	ck_assert_str_eq(c.path, want);
	ck_assert(tu_exists(c.path));
	dedupe_commit(&c);
	ck_assert_int_eq(c.fd, -1);
	ck_assert_int_eq(stat(want, &st), 0);
	ck_assert_int_eq(st.st_size, 1);
	/* The directories were made 0750 on first use. */
	ck_assert_int_eq(stat(state, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0750);

	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	ck_assert(c.duplicate);
	ck_assert_int_eq(c.fd, -1);
	/* Another body is new. */
	hash_of(h, 0xab, 0x22);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	ck_assert(!c.duplicate);
	dedupe_abort(&c);
}
END_TEST

START_TEST(abort_leaves_no_marker)
{
	struct dedupe_claim	 c;
	unsigned char		 h[DEDUPE_HASH_LEN];
	char			 path[4096];

	hash_of(h, 0x01, 0x33);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	snprintf(path, sizeof(path), "%s", c.path);
	dedupe_abort(&c);
	ck_assert_int_eq(c.fd, -1);
	ck_assert(!tu_exists(path));
	/* The sender's retry counts as new. */
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	ck_assert(!c.duplicate);
	dedupe_commit(&c);
	/* Abort and commit of nothing held do nothing. */
	dedupe_abort(&c);
	dedupe_commit(&c);
	ck_assert(tu_exists(path));
}
END_TEST

START_TEST(a_marker_without_its_byte_is_taken_over)
{
	struct dedupe_claim	 c;
	unsigned char		 h[DEDUPE_HASH_LEN];

	hash_of(h, 0x02, 0x44);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	/* The writer dies: its lock goes, the marker stays empty. */
	close(c.fd);
	ck_assert(tu_exists(c.path));
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	ck_assert(!c.duplicate);
	ck_assert_int_ne(c.fd, -1);
	dedupe_commit(&c);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	ck_assert(c.duplicate);
}
END_TEST

START_TEST(a_marker_older_than_the_window_is_new_again)
{
	struct dedupe_claim	 c;
	unsigned char		 h[DEDUPE_HASH_LEN];
	struct stat		 st;

	hash_of(h, 0x03, 0x55);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	dedupe_commit(&c);
	set_mtime(c.path, now - WINDOW - 1);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	ck_assert(!c.duplicate);
	ck_assert_int_ne(c.fd, -1);
	/* Taken over: empty until committed again. */
	ck_assert_int_eq(fstat(c.fd, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	dedupe_commit(&c);
	/* At the edge of the window it is still a duplicate. */
	set_mtime(c.path, now - WINDOW);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	ck_assert(c.duplicate);
}
END_TEST

/*
 * True when /proc/locks shows pid blocked ("->") on a lock of the file
 * with this device and inode.
 */
static bool
waiting_on_lock(pid_t pid, dev_t dev, ino_t ino)
{
	FILE		*fp;
	char		 line[256], *p;
	long		 lpid;
	unsigned	 maj, min;
	unsigned long	 lino;
	bool		 found = false;

	ck_assert_ptr_nonnull(fp = fopen("/proc/locks", "r"));
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		/* "1: -> FLOCK  ADVISORY  WRITE 4242 fe:00:123456 0 EOF" */
		if ((p = strstr(line, " -> ")) == NULL)
			continue;
		found = sscanf(p, " -> %*s %*s %*s %ld %x:%x:%lu", &lpid,
		    &maj, &min, &lino) == 4 && lpid == (long)pid &&
		    makedev(maj, min) == dev && lino == (unsigned long)ino;
	}
	fclose(fp);
	return found;
}

/* Kills and reaps the second delivery, then fails the test with why. */
static void
give_up(pid_t pid, const char *why)
{
	kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);
	ck_abort_msg("%s", why);
}

/*
 * The second delivery of a body whose first is still being logged must
 * wait for the first's lock, then see it committed.  It is seen blocked
 * on the lock (in /proc/locks) before the first commits, and has not
 * returned by then; only after the commit does it answer "duplicate".
 */
START_TEST(a_second_delivery_waits_for_the_first_and_is_duplicate)
{
	struct dedupe_claim	 c;
	struct pollfd		 pfd;
	struct timespec		 t, deadline, pause = { 0, 1000000 };
	struct stat		 st;
	unsigned char		 h[DEDUPE_HASH_LEN];
	pid_t			 pid;
	int			 ready[2], result[2], status;
	char			 b;

	hash_of(h, 0x04, 0x66);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	ck_assert(!c.duplicate);
	ck_assert_int_eq(fstat(c.fd, &st), 0);
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(result, O_CLOEXEC), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		struct dedupe_claim	 c2;

		alarm(30);	/* should the first never let go */
		/* The inherited descriptor shares the parent's lock. */
		close(c.fd);
		close(ready[0]);
		close(result[0]);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		b = dedupe_claim(state, h, WINDOW, now, &c2) == -1 ? 'e' :
		    c2.duplicate ? 'd' : 'n';
		_exit(write(result[1], &b, 1) == 1 ? 0 : 2);
	}
	close(ready[1]);
	close(result[1]);
	/* The child is about to claim. */
	if (read(ready[0], &b, 1) != 1)
		give_up(pid, "the second delivery died before its claim");
	close(ready[0]);

	/* Until it is seen waiting for the lock; 10 s against a hang. */
	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &deadline), 0);
	deadline.tv_sec += 10;
	pfd.fd = result[0];
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 0) != 0)
			give_up(pid, "the second delivery returned while the "
			    "first still held its claim: it did not wait");
		if (waiting_on_lock(pid, st.st_dev, st.st_ino))
			break;
		ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &t), 0);
		if (t.tv_sec > deadline.tv_sec || (t.tv_sec ==
		    deadline.tv_sec && t.tv_nsec >= deadline.tv_nsec))
			give_up(pid, "the second delivery was never seen "
			    "waiting for the lock in /proc/locks");
		nanosleep(&pause, NULL);
	}
	/* Blocked, not returned: the first commits only now. */
	if (poll(&pfd, 1, 0) != 0)
		give_up(pid, "the second delivery returned before the commit");
	dedupe_commit(&c);
	ck_assert_int_eq(read(result[0], &b, 1), 1);
	close(result[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child status %d", status);
	ck_assert_msg(b == 'd', "the second delivery said '%c', want 'd' "
	    "(duplicate)", b);
}
END_TEST

START_TEST(prune_removes_old_markers_only)
{
	struct dedupe_claim	 c;
	unsigned char		 h[DEDUPE_HASH_LEN];
	char			 young[4096], old[4096], held[4096],
				 other[4096];

	hash_of(h, 0x05, 0x01);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	dedupe_commit(&c);
	set_mtime(c.path, now - 10);
	snprintf(young, sizeof(young), "%s", c.path);

	hash_of(h, 0x05, 0x02);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	dedupe_commit(&c);
	set_mtime(c.path, now - WINDOW - 10);
	snprintf(old, sizeof(old), "%s", c.path);

	/* Another bucket: left for its own turn. */
	hash_of(h, 0x06, 0x02);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	dedupe_commit(&c);
	set_mtime(c.path, now - WINDOW - 10);
	snprintf(other, sizeof(other), "%s", c.path);

	/* Old but held by a writer at work: never removed. */
	hash_of(h, 0x05, 0x03);
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), 0);
	set_mtime(c.path, now - WINDOW - 10);
	snprintf(held, sizeof(held), "%s", c.path);

	dedupe_prune(state, 0x05, WINDOW, now);
	ck_assert(tu_exists(young));
	ck_assert(!tu_exists(old));
	ck_assert(tu_exists(held));
	ck_assert(tu_exists(other));
	dedupe_commit(&c);
	dedupe_prune(state, 0x06, WINDOW, now);
	ck_assert(!tu_exists(other));
	/* A bucket never used: nothing to do. */
	dedupe_prune(state, 0x07, WINDOW, now);
}
END_TEST

START_TEST(an_unusable_state_dir_fails)
{
	struct dedupe_claim	 c;
	unsigned char		 h[DEDUPE_HASH_LEN];
	char			*missing;

	hash_of(h, 0x07, 0x77);
	/* A file where the directory should be. */
	tu_write_str(state, "not a directory");
	ck_assert_int_eq(dedupe_claim(state, h, WINDOW, now, &c), -1);
	ck_assert_int_eq(c.fd, -1);
	ck_assert_int_eq(dedupe_mkdirs(state), -1);
	/* Below that file. */
	missing = tu_join(state, "below/a/file");
	ck_assert_int_eq(dedupe_claim(missing, h, WINDOW, now, &c), -1);
	ck_assert_int_eq(dedupe_mkdirs(missing), -1);
	free(missing);
}
END_TEST

/* ekahook.conf(5) state_dir: created if missing, with what is above it. */
START_TEST(a_state_dir_whose_parents_are_missing_is_made)
{
	struct dedupe_claim	 c;
	struct stat		 st;
	unsigned char		 h[DEDUPE_HASH_LEN];
	char			*deep, *top;

	hash_of(h, 0x07, 0x77);
	deep = tu_join(dir, "no/such/state");
	ck_assert_int_eq(dedupe_claim(deep, h, WINDOW, now, &c), 0);
	ck_assert(!c.duplicate);
	dedupe_commit(&c);
	ck_assert_int_eq(stat(deep, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777 & ~0750, 0);
	top = tu_join(dir, "no");
	ck_assert_int_eq(stat(top, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	free(top);
	free(deep);
}
END_TEST

START_TEST(mkdirs_makes_state_and_seen)
{
	struct stat	 st;
	char		*seen;

	ck_assert_int_eq(dedupe_mkdirs(state), 0);
	ck_assert_int_eq(dedupe_mkdirs(state), 0);
	seen = tu_join(state, "seen");
	ck_assert_int_eq(stat(seen, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	free(seen);
}
END_TEST

Suite *
dedupe_suite(void)
{
	Suite	*s = suite_create("dedupe");
	TCase	*tc;

	tc = tcase_create("claim");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc,
	    first_claim_is_new_and_a_second_after_commit_is_duplicate);
	tcase_add_test(tc, abort_leaves_no_marker);
	tcase_add_test(tc, a_marker_without_its_byte_is_taken_over);
	tcase_add_test(tc, a_marker_older_than_the_window_is_new_again);
	tcase_add_test(tc, a_second_delivery_waits_for_the_first_and_is_duplicate);
	tcase_add_test(tc, an_unusable_state_dir_fails);
	tcase_add_test(tc, a_state_dir_whose_parents_are_missing_is_made);
	tcase_add_test(tc, mkdirs_makes_state_and_seen);
	suite_add_tcase(s, tc);

	tc = tcase_create("prune");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, prune_removes_old_markers_only);
	suite_add_tcase(s, tc);
	return s;
}

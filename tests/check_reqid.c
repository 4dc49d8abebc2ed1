/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/wait.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "reqid.h"
#include "suites.h"

#define MANY	100000

static bool	well_formed(const char *);
static int	id_cmp(const void *, const void *);

/* 12 hex (ms) - 6 hex (pid) - 8 hex (random) - 6 hex (counter). */
static bool
well_formed(const char *id)
{
	static const char shape[] = "hhhhhhhhhhhh-hhhhhh-hhhhhhhh-hhhhhh";
	size_t	 i;

	if (strlen(id) != sizeof(shape) - 1)
		return false;
	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == '-') {
			if (id[i] != '-')
				return false;
		} else if (strchr("0123456789abcdef", id[i]) == NULL ||
		    id[i] == '\0')
			return false;
	}
	return true;
}

static int
id_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

START_TEST(ids_have_the_documented_shape)
{
	char		 id[REQID_LEN];
	struct timespec	 before, after;
	unsigned long long ms;

	/* Its time is the clock's between a look before and one after. */
	clock_gettime(CLOCK_REALTIME, &before);
	reqid_new(id);
	clock_gettime(CLOCK_REALTIME, &after);
	ck_assert_msg(well_formed(id), "\"%s\"", id);
	ms = strtoull(id, NULL, 16);
	ck_assert_uint_ge(ms, (unsigned long long)before.tv_sec * 1000 +
	    (unsigned long long)before.tv_nsec / 1000000);
	ck_assert_uint_le(ms, (unsigned long long)after.tv_sec * 1000 +
	    (unsigned long long)after.tv_nsec / 1000000);
	ck_assert_uint_eq(strtoul(id + 13, NULL, 16),
	    (unsigned long)getpid() & 0xffffff);
}
END_TEST

START_TEST(ids_are_unique_over_many_calls)
{
	char	(*ids)[REQID_LEN];
	size_t	 i;

	ids = calloc(MANY, sizeof(*ids));
	ck_assert_ptr_nonnull(ids);
	for (i = 0; i < MANY; i++)
		reqid_new(ids[i]);
	for (i = 0; i < MANY; i += 997)
		ck_assert(well_formed(ids[i]));
	qsort(ids, MANY, sizeof(*ids), id_cmp);
	for (i = 1; i < MANY; i++)
		ck_assert_msg(strcmp(ids[i - 1], ids[i]) != 0,
		    "repeated: %s", ids[i]);
	free(ids);
}
END_TEST

START_TEST(a_forked_child_draws_its_own_ids)
{
	char	 mine[REQID_LEN], theirs[REQID_LEN];
	int	 fds[2], status;
	pid_t	 pid;
	ssize_t	 n;

	reqid_new(mine);
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		char	 id[REQID_LEN];

		close(fds[0]);
		reqid_new(id);
		_exit(write(fds[1], id, sizeof(id)) == sizeof(id) ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], theirs, sizeof(theirs));
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(n, (ssize_t)sizeof(theirs));
	ck_assert(well_formed(theirs));
	/* Another pid, another random part, its counter starts over. */
	ck_assert_int_ne(memcmp(mine + 13, theirs + 13, 6), 0);
	ck_assert_int_ne(memcmp(mine + 20, theirs + 20, 8), 0);
	ck_assert_str_eq(theirs + 29, "000001");
}
END_TEST

/* The id a forked child makes first, read through a pipe. */
static void
child_id(char out[REQID_LEN])
{
	int	 fds[2], status;
	pid_t	 pid;
	ssize_t	 n;

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		char	 id[REQID_LEN];

		close(fds[0]);
		reqid_new(id);
		_exit(write(fds[1], id, REQID_LEN) == REQID_LEN ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], out, REQID_LEN);
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(n, REQID_LEN);
	ck_assert(well_formed(out));
}

/*
 * Children forked before their parent ever made an id (lighttpd's or
 * spawn-fcgi's FastCGI processes, started from one binary): each draws
 * its own random part, so no two share one unless by a chance of one in
 * 2^32 (what keeps ids of different hosts apart, ekahook(8) "Logs").
 */
START_TEST(children_forked_before_any_id_draw_their_own)
{
	char	 a[REQID_LEN], b[REQID_LEN], mine[REQID_LEN];

	child_id(a);
	child_id(b);
	reqid_new(mine);
	ck_assert_int_ne(memcmp(a + 20, b + 20, 8), 0);
	ck_assert_int_ne(memcmp(a + 20, mine + 20, 8), 0);
	ck_assert_int_ne(memcmp(b + 20, mine + 20, 8), 0);
	ck_assert_str_eq(a + 29, "000001");
	ck_assert_str_eq(b + 29, "000001");
}
END_TEST

Suite *
reqid_suite(void)
{
	Suite	*s = suite_create("reqid");
	TCase	*tc;

	tc = tcase_create("reqid");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, ids_have_the_documented_shape);
	tcase_add_test(tc, ids_are_unique_over_many_calls);
	tcase_add_test(tc, a_forked_child_draws_its_own_ids);
	tcase_add_test(tc, children_forked_before_any_id_draw_their_own);
	suite_add_tcase(s, tc);
	return s;
}

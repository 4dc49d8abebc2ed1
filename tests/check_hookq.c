/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_hook.h"
#include "hookq.h"

static char	*dir;

static void	 setup(void);
static void	 teardown(void);

static void
setup(void)
{
	dir = tu_tmpdir();
	ck_assert_int_eq(hookq_mkdirs(dir), 0);
}

static void
teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

static const char line[] = "{\"received_at\":\"t\",\"request_id\":\"r1\","
    "\"duplicate\":false,\"event\":{\"event\":\"x\"}}\n";

START_TEST(a_job_round_trips_and_is_made_only_once)
{
	struct hookjob	 j, k;
	struct logpos	 after = { true, 11, 22, 0xdeadbeef, 64, 333 };

	setup();
	ck_assert_int_eq(hookjob_create(dir, "r1", "/var/log/e.ndjson", &after,
	    line, strlen(line), true, &j), 0);
	ck_assert_uint_eq(j.next, 1);
	ck_assert(!j.running);
	/* Made again (a line read twice after a crash): already there. */
	ck_assert_int_eq(hookjob_create(dir, "r1", "/x", &after, line,
	    strlen(line), false, &k), 1);
	/* Held: another open does not get it. */
	ck_assert_int_eq(hookjob_open(dir, "r1", &k), 1);
	j.next = 4;
	j.fails = 2;
	j.due_ms = 1763929242123LL;
	j.running = true;
	ck_assert_int_eq(hookjob_save(&j, false), 0);
	hookjob_close(&j);
	ck_assert_int_eq(hookjob_open(dir, "r1", &k), 0);
	ck_assert_uint_eq(k.next, 4);
	ck_assert_uint_eq(k.fails, 2);
	ck_assert_int_eq(k.due_ms, 1763929242123LL);
	ck_assert(k.running);
	ck_assert(k.after.known && k.after.dev == 11 && k.after.ino == 22 &&
	    k.after.off == 333 && k.after.tag == 0xdeadbeef &&
	    k.after.taglen == 64);
	ck_assert_str_eq(k.log_path, "/var/log/e.ndjson");
	ck_assert_uint_eq(k.line_len, strlen(line));
	ck_assert_str_eq(k.line, line);
	ck_assert_int_eq(hookjob_remove(&k), 0);
	ck_assert_int_eq(hookjob_open(dir, "r1", &k), 2);
	teardown();
}
END_TEST

START_TEST(job_names_are_request_ids_only)
{
	struct hookjob	 j;
	struct logpos	 after = { false, 0, 0, 0, 0, 0 };

	setup();
	ck_assert_int_eq(hookjob_create(dir, "../evil", "/x", &after, line,
	    strlen(line), false, &j), -1);
	ck_assert_int_eq(hookjob_open(dir, "a/b", &j), -1);
	teardown();
}
END_TEST

START_TEST(the_job_list_skips_files_being_made)
{
	struct hookjob	 j;
	struct logpos	 after = { false, 0, 0, 0, 0, 0 };
	char		**ids, *p;
	size_t		 n;
	FILE		*fp;

	setup();
	ck_assert(!hookq_has_jobs(dir));
	p = tu_join(dir, "hooks/jobs/.new.r2");
	ck_assert_ptr_nonnull(fp = fopen(p, "w"));
	fclose(fp);
	ck_assert(!hookq_has_jobs(dir));
	ck_assert_int_eq(hookjob_create(dir, "r1", "/x", &after, line,
	    strlen(line), false, &j), 0);
	hookjob_close(&j);
	ck_assert(hookq_has_jobs(dir));
	ck_assert_int_eq(hookq_list_jobs(dir, &ids, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ids[0], "r1");
	hookq_free_list(ids, n);
	free(p);
	teardown();
}
END_TEST

START_TEST(slots_are_as_many_as_the_cap)
{
	int	 a, b, c;

	setup();
	ck_assert_int_ge(a = hookq_slot_take(dir, 2), 0);
	ck_assert_int_ge(b = hookq_slot_take(dir, 2), 0);
	errno = 0;
	ck_assert_int_eq(c = hookq_slot_take(dir, 2), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	/* A bigger cap has more slots. */
	ck_assert_int_ge(c = hookq_slot_take(dir, 3), 0);
	close(c);
	close(a);
	ck_assert_int_ge(a = hookq_slot_take(dir, 2), 0);
	close(a);
	close(b);
	teardown();
}
END_TEST

Suite *
hookq_suite(void)
{
	Suite	*s = suite_create("hookq");
	TCase	*tc = tcase_create("hookq");

	tcase_add_test(tc, a_job_round_trips_and_is_made_only_once);
	tcase_add_test(tc, job_names_are_request_ids_only);
	tcase_add_test(tc, the_job_list_skips_files_being_made);
	tcase_add_test(tc, slots_are_as_many_as_the_cap);
	suite_add_tcase(s, tc);
	return s;
}

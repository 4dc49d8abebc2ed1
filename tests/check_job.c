/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "job.h"
#include "suites.h"

static const struct job_policy	 two = { 2, 1.0 };
static const struct job_policy	 none = { 0, 1.0 };

START_TEST(new_job_is_due_now_as_attempt_1)
{
	struct job	 j = job_new(1000);

	ck_assert_uint_eq(job_attempt(&j), 1);
	ck_assert(job_due(&j, 1000));
	ck_assert(!job_due(&j, 999));
}
END_TEST

START_TEST(success_is_done)
{
	struct job	 j = job_new(0), n;

	j = job_begin(&j);
	ck_assert_int_eq(job_after(&j, true, 50, &two, &n), JOB_DONE);
	ck_assert_uint_eq(n.attempts, 1);
	ck_assert_uint_eq(n.fails, 0);
}
END_TEST

START_TEST(failures_wait_5_30_300_then_die)
{
	struct job	 j = job_new(0), n;
	struct job_policy p = { 5, 1.0 };
	const long long	 want[] = { 5000, 30000, 300000, 300000, 300000 };
	long long	 now = 1000000;
	int		 i;

	/* Each delay counts from the end of the failed attempt. */
	for (i = 0; i < 5; i++) {
		j = job_begin(&j);
		ck_assert_int_eq(job_after(&j, false, now, &p, &n), JOB_WAIT);
		ck_assert_int_eq(n.due_ms - now, want[i]);
		ck_assert_uint_eq(job_attempt(&n), (unsigned)i + 2);
		ck_assert(!job_due(&n, now + want[i] - 1));
		ck_assert(job_due(&n, now + want[i]));
		j = n;
		now = n.due_ms + 41;
	}
	j = job_begin(&j);
	ck_assert_int_eq(job_after(&j, false, now, &p, &n), JOB_DEAD);
	ck_assert_uint_eq(n.attempts, 6);
}
END_TEST

START_TEST(no_retries_dies_at_once)
{
	struct job	 j = job_new(0), n;

	j = job_begin(&j);
	ck_assert_int_eq(job_after(&j, false, 7, &none, &n), JOB_DEAD);
	ck_assert_uint_eq(n.attempts, 1);
	ck_assert_uint_eq(n.fails, 1);
}
END_TEST

START_TEST(replay_keeps_numbers_and_restarts_retries)
{
	struct job	 j = job_new(0), n, r;

	j = job_begin(&j);
	ck_assert_int_eq(job_after(&j, false, 10, &none, &n), JOB_DEAD);
	r = job_replay(&n, 5000);
	ck_assert_uint_eq(job_attempt(&r), 2);
	ck_assert_uint_eq(r.fails, 0);
	ck_assert(job_due(&r, 5000));
	/* Replayed, it gets its retries again. */
	r = job_begin(&r);
	ck_assert_int_eq(job_after(&r, false, 6000, &two, &n), JOB_WAIT);
	ck_assert_uint_eq(job_attempt(&n), 3);
}
END_TEST

START_TEST(an_attempt_cut_short_keeps_its_number)
{
	struct job	 j = job_new(0), b, again;

	b = job_begin(&j);
	ck_assert_uint_eq(job_attempt(&j), 1);
	/* Saved as begun; the machine dies; the next one is attempt 2. */
	again = job_begin(&b);
	ck_assert_uint_eq(again.attempts, 2);
	ck_assert_uint_eq(again.fails, 0);
}
END_TEST

START_TEST(scale_shrinks_delays)
{
	struct job_policy p = { 3, 0.01 };

	ck_assert_int_eq(job_delay_ms(1, &p), 50);
	ck_assert_int_eq(job_delay_ms(3, &p), 3000);
	p.scale = 7;	/* only shrinks */
	ck_assert_int_eq(job_delay_ms(2, &p), 30000);
}
END_TEST

START_TEST(text_round_trip)
{
	struct job	 j = { 3, 2, 1764000000123LL }, k;
	char		 t[JOB_TEXT_MAX];
	int		 n;

	n = job_format(t, sizeof(t), &j);
	ck_assert_str_eq(t, "3 2 1764000000123\n");
	ck_assert_int_eq(job_parse(t, (size_t)n, &k), 0);
	ck_assert(memcmp(&j, &k, sizeof(j)) == 0);
	ck_assert_int_eq(job_parse("3 2 5", 5, &k), 0);
}
END_TEST

START_TEST(text_rejects_garbage)
{
	static const char *bad[] = { "", "1", "1 2", "1 2 x", "-1 0 0",
	    "1 2 3 4", "1  2 3", "1 5 3\n" /* more fails than attempts */,
	    "99999999999999999999 0 0", "1 0 3\n\n", "1\t0 3" };
	struct job	 k;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(job_parse(bad[i], strlen(bad[i]), &k) == -1,
		    "took \"%s\"", bad[i]);
}
END_TEST

Suite *
job_suite(void)
{
	Suite	*s = suite_create("job");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, new_job_is_due_now_as_attempt_1);
	tcase_add_test(tc, success_is_done);
	tcase_add_test(tc, failures_wait_5_30_300_then_die);
	tcase_add_test(tc, no_retries_dies_at_once);
	tcase_add_test(tc, replay_keeps_numbers_and_restarts_retries);
	tcase_add_test(tc, an_attempt_cut_short_keeps_its_number);
	tcase_add_test(tc, scale_shrinks_delays);
	tcase_add_test(tc, text_round_trip);
	tcase_add_test(tc, text_rejects_garbage);
	suite_add_tcase(s, tc);
	return s;
}

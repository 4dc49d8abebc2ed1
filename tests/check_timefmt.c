/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "suites.h"
#include "timefmt.h"

START_TEST(iso_ms_is_utc_with_milliseconds)
{
	static const struct {
		struct timespec	 ts;
		const char	*want;
	} cases[] = {
		{ { 0, 0 }, "1970-01-01T00:00:00.000Z" },
		{ { 1763929242, 123456789 }, "2025-11-23T20:20:42.123Z" },
		{ { 1763929242, 999999999 }, "2025-11-23T20:20:42.999Z" },
		{ { 1709164800, 1000000 }, "2024-02-29T00:00:00.001Z" },
		{ { 1798761599, 0 }, "2026-12-31T23:59:59.000Z" },
		{ { 4102444800, 0 }, "2100-01-01T00:00:00.000Z" },
	};
	char	 out[TIMEFMT_LEN];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		timefmt_iso_ms(&cases[i].ts, out);
		ck_assert_str_eq(out, cases[i].want);
	}
}
END_TEST

START_TEST(parse_gives_unix_seconds)
{
	static const struct {
		const char	*s;
		time_t		 want;
	} cases[] = {
		{ "2026-11-23T20:20:42Z", 1795465242 },
		{ "2026-11-23T20:20:42.999z", 1795465242 },
		{ "2026-11-23T20:20:42+05:30", 1795445442 },
		{ "2026-11-23T14:50:42-00:00", 1795445442 },
		{ "2026-11-23T10:20:42-10:00", 1795465242 },
		{ "2024-02-29T00:00:00Z", 1709164800 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "2026-12-31T23:59:60Z", 1798761599 },
		{ "1795465242", 1795465242 },
		{ "0", 0 },
	};
	time_t	 t;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = 12345;
		ck_assert_msg(timefmt_parse(cases[i].s, &t) == 0, "%s",
		    cases[i].s);
		ck_assert_msg(t == cases[i].want, "%s: %lld", cases[i].s,
		    (long long)t);
	}
}
END_TEST

/* replay --since: the fraction counts, to the millisecond. */
START_TEST(parse_ms_keeps_the_milliseconds)
{
	static const struct {
		const char	*s;
		long long	 want;
	} cases[] = {
		{ "2026-11-23T20:20:42Z", 1795465242000LL },
		{ "2026-11-23T20:20:42.999Z", 1795465242999LL },
		{ "2026-11-23T20:20:42.4116Z", 1795465242411LL },
		{ "2026-11-23T20:20:42.5+05:30", 1795445442500LL },
		{ "1969-12-31T23:59:59.250Z", -750LL },
		{ "1795465242", 1795465242000LL },
	};
	long long	 ms;
	time_t		 t;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(timefmt_parse_ms(cases[i].s, &ms) == 0, "%s",
		    cases[i].s);
		ck_assert_msg(ms == cases[i].want, "%s: %lld", cases[i].s, ms);
	}
	/* Whole seconds round down, before 1970 too. */
	ck_assert_int_eq(timefmt_parse("1969-12-31T23:59:59.250Z", &t), 0);
	ck_assert_int_eq((long long)t, -1);
	ck_assert_int_eq(timefmt_parse_ms("99999999999999999", &ms), -1);
}
END_TEST

START_TEST(parse_refuses_what_is_neither)
{
	static const char *const bad[] = {
		"", "-1", "12x", " 12", "yesterday", "2023-02-29T00:00:00Z",
		"2026-11-23T24:00:00Z", "2026-11-23T20:20:42",
		"2026-11-23", "0x10", "+12", "99999999999999999999",
	};
	time_t	 t;
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(timefmt_parse(bad[i], &t) == -1, "accepted \"%s\"",
		    bad[i]);
}
END_TEST

START_TEST(rfc3339_is_judged_on_the_given_length)
{
	static const char s[] = "2026-11-23T20:20:42Zjunk";

	ck_assert(timefmt_is_rfc3339(s, 20));
	ck_assert(!timefmt_is_rfc3339(s, sizeof(s) - 1));
	ck_assert(!timefmt_is_rfc3339(s, 19));
	ck_assert(!timefmt_is_rfc3339("", 0));
	/* A NUL inside the length is not a digit or a separator. */
	ck_assert(!timefmt_is_rfc3339("2026-11-23T20:20:4\0Z", 20));
}
END_TEST

Suite *
timefmt_suite(void)
{
	Suite	*s = suite_create("timefmt");
	TCase	*tc;

	tc = tcase_create("timefmt");
	tcase_add_test(tc, iso_ms_is_utc_with_milliseconds);
	tcase_add_test(tc, parse_gives_unix_seconds);
	tcase_add_test(tc, parse_refuses_what_is_neither);
	tcase_add_test(tc, parse_ms_keeps_the_milliseconds);
	tcase_add_test(tc, rfc3339_is_judged_on_the_given_length);
	suite_add_tcase(s, tc);
	return s;
}

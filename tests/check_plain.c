/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "plain.h"
#include "suites.h"

/*
 * plain.h: text for a person's terminal.  Each case gives the bytes in
 * and the text out; the text out must hold no control character, no
 * C1, no line or paragraph separator and no bidirectional control.
 */

struct pair {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*out;
};

static void	check_text(const struct pair *, size_t);
static void	check_json(const struct pair *, size_t, size_t);
static void	expect_safe(const char *, size_t);

/* No byte below 0x20, no DEL, no UTF-8 of a character plain escapes. */
static void
expect_safe(const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, k;

	for (i = 0; i < n; i += k) {
		ck_assert_msg(u[i] >= 0x20 && u[i] != 0x7f,
		    "raw byte 0x%02x at %zu of \"%s\"", u[i], i, s);
		k = u[i] < 0x80 ? 1 : buf_utf8_len(u + i, n - i);
		ck_assert_msg(k > 0, "not UTF-8 at %zu of \"%s\"", i, s);
		ck_assert_msg(k == 1 || !buf_unsafe_char(u + i, k),
		    "unsafe character at %zu of \"%s\"", i, s);
	}
}

static void
check_text(const struct pair *p, size_t n)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		plain_text(&b, p[i].in, p[i].len ? p[i].len : strlen(p[i].in));
		ck_assert_msg(buf_ok(&b), "case %zu", i);
		ck_assert_str_eq(buf_cstr(&b), p[i].out);
		expect_safe(b.data, b.len);
	}
	buf_free(&b);
}

/* plain_json_str_max with max (0: plain_json_str). */
static void
check_json(const struct pair *p, size_t n, size_t max)
{
	struct buf	 b;
	size_t		 i, len;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		len = p[i].len ? p[i].len : strlen(p[i].in);
		if (max == 0)
			plain_json_str(&b, p[i].in, len);
		else
			plain_json_str_max(&b, p[i].in, len, max);
		ck_assert_msg(buf_ok(&b), "case %zu", i);
		ck_assert_str_eq(buf_cstr(&b), p[i].out);
		expect_safe(b.data, b.len);
	}
	buf_free(&b);
}

START_TEST(text_escapes_c0_esc_and_del_as_hex)
{
	static const struct pair p[] = {
		{ "a\x1b[31mred", 0, "a\\x1b[31mred" },
		{ "line\nbreak\r\ttab", 0, "line\\x0abreak\\x0d\\x09tab" },
		{ "del\x7f", 0, "del\\x7f" },
		{ "nul\0in", 6, "nul\\x00in" },
		{ "\x01\x1f", 0, "\\x01\\x1f" },
	};

	check_text(p, sizeof(p) / sizeof(p[0]));
}
END_TEST

START_TEST(text_escapes_c1_as_utf8_and_as_bare_bytes)
{
	static const struct pair p[] = {
		/* U+0085 NEL and U+009B CSI, well-formed UTF-8. */
		{ "a\xc2\x85z", 0, "a\\u{0085}z" },
		{ "\xc2\x9b" "31m", 0, "\\u{009b}31m" },
		{ "\xc2\x80\xc2\x9f", 0, "\\u{0080}\\u{009f}" },
		/* The same bytes alone are not UTF-8. */
		{ "a\x85z", 0, "a\\x85z" },
		{ "\x9b" "31m", 0, "\\x9b31m" },
		/* U+00A0 is the first character after C1: kept. */
		{ "\xc2\xa0", 0, "\xc2\xa0" },
	};

	check_text(p, sizeof(p) / sizeof(p[0]));
}
END_TEST

START_TEST(text_escapes_separators_and_bidi_controls)
{
	static const struct pair p[] = {
		{ "\xe2\x80\xa8", 0, "\\u{2028}" },
		{ "\xe2\x80\xa9", 0, "\\u{2029}" },
		{ "abc\xe2\x80\xae" "cba", 0, "abc\\u{202e}cba" },
		{ "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", 0,
		    "\\u{202a}\\u{202b}\\u{202c}\\u{202d}" },
		{ "\xe2\x81\xa6x\xe2\x81\xa9", 0, "\\u{2066}x\\u{2069}" },
		{ "\xe2\x80\x8e\xe2\x80\x8f", 0, "\\u{200e}\\u{200f}" },
		{ "\xd8\x9c", 0, "\\u{061c}" },
		/* Neighbours that are not controls pass. */
		{ "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5", 0,
		    "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5" },
	};

	check_text(p, sizeof(p) / sizeof(p[0]));
}
END_TEST

START_TEST(text_keeps_utf8_and_escapes_bytes_that_are_not)
{
	static const struct pair p[] = {
		{ "caf\xc3\xa9 \xe0\xa4\xa8 \xe2\x9c\x93 \xf0\x9f\x98\x80", 0,
		    "caf\xc3\xa9 \xe0\xa4\xa8 \xe2\x9c\x93 \xf0\x9f\x98\x80" },
		/* Overlong, surrogate, past U+10FFFF, cut short, stray. */
		{ "\xc0\xaf", 0, "\\xc0\\xaf" },
		{ "\xed\xa0\x80", 0, "\\xed\\xa0\\x80" },
		{ "\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80" },
		{ "ab\xe2\x80", 0, "ab\\xe2\\x80" },
		{ "\xff\xfe", 0, "\\xff\\xfe" },
		{ "\x80x", 0, "\\x80x" },
	};

	check_text(p, sizeof(p) / sizeof(p[0]));
}
END_TEST

START_TEST(json_str_decodes_escapes_then_makes_them_safe)
{
	static const struct pair p[] = {
		{ "a\\nb\\tc\\rd", 0, "a\\x0ab\\x09c\\x0dd" },
		{ "\\u001b[31mred\\u001b[0m", 0, "\\x1b[31mred\\x1b[0m" },
		{ "\\u007f\\u0085\\u009b", 0, "\\x7f\\u{0085}\\u{009b}" },
		{ "\\u2028\\u2029", 0, "\\u{2028}\\u{2029}" },
		{ "\\u202e\\u2066\\u200f\\u061c", 0,
		    "\\u{202e}\\u{2066}\\u{200f}\\u{061c}" },
		{ "\\\"q\\\" \\\\ \\/", 0, "\"q\" \\ /" },
		{ "\\u00e9\\u0915", 0, "\xc3\xa9\xe0\xa4\x95" },
		{ "\\u0000", 0, "\\x00" },
		{ "\\b\\f", 0, "\\x08\\x0c" },
		/* Raw bytes in the text (a line not as ekahook writes). */
		{ "raw\x1b[1m\xc2\x85\xff", 0, "raw\\x1b[1m\\u{0085}\\xff" },
	};

	check_json(p, sizeof(p) / sizeof(p[0]), 0);
}
END_TEST

START_TEST(json_str_joins_surrogate_pairs_and_shows_lone_ones)
{
	static const struct pair p[] = {
		{ "\\ud83d\\ude00", 0, "\xf0\x9f\x98\x80" },
		{ "\\uD83D\\uDE00!", 0, "\xf0\x9f\x98\x80!" },
		{ "a\\ud83db", 0, "a\\u{d83d}b" },
		{ "\\ude00x", 0, "\\u{de00}x" },
		{ "\\ud83d\\u0041", 0, "\\u{d83d}A" },
		{ "\\ud83d\\ud83d\\ude00", 0, "\\u{d83d}\xf0\x9f\x98\x80" },
		{ "\\udbff\\udfff", 0, "\xf4\x8f\xbf\xbf" },
	};

	check_json(p, sizeof(p) / sizeof(p[0]), 0);
}
END_TEST

START_TEST(json_str_shows_a_broken_escape_as_its_bytes)
{
	static const struct pair p[] = {
		{ "\\uzz12", 0, "\\x5cuzz12" },
		{ "\\u12", 0, "\\x5cu12" },
		{ "ab\\", 0, "ab\\x5c" },
		{ "\\", 0, "\\x5c" },
	};

	check_json(p, sizeof(p) / sizeof(p[0]), 0);
}
END_TEST

START_TEST(json_str_max_cuts_at_characters_and_says_so)
{
	static const struct pair three[] = {
		{ "abcdef", 0, "abc\xe2\x80\xa6" },
		{ "abc", 0, "abc" },
		{ "ab", 0, "ab" },
		{ "", 0, "" },
		/* A character, escaped or not, counts once. */
		{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 0,
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x80\xa6" },
		{ "\\u00e9\\u00e9\\u00e9x", 0,
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x80\xa6" },
		{ "\\ud83d\\ude00\\n\\u001bz", 0,
		    "\xf0\x9f\x98\x80\\x0a\\x1b\xe2\x80\xa6" },
		{ "a\\u202eb", 0, "a\\u{202e}b" },
	};
	static const struct pair one[] = {
		{ "\xe2\x9c\x93\xe2\x9c\x93", 0, "\xe2\x9c\x93\xe2\x80\xa6" },
		{ "\\\"x", 0, "\"\xe2\x80\xa6" },
	};

	check_json(three, sizeof(three) / sizeof(three[0]), 3);
	check_json(one, sizeof(one) / sizeof(one[0]), 1);
}
END_TEST

START_TEST(json_str_max_keeps_a_long_value_to_its_bound)
{
	static char	 big[20001];
	struct buf	 b;

	memset(big, 'x', sizeof(big) - 1);
	buf_init(&b);
	plain_json_str_max(&b, big, sizeof(big) - 1, 48);
	ck_assert_uint_eq(b.len, 48 + strlen("\xe2\x80\xa6"));
	ck_assert_int_eq(memcmp(b.data + 48, "\xe2\x80\xa6", 3), 0);
	buf_free(&b);
}
END_TEST

START_TEST(age_steps_at_its_boundaries)
{
	static const struct {
		long long	 s;
		const char	*out;
	} p[] = {
		{ -5, "just now" }, { 0, "just now" }, { 4, "just now" },
		{ 5, "5 s ago" }, { 119, "119 s ago" }, { 120, "2 min ago" },
		{ 7199, "119 min ago" }, { 7200, "2 h ago" },
		{ 172799, "47 h ago" }, { 172800, "2 days ago" },
		{ 86400LL * 400, "400 days ago" },
	};
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		buf_reset(&b);
		plain_age(&b, p[i].s);
		ck_assert_str_eq(buf_cstr(&b), p[i].out);
	}
	buf_free(&b);
}
END_TEST

START_TEST(bytes_step_at_each_thousand)
{
	static const struct {
		unsigned long long	 n;
		const char		*out;
	} p[] = {
		{ 0, "0 B" }, { 812, "812 B" }, { 999, "999 B" },
		{ 1000, "1.0 KB" }, { 1234, "1.2 KB" }, { 999949, "999.9 KB" },
		/* Rounded up to a thousand: the next unit. */
		{ 999950, "1.0 MB" }, { 1000000, "1.0 MB" },
		{ 10485760, "10.5 MB" }, { 3400000000ULL, "3.4 GB" },
		{ 1000000000000ULL, "1.0 TB" },
		{ 1000000000000000ULL, "1000.0 TB" },
	};
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		buf_reset(&b);
		plain_bytes(&b, p[i].n);
		ck_assert_str_eq(buf_cstr(&b), p[i].out);
	}
	buf_free(&b);
}
END_TEST

Suite *
plain_suite(void)
{
	Suite	*s = suite_create("plain");
	TCase	*tc;

	tc = tcase_create("text");
	tcase_add_test(tc, text_escapes_c0_esc_and_del_as_hex);
	tcase_add_test(tc, text_escapes_c1_as_utf8_and_as_bare_bytes);
	tcase_add_test(tc, text_escapes_separators_and_bidi_controls);
	tcase_add_test(tc, text_keeps_utf8_and_escapes_bytes_that_are_not);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, json_str_decodes_escapes_then_makes_them_safe);
	tcase_add_test(tc, json_str_joins_surrogate_pairs_and_shows_lone_ones);
	tcase_add_test(tc, json_str_shows_a_broken_escape_as_its_bytes);
	tcase_add_test(tc, json_str_max_cuts_at_characters_and_says_so);
	tcase_add_test(tc, json_str_max_keeps_a_long_value_to_its_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("units");
	tcase_add_test(tc, age_steps_at_its_boundaries);
	tcase_add_test(tc, bytes_step_at_each_thousand);
	suite_add_tcase(s, tc);
	return s;
}

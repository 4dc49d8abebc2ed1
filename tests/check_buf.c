/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "suites.h"

START_TEST(every_control_char_is_escaped)
{
	static const char *const want[32] = {
		"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004",
		"\\u0005", "\\u0006", "\\u0007", "\\b", "\\t", "\\n",
		"\\u000b", "\\f", "\\r", "\\u000e", "\\u000f", "\\u0010",
		"\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015",
		"\\u0016", "\\u0017", "\\u0018", "\\u0019", "\\u001a",
		"\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
	};
	struct buf	 b;
	char		 c, expect[16];
	int		 i;

	buf_init(&b);
	for (i = 0; i < 32; i++) {
		buf_reset(&b);
		c = (char)i;
		buf_json_str(&b, &c, 1);
		snprintf(expect, sizeof(expect), "\"%s\"", want[i]);
		ck_assert_str_eq(buf_cstr(&b), expect);
	}
	buf_free(&b);
}
END_TEST

START_TEST(del_quote_and_backslash_are_escaped)
{
	struct buf	 b;

	buf_init(&b);
	buf_json_str(&b, "\x7f", 1);
	ck_assert_str_eq(buf_cstr(&b), "\"\\u007f\"");
	buf_reset(&b);
	buf_json_cstr(&b, "say \"hi\" \\ bye");
	ck_assert_str_eq(buf_cstr(&b), "\"say \\\"hi\\\" \\\\ bye\"");
	buf_free(&b);
}
END_TEST

START_TEST(printable_ascii_and_utf8_pass_through)
{
	static const char utf8[] = "a/b \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"
	    " \xf4\x8f\xbf\xbf";
	struct buf	 b;
	char		 all[128], *p;
	int		 i;
	size_t		 n = 0;

	/* ' ' to '~' except '"' and '\\': unchanged. */
	for (i = 0x20; i < 0x7f; i++)
		if (i != '"' && i != '\\')
			all[n++] = (char)i;
	buf_init(&b);
	buf_json_str(&b, all, n);
	ck_assert_uint_eq(b.len, n + 2);
	p = buf_cstr(&b);
	ck_assert_int_eq(p[0], '"');
	ck_assert_mem_eq(p + 1, all, n);
	ck_assert_int_eq(p[n + 1], '"');
	/* Well-formed UTF-8, '/' included, is copied as is. */
	buf_reset(&b);
	buf_json_cstr(&b, utf8);
	ck_assert_uint_eq(b.len, sizeof(utf8) + 1);
	ck_assert_mem_eq(b.data + 1, utf8, sizeof(utf8) - 1);
	buf_free(&b);
}
END_TEST

START_TEST(escapes_inside_runs_and_nul_by_length)
{
	struct buf	 b;

	buf_init(&b);
	buf_json_str(&b, "ab\0cd\nef\"", 9);
	ck_assert_str_eq(buf_cstr(&b), "\"ab\\u0000cd\\nef\\\"\"");
	buf_reset(&b);
	buf_json_str(&b, "", 0);
	ck_assert_str_eq(buf_cstr(&b), "\"\"");
	buf_free(&b);
}
END_TEST

/* Characters a terminal acts on: C1, U+2028/9, bidi controls. */
START_TEST(c1_separators_and_bidi_controls_are_escaped)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "a\xc2\x85z", "\"a\\u0085z\"" },
		{ "\xc2\x80\xc2\x9f\xc2\xa0", "\"\\u0080\\u009f\xc2\xa0\"" },
		{ "\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"" },
		{ "\xe2\x80\xae" "evil" "\xe2\x80\xac",
		    "\"\\u202eevil\\u202c\"" },
		{ "\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c",
		    "\"\\u2066\\u2069\\u200f\\u061c\"" },
		{ "\xe2\x80\x94\xe2\x81\xaa", "\"\xe2\x80\x94\xe2\x81\xaa\"" },
	};
	struct buf	 b;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b);
		buf_json_cstr(&b, cases[i].in);
		ck_assert_str_eq(buf_cstr(&b), cases[i].out);
		buf_free(&b);
	}
}
END_TEST

START_TEST(buffer_grows_and_formats)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < 10000; i++)
		buf_putc(&b, (char)('a' + i % 26));
	ck_assert(buf_ok(&b));
	ck_assert_uint_eq(b.len, 10000);
	ck_assert_int_eq(b.data[9999], 'a' + 9999 % 26);
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	buf_printf(&b, "%d-%s-%zu", -5, "x", (size_t)7);
	buf_puts(&b, "|");
	buf_append(&b, "abc", 2);
	ck_assert_str_eq(buf_cstr(&b), "-5-x-7|ab");
	ck_assert_uint_eq(b.len, 9);
	buf_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(an_impossible_append_breaks_the_buffer_until_reset)
{
	struct buf	 b;

	buf_init(&b);
	buf_puts(&b, "ok");
	ck_assert(!buf_grow(&b, SIZE_MAX - 1));
	ck_assert(!buf_ok(&b));
	buf_puts(&b, "more");
	ck_assert_uint_eq(b.len, 2);
	ck_assert_ptr_null(buf_cstr(&b));
	buf_reset(&b);
	ck_assert(buf_ok(&b));
	buf_puts(&b, "again");
	ck_assert_str_eq(buf_cstr(&b), "again");
	buf_free(&b);
}
END_TEST

Suite *
buf_suite(void)
{
	Suite	*s = suite_create("buf");
	TCase	*tc;

	tc = tcase_create("escape");
	tcase_add_test(tc, every_control_char_is_escaped);
	tcase_add_test(tc, del_quote_and_backslash_are_escaped);
	tcase_add_test(tc, printable_ascii_and_utf8_pass_through);
	tcase_add_test(tc, escapes_inside_runs_and_nul_by_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("buffer");
	tcase_add_test(tc, buffer_grows_and_formats);
	tcase_add_test(tc, c1_separators_and_bidi_controls_are_escaped);
	tcase_add_test(tc, an_impossible_append_breaks_the_buffer_until_reset);
	suite_add_tcase(s, tc);
	return s;
}

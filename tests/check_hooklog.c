/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "hooklog.h"
#include "suites.h"

static struct hooklog_rec	 rec;

static void	 setup(void);
static char	*text(const char *, size_t, bool, struct buf *);

static void
setup(void)
{
	memset(&rec, 0, sizeof(rec));
	rec.finished_at = "2026-11-23T20:20:43.000Z";
	rec.request_id = "0190f2c3d4e5-00abcd-12345678-000001";
	rec.event = "appointment.created";
	rec.hook = "/srv/hooks/on-event";
	rec.attempt = 1;
	rec.exit_code = 0;
	rec.duration_ms = 41;
	rec.output = "done\n";
	rec.output_len = 5;
}

/* hooklog_json_text's result, which must parse as one JSON string. */
static char *
text(const char *p, size_t n, bool cut, struct buf *b)
{
	cJSON	*j;

	buf_init(b);
	hooklog_json_text(b, p, n, cut);
	ck_assert(buf_ok(b));
	ck_assert_ptr_nonnull(buf_cstr(b));
	j = cJSON_Parse(b->data);
	ck_assert_msg(cJSON_IsString(j), "not a JSON string: %s", b->data);
	cJSON_Delete(j);
	return b->data;
}

START_TEST(a_successful_attempt_has_the_spec_line)
{
	struct buf	 b;

	setup();
	buf_init(&b);
	hooklog_format(&b, &rec);
	ck_assert_str_eq(buf_cstr(&b),
	    "{\"finished_at\":\"2026-11-23T20:20:43.000Z\","
	    "\"request_id\":\"0190f2c3d4e5-00abcd-12345678-000001\","
	    "\"event\":\"appointment.created\","
	    "\"hook\":\"/srv/hooks/on-event\","
	    "\"attempt\":1,\"exit\":0,\"signal\":null,\"timed_out\":false,"
	    "\"duration_ms\":41,\"output\":\"done\\n\"}\n");
	ck_assert(hooklog_rec_ok(&rec));
	buf_free(&b);
}
END_TEST

START_TEST(a_signalled_attempt_has_null_exit_and_its_signal)
{
	struct buf		 b;
	struct hooklog_entry	 e;

	setup();
	rec.exit_code = -1;
	rec.signo = 15;
	rec.timed_out = true;
	rec.attempt = 3;
	rec.env_omitted = 7;
	buf_init(&b);
	hooklog_format(&b, &rec);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b),
	    ",\"attempt\":3,\"exit\":null,\"signal\":15,\"timed_out\":true,"));
	ck_assert_ptr_nonnull(strstr(b.data, ",\"env_omitted\":7}\n"));
	ck_assert(!hooklog_rec_ok(&rec));
	ck_assert_int_eq(hooklog_parse(b.data, b.len, &e), 0);
	ck_assert_str_eq(e.request_id, rec.request_id);
	ck_assert_uint_eq(e.attempt, 3);
	ck_assert(!e.ok);
	buf_free(&b);
}
END_TEST

START_TEST(a_non_zero_exit_is_a_failure_and_reads_back_so)
{
	struct buf		 b;
	struct hooklog_entry	 e;

	setup();
	rec.exit_code = 3;
	buf_init(&b);
	hooklog_format(&b, &rec);
	ck_assert_ptr_null(strstr(buf_cstr(&b), "env_omitted"));
	ck_assert_int_eq(hooklog_parse(b.data, b.len, &e), 0);
	ck_assert(!e.ok);
	buf_reset(&b);
	rec.exit_code = 0;
	hooklog_format(&b, &rec);
	ck_assert_int_eq(hooklog_parse(b.data, b.len, &e), 0);
	ck_assert(e.ok);
	buf_free(&b);
}
END_TEST

START_TEST(lines_that_are_not_hook_lines_do_not_read_back)
{
	struct hooklog_entry	 e;
	static const char	*bad[] = {
		"", "{", "[]",
		"{\"request_id\":\"a/b\",\"attempt\":1,\"timed_out\":false}",
		"{\"request_id\":\"x\",\"attempt\":\"1\",\"timed_out\":false}",
		"{\"request_id\":\"x\",\"attempt\":1}",
	};
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(hooklog_parse(bad[i], strlen(bad[i]), &e), -1);
}
END_TEST

START_TEST(invalid_utf8_output_becomes_replacement_characters)
{
	struct buf	 b;

	ck_assert_str_eq(text("a\xff" "b\xc3", 4, false, &b),
	    "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"");
	buf_free(&b);
	/* Overlong, surrogate, past U+10FFFF: one U+FFFD per byte. */
	ck_assert_str_eq(text("\xc0\xaf", 2, false, &b),
	    "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	buf_free(&b);
	ck_assert_str_eq(text("\xed\xa0\x80", 3, false, &b),
	    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	buf_free(&b);
	ck_assert_str_eq(text("\xf4\x90\x80\x80", 4, false, &b),
	    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	buf_free(&b);
}
END_TEST

START_TEST(valid_utf8_and_controls_survive)
{
	struct buf	 b;

	ck_assert_str_eq(text(
	    "\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80\n\t\"\\\x01", 14, false, &b),
	    "\"\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80\\n\\t\\\"\\\\\\u0001\"");
	buf_free(&b);
	/* A NUL byte in output is escaped, not cut. */
	ck_assert_str_eq(text("a\0b", 3, false, &b), "\"a\\u0000b\"");
	buf_free(&b);
}
END_TEST

START_TEST(cut_output_starts_on_a_character_boundary)
{
	struct buf	 b;

	/* The tail of "✓" (e2 9c 93) is dropped when the start was cut. */
	ck_assert_str_eq(text("\x9c\x93ok", 4, true, &b), "\"ok\"");
	buf_free(&b);
	/* Not cut: the same bytes are invalid and are shown as such. */
	ck_assert_str_eq(text("\x9c\x93ok", 4, false, &b),
	    "\"\xef\xbf\xbd\xef\xbf\xbdok\"");
	buf_free(&b);
}
END_TEST

Suite *
hooklog_suite(void)
{
	Suite	*s = suite_create("hooklog");
	TCase	*tc = tcase_create("hooklog");

	tcase_add_test(tc, a_successful_attempt_has_the_spec_line);
	tcase_add_test(tc, a_signalled_attempt_has_null_exit_and_its_signal);
	tcase_add_test(tc, a_non_zero_exit_is_a_failure_and_reads_back_so);
	tcase_add_test(tc, lines_that_are_not_hook_lines_do_not_read_back);
	tcase_add_test(tc, invalid_utf8_output_becomes_replacement_characters);
	tcase_add_test(tc, valid_utf8_and_controls_survive);
	tcase_add_test(tc, cut_output_starts_on_a_character_boundary);
	suite_add_tcase(s, tc);
	return s;
}

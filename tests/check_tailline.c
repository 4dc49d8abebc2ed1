/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tailline.h"
#include "suites.h"

/* Lines as ekahook writes them (ekahook(8) "Logs"), and what tail shows. */
#define T1	"2026-12-05T21:02:11.123Z"
#define ID	"019ab3c4d5e6-0012f3-9a8b7c6d-00002a"
#define EVENT	"{\"event\":\"appointment.created\",\"data\":" \
		"{\"appointment_id\":\"ap-1\",\"status\":\"BK\"}}"

static void	expect_line(const char *, const char *);
static void	expect_not_ours(const char *);
static void	expect_safe(const struct buf *);

/* line formats as want (the time checked too). */
static void
expect_line(const char *line, const char *want)
{
	struct buf	 b;
	long long	 ms;

	buf_init(&b);
	ck_assert_int_eq(tailline_time(line, strlen(line), &ms), 0);
	ck_assert_int_eq(tailline_format(&b, line, strlen(line)), 0);
	ck_assert_str_eq(buf_cstr(&b), want);
	buf_free(&b);
}

/* A line that is none of ekahook's: -1, nothing appended. */
static void
expect_not_ours(const char *line)
{
	struct buf	 b;

	buf_init(&b);
	ck_assert_msg(tailline_format(&b, line, strlen(line)) == -1,
	    "taken: %s", line);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}

/* One line, no byte below 0x20, no DEL, no C1, separator or bidi. */
static void
expect_safe(const struct buf *b)
{
	const unsigned char	*u = (const unsigned char *)b->data;
	size_t			 i, k;

	for (i = 0; i < b->len; i += k) {
		ck_assert_msg(u[i] >= 0x20 && u[i] != 0x7f, "byte 0x%02x at %zu",
		    u[i], i);
		k = u[i] < 0x80 ? 1 : buf_utf8_len(u + i, b->len - i);
		ck_assert_msg(k > 0, "not UTF-8 at %zu", i);
		ck_assert_msg(k == 1 || !buf_unsafe_char(u + i, k),
		    "unsafe character at %zu", i);
	}
}

START_TEST(accepted_and_duplicate_events_show_name_id_sender_and_ids)
{
	expect_line("{\"received_at\":\"" T1 "\",\"request_id\":\"" ID "\","
	    "\"remote_addr\":\"203.0.113.9\",\"signature\":\"verified\","
	    "\"duplicate\":false,\"warnings\":[],\"event\":" EVENT "}",
	    T1 "  accepted     appointment.created     " ID
	    "  from 203.0.113.9  appointment_id=ap-1");
	expect_line("{\"received_at\":\"" T1 "\",\"request_id\":\"" ID "\","
	    "\"remote_addr\":null,\"signature\":\"unsigned\","
	    "\"duplicate\":true,\"warnings\":[{\"field\":\"data.status\","
	    "\"problem\":\"a\"},{\"field\":\"x\",\"problem\":\"b\"}],"
	    "\"event\":" EVENT "}",
	    T1 "  duplicate    appointment.created     " ID
	    "  appointment_id=ap-1  2 warnings");
}
END_TEST

START_TEST(a_wrapped_event_or_another_id_is_found)
{
	/* Named by its payload (ekahook(8) "Events"). */
	expect_line("{\"received_at\":\"" T1 "\",\"request_id\":\"" ID "\","
	    "\"remote_addr\":\"::1\",\"signature\":\"unsigned\","
	    "\"duplicate\":false,\"warnings\":[],\"event\":{\"payload\":"
	    "{\"event\":\"scribe.done\",\"data\":{\"n\":1,"
	    "\"appointment_id\":\"ap-2\"}}}}",
	    T1 "  accepted     scribe.done             " ID
	    "  from ::1  appointment_id=ap-2");
	/* No appointment_id: data's first string *_id. */
	expect_line("{\"received_at\":\"" T1 "\",\"request_id\":\"" ID "\","
	    "\"remote_addr\":\"::1\",\"signature\":\"unsigned\","
	    "\"duplicate\":false,\"warnings\":[],\"event\":{\"event\":"
	    "\"prescription.created\",\"data\":{\"doctor_id\":7,"
	    "\"prescription_id\":\"rx-9\",\"patient_id\":\"p\"}}}",
	    T1 "  accepted     prescription.created    " ID
	    "  from ::1  prescription_id=rx-9");
}
END_TEST

START_TEST(rejected_requests_show_status_error_and_first_detail)
{
	expect_line("{\"received_at\":\"" T1 "\",\"request_id\":\"" ID "\","
	    "\"remote_addr\":\"127.0.0.1\",\"status\":401,"
	    "\"error\":\"signature_invalid\",\"details\":[],"
	    "\"body_bytes\":812,\"body_sha256\":\"ab\"}",
	    T1 "  rejected     401 signature_invalid   " ID
	    "  from 127.0.0.1");
	/* A "field" inside the body is not a detail. */
	expect_line("{\"received_at\":\"" T1 "\",\"request_id\":\"" ID "\","
	    "\"remote_addr\":\"127.0.0.1\",\"status\":422,"
	    "\"error\":\"invalid_event\",\"details\":[{\"field\":"
	    "\"data.sa_ids\",\"problem\":\"is required\"}],\"body_bytes\":2,"
	    "\"body_sha256\":\"ab\",\"body\":\"{\\\"field\\\":1}\"}",
	    T1 "  rejected     422 invalid_event       " ID
	    "  from 127.0.0.1  data.sa_ids is required");
}
END_TEST

START_TEST(hook_runs_show_attempt_outcome_and_failing_output)
{
	static const char head[] = "{\"finished_at\":\"" T1 "\","
	    "\"request_id\":\"" ID "\",\"event\":\"appointment.created\","
	    "\"hook\":\"/srv/hook\",";
	static const struct {
		const char	*rest;
		const char	*want;
	} p[] = {
		{ "\"attempt\":1,\"exit\":0,\"signal\":null,\"timed_out\":false,"
		    "\"duration_ms\":41,\"output\":\"fine\\n\"}",
		    T1 "  hook ok      appointment.created     " ID
		    "  attempt 1, 41 ms" },
		{ "\"attempt\":2,\"exit\":1,\"signal\":null,\"timed_out\":false,"
		    "\"duration_ms\":5,\"output\":\"one\\nlast \\\"words\\\"\\n"
		    "\\n\"}",
		    T1 "  hook failed  appointment.created     " ID
		    "  attempt 2, exit 1, 5 ms  output: last \"words\"" },
		{ "\"attempt\":3,\"exit\":null,\"signal\":9,\"timed_out\":false,"
		    "\"duration_ms\":7,\"output\":\"\"}",
		    T1 "  hook failed  appointment.created     " ID
		    "  attempt 3, signal 9, 7 ms" },
		{ "\"attempt\":4,\"exit\":null,\"signal\":15,\"timed_out\":true,"
		    "\"duration_ms\":30002,\"output\":\"no newline\"}",
		    T1 "  hook failed  appointment.created     " ID
		    "  attempt 4, timed out, 30002 ms  output: no newline" },
	};
	char	 line[1024];
	size_t	 i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		snprintf(line, sizeof(line), "%s%s", head, p[i].rest);
		expect_line(line, p[i].want);
	}
}
END_TEST

START_TEST(alert_runs_show_their_kind)
{
	expect_line("{\"finished_at\":\"" T1 "\",\"alert\":\"hook_failed\","
	    "\"event\":null,\"hook\":\"/a\",\"attempt\":1,\"exit\":0,"
	    "\"signal\":null,\"timed_out\":false,\"duration_ms\":12,"
	    "\"output\":\"sent\\n\"}",
	    T1 "  alert        hook_failed             exit 0, 12 ms");
	expect_line("{\"finished_at\":\"" T1 "\",\"alert\":"
	    "\"storage_unavailable\",\"event\":null,\"hook\":\"/a\","
	    "\"attempt\":1,\"exit\":2,\"signal\":null,\"timed_out\":false,"
	    "\"duration_ms\":3,\"output\":\"no route\\n\"}",
	    T1 "  alert        storage_unavailable     exit 2, 3 ms"
	    "  output: no route");
}
END_TEST

START_TEST(lines_that_are_not_ekahooks_are_refused)
{
	static const char *const bad[] = {
		"",
		"not json",
		"{\"received_at\":\"" T1 "\",\"request_id\":\"" ID "\"",
		"{\"received_at\":\"2026-02-30T00:00:00.000Z\",\"status\":400,"
		    "\"error\":\"x\",\"request_id\":\"r\"}",
		"{\"time\":\"" T1 "\",\"status\":400,\"error\":\"x\"}",
		/* An accepted line whose event was cut off. */
		"{\"received_at\":\"" T1 "\",\"request_id\":\"" ID "\","
		    "\"duplicate\":false,\"event\":{\"event\":\"a\"}",
		"{\"received_at\":\"" T1 "\",\"request_id\":\"" ID "\","
		    "\"duplicate\":false,\"event\":[1]}",
		"{\"received_at\":\"" T1 "\",\"request_id\":\"" ID "\","
		    "\"status\":\"422\",\"error\":\"x\"}",
		"{\"finished_at\":\"" T1 "\",\"event\":null,\"attempt\":1,"
		    "\"timed_out\":false,\"duration_ms\":1}",
		"{\"finished_at\":\"" T1 "\",\"request_id\":\"r\","
		    "\"attempt\":1,\"duration_ms\":1}",
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_not_ours(bad[i]);
}
END_TEST

START_TEST(hostile_values_come_out_escaped_and_cut)
{
	static const char nasty[] = "ap-\\u001b[31m\\u202e\\u2028\\u0085"
	    "\xe2\x80\xae\xc2\x9b\\u2066\\u200f\\u061c\\u007f";
	struct buf	 line, b;
	size_t		 i;

	buf_init(&line);
	buf_init(&b);
	buf_puts(&line, "{\"received_at\":\"" T1 "\",\"request_id\":\"" ID
	    "\",\"remote_addr\":\"127.0.0.1\",\"signature\":\"unsigned\","
	    "\"duplicate\":false,\"warnings\":[],\"event\":{\"event\":"
	    "\"appointment.created\",\"data\":{\"appointment_id\":\"");
	buf_puts(&line, nasty);
	for (i = 0; i < 20000; i++)
		buf_putc(&line, 'x');
	buf_puts(&line, "\"}}}");
	ck_assert_int_eq(tailline_format(&b, line.data, line.len), 0);
	expect_safe(&b);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "appointment_id=ap-\\x1b[31m"
	    "\\u{202e}\\u{2028}\\u{0085}\\u{202e}\\u{009b}\\u{2066}"
	    "\\u{200f}\\u{061c}\\x7fxxx"));
	ck_assert_uint_lt(b.len, 400);
	ck_assert_int_eq(memcmp(b.data + b.len - 3, "\xe2\x80\xa6", 3), 0);

	/* A hook's output, as hook_log keeps it. */
	buf_reset(&line);
	buf_reset(&b);
	buf_puts(&line, "{\"finished_at\":\"" T1 "\",\"request_id\":\"" ID
	    "\",\"event\":\"appointment.created\",\"hook\":\"/h\","
	    "\"attempt\":1,\"exit\":3,\"signal\":null,\"timed_out\":false,"
	    "\"duration_ms\":1,\"output\":\"\\u001b]0;title\\u0007\\r"
	    "\\u001b[2J\\u0085\\u2029\\u202e\\t\\b\\n\"}");
	ck_assert_int_eq(tailline_format(&b, line.data, line.len), 0);
	expect_safe(&b);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "output: \\x1b]0;title"
	    "\\x07\\x0d\\x1b[2J\\u{0085}\\u{2029}\\u{202e}\\x09\\x08"));
	buf_free(&line);
	buf_free(&b);
}
END_TEST

Suite *
tailline_suite(void)
{
	Suite	*s = suite_create("tailline");
	TCase	*tc;

	tc = tcase_create("format");
	tcase_add_test(tc,
	    accepted_and_duplicate_events_show_name_id_sender_and_ids);
	tcase_add_test(tc, a_wrapped_event_or_another_id_is_found);
	tcase_add_test(tc, rejected_requests_show_status_error_and_first_detail);
	tcase_add_test(tc, hook_runs_show_attempt_outcome_and_failing_output);
	tcase_add_test(tc, alert_runs_show_their_kind);
	tcase_add_test(tc, lines_that_are_not_ekahooks_are_refused);
	tcase_add_test(tc, hostile_values_come_out_escaped_and_cut);
	suite_add_tcase(s, tc);
	return s;
}

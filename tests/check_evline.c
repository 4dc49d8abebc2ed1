/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "evline.h"
#include "reqline.h"
#include "suites.h"

static const char	*line_of(struct buf *, const char *, bool);

/* The accepted line reqline_accept() writes for the minified event. */
static const char *
line_of(struct buf *b, const char *event, bool duplicate)
{
	struct accept_rec	 r;
	struct notes	 none;

	memset(&r, 0, sizeof(r));
	memset(&none, 0, sizeof(none));
	r.received_at = "2026-11-23T20:20:42.123Z";
	r.request_id = "0190f2c3d4e5-00abcd-12345678-000001";
	r.remote_addr = "203.0.113.9";
	r.verified = true;
	r.duplicate = duplicate;
	r.warnings = &none;
	r.event = event;
	r.event_len = strlen(event);
	buf_init(b);
	reqline_accept(b, &r);
	return buf_cstr(b);
}

START_TEST(an_accepted_line_gives_back_its_event_bytes)
{
	static const char event[] = "{\"event\":\"appointment.created\","
	    "\"n\":1.50,\"s\":\"a\\u00e9\\\",\\\"event\\\":\","
	    "\"data\":{\"event\":{\"x\":[1]}}}";
	struct buf	 b;
	struct evline	 ev;
	const char	*line = line_of(&b, event, false);

	ck_assert_int_eq(evline_parse(line, b.len, &ev), 0);
	ck_assert_str_eq(ev.request_id, "0190f2c3d4e5-00abcd-12345678-000001");
	ck_assert_str_eq(ev.received_at, "2026-11-23T20:20:42.123Z");
	ck_assert_str_eq(ev.name, "appointment.created");
	ck_assert(!ev.duplicate);
	ck_assert_uint_eq(ev.event_len, strlen(event));
	ck_assert(memcmp(ev.event_text, event, ev.event_len) == 0);
	ck_assert(cJSON_IsObject(ev.event));
	evline_free(&ev);
	buf_free(&b);
}
END_TEST

START_TEST(a_duplicate_is_marked)
{
	struct buf	 b;
	struct evline	 ev;
	const char	*line = line_of(&b, "{\"event_type\":\"x\"}", true);

	ck_assert_int_eq(evline_parse(line, b.len, &ev), 0);
	ck_assert(ev.duplicate);
	ck_assert_str_eq(ev.name, "x");
	evline_free(&ev);
	buf_free(&b);
}
END_TEST

START_TEST(lines_that_are_not_accepted_events_are_refused)
{
	static const char *bad[] = {
		"",
		"\n",
		/* Torn by a crash. */
		"{\"received_at\":\"2026-11-23T20:20:42.123Z\","
		"\"request_id\":\"a\"",
		/* A rejected request's line. */
		"{\"received_at\":\"t\",\"request_id\":\"a\",\"status\":422}\n",
		/* A request id that is no file name. */
		"{\"received_at\":\"t\",\"request_id\":\"../x\","
		"\"duplicate\":false,\"event\":{}}\n",
		"{\"received_at\":\"t\",\"request_id\":\"a\","
		"\"duplicate\":false,\"event\":[]}\n",
		"{\"received_at\":\"t\",\"request_id\":\"a\","
		"\"duplicate\":\"no\",\"event\":{}}\n",
	};
	struct evline	 ev;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(evline_parse(bad[i], strlen(bad[i]), &ev) == -1,
		    "taken: %s", bad[i]);
}
END_TEST

START_TEST(request_ids_are_checked_as_file_names)
{
	ck_assert(evline_id_ok("0190f2c3d4e5-00abcd-12345678-000001"));
	ck_assert(!evline_id_ok(""));
	ck_assert(!evline_id_ok("a/b"));
	ck_assert(!evline_id_ok(".."));
	ck_assert(!evline_id_ok("a b"));
	/* 64 characters: one too many. */
	ck_assert(!evline_id_ok("0123456789012345678901234567890123456789"
	    "012345678901234567890123"));
}
END_TEST

/* An event nested as deep as a request may be (64) is read back. */
START_TEST(an_event_at_the_deepest_allowed_nesting_is_read_back)
{
	struct buf	 e, b;
	struct evline	 ev;
	const char	*line;
	int		 i, depth;

	for (depth = 64; depth <= 65; depth++) {
		buf_init(&e);
		buf_puts(&e, "{\"event\":\"x.y\",\"data\":");
		for (i = 2; i < depth; i++)
			buf_puts(&e, "[");
		buf_puts(&e, "{}");
		for (i = 2; i < depth; i++)
			buf_puts(&e, "]");
		buf_puts(&e, "}");
		line = line_of(&b, buf_cstr(&e), false);
		if (depth == 64) {
			ck_assert_int_eq(evline_parse(line, b.len, &ev), 0);
			ck_assert_str_eq(ev.name, "x.y");
			evline_free(&ev);
		} else
			ck_assert_int_eq(evline_parse(line, b.len, &ev), -1);
		buf_free(&b);
		buf_free(&e);
	}
}
END_TEST

Suite *
evline_suite(void)
{
	Suite	*s = suite_create("evline");
	TCase	*tc = tcase_create("evline");

	tcase_add_test(tc, an_accepted_line_gives_back_its_event_bytes);
	tcase_add_test(tc, a_duplicate_is_marked);
	tcase_add_test(tc, an_event_at_the_deepest_allowed_nesting_is_read_back);
	tcase_add_test(tc, lines_that_are_not_accepted_events_are_refused);
	tcase_add_test(tc, request_ids_are_checked_as_file_names);
	suite_add_tcase(s, tc);
	return s;
}

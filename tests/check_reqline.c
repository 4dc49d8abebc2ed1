/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "reqline.h"
#include "suites.h"

static const char	*line_of(struct buf *, const char *, bool);

static struct note	 one_note[1] = {
	{ "data.status", "unknown status value" },
};
static struct notes	 notes = { one_note, 1, 1, false, 0 };

START_TEST(accept_line_is_exact)
{
	struct accept_rec	 r = {
		.received_at = "2026-11-23T20:20:42.123Z",
		.request_id = "rid-1",
		.remote_addr = "203.0.113.9",
		.verified = true,
		.duplicate = false,
		.warnings = &notes,
		.event = "{\"a\":1}",
		.event_len = 7,
	};
	struct buf		 b;

	buf_init(&b);
	reqline_accept(&b, &r);
	ck_assert_str_eq(buf_cstr(&b),
	    "{\"received_at\":\"2026-11-23T20:20:42.123Z\","
	    "\"request_id\":\"rid-1\",\"remote_addr\":\"203.0.113.9\","
	    "\"signature\":\"verified\",\"duplicate\":false,"
	    "\"warnings\":[{\"field\":\"data.status\","
	    "\"problem\":\"unknown status value\"}],\"event\":{\"a\":1}}\n");

	buf_reset(&b);
	r.verified = false;
	r.duplicate = true;
	r.warnings = NULL;
	r.remote_addr = NULL;
	reqline_accept(&b, &r);
	ck_assert_str_eq(buf_cstr(&b),
	    "{\"received_at\":\"2026-11-23T20:20:42.123Z\","
	    "\"request_id\":\"rid-1\",\"remote_addr\":null,"
	    "\"signature\":\"unsigned\",\"duplicate\":true,"
	    "\"warnings\":[],\"event\":{\"a\":1}}\n");
	buf_free(&b);
}
END_TEST

/* The event is copied as given, bytes and all. */
START_TEST(accept_line_keeps_the_event_bytes)
{
	static const char ev[] = "{\"n\":1.50,\"s\":\"\\u00e9\xc3\xa9\"}";
	struct accept_rec	 r = {
		.received_at = "t", .request_id = "r", .remote_addr = "::1",
		.event = ev, .event_len = sizeof(ev) - 1,
	};
	struct buf		 b;

	buf_init(&b);
	reqline_accept(&b, &r);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), ",\"event\":"));
	ck_assert_str_eq(strstr(buf_cstr(&b), ",\"event\":") + 9,
	    "{\"n\":1.50,\"s\":\"\\u00e9\xc3\xa9\"}}\n");
	buf_free(&b);
}
END_TEST

START_TEST(reject_line_is_exact)
{
	struct reject_rec	 r = {
		.received_at = "2026-11-23T20:20:42.123Z",
		.request_id = "rid-2",
		.remote_addr = "198.51.100.7",
		.status = 422,
		.error = "invalid_event",
		.details = &notes,
		.body_bytes = 7,
		.body = "{\"a\":1}",
		.keep_body = true,
		.body_max = 4096,
	};
	struct buf		 b;

	buf_init(&b);
	reqline_reject(&b, &r);
	ck_assert_str_eq(buf_cstr(&b),
	    "{\"received_at\":\"2026-11-23T20:20:42.123Z\","
	    "\"request_id\":\"rid-2\",\"remote_addr\":\"198.51.100.7\","
	    "\"status\":422,\"error\":\"invalid_event\","
	    "\"details\":[{\"field\":\"data.status\","
	    "\"problem\":\"unknown status value\"}],\"body_bytes\":7,"
	    "\"body_sha256\":\"015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5ce"
	    "beae62276a97f862\",\"body\":\"{\\\"a\\\":1}\"}\n");
	buf_free(&b);
}
END_TEST

START_TEST(reject_line_has_no_body_for_401)
{
	struct reject_rec	 r = {
		.received_at = "t", .request_id = "r", .remote_addr = NULL,
		.status = 401, .error = "signature_invalid",
		.body_bytes = 3, .body = "abc", .keep_body = false,
	};
	struct buf		 b;

	buf_init(&b);
	reqline_reject(&b, &r);
	ck_assert_str_eq(buf_cstr(&b),
	    "{\"received_at\":\"t\",\"request_id\":\"r\",\"remote_addr\":null,"
	    "\"status\":401,\"error\":\"signature_invalid\",\"details\":[],"
	    "\"body_bytes\":3,\"body_sha256\":\"ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad\"}\n");
	buf_free(&b);
}
END_TEST

START_TEST(reject_line_has_neither_body_nor_hash_when_not_read)
{
	struct reject_rec	 r = {
		.received_at = "t", .request_id = "r", .remote_addr = "::1",
		.status = 413, .error = "body_too_large",
		.body_bytes = 1000000, .body = NULL, .keep_body = true,
	};
	struct buf		 b;

	buf_init(&b);
	reqline_reject(&b, &r);
	ck_assert_str_eq(buf_cstr(&b),
	    "{\"received_at\":\"t\",\"request_id\":\"r\",\"remote_addr\":\"::1\","
	    "\"status\":413,\"error\":\"body_too_large\",\"details\":[],"
	    "\"body_bytes\":1000000}\n");
	buf_free(&b);
}
END_TEST

START_TEST(reject_line_keeps_invalid_utf8_as_base64)
{
	struct reject_rec	 r = {
		.received_at = "t", .request_id = "r", .remote_addr = "::1",
		.status = 400, .error = "invalid_json",
		.body_bytes = 3, .body = "\xff\xfe{", .keep_body = true,
		.body_max = 4096,
	};
	struct buf		 b;

	buf_init(&b);
	reqline_reject(&b, &r);
	ck_assert_str_eq(buf_cstr(&b),
	    "{\"received_at\":\"t\",\"request_id\":\"r\",\"remote_addr\":\"::1\","
	    "\"status\":400,\"error\":\"invalid_json\",\"details\":[],"
	    "\"body_bytes\":3,\"body_sha256\":\"5f8e3f357eca3664fc07caa7b3d65f60"
	    "1a5941f143c11a3416d5475a805d63d7\",\"body_base64\":\"//57\"}\n");
	buf_free(&b);
}
END_TEST

START_TEST(reject_line_escapes_a_body_with_nul_and_quotes)
{
	struct reject_rec	 r = {
		.received_at = "t", .request_id = "r", .remote_addr = "::1",
		.status = 400, .error = "invalid_json",
		.body_bytes = 5, .body = "a\0b\"\n", .keep_body = true,
		.body_max = 4096,
	};
	struct buf		 b;

	buf_init(&b);
	reqline_reject(&b, &r);
	ck_assert_str_eq(strstr(buf_cstr(&b), ",\"body_sha256\""),
	    ",\"body_sha256\":\"af45a6b03e1c2262ded7238088d4f40331379ef53501b472"
	    "fe2c38ecef6bdd8b\",\"body\":\"a\\u0000b\\\"\\n\"}\n");
	buf_free(&b);
}
END_TEST

/* reject_body_max: the first bytes, cut at a character's start. */
START_TEST(reject_line_keeps_at_most_body_max_bytes)
{
	struct reject_rec	 r = {
		.received_at = "t", .request_id = "r", .remote_addr = "::1",
		.status = 415, .error = "unsupported_media_type",
		.body_bytes = 7, .body = "ab\xc3\xa9" "cde", .keep_body = true,
		.body_max = 3,
	};
	struct buf		 b;

	buf_init(&b);
	reqline_reject(&b, &r);
	/* "é" would end past 3 bytes: cut before it. */
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b),
	    ",\"body\":\"ab\",\"body_truncated\":true}\n"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "\"body_bytes\":7,"));
	buf_reset(&b);
	r.body_max = 4;
	reqline_reject(&b, &r);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b),
	    ",\"body\":\"ab\xc3\xa9" "\",\"body_truncated\":true}\n"));
	buf_reset(&b);
	r.body_max = 7;
	reqline_reject(&b, &r);
	ck_assert_ptr_null(strstr(buf_cstr(&b), "body_truncated"));
	/* Not UTF-8: base64 of the first bytes. */
	buf_reset(&b);
	r.body = "\xff\xfe{abcd";
	r.body_max = 3;
	reqline_reject(&b, &r);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b),
	    ",\"body_base64\":\"//57\",\"body_truncated\":true}\n"));
	/* 0: size and hash only. */
	buf_reset(&b);
	r.body_max = 0;
	reqline_reject(&b, &r);
	ck_assert_ptr_null(strstr(buf_cstr(&b), "\"body"  "_base64"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "\"body_sha256\""));
	buf_free(&b);
}
END_TEST

/* Past NOTES_MAX problems, the rest are counted, not listed. */
START_TEST(details_past_the_limit_are_counted)
{
	struct notes	 ns;
	struct buf	 b;
	int		 i;

	memset(&ns, 0, sizeof(ns));
	for (i = 0; i < NOTES_MAX + 5; i++)
		notes_add(&ns, "f", "p%d", i);
	ck_assert_uint_eq(ns.n, NOTES_MAX);
	ck_assert_uint_eq(ns.more, 5);
	buf_init(&b);
	reqline_notes(&b, &ns);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b),
	    ",{\"field\":\"\",\"problem\":\"5 more problems not listed\"}]"));
	buf_free(&b);
	notes_free(&ns);
}
END_TEST

START_TEST(sha256_of_known_strings)
{
	char	 hex[65];

	reqline_sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	reqline_sha256_hex("", 0, hex);
	ck_assert_str_eq(hex,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(utf8_validity)
{
	static const struct {
		const char	*s;
		size_t		 n;
		bool		 ok;
	} cases[] = {
		{ "", 0, true },
		{ "plain ascii", 11, true },
		{ "a\0b", 3, true },
		{ "\xc3\xa9", 2, true },
		{ "\xe2\x82\xac", 3, true },
		{ "\xf0\x9f\x98\x80", 4, true },
		{ "\xf4\x8f\xbf\xbf", 4, true },
		{ "\xef\xbf\xbf", 3, true },
		{ "\xc0\x80", 2, false },
		{ "\xc1\xbf", 2, false },
		{ "\xe0\x80\x80", 3, false },
		{ "\xed\xa0\x80", 3, false },
		{ "\xf0\x80\x80\x80", 4, false },
		{ "\xf4\x90\x80\x80", 4, false },
		{ "\xf5\x80\x80\x80", 4, false },
		{ "\xff", 1, false },
		{ "\x80", 1, false },
		{ "\xc3", 1, false },
		{ "\xe2\x82", 2, false },
		{ "\xc3\x28", 2, false },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(reqline_utf8_valid(cases[i].s, cases[i].n) ==
		    cases[i].ok, "case %zu", i);
}
END_TEST

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
	struct reqline	 ev;
	const char	*line = line_of(&b, event, false);

	ck_assert_int_eq(reqline_parse(line, b.len, &ev), 0);
	ck_assert_str_eq(ev.request_id, "0190f2c3d4e5-00abcd-12345678-000001");
	ck_assert_str_eq(ev.received_at, "2026-11-23T20:20:42.123Z");
	ck_assert_str_eq(ev.name, "appointment.created");
	ck_assert(!ev.duplicate);
	ck_assert_uint_eq(ev.event_len, strlen(event));
	ck_assert(memcmp(ev.event_text, event, ev.event_len) == 0);
	ck_assert(cJSON_IsObject(ev.event));
	reqline_free(&ev);
	buf_free(&b);
}
END_TEST

START_TEST(a_duplicate_is_marked)
{
	struct buf	 b;
	struct reqline	 ev;
	const char	*line = line_of(&b, "{\"event_type\":\"x\"}", true);

	ck_assert_int_eq(reqline_parse(line, b.len, &ev), 0);
	ck_assert(ev.duplicate);
	ck_assert_str_eq(ev.name, "x");
	reqline_free(&ev);
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
	struct reqline	 ev;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(reqline_parse(bad[i], strlen(bad[i]), &ev) == -1,
		    "taken: %s", bad[i]);
}
END_TEST

START_TEST(request_ids_are_checked_as_file_names)
{
	ck_assert(reqline_id_ok("0190f2c3d4e5-00abcd-12345678-000001"));
	ck_assert(!reqline_id_ok(""));
	ck_assert(!reqline_id_ok("a/b"));
	ck_assert(!reqline_id_ok(".."));
	ck_assert(!reqline_id_ok("a b"));
	/* 64 characters: one too many. */
	ck_assert(!reqline_id_ok("0123456789012345678901234567890123456789"
	    "012345678901234567890123"));
}
END_TEST

/* An event nested as deep as a request may be (64) is read back. */
START_TEST(an_event_at_the_deepest_allowed_nesting_is_read_back)
{
	struct buf	 e, b;
	struct reqline	 ev;
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
			ck_assert_int_eq(reqline_parse(line, b.len, &ev), 0);
			ck_assert_str_eq(ev.name, "x.y");
			reqline_free(&ev);
		} else
			ck_assert_int_eq(reqline_parse(line, b.len, &ev), -1);
		buf_free(&b);
		buf_free(&e);
	}
}
END_TEST

Suite *
reqline_suite(void)
{
	Suite	*s = suite_create("reqline");
	TCase	*tc;

	tc = tcase_create("lines");
	tcase_add_test(tc, accept_line_is_exact);
	tcase_add_test(tc, accept_line_keeps_the_event_bytes);
	tcase_add_test(tc, reject_line_is_exact);
	tcase_add_test(tc, reject_line_has_no_body_for_401);
	tcase_add_test(tc, reject_line_has_neither_body_nor_hash_when_not_read);
	tcase_add_test(tc, reject_line_keeps_invalid_utf8_as_base64);
	tcase_add_test(tc, reject_line_escapes_a_body_with_nul_and_quotes);
	tcase_add_test(tc, reject_line_keeps_at_most_body_max_bytes);
	tcase_add_test(tc, details_past_the_limit_are_counted);
	tcase_add_test(tc, sha256_of_known_strings);
	tcase_add_test(tc, utf8_validity);
	suite_add_tcase(s, tc);

	tc = tcase_create("read back");
	tcase_add_test(tc, an_accepted_line_gives_back_its_event_bytes);
	tcase_add_test(tc, a_duplicate_is_marked);
	tcase_add_test(tc, an_event_at_the_deepest_allowed_nesting_is_read_back);
	tcase_add_test(tc, lines_that_are_not_accepted_events_are_refused);
	tcase_add_test(tc, request_ids_are_checked_as_file_names);
	suite_add_tcase(s, tc);
	return s;
}

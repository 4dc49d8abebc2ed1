/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "answer.h"
#include "suites.h"

/*
 * ekahook(8) "Requests": each answer's status, and its exact body for
 * request id "rid".
 */
static const struct {
	enum answer_kind	 kind;
	int			 status;
	bool			 logged;	/* kept in reject_file */
	const char		*body;
} answers[] = {
	{ ANS_OK, 200, false,
	  "{\"ok\":true,\"request_id\":\"rid\",\"duplicate\":false}" },
	{ ANS_HEALTH, 200, false,
	  "{\"ok\":true,\"service\":\"ekahook\",\"version\":\""
	  PACKAGE_VERSION "\"}" },
	{ ANS_METHOD, 405, false,
	  "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"method_not_allowed\","
	  "\"message\":\"Only POST, GET and HEAD are allowed.\",\"details\":[]}" },
	{ ANS_ADDRESS, 403, false,
	  "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"address_not_allowed\","
	  "\"message\":\"This address may not post events here.\","
	  "\"details\":[]}" },
	{ ANS_MEDIA_TYPE, 415, true,
	  "{\"ok\":false,\"request_id\":\"rid\","
	  "\"error\":\"unsupported_media_type\",\"message\":\"The body must be "
	  "sent as Content-Type: application/json.\",\"details\":[]}" },
	{ ANS_TOO_LARGE, 413, true,
	  "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"body_too_large\","
	  "\"message\":\"The body is larger than max_body_bytes.\","
	  "\"details\":[]}" },
	{ ANS_SIG_MISSING, 401, true,
	  "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"signature_missing\","
	  "\"message\":\"The Eka-Webhook-Signature header is missing.\","
	  "\"details\":[]}" },
	{ ANS_SIG_INVALID, 401, true,
	  "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"signature_invalid\","
	  "\"message\":\"The Eka-Webhook-Signature header does not match the "
	  "body.\",\"details\":[]}" },
	{ ANS_SIG_EXPIRED, 401, true,
	  "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"signature_expired\","
	  "\"message\":\"The Eka-Webhook-Signature timestamp is outside the "
	  "allowed tolerance.\",\"details\":[]}" },
	{ ANS_INVALID_JSON, 400, true,
	  "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"invalid_json\","
	  "\"message\":\"The body is not one JSON value in UTF-8.\","
	  "\"details\":[]}" },
	{ ANS_DUPLICATE_KEY, 400, true,
	  "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"duplicate_key\","
	  "\"message\":\"An object in the body repeats a key.\","
	  "\"details\":[]}" },
	{ ANS_NOT_OBJECT, 400, true,
	  "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"not_an_object\","
	  "\"message\":\"The top level of the body is not a JSON object.\","
	  "\"details\":[]}" },
	{ ANS_TOO_DEEP, 400, true,
	  "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"too_deep\","
	  "\"message\":\"The body nests more than 64 objects and arrays.\","
	  "\"details\":[]}" },
	{ ANS_INVALID_EVENT, 422, true,
	  "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"invalid_event\","
	  "\"message\":\"The event does not match the schema; see details.\","
	  "\"details\":[]}" },
	{ ANS_STORAGE, 503, false,
	  "{\"ok\":false,\"request_id\":\"rid\","
	  "\"error\":\"storage_unavailable\",\"message\":\"The event could not "
	  "be stored; retry later.\",\"details\":[]}" },
	{ ANS_CONFIG, 500, false,
	  "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"config_error\","
	  "\"message\":\"The receiver's configuration is invalid; see the "
	  "server's error log.\",\"details\":[]}" },
};

START_TEST(every_answer_has_its_exact_body_and_status)
{
	struct answer	 a = { .kind = answers[_i].kind, .request_id = "rid" };
	struct buf	 b;

	ck_assert_int_eq(answer_status(a.kind), answers[_i].status);
	ck_assert(answer_is_logged_reject(a.kind) == answers[_i].logged);
	buf_init(&b);
	answer_body(&b, &a);
	ck_assert(buf_ok(&b));
	ck_assert_str_eq(buf_cstr(&b), answers[_i].body);
	buf_free(&b);
}
END_TEST

START_TEST(every_kind_is_in_the_table)
{
	ck_assert_uint_eq(sizeof(answers) / sizeof(answers[0]), ANS_COUNT);
}
END_TEST

START_TEST(error_codes_are_the_spec_names)
{
	size_t	 i;

	ck_assert_ptr_null(answer_error(ANS_OK));
	ck_assert_ptr_null(answer_error(ANS_HEALTH));
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		const char *e = answer_error(answers[i].kind);
		char	    want[96];

		if (e == NULL)
			continue;
		snprintf(want, sizeof(want), "\"error\":\"%s\"", e);
		ck_assert_ptr_nonnull(strstr(answers[i].body, want));
	}
}
END_TEST

START_TEST(duplicate_and_details_and_message_show_in_the_body)
{
	struct note	 notes[2] = {
		{ "data.status", "must be a string" },
		{ "data.sa_ids[1]", "say \"hi\"\n" },
	};
	struct notes	 ns = { notes, 2, 2, false, 0 };
	struct answer		 a = { .kind = ANS_OK, .request_id = "r\"1",
				    .duplicate = true };
	struct buf		 b;

	buf_init(&b);
	answer_body(&b, &a);
	ck_assert_str_eq(buf_cstr(&b),
	    "{\"ok\":true,\"request_id\":\"r\\\"1\",\"duplicate\":true}");

	buf_reset(&b);
	a.kind = ANS_INVALID_EVENT;
	a.request_id = "rid";
	a.details = &ns;
	answer_body(&b, &a);
	ck_assert_str_eq(buf_cstr(&b),
	    "{\"ok\":false,\"request_id\":\"rid\",\"error\":\"invalid_event\","
	    "\"message\":\"The event does not match the schema; see details.\","
	    "\"details\":[{\"field\":\"data.status\",\"problem\":\"must be a "
	    "string\"},{\"field\":\"data.sa_ids[1]\",\"problem\":\"say "
	    "\\\"hi\\\"\\n\"}]}");

	buf_reset(&b);
	a.kind = ANS_INVALID_JSON;
	a.details = NULL;
	a.message = "Invalid JSON at byte 5: unexpected character.";
	a.request_id = NULL;
	answer_body(&b, &a);
	ck_assert_str_eq(buf_cstr(&b),
	    "{\"ok\":false,\"request_id\":\"\",\"error\":\"invalid_json\","
	    "\"message\":\"Invalid JSON at byte 5: unexpected character.\","
	    "\"details\":[]}");
	buf_free(&b);
}
END_TEST

START_TEST(headers_are_exact)
{
	static const struct {
		enum answer_kind	 kind;
		size_t			 len;
		const char		*head;
	} heads[] = {
		{ ANS_OK, 62, "Status: 200 OK\r\n"
		  "Content-Type: application/json\r\nContent-Length: 62\r\n"
		  "Cache-Control: no-store\r\n\r\n" },
		{ ANS_METHOD, 7, "Status: 405 Method Not Allowed\r\n"
		  "Content-Type: application/json\r\nContent-Length: 7\r\n"
		  "Cache-Control: no-store\r\nAllow: POST, GET, HEAD\r\n\r\n" },
		{ ANS_STORAGE, 150, "Status: 503 Service Unavailable\r\n"
		  "Content-Type: application/json\r\nContent-Length: 150\r\n"
		  "Cache-Control: no-store\r\nRetry-After: 60\r\n\r\n" },
		{ ANS_ADDRESS, 0, "Status: 403 Forbidden\r\n"
		  "Content-Type: application/json\r\nContent-Length: 0\r\n"
		  "Cache-Control: no-store\r\n\r\n" },
		{ ANS_MEDIA_TYPE, 1, "Status: 415 Unsupported Media Type\r\n"
		  "Content-Type: application/json\r\nContent-Length: 1\r\n"
		  "Cache-Control: no-store\r\n\r\n" },
		{ ANS_TOO_LARGE, 1, "Status: 413 Payload Too Large\r\n"
		  "Content-Type: application/json\r\nContent-Length: 1\r\n"
		  "Cache-Control: no-store\r\n\r\n" },
		{ ANS_SIG_EXPIRED, 1, "Status: 401 Unauthorized\r\n"
		  "Content-Type: application/json\r\nContent-Length: 1\r\n"
		  "Cache-Control: no-store\r\n\r\n" },
		{ ANS_TOO_DEEP, 1, "Status: 400 Bad Request\r\n"
		  "Content-Type: application/json\r\nContent-Length: 1\r\n"
		  "Cache-Control: no-store\r\n\r\n" },
		{ ANS_INVALID_EVENT, 1, "Status: 422 Unprocessable Entity\r\n"
		  "Content-Type: application/json\r\nContent-Length: 1\r\n"
		  "Cache-Control: no-store\r\n\r\n" },
		{ ANS_CONFIG, 1, "Status: 500 Internal Server Error\r\n"
		  "Content-Type: application/json\r\nContent-Length: 1\r\n"
		  "Cache-Control: no-store\r\n\r\n" },
	};
	struct answer	 a = { .request_id = "rid" };
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		buf_reset(&b);
		a.kind = heads[i].kind;
		answer_headers(&b, &a, heads[i].len);
		ck_assert_str_eq(buf_cstr(&b), heads[i].head);
	}
	buf_free(&b);
}
END_TEST

START_TEST(reason_phrases)
{
	ck_assert_str_eq(answer_reason(200), "OK");
	ck_assert_str_eq(answer_reason(413), "Payload Too Large");
	ck_assert_str_eq(answer_reason(418), "Unknown");
}
END_TEST

Suite *
answer_suite(void)
{
	Suite	*s = suite_create("answer");
	TCase	*tc;

	tc = tcase_create("answer");
	tcase_add_loop_test(tc, every_answer_has_its_exact_body_and_status, 0,
	    (int)(sizeof(answers) / sizeof(answers[0])));
	tcase_add_test(tc, every_kind_is_in_the_table);
	tcase_add_test(tc, error_codes_are_the_spec_names);
	tcase_add_test(tc, duplicate_and_details_and_message_show_in_the_body);
	tcase_add_test(tc, headers_are_exact);
	tcase_add_test(tc, reason_phrases);
	suite_add_tcase(s, tc);
	return s;
}

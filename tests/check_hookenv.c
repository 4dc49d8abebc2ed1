/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hookenv.h"
#include "json.h"
#include "suites.h"

/* tests/fixtures/appointment.created.json, as sent. */
static const char appointment_created[] =
    "{\n"
    "  \"service\": \"appointment\",\n"
    "  \"event\": \"appointment.created\",\n"
    "  \"transaction_id\": \"b7e1c2d4-5a6f-4e3b-9c8d-1f2e3a4b5c6d:"
    "appointment.created:1763929242123\",\n"
    "  \"event_time\": 1763929242123,\n"
    "  \"timestamp\": \"2026-11-23T20:20:42.123Z\",\n"
    "  \"client_id\": \"ekacare-partner-7f3a\",\n"
    "  \"business_id\": \"b-23535342\",\n"
    "  \"data\": {\n"
    "    \"appointment_id\": \"ap-5f2b9c1e-8d7a-4c3b-a1e2-9f8d7c6b5a40\",\n"
    "    \"partner_appointment_id\": \"PA-2026-000123\",\n"
    "    \"doctor_id\": \"161467756044203\",\n"
    "    \"partner_doctor_id\": \"DR-0042\",\n"
    "    \"patient_id\": \"176392924212345\",\n"
    "    \"partner_patient_id\": \"PT-88231\",\n"
    "    \"clinic_id\": \"6742984\",\n"
    "    \"partner_clinic_id\": \"CL-07\",\n"
    "    \"status\": \"BK\",\n"
    "    \"action\": \"created\",\n"
    "    \"created_at\": 1763929242,\n"
    "    \"modified_at\": \"2026-11-23T20:20:42+05:30\",\n"
    "    \"partner_meta\": {\n"
    "      \"visit_id\": \"V-12345\",\n"
    "      \"source\": \"web\"\n"
    "    },\n"
    "    \"sa_ids\": [\"sa-001\", \"sa-002\"],\n"
    "    \"custom_attributes\": {\n"
    "      \"label\": [\"first-visit\", \"priority\"]\n"
    "    }\n"
    "  }\n"
    "}\n";

static struct json_doc	 doc;
static struct hookenv	 env;

static void	 build(const char *);
static void	 build_ok(const char *);
static void	 teardown(void);
static void	 expect(const char *, const char *);
static void	 expect_absent(const char *);
static int	 name_cmp(const void *, const void *);

static const struct hookenv_base base = {
	.request_id = "0190f2c3d4e5-00abcd-12345678-000001",
	.received_at = "2026-11-23T20:20:42.123Z",
	.log_file = "/srv/eka/events.ndjson",
	.attempt = 2,
};

/* Parses json into doc and builds env from it (fails the test if not). */
static void
build(const char *json)
{
	struct json_error	 err;

	memset(&doc, 0, sizeof(doc));
	memset(&env, 0, sizeof(env));
	ck_assert_msg(json_parse(json, strlen(json), &doc, &err) == JSON_OK,
	    "test JSON does not parse: %s", err.message);
	ck_assert_int_eq(hookenv_build(&doc, doc.root, &base, &env), 0);
	ck_assert_ptr_null(env.envp[env.n]);
}

static void
build_ok(const char *json)
{
	build(json);
	ck_assert_uint_eq(env.omitted, 0);
}

static void
teardown(void)
{
	hookenv_free(&env);
	json_doc_free(&doc);
}

static void
expect(const char *name, const char *value)
{
	const char	*v = hookenv_get(&env, name);

	ck_assert_msg(v != NULL, "%s is not in the environment", name);
	ck_assert_str_eq(v, value);
}

static void
expect_absent(const char *name)
{
	ck_assert_msg(hookenv_get(&env, name) == NULL, "%s is there: %s",
	    name, hookenv_get(&env, name));
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(appointment_created_exports_exactly_the_spec_names)
{
	/* ekahook(8) "The hook": its list, the partner_meta keys, the fixed. */
	static const char *want[] = {
		"EKAHOOK_ATTEMPT", "EKAHOOK_LOG_FILE", "EKAHOOK_RECEIVED_AT",
		"EKAHOOK_REQUEST_ID", "EKA_ACTION", "EKA_APPOINTMENT_ID",
		"EKA_BUSINESS_ID", "EKA_CLIENT_ID", "EKA_CLINIC_ID",
		"EKA_CREATED_AT", "EKA_CUSTOM_ATTRIBUTES_LABEL",
		"EKA_DOCTOR_ID", "EKA_EVENT", "EKA_EVENT_TIME",
		"EKA_MODIFIED_AT", "EKA_PARTNER_APPOINTMENT_ID",
		"EKA_PARTNER_CLINIC_ID", "EKA_PARTNER_DOCTOR_ID",
		"EKA_PARTNER_META_SOURCE", "EKA_PARTNER_META_VISIT_ID",
		"EKA_PARTNER_PATIENT_ID", "EKA_PATIENT_ID", "EKA_SA_IDS",
		"EKA_SERVICE", "EKA_STATUS", "EKA_TIMESTAMP",
		"EKA_TRANSACTION_ID", "LANG", "PATH",
	};
	char	*names[64];
	size_t	 i;

	build_ok(appointment_created);
	ck_assert_uint_eq(env.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < env.n; i++) {
		names[i] = strndup(env.envp[i],
		    strcspn(env.envp[i], "="));
		ck_assert_ptr_nonnull(names[i]);
	}
	qsort(names, env.n, sizeof(names[0]), name_cmp);
	for (i = 0; i < env.n; i++) {
		ck_assert_str_eq(names[i], want[i]);
		free(names[i]);
	}
	teardown();
}
END_TEST

START_TEST(appointment_created_values_are_the_fields)
{
	build_ok(appointment_created);
	expect("EKA_SERVICE", "appointment");
	expect("EKA_EVENT", "appointment.created");
	expect("EKA_EVENT_TIME", "1763929242123");
	expect("EKA_TIMESTAMP", "2026-11-23T20:20:42.123Z");
	expect("EKA_APPOINTMENT_ID", "ap-5f2b9c1e-8d7a-4c3b-a1e2-9f8d7c6b5a40");
	expect("EKA_STATUS", "BK");
	expect("EKA_CREATED_AT", "1763929242");
	expect("EKA_MODIFIED_AT", "2026-11-23T20:20:42+05:30");
	expect("EKA_PARTNER_META_VISIT_ID", "V-12345");
	expect("EKA_PARTNER_META_SOURCE", "web");
	expect("EKA_SA_IDS", "sa-001\nsa-002");
	expect("EKA_CUSTOM_ATTRIBUTES_LABEL", "first-visit\npriority");
	teardown();
}
END_TEST

START_TEST(fixed_variables_come_first_with_their_values)
{
	build_ok("{\"event\":\"x\",\"data\":{}}");
	ck_assert_str_eq(env.envp[0], "PATH=/usr/local/bin:/usr/bin:/bin");
	ck_assert_str_eq(env.envp[1], "LANG=C.UTF-8");
	expect("EKAHOOK_REQUEST_ID", "0190f2c3d4e5-00abcd-12345678-000001");
	expect("EKAHOOK_RECEIVED_AT", "2026-11-23T20:20:42.123Z");
	expect("EKAHOOK_ATTEMPT", "2");
	expect("EKAHOOK_LOG_FILE", "/srv/eka/events.ndjson");
	expect("EKA_EVENT", "x");
	ck_assert_uint_eq(env.n, 7);
	ck_assert_uint_eq(env.neka, 1);
	teardown();
}
END_TEST

START_TEST(numbers_keep_the_text_as_sent)
{
	build_ok("{\"data\":{\"a\":1.50,\"b\":-0,\"c\":1E+5,"
	    "\"d\":123456789012345678901234567890,\"e\":[0.1,2e-3]}}");
	expect("EKA_A", "1.50");
	expect("EKA_B", "-0");
	expect("EKA_C", "1E+5");
	expect("EKA_D", "123456789012345678901234567890");
	expect("EKA_E", "0.1\n2e-3");
	teardown();
}
END_TEST

/*
 * ekahook(8) "The hook": a number's text as sent, where its double would
 * say otherwise; \u0000 strings beside them in the doc's side table
 * are left out and do not disturb the numbers' texts.
 */
START_TEST(numbers_are_their_text_where_a_double_is_not)
{
	build("{\"data\":{\"a\":1.0,\"s\":\"x\\u0000\",\"b\":1e400,"
	    "\"c\":-0,\"t\":\"\\u0000\",\"d\":12345678901234567890,"
	    "\"e\":-1e400,\"f\":[1.0,1e400,-0],\"g\":[1.0,\"\\u0000\"],"
	    "\"h\":\"ok\"}}");
	expect("EKA_A", "1.0");
	expect("EKA_B", "1e400");
	expect("EKA_C", "-0");
	expect("EKA_D", "12345678901234567890");
	expect("EKA_E", "-1e400");
	expect("EKA_F", "1.0\n1e400\n-0");
	expect("EKA_H", "ok");
	expect_absent("EKA_S");
	expect_absent("EKA_T");
	expect_absent("EKA_G");
	ck_assert_uint_eq(env.omitted, 3);
	teardown();
}
END_TEST

/*
 * A number whose text the doc does not hold (a node of another tree) is
 * left out and counted, never written from its double.
 */
START_TEST(a_number_without_its_text_is_left_out)
{
	static const char other_json[] =
	    "{\"data\":{\"n\":1.5,\"m\":[1,2],\"s\":\"x\"}}";
	struct json_doc		 other;
	struct json_error	 err;

	memset(&doc, 0, sizeof(doc));
	memset(&env, 0, sizeof(env));
	ck_assert_int_eq(json_parse("{}", 2, &doc, &err), JSON_OK);
	ck_assert_int_eq(json_parse(other_json, sizeof(other_json) - 1,
	    &other, &err), JSON_OK);
	ck_assert_int_eq(hookenv_build(&doc, other.root, &base, &env), 0);
	expect_absent("EKA_N");
	expect_absent("EKA_M");
	expect("EKA_S", "x");
	ck_assert_uint_eq(env.omitted, 2);
	json_doc_free(&other);
	teardown();
}
END_TEST

START_TEST(booleans_and_null_become_text)
{
	build_ok("{\"data\":{\"t\":true,\"f\":false,\"n\":null,"
	    "\"arr\":[true,null,\"x\",null]}}");
	expect("EKA_T", "true");
	expect("EKA_F", "false");
	expect("EKA_N", "");
	expect("EKA_ARR", "true\n\nx\n");
	teardown();
}
END_TEST

START_TEST(odd_keys_become_underscores)
{
	/* "ä" is two bytes, "✓" three: one underscore per byte. */
	build_ok("{\"data\":{\"a-b\":\"1\",\"x y\":\"2\",\"camelCase\":\"3\","
	    "\"\xc3\xa4\":\"4\",\"ok\xe2\x9c\x93\":\"5\",\"$(id)\":\"6\","
	    "\"\":\"7\",\"9lives\":\"8\"}}");
	expect("EKA_A_B", "1");
	expect("EKA_X_Y", "2");
	expect("EKA_CAMELCASE", "3");
	expect("EKA___", "4");
	expect("EKA_OK___", "5");
	expect("EKA___ID_", "6");
	expect("EKA_", "7");
	expect("EKA_9LIVES", "8");
	teardown();
}
END_TEST

START_TEST(nested_objects_join_their_path)
{
	build_ok("{\"meta\":{\"a\":{\"b\":\"deep\"}},"
	    "\"data\":{\"x\":{\"y\":{\"z\":1}}}}");
	expect("EKA_META_A_B", "deep");
	expect("EKA_X_Y_Z", "1");
	teardown();
}
END_TEST

START_TEST(only_a_leading_data_segment_is_dropped)
{
	build_ok("{\"data\":{\"data\":{\"x\":\"inner\"}},"
	    "\"outer\":{\"data\":\"kept\"}}");
	expect("EKA_DATA_X", "inner");
	expect("EKA_OUTER_DATA", "kept");
	expect_absent("EKA_X");
	teardown();
}
END_TEST

START_TEST(a_top_level_field_wins_a_clash_wherever_it_is)
{
	/* data.event comes first in the body but the envelope's wins. */
	build_ok("{\"data\":{\"event\":\"inner\",\"status\":\"BK\"},"
	    "\"event\":\"outer\"}");
	expect("EKA_EVENT", "outer");
	expect("EKA_STATUS", "BK");
	teardown();
}
END_TEST

START_TEST(otherwise_the_first_in_the_body_wins)
{
	build_ok("{\"data\":{\"a-b\":\"first\",\"a_b\":\"second\","
	    "\"x\":{\"y\":\"nested first\"},\"x_y\":\"flat second\","
	    "\"A-B\":\"third\"}}");
	expect("EKA_A_B", "first");
	expect("EKA_X_Y", "nested first");
	ck_assert_uint_eq(env.neka, 2);
	teardown();
}
END_TEST

START_TEST(arrays_of_objects_are_not_exported)
{
	build_ok("{\"data\":{\"list\":[{\"a\":1}],\"mixed\":[1,{\"a\":2}],"
	    "\"nested\":[[1,2]],\"empty\":[],\"ok\":[\"x\"]}}");
	expect_absent("EKA_LIST");
	expect_absent("EKA_LIST_A");
	expect_absent("EKA_MIXED");
	expect_absent("EKA_NESTED");
	expect("EKA_EMPTY", "");
	expect("EKA_OK", "x");
	ck_assert_uint_eq(env.neka, 2);
	teardown();
}
END_TEST

START_TEST(values_are_passed_as_decoded_bytes_never_interpreted)
{
	build_ok("{\"data\":{"
	    "\"q\":\"it's \\\"quoted\\\"\","
	    "\"sub\":\"$(touch /tmp/ekahook-pwned) `id` ${HOME} ; rm -rf /\","
	    "\"nl\":\"line1\\nline2\\r\\n\\ttab\","
	    "\"eq\":\"a=b=c\","
	    "\"uni\":\"\xc3\xbcn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 "
	    "\xe2\x9c\x93\","
	    "\"esc\":\"\\u00e9\\ud83d\\ude00\\u2028\","
	    "\"ctl\":\"\\u0001\\u001f\\u007f\"}}");
	expect("EKA_Q", "it's \"quoted\"");
	expect("EKA_SUB",
	    "$(touch /tmp/ekahook-pwned) `id` ${HOME} ; rm -rf /");
	expect("EKA_NL", "line1\nline2\r\n\ttab");
	expect("EKA_EQ", "a=b=c");
	expect("EKA_UNI",
	    "\xc3\xbcn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe2\x9c\x93");
	expect("EKA_ESC", "\xc3\xa9\xf0\x9f\x98\x80\xe2\x80\xa8");
	expect("EKA_CTL", "\x01\x1f\x7f");
	teardown();
}
END_TEST

START_TEST(a_string_holding_nul_is_left_out)
{
	build("{\"data\":{\"a\":\"x\\u0000y\",\"b\":\"ok\"}}");
	expect_absent("EKA_A");
	expect("EKA_B", "ok");
	ck_assert_uint_eq(env.omitted, 1);
	teardown();
}
END_TEST

START_TEST(the_scalar_data_field_keeps_its_name)
{
	build_ok("{\"event\":\"e\",\"data\":\"flat\"}");
	expect("EKA_DATA", "flat");
	teardown();
}
END_TEST

#define RELAXED		"{\"event_type\":\"appointment.created\"}"
#define BOTH		"{\"event\":\"a\",\"event_type\":\"b\"}"
#define NOT_STRING	"{\"event\":1,\"event_type\":\"b\"}"
#define NUL_NAME	"{\"event\":\"a\\u0000\",\"event_type\":\"b\"}"

START_TEST(relaxed_events_are_named_by_event_type)
{
	struct json_error	 err;

	memset(&doc, 0, sizeof(doc));
	ck_assert_int_eq(json_parse(RELAXED, strlen(RELAXED), &doc, &err),
	    JSON_OK);
	ck_assert_str_eq(hookenv_event_name(&doc, doc.root),
	    "appointment.created");
	json_doc_free(&doc);
	ck_assert_int_eq(json_parse(BOTH, strlen(BOTH), &doc, &err), JSON_OK);
	ck_assert_str_eq(hookenv_event_name(&doc, doc.root), "a");
	json_doc_free(&doc);
	/* "event" present but not a string: no fallback to event_type. */
	ck_assert_int_eq(json_parse(NOT_STRING, strlen(NOT_STRING), &doc,
	    &err), JSON_OK);
	ck_assert_ptr_null(hookenv_event_name(&doc, doc.root));
	json_doc_free(&doc);
	/* Nor when it held \u0000: the doc knows, cJSON's copy is cut. */
	ck_assert_int_eq(json_parse(NUL_NAME, strlen(NUL_NAME), &doc, &err),
	    JSON_OK);
	ck_assert_ptr_null(hookenv_event_name(&doc, doc.root));
	json_doc_free(&doc);
}
END_TEST

/* Eka's EkaScribe sample: the event is the body's payload. */
#define WRAPPED	"{\"business_id\":\"b-1\",\"event_id\":\"v2rx.completed\"," \
	"\"payload\":{\"service\":\"v2rx\",\"event\":\"v2rx.completed\"," \
	"\"transaction_id\":\"t-9\",\"data\":{\"file\":\"a.wav\"}}}"

START_TEST(a_wrapped_event_gets_the_fields_of_its_payload)
{
	build_ok(WRAPPED);
	ck_assert_str_eq(hookenv_event_name(&doc, doc.root), "v2rx.completed");
	expect("EKA_EVENT", "v2rx.completed");
	expect("EKA_SERVICE", "v2rx");
	expect("EKA_TRANSACTION_ID", "t-9");
	expect("EKA_FILE", "a.wav");
	expect_absent("EKA_BUSINESS_ID");
	expect_absent("EKA_EVENT_ID");
	expect_absent("EKA_PAYLOAD_EVENT");
}
END_TEST

START_TEST(past_256_variables_the_rest_is_left_out_and_counted)
{
	struct buf	 b;
	int		 i;

	buf_init(&b);
	buf_puts(&b, "{\"data\":{");
	for (i = 0; i < 300; i++)
		buf_printf(&b, "%s\"k%03d\":%d", i ? "," : "", i, i);
	buf_puts(&b, "},\"event\":\"e\"}");
	build(buf_cstr(&b));
	/* The top-level event came first; then k000 … k254. */
	ck_assert_uint_eq(env.neka, HOOKENV_MAX_VARS);
	ck_assert_uint_eq(env.omitted, 301 - HOOKENV_MAX_VARS);
	expect("EKA_EVENT", "e");
	expect("EKA_K254", "254");
	expect_absent("EKA_K255");
	teardown();
	buf_free(&b);
}
END_TEST

START_TEST(a_value_over_32k_is_left_out_whole_and_keeps_its_name)
{
	struct buf	 b;
	char		*big;

	big = malloc(HOOKENV_MAX_VALUE + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, 'v', HOOKENV_MAX_VALUE + 1);
	big[HOOKENV_MAX_VALUE + 1] = '\0';
	buf_init(&b);
	/* Exactly the limit fits; one byte more does not. */
	buf_printf(&b, "{\"data\":{\"fits\":\"%s\",", big + 1);
	buf_printf(&b, "\"too-big\":\"%s\",\"too_big\":\"sneaky\"}}", big);
	build(buf_cstr(&b));
	ck_assert_uint_eq(strlen(hookenv_get(&env, "EKA_FITS")),
	    HOOKENV_MAX_VALUE);
	expect_absent("EKA_TOO_BIG");
	ck_assert_uint_eq(env.omitted, 1);
	teardown();
	buf_free(&b);
	free(big);
}
END_TEST

START_TEST(an_array_over_32k_joined_is_left_out)
{
	struct buf	 b;
	int		 i;

	buf_init(&b);
	buf_puts(&b, "{\"data\":{\"arr\":[");
	/* 4000 elements of 8 bytes plus newlines: over 32 KiB together. */
	for (i = 0; i < 4000; i++)
		buf_printf(&b, "%s\"%08d\"", i ? "," : "", i);
	buf_puts(&b, "],\"small\":[1,2]}}");
	build(buf_cstr(&b));
	expect_absent("EKA_ARR");
	expect("EKA_SMALL", "1\n2");
	ck_assert_uint_eq(env.omitted, 1);
	teardown();
	buf_free(&b);
}
END_TEST

START_TEST(an_overlong_name_is_left_out)
{
	struct buf	 b;
	char		 key[HOOKENV_MAX_NAME + 1];

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	buf_init(&b);
	buf_printf(&b, "{\"data\":{\"%s\":1,\"short\":2}}", key);
	build(buf_cstr(&b));
	ck_assert_uint_eq(env.neka, 1);
	ck_assert_uint_eq(env.omitted, 1);
	expect("EKA_SHORT", "2");
	teardown();
	buf_free(&b);
}
END_TEST

START_TEST(the_total_stays_under_the_exec_limit)
{
	struct buf	 b;
	size_t		 i, total = 0;
	char		*val;

	/* 40 values of 30 KiB: 1.2 MB, more than HOOKENV_MAX_TOTAL. */
	val = malloc(30 * 1024 + 1);
	ck_assert_ptr_nonnull(val);
	memset(val, 'x', 30 * 1024);
	val[30 * 1024] = '\0';
	buf_init(&b);
	buf_puts(&b, "{\"data\":{");
	for (i = 0; i < 40; i++)
		buf_printf(&b, "%s\"v%02zu\":\"%s\"", i ? "," : "", i, val);
	buf_puts(&b, "}}");
	build(buf_cstr(&b));
	for (i = 0; i < env.n; i++)
		if (strncmp(env.envp[i], "EKA_", 4) == 0)
			total += strlen(env.envp[i]) + 1;
	ck_assert_uint_le(total, HOOKENV_MAX_TOTAL);
	ck_assert_uint_gt(env.omitted, 0);
	ck_assert_uint_eq(env.neka + env.omitted, 40);
	teardown();
	buf_free(&b);
	free(val);
}
END_TEST

START_TEST(many_fields_build_quickly_and_completely)
{
	struct buf	 b;
	int		 i;

	/* Names are checked through a hash: 20 000 fields stay cheap. */
	buf_init(&b);
	buf_puts(&b, "{\"data\":{");
	for (i = 0; i < 20000; i++)
		buf_printf(&b, "%s\"f%d\":{\"g\":%d}", i ? "," : "", i, i);
	buf_puts(&b, "}}");
	build(buf_cstr(&b));
	ck_assert_uint_eq(env.neka, HOOKENV_MAX_VARS);
	ck_assert_uint_eq(env.omitted, 20000 - HOOKENV_MAX_VARS);
	teardown();
	buf_free(&b);
}
END_TEST

Suite *
hookenv_suite(void)
{
	Suite	*s = suite_create("hookenv");
	TCase	*tc = tcase_create("hookenv");

	tcase_add_test(tc, appointment_created_exports_exactly_the_spec_names);
	tcase_add_test(tc, appointment_created_values_are_the_fields);
	tcase_add_test(tc, fixed_variables_come_first_with_their_values);
	tcase_add_test(tc, numbers_keep_the_text_as_sent);
	tcase_add_test(tc, numbers_are_their_text_where_a_double_is_not);
	tcase_add_test(tc, a_number_without_its_text_is_left_out);
	tcase_add_test(tc, booleans_and_null_become_text);
	tcase_add_test(tc, odd_keys_become_underscores);
	tcase_add_test(tc, nested_objects_join_their_path);
	tcase_add_test(tc, only_a_leading_data_segment_is_dropped);
	tcase_add_test(tc, a_top_level_field_wins_a_clash_wherever_it_is);
	tcase_add_test(tc, otherwise_the_first_in_the_body_wins);
	tcase_add_test(tc, arrays_of_objects_are_not_exported);
	tcase_add_test(tc,
	    values_are_passed_as_decoded_bytes_never_interpreted);
	tcase_add_test(tc, a_string_holding_nul_is_left_out);
	tcase_add_test(tc, the_scalar_data_field_keeps_its_name);
	tcase_add_test(tc, relaxed_events_are_named_by_event_type);
	tcase_add_test(tc, past_256_variables_the_rest_is_left_out_and_counted);
	tcase_add_test(tc,
	    a_value_over_32k_is_left_out_whole_and_keeps_its_name);
	tcase_add_test(tc, an_array_over_32k_joined_is_left_out);
	tcase_add_test(tc, an_overlong_name_is_left_out);
	tcase_add_test(tc, a_wrapped_event_gets_the_fields_of_its_payload);
	tcase_add_test(tc, the_total_stays_under_the_exec_limit);
	tcase_add_test(tc, many_fields_build_quickly_and_completely);
	suite_add_tcase(s, tc);
	return s;
}

/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"
#include "json.h"
#include "suites.h"

/* A schema compiled from text, and a body judged against it. */
struct judged {
	struct json_doc	 doc;
	struct notes	 details;
	struct notes	 warnings;
};

static struct jschema	*compile(const char *);
static void		 judge(struct judged *, const char *, const char *,
			    bool);
static void		 judged_free(struct judged *);

static struct jschema *
compile(const char *text)
{
	struct jschema	*s;
	cJSON		*root = cJSON_Parse(text);
	char		 err[256];

	ck_assert_msg(root != NULL, "%s", text);
	s = jschema_compile(root, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s: %s", text, err);
	cJSON_Delete(root);
	return s;
}

static void
judge(struct judged *j, const char *schema, const char *body, bool relaxed)
{
	static const char *const times[] = { "event_time" };
	struct jschema		*s = compile(schema);
	struct jschema_opts	 o = { relaxed, times, 1 };
	struct json_error	 err;

	memset(j, 0, sizeof(*j));
	ck_assert_msg(json_parse(body, strlen(body), &j->doc, &err) == JSON_OK,
	    "%s: %s", body, err.message);
	jschema_validate(s, &j->doc, j->doc.root, "", &o, &j->details,
	    &j->warnings);
	jschema_free(s);
}

static void
judged_free(struct judged *j)
{
	notes_free(&j->details);
	notes_free(&j->warnings);
	json_doc_free(&j->doc);
}

/* Each value against each type name: which pass. */
static const struct {
	const char	*type;
	const char	*value;
	bool		 ok;
} types[] = {
	{ "string", "\"x\"", true }, { "string", "1", false },
	{ "integer", "1", true }, { "integer", "-0", true },
	{ "integer", "1.0", false }, { "integer", "1e3", false },
	{ "integer", "9223372036854775807", true },
	{ "integer", "9223372036854775808", false },
	{ "integer", "\"1\"", false },
	{ "number", "1.5e3", true }, { "number", "1", true },
	{ "number", "\"1\"", false },
	{ "boolean", "true", true }, { "boolean", "false", true },
	{ "boolean", "0", false },
	{ "null", "null", true }, { "null", "\"\"", false },
	{ "object", "{}", true }, { "object", "[]", false },
	{ "array", "[]", true }, { "array", "{}", false },
	{ "[\"string\",\"null\"]", "null", true },
	{ "[\"string\",\"null\"]", "\"a\"", true },
	{ "[\"string\",\"null\"]", "2", false },
};

START_TEST(type_names_and_lists_judge_each_kind_of_value)
{
	struct judged	 j;
	char		 schema[256], body[256];
	const char	*t = types[_i].type;

	snprintf(schema, sizeof(schema), "{\"properties\":{\"f\":{\"type\":"
	    "%s%s%s}}}", t[0] == '[' ? "" : "\"", t, t[0] == '[' ? "" : "\"");
	snprintf(body, sizeof(body), "{\"f\":%s}", types[_i].value);
	judge(&j, schema, body, false);
	ck_assert_msg((j.details.n == 0) == types[_i].ok, "%s as %s",
	    types[_i].value, t);
	if (!types[_i].ok)
		ck_assert_str_eq(j.details.v[0].field, "f");
	judged_free(&j);
}
END_TEST

START_TEST(type_problems_name_every_type_allowed)
{
	struct judged	 j;

	judge(&j, "{\"properties\":{\"f\":{\"type\":[\"string\",\"number\","
	    "\"null\"]}}}", "{\"f\":true}", false);
	ck_assert_str_eq(j.details.v[0].problem,
	    "must be a string, a number or null");
	judged_free(&j);
	judge(&j, "{\"properties\":{\"f\":{\"type\":[\"integer\",\"string\"],"
	    "\"format\":\"date-time\"}}}", "{\"f\":\"tomorrow\"}", false);
	ck_assert_str_eq(j.details.v[0].problem,
	    "must be an integer or an RFC 3339 date-time");
	judged_free(&j);
}
END_TEST

START_TEST(required_lists_every_missing_member_with_its_path)
{
	struct judged	 j;

	judge(&j, "{\"required\":[\"a\",\"z\"],\"properties\":{\"a\":{},"
	    "\"d\":{\"required\":[\"b\",\"c\"],\"properties\":{\"b\":{}}}}}",
	    "{\"d\":{}}", false);
	ck_assert_uint_eq(j.details.n, 4);
	ck_assert_str_eq(j.details.v[0].field, "a");
	ck_assert_str_eq(j.details.v[0].problem, "is required");
	ck_assert_str_eq(j.details.v[1].field, "d.b");
	ck_assert_str_eq(j.details.v[2].field, "d.c");
	ck_assert_str_eq(j.details.v[3].field, "z");
	judged_free(&j);
	/* Relaxed: nothing is required. */
	judge(&j, "{\"required\":[\"a\"],\"properties\":{\"a\":{}}}", "{}",
	    true);
	ck_assert_uint_eq(j.details.n, 0);
	judged_free(&j);
}
END_TEST

START_TEST(items_judge_each_element_with_its_index)
{
	struct judged	 j;

	judge(&j, "{\"properties\":{\"l\":{\"type\":\"array\",\"items\":{"
	    "\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":"
	    "{\"type\":\"string\"}}}}}}",
	    "{\"l\":[{\"id\":\"a\"},{\"id\":1},{},{\"id\":\"b\"},{\"id\":2},"
	    "{\"id\":3},{\"id\":4},{\"id\":5},{\"id\":6},{\"id\":7},{\"id\":8}]}",
	    false);
	ck_assert_uint_eq(j.details.n, 9);
	ck_assert_str_eq(j.details.v[0].field, "l[1].id");
	ck_assert_str_eq(j.details.v[1].field, "l[2].id");
	ck_assert_str_eq(j.details.v[1].problem, "is required");
	ck_assert_str_eq(j.details.v[8].field, "l[10].id");
	judged_free(&j);
}
END_TEST

START_TEST(date_time_is_rfc3339_on_strings_only)
{
	struct judged	 j;
	const char	*s = "{\"properties\":{\"t\":{\"type\":\"string\","
			    "\"format\":\"date-time\"}}}";

	judge(&j, s, "{\"t\":\"2026-11-23T20:20:42.123+05:30\"}", false);
	ck_assert_uint_eq(j.details.n, 0);
	judged_free(&j);
	judge(&j, s, "{\"t\":\"2026-11-23 20:20:42Z\"}", false);
	ck_assert_uint_eq(j.details.n, 1);
	judged_free(&j);
	/* Strict: an integer is not a date-time string. */
	judge(&j, s, "{\"t\":1763929242}", false);
	ck_assert_uint_eq(j.details.n, 1);
	judged_free(&j);
	/* Relaxed: seconds or milliseconds are. */
	judge(&j, s, "{\"t\":1763929242123}", true);
	ck_assert_uint_eq(j.details.n, 0);
	judged_free(&j);
	judge(&j, s, "{\"t\":1.5}", true);
	ck_assert_str_eq(j.details.v[0].problem,
	    "must be an RFC 3339 date-time or an integer");
	judged_free(&j);
}
END_TEST

START_TEST(relaxed_takes_event_time_as_a_time_at_the_top_only)
{
	struct judged	 j;
	const char	*s = "{\"properties\":{\"event_time\":{\"type\":"
			    "\"integer\"},\"d\":{\"properties\":{\"event_time\":"
			    "{\"type\":\"integer\"}}}}}";

	judge(&j, s, "{\"event_time\":\"2026-11-23T20:20:42Z\"}", true);
	ck_assert_uint_eq(j.details.n, 0);
	judged_free(&j);
	judge(&j, s, "{\"event_time\":\"2026-11-23T20:20:42Z\"}", false);
	ck_assert_uint_eq(j.details.n, 1);
	judged_free(&j);
	judge(&j, s, "{\"d\":{\"event_time\":\"2026-11-23T20:20:42Z\"}}", true);
	ck_assert_uint_eq(j.details.n, 1);
	ck_assert_str_eq(j.details.v[0].field, "d.event_time");
	judged_free(&j);
}
END_TEST

START_TEST(known_values_warn_and_never_reject)
{
	struct judged	 j;
	const char	*s = "{\"properties\":{\"status\":{\"type\":\"string\","
			    "\"x-known-values\":[\"BK\",\"CN\"]},\"tags\":{"
			    "\"items\":{\"x-known-values\":[\"a\"]}}}}";

	judge(&j, s, "{\"status\":\"CN\",\"tags\":[\"a\"]}", false);
	ck_assert_uint_eq(j.details.n + j.warnings.n, 0);
	judged_free(&j);
	judge(&j, s, "{\"status\":\"bk\",\"tags\":[\"a\",\"b\"]}", false);
	ck_assert_uint_eq(j.details.n, 0);
	ck_assert_uint_eq(j.warnings.n, 2);
	ck_assert_str_eq(j.warnings.v[0].field, "status");
	ck_assert_str_eq(j.warnings.v[0].problem, "unknown status value");
	ck_assert_str_eq(j.warnings.v[1].field, "tags[1]");
	ck_assert_str_eq(j.warnings.v[1].problem, "unknown value");
	judged_free(&j);
}
END_TEST

START_TEST(members_not_in_properties_are_left_alone)
{
	struct judged	 j;

	judge(&j, "{\"properties\":{\"a\":{\"type\":\"string\"}}}",
	    "{\"b\":1,\"a\":\"x\",\"c\":{\"d\":[]}}", false);
	ck_assert_uint_eq(j.details.n, 0);
	judged_free(&j);
}
END_TEST

START_TEST(a_prefix_starts_every_path)
{
	static const char *const times[] = { "event_time" };
	struct jschema		*s;
	struct jschema_opts	 o = { false, times, 1 };
	struct judged		 j;
	struct json_error	 err;
	const char		*body = "{\"p\":{}}";

	memset(&j, 0, sizeof(j));
	s = compile("{\"required\":[\"x\"]}");
	ck_assert(json_parse(body, strlen(body), &j.doc, &err) == JSON_OK);
	jschema_validate(s, &j.doc, j.doc.root->child, "payload", &o,
	    &j.details, &j.warnings);
	ck_assert_str_eq(j.details.v[0].field, "payload.x");
	jschema_free(s);
	judged_free(&j);
}
END_TEST

/* Schemas the compiler refuses, and what it says. */
static const struct {
	const char	*schema;
	const char	*says;
} bad[] = {
	{ "[]", "a schema must be a JSON object" },
	{ "{\"minLength\":1}", "keyword \"minLength\" is not supported" },
	{ "{\"enum\":[\"a\"]}", "keyword \"enum\" is not supported" },
	{ "{\"properties\":{\"a\":{\"pattern\":\"x\"}}}",
	    "keyword \"pattern\" is not supported (at properties/a)" },
	{ "{\"items\":{\"items\":{\"$ref\":\"#\"}}}",
	    "keyword \"$ref\" is not supported (at items/items)" },
	{ "{\"type\":\"text\"}", "type \"text\" is not a JSON Schema type" },
	{ "{\"type\":[]}", "\"type\" must be a type name or a list of them" },
	{ "{\"type\":[\"string\",1]}",
	    "\"type\" must be a type name or a list of them" },
	{ "{\"format\":\"email\"}", "only \"format\": \"date-time\"" },
	{ "{\"required\":\"a\"}", "\"required\" must be a list of strings" },
	{ "{\"required\":[1]}", "\"required\" must be a list of strings" },
	{ "{\"x-known-values\":{}}",
	    "\"x-known-values\" must be a list of strings" },
	{ "{\"properties\":[]}", "\"properties\" must be an object" },
	{ "{\"properties\":{\"a\":true}}", "a schema must be a JSON object" },
	{ "{\"items\":[{}]}", "a schema must be a JSON object" },
	{ "{\"type\":\"string\",\"type\":\"null\"}",
	    "keyword \"type\" appears twice" },
};

START_TEST(unsupported_keywords_are_refused_by_name)
{
	cJSON	*root = cJSON_Parse(bad[_i].schema);
	char	 err[256];

	ck_assert_ptr_nonnull(root);
	ck_assert_ptr_null(jschema_compile(root, err, sizeof(err)));
	ck_assert_msg(strstr(err, bad[_i].says) != NULL, "%s: said \"%s\"",
	    bad[_i].schema, err);
	cJSON_Delete(root);
}
END_TEST

START_TEST(schemas_nested_past_the_limit_are_refused)
{
	char	 text[2048], err[256], *p = text;
	cJSON	*root;
	int	 i;

	for (i = 0; i < 70; i++)
		p += sprintf(p, "{\"items\":");
	p += sprintf(p, "{}");
	for (i = 0; i < 70; i++)
		*p++ = '}';
	*p = '\0';
	root = cJSON_Parse(text);
	ck_assert_ptr_nonnull(root);
	ck_assert_ptr_null(jschema_compile(root, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "nested more than"));
	cJSON_Delete(root);
}
END_TEST

Suite *
jschema_suite(void)
{
	Suite	*s = suite_create("jschema");
	TCase	*tc;

	tc = tcase_create("validate");
	tcase_add_loop_test(tc, type_names_and_lists_judge_each_kind_of_value,
	    0, (int)(sizeof(types) / sizeof(types[0])));
	tcase_add_test(tc, type_problems_name_every_type_allowed);
	tcase_add_test(tc, required_lists_every_missing_member_with_its_path);
	tcase_add_test(tc, items_judge_each_element_with_its_index);
	tcase_add_test(tc, date_time_is_rfc3339_on_strings_only);
	tcase_add_test(tc, relaxed_takes_event_time_as_a_time_at_the_top_only);
	tcase_add_test(tc, known_values_warn_and_never_reject);
	tcase_add_test(tc, members_not_in_properties_are_left_alone);
	tcase_add_test(tc, a_prefix_starts_every_path);
	suite_add_tcase(s, tc);

	tc = tcase_create("compile");
	tcase_add_loop_test(tc, unsupported_keywords_are_refused_by_name, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, schemas_nested_past_the_limit_are_refused);
	suite_add_tcase(s, tc);
	return s;
}

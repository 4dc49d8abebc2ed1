/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "json.h"
#include "schema.h"
#include "suites.h"

/* A parsed body and the schema's verdict on it. */
struct verdict {
	struct json_doc		doc;
	struct schema_result	r;
	bool			valid;
};

static char	*fixture_with(const char *, const char *, const char *);
static enum catalog_result shipped(void *, const char *,
		    const struct jschema **);
static void	 judge_opts(struct verdict *, const char *,
		    const struct schema_opts *);
static void	 judge(struct verdict *, const char *, enum schema_mode);
static void	 verdict_free(struct verdict *);
static const struct note *find_note(const struct notes *,
		    const char *);

/*
 * The named fixture with the field at path ("data.status") replaced by
 * the raw JSON text, or removed when raw is NULL.  Raw text is inserted
 * as is, so number texts such as 1.0 survive.
 */
static char *
fixture_with(const char *name, const char *path, const char *raw)
{
	char	*fx, *out, seg[64];
	cJSON	*root, *obj;
	const char *p, *dot;

	fx = tu_fixture(name, NULL);
	root = cJSON_Parse(fx);
	ck_assert_ptr_nonnull(root);
	free(fx);
	obj = root;
	for (p = path; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
		snprintf(seg, sizeof(seg), "%.*s", (int)(dot - p), p);
		obj = cJSON_GetObjectItemCaseSensitive(obj, seg);
		ck_assert_msg(obj != NULL, "no %s in %s", seg, path);
	}
	if (raw == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, p);
	else if (cJSON_GetObjectItemCaseSensitive(obj, p) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, p,
		    cJSON_CreateRaw(raw));
	else
		cJSON_AddRawToObject(obj, p, raw);
	out = cJSON_PrintUnformatted(root);
	ck_assert_ptr_nonnull(out);
	cJSON_Delete(root);
	return out;
}

/* The schemas shipped in the source tree, as ekahook finds them. */
static enum catalog_result
shipped(void *arg, const char *event, const struct jschema **schema)
{
	static struct catalog	 cat;
	static bool		 ready;

	(void)arg;
	if (!ready) {
		catalog_init(&cat);
		ck_assert_int_eq(catalog_configure(&cat, NULL, SCHEMAS), 0);
		ready = true;
	}
	return catalog_find(&cat, event, schema);
}

static void
judge_opts(struct verdict *v, const char *body, const struct schema_opts *o)
{
	struct json_error	 err;

	ck_assert_msg(json_parse(body, strlen(body), &v->doc, &err) ==
	    JSON_OK, "%s: %s", body, err.message);
	v->valid = schema_check(&v->doc, o, &v->r);
	ck_assert(!v->r.nomem);
	ck_assert(!v->r.config_error);
	ck_assert(v->valid == (v->r.details.n == 0));
}

static void
judge(struct verdict *v, const char *body, enum schema_mode mode)
{
	struct schema_opts	 o = { mode, false, shipped, NULL };

	judge_opts(v, body, &o);
}

static void
verdict_free(struct verdict *v)
{
	schema_result_free(&v->r);
	json_doc_free(&v->doc);
}

static const struct note *
find_note(const struct notes *ns, const char *field)
{
	size_t	 i;

	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i].field, field) == 0)
			return &ns->v[i];
	return NULL;
}

START_TEST(fixture_passes_strict)
{
	struct verdict	 v;
	char		*fx = tu_fixture("appointment.created.json", NULL);

	judge(&v, fx, SCHEMA_STRICT);
	ck_assert(v.valid);
	ck_assert_uint_eq(v.r.details.n, 0);
	ck_assert_uint_eq(v.r.warnings.n, 0);
	ck_assert_str_eq(v.r.event, "appointment.created");
	verdict_free(&v);
	free(fx);
}
END_TEST

static const char *const required_fields[] = {
	"event_time", "timestamp", "client_id", "business_id", "data",
	"data.appointment_id", "data.partner_appointment_id",
	"data.doctor_id", "data.partner_doctor_id", "data.patient_id",
	"data.partner_patient_id", "data.clinic_id", "data.partner_clinic_id",
	"data.status", "data.action", "data.created_at", "data.modified_at",
	"data.partner_meta", "data.sa_ids",
};
#define NREQUIRED	(sizeof(required_fields) / sizeof(required_fields[0]))

START_TEST(each_missing_required_field_is_its_own_detail)
{
	const char	*field = required_fields[_i];
	struct verdict	 v;
	char		*body = fixture_with("appointment.created.json", field,
			    NULL);

	judge(&v, body, SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_msg(v.r.details.n == 1, "%s: %zu details", field,
	    v.r.details.n);
	ck_assert_str_eq(v.r.details.v[0].field, field);
	ck_assert_str_eq(v.r.details.v[0].problem, "is required");
	verdict_free(&v);
	cJSON_free(body);
}
END_TEST

START_TEST(missing_event_is_a_detail)
{
	struct verdict	 v;
	char		*body = fixture_with("appointment.created.json", "event",
			    NULL);

	judge(&v, body, SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_ptr_null(v.r.event);
	ck_assert_ptr_nonnull(find_note(&v.r.details, "event"));
	verdict_free(&v);
	cJSON_free(body);
}
END_TEST

START_TEST(every_missing_field_is_listed_at_once)
{
	struct verdict		 v;
	const struct note *n;
	size_t			 i;

	judge(&v, "{\"event\":\"appointment.created\",\"data\":{}}",
	    SCHEMA_STRICT);
	ck_assert(!v.valid);
	/* All but "data", which is there. */
	ck_assert_uint_eq(v.r.details.n, NREQUIRED - 1);
	for (i = 0; i < NREQUIRED; i++) {
		n = find_note(&v.r.details, required_fields[i]);
		if (strcmp(required_fields[i], "data") == 0) {
			ck_assert_ptr_null(n);
			continue;
		}
		ck_assert_msg(n != NULL, "%s not listed", required_fields[i]);
		ck_assert_str_eq(n->problem, "is required");
	}
	verdict_free(&v);
}
END_TEST

START_TEST(optional_fields_may_be_absent)
{
	static const char *const optional[] = {
		"service", "transaction_id", "data.custom_attributes",
		"data.custom_attributes.label",
	};
	struct verdict	 v;
	char		*body;
	size_t		 i;

	for (i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		body = fixture_with("appointment.created.json", optional[i],
		    NULL);
		judge(&v, body, SCHEMA_STRICT);
		ck_assert_msg(v.valid, "without %s: %zu details", optional[i],
		    v.r.details.n);
		verdict_free(&v);
		cJSON_free(body);
	}
}
END_TEST

static const struct {
	const char	*field;
	const char	*raw;
	const char	*problem;
	const char	*at;		/* where it is noted, if not field */
} wrong_types[] = {
	{ "event", "1", "must be a string", NULL },
	{ "event_time", "\"1763929242123\"", "must be an integer", NULL },
	{ "event_time", "true", "must be an integer", NULL },
	{ "timestamp", "null",
	    "must be an integer or an RFC 3339 date-time", NULL },
	{ "timestamp", "1.5",
	    "must be an integer or an RFC 3339 date-time", NULL },
	{ "client_id", "42", "must be a string", NULL },
	{ "business_id", "[\"b\"]", "must be a string", NULL },
	{ "data", "[]", "must be an object", NULL },
	{ "service", "{}", "must be a string", NULL },
	{ "transaction_id", "null", "must be a string", NULL },
	{ "data.appointment_id", "12345", "must be a string", NULL },
	{ "data.status", "null", "must be a string", NULL },
	{ "data.action", "false", "must be a string", NULL },
	{ "data.created_at", "\"yesterday\"",
	    "must be an integer or an RFC 3339 date-time", NULL },
	{ "data.modified_at", "{}",
	    "must be an integer or an RFC 3339 date-time", NULL },
	{ "data.partner_meta", "\"x\"", "must be an object", NULL },
	{ "data.partner_meta", "[]", "must be an object", NULL },
	{ "data.sa_ids", "\"sa-001\"", "must be an array", NULL },
	{ "data.sa_ids", "[\"a\",1]", "must be a string", "data.sa_ids[1]" },
	{ "data.sa_ids", "[null]", "must be a string", "data.sa_ids[0]" },
	{ "data.custom_attributes", "[]", "must be an object", NULL },
	{ "data.custom_attributes.label", "\"x\"", "must be an array", NULL },
	{ "data.custom_attributes.label", "[[\"x\"]]", "must be a string",
	    "data.custom_attributes.label[0]" },
};

START_TEST(wrong_types_are_details_naming_the_field)
{
	struct verdict	 v;
	char		*body;

	body = fixture_with("appointment.created.json", wrong_types[_i].field,
	    wrong_types[_i].raw);
	judge(&v, body, SCHEMA_STRICT);
	ck_assert_msg(!v.valid, "%s = %s accepted", wrong_types[_i].field,
	    wrong_types[_i].raw);
	ck_assert_uint_ge(v.r.details.n, 1);
	ck_assert_str_eq(v.r.details.v[0].field, wrong_types[_i].at != NULL ?
	    wrong_types[_i].at : wrong_types[_i].field);
	ck_assert_str_eq(v.r.details.v[0].problem, wrong_types[_i].problem);
	verdict_free(&v);
	cJSON_free(body);
}
END_TEST

START_TEST(empty_sa_ids_and_label_are_arrays_of_strings)
{
	static const char *const fields[] = {
		"data.sa_ids", "data.custom_attributes.label",
	};
	struct verdict	 v;
	char		*body;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		body = fixture_with("appointment.created.json", fields[i],
		    "[]");
		judge(&v, body, SCHEMA_STRICT);
		ck_assert_msg(v.valid, "%s = []", fields[i]);
		verdict_free(&v);
		cJSON_free(body);
	}
}
END_TEST

/*
 * ekahook(8) "Validation": integer means no fraction, no exponent, fits
 * int64.
 */
static const struct {
	const char	*raw;
	bool		 ok;
} int_texts[] = {
	{ "0", true }, { "-1", true }, { "1763929242123", true },
	{ "9223372036854775807", true }, { "-9223372036854775808", true },
	{ "-0", true },
	{ "9223372036854775808", false }, { "-9223372036854775809", false },
	{ "1.0", false }, { "1763929242123.0", false }, { "1e3", false },
	{ "1E3", false }, { "1e+3", false }, { "10e-1", false },
	{ "0.5", false }, { "123456789012345678901234567890", false },
};

START_TEST(integers_are_judged_on_their_text)
{
	struct verdict	 v;
	char		*body;

	body = fixture_with("appointment.created.json", "event_time",
	    int_texts[_i].raw);
	judge(&v, body, SCHEMA_STRICT);
	ck_assert_msg(v.valid == int_texts[_i].ok, "event_time %s",
	    int_texts[_i].raw);
	if (!v.valid)
		ck_assert_str_eq(v.r.details.v[0].field, "event_time");
	verdict_free(&v);
	cJSON_free(body);
	/* The time fields take the same integers. */
	body = fixture_with("appointment.created.json", "data.created_at",
	    int_texts[_i].raw);
	judge(&v, body, SCHEMA_STRICT);
	ck_assert_msg(v.valid == int_texts[_i].ok, "created_at %s",
	    int_texts[_i].raw);
	verdict_free(&v);
	cJSON_free(body);
}
END_TEST

static const struct {
	const char	*text;
	bool		 ok;
} times[] = {
	{ "2026-11-23T20:20:42Z", true },
	{ "2026-11-23t20:20:42z", true },
	{ "2026-11-23T20:20:42+05:30", true },
	{ "2026-11-23T20:20:42-08:00", true },
	{ "2026-11-23T20:20:42.1Z", true },
	{ "2026-11-23T20:20:42.123456789+00:00", true },
	{ "2024-02-29T00:00:00Z", true },
	{ "2000-02-29T00:00:00Z", true },
	{ "2026-12-31T23:59:60Z", true },
	{ "2023-02-29T00:00:00Z", false },
	{ "1900-02-29T00:00:00Z", false },
	{ "2026-11-31T00:00:00Z", false },
	{ "2026-13-01T00:00:00Z", false },
	{ "2026-00-01T00:00:00Z", false },
	{ "2026-11-00T00:00:00Z", false },
	{ "2026-11-23T24:00:00Z", false },
	{ "2026-11-23T20:60:00Z", false },
	{ "2026-11-23T20:20:61Z", false },
	{ "2026-11-23T20:20:42", false },
	{ "2026-11-23T20:20:42.123", false },
	{ "2026-11-23 20:20:42Z", false },
	{ "2026-11-23T20:20:42.Z", false },
	{ "2026-11-23T20:20:42+0530", false },
	{ "2026-11-23T20:20:42+05", false },
	{ "2026-11-23T20:20:42+24:00", false },
	{ "2026-11-23T20:20:42+05:60", false },
	{ "2026-11-23T20:20:42ZZ", false },
	{ "2026-11-23T20:20Z", false },
	{ "2026-11-23", false },
	{ "26-11-23T20:20:42Z", false },
	{ "2026-1-23T20:20:42Z", false },
	{ "1763929242", false },
	{ "", false },
};

START_TEST(time_strings_must_be_rfc3339)
{
	struct verdict	 v;
	char		 raw[128], *body;

	snprintf(raw, sizeof(raw), "\"%s\"", times[_i].text);
	body = fixture_with("appointment.created.json", "data.modified_at",
	    raw);
	judge(&v, body, SCHEMA_STRICT);
	ck_assert_msg(v.valid == times[_i].ok, "\"%s\"", times[_i].text);
	if (!v.valid) {
		ck_assert_uint_eq(v.r.details.n, 1);
		ck_assert_str_eq(v.r.details.v[0].field, "data.modified_at");
	}
	verdict_free(&v);
	cJSON_free(body);
	/* The envelope's timestamp is judged the same way. */
	body = fixture_with("appointment.created.json", "timestamp", raw);
	judge(&v, body, SCHEMA_STRICT);
	ck_assert_msg(v.valid == times[_i].ok, "timestamp \"%s\"",
	    times[_i].text);
	verdict_free(&v);
	cJSON_free(body);
}
END_TEST

START_TEST(unknown_status_and_action_are_warnings_not_details)
{
	struct verdict	 v;
	char		*body, *body2;
	cJSON		*root;

	body = fixture_with("appointment.created.json", "data.status",
	    "\"XX\"");
	root = cJSON_Parse(body);
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItem(root,
	    "data"), "action", cJSON_CreateString("rescheduled"));
	body2 = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	judge(&v, body2, SCHEMA_STRICT);
	ck_assert(v.valid);
	ck_assert_uint_eq(v.r.warnings.n, 2);
	ck_assert_str_eq(v.r.warnings.v[0].field, "data.status");
	ck_assert_str_eq(v.r.warnings.v[0].problem, "unknown status value");
	ck_assert_str_eq(v.r.warnings.v[1].field, "data.action");
	ck_assert_str_eq(v.r.warnings.v[1].problem, "unknown action value");
	verdict_free(&v);
	cJSON_free(body);
	cJSON_free(body2);
}
END_TEST

START_TEST(every_known_status_and_action_passes_without_warning)
{
	/* Every status of Eka's list (appointment-statuses.txt). */
	static const char *const vals[] = {
		"data.status", "\"BK\"", "data.status", "\"CK\"",
		"data.status", "\"RV\"", "data.status", "\"IN\"",
		"data.status", "\"PA\"", "data.status", "\"OG\"",
		"data.status", "\"CM\"", "data.status", "\"CMNP\"",
		"data.status", "\"AB\"", "data.status", "\"NS\"",
		"data.status", "\"NSD\"", "data.status", "\"NSS\"",
		"data.status", "\"CN\"", "data.status", "\"CND\"",
		"data.status", "\"CNS\"", "data.status", "\"PC\"",
		"data.status", "\"PNR\"", "data.action", "\"created\"",
		"data.action", "\"modified\"", "data.action", "\"completed\"",
	};
	struct verdict	 v;
	char		*body;
	size_t		 i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i += 2) {
		body = fixture_with("appointment.created.json", vals[i],
		    vals[i + 1]);
		judge(&v, body, SCHEMA_STRICT);
		ck_assert(v.valid);
		ck_assert_msg(v.r.warnings.n == 0, "%s", vals[i + 1]);
		verdict_free(&v);
		cJSON_free(body);
	}
	/* Case matters: "bk" is not "BK". */
	body = fixture_with("appointment.created.json", "data.status",
	    "\"bk\"");
	judge(&v, body, SCHEMA_STRICT);
	ck_assert_uint_eq(v.r.warnings.n, 1);
	verdict_free(&v);
	cJSON_free(body);
}
END_TEST

START_TEST(unknown_events_need_only_event_and_data_and_are_noted)
{
	struct verdict	 v;

	judge(&v, "{\"event\":\"payment.captured\",\"data\":{}}",
	    SCHEMA_STRICT);
	ck_assert(v.valid);
	ck_assert_str_eq(v.r.event, "payment.captured");
	ck_assert_uint_eq(v.r.warnings.n, 1);
	ck_assert_str_eq(v.r.warnings.v[0].field, "event");
	ck_assert_str_eq(v.r.warnings.v[0].problem, "has no schema");
	verdict_free(&v);

	judge(&v, "{\"event\":\"payment.captured\"}", SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_uint_eq(v.r.details.n, 1);
	ck_assert_str_eq(v.r.details.v[0].field, "data");
	verdict_free(&v);

	judge(&v, "{\"event\":\"payment.captured\",\"data\":[]}",
	    SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_str_eq(v.r.details.v[0].problem, "must be an object");
	verdict_free(&v);

	judge(&v, "{\"data\":{}}", SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_str_eq(v.r.details.v[0].field, "event");
	verdict_free(&v);

	/* Nothing but event and data is looked at without a schema. */
	judge(&v, "{\"event\":\"payment.captured\",\"data\":{\"status\":1},"
	    "\"event_time\":\"now\",\"client_id\":7}", SCHEMA_STRICT);
	ck_assert(v.valid);
	verdict_free(&v);

	/* "appointment" without the dot is another event. */
	judge(&v, "{\"event\":\"appointment\",\"data\":{}}", SCHEMA_STRICT);
	ck_assert(v.valid);
	ck_assert_uint_eq(v.r.warnings.n, 1);
	verdict_free(&v);
}
END_TEST

START_TEST(unknown_events_are_422_when_rejected)
{
	struct schema_opts	 o = { SCHEMA_STRICT, true, shipped, NULL };
	struct verdict		 v;

	judge_opts(&v, "{\"event\":\"payment.captured\",\"data\":{}}", &o);
	ck_assert(!v.valid);
	ck_assert_uint_eq(v.r.details.n, 1);
	ck_assert_str_eq(v.r.details.v[0].field, "event");
	ck_assert_str_eq(v.r.details.v[0].problem, "has no schema");
	ck_assert_uint_eq(v.r.warnings.n, 0);
	verdict_free(&v);

	/* An event with a schema is judged by it as ever. */
	o.mode = SCHEMA_RELAXED;
	judge_opts(&v, "{\"event\":\"appointment.created\",\"data\":{}}", &o);
	ck_assert(v.valid);
	verdict_free(&v);
}
END_TEST

/* Names reach file names and a hook's argv[1]. */
static const char *const hostile_names[] = {
	"", "../appointment.created", "..", ".hidden", "-rf", "_x",
	"a/b", "a b", " appointment.created", "appointment.created\\n",
	"caf\\u00e9", "x;rm", "$(id)",
	"a123456789012345678901234567890123456789012345678901234567890123"
	"45678901234567890123456789012345678901234567890123456789012345678",
};

START_TEST(hostile_event_names_are_invalid_events)
{
	struct verdict	 v;
	char		 body[512];

	snprintf(body, sizeof(body), "{\"event\":\"%s\",\"data\":{}}",
	    hostile_names[_i]);
	judge(&v, body, SCHEMA_STRICT);
	ck_assert_msg(!v.valid, "%s accepted", hostile_names[_i]);
	ck_assert_ptr_null(v.r.event);
	ck_assert_uint_eq(v.r.details.n, 1);
	ck_assert_str_eq(v.r.details.v[0].field, "event");
	verdict_free(&v);
}
END_TEST

START_TEST(names_of_128_bytes_and_every_allowed_byte_pass)
{
	struct verdict	 v;
	char		 name[129], body[512];

	memset(name, 'a', 128);
	name[128] = '\0';
	snprintf(body, sizeof(body), "{\"event\":\"%s\",\"data\":{}}", name);
	judge(&v, body, SCHEMA_STRICT);
	ck_assert(v.valid);
	verdict_free(&v);
	judge(&v, "{\"event\":\"0Az._-9\",\"data\":{}}", SCHEMA_STRICT);
	ck_assert(v.valid);
	ck_assert_str_eq(v.r.event, "0Az._-9");
	verdict_free(&v);
}
END_TEST

/* Eka's EkaScribe sample: the event is the payload of the body. */
START_TEST(wrapped_events_are_judged_by_their_payload)
{
	struct verdict	 v;

	judge(&v, "{\"business_id\":\"b\",\"event_id\":\"v2rx.completed\","
	    "\"payload\":{\"event\":\"v2rx.completed\",\"data\":{}}}",
	    SCHEMA_STRICT);
	ck_assert(v.valid);
	ck_assert_str_eq(v.r.event, "v2rx.completed");
	ck_assert_uint_eq(v.r.warnings.n, 1);
	verdict_free(&v);

	/* A known event in a payload meets its schema there. */
	judge(&v, "{\"payload\":{\"event\":\"appointment.created\","
	    "\"data\":{}}}", SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_ptr_nonnull(find_note(&v.r.details, "payload.event_time"));
	ck_assert_ptr_nonnull(find_note(&v.r.details,
	    "payload.data.appointment_id"));
	verdict_free(&v);

	judge(&v, "{\"payload\":{\"event\":\"../x\",\"data\":{}}}",
	    SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_str_eq(v.r.details.v[0].field, "payload.event");
	verdict_free(&v);

	/* A top-level event wins: the payload is only a field then. */
	judge(&v, "{\"event\":\"x.y\",\"data\":{},\"payload\":{\"event\":"
	    "\"appointment.created\"}}", SCHEMA_STRICT);
	ck_assert(v.valid);
	ck_assert_str_eq(v.r.event, "x.y");
	verdict_free(&v);
}
END_TEST

static enum catalog_result
broken(void *arg, const char *event, const struct jschema **schema)
{
	(void)arg;
	(void)event;
	*schema = NULL;
	return CATALOG_ERROR;
}

START_TEST(a_schema_that_cannot_be_read_is_a_config_error)
{
	struct schema_opts	 o = { SCHEMA_STRICT, false, broken, NULL };
	struct verdict		 v;
	const char		*body = "{\"event\":\"a.b\",\"data\":{}}";
	struct json_error	 err;

	ck_assert(json_parse(body, strlen(body), &v.doc, &err) == JSON_OK);
	ck_assert(!schema_check(&v.doc, &o, &v.r));
	ck_assert(v.r.config_error);
	verdict_free(&v);
}
END_TEST

START_TEST(relaxed_accepts_the_published_sample)
{
	struct verdict	 v;
	char		*fx = tu_fixture("sample.relaxed.json", NULL);

	judge(&v, fx, SCHEMA_RELAXED);
	ck_assert(v.valid);
	ck_assert_str_eq(v.r.event, "appointment.created");
	/* Its action "create" is not one of the known ones. */
	ck_assert_uint_eq(v.r.warnings.n, 1);
	ck_assert_str_eq(v.r.warnings.v[0].field, "data.action");
	verdict_free(&v);

	/* Strict wants "event" and the whole schema. */
	judge(&v, fx, SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_ptr_nonnull(find_note(&v.r.details, "event"));
	verdict_free(&v);
	free(fx);
}
END_TEST

START_TEST(relaxed_prefers_event_over_event_type)
{
	struct verdict	 v;

	judge(&v, "{\"event\":\"a.b\",\"event_type\":\"c.d\",\"data\":{}}",
	    SCHEMA_RELAXED);
	ck_assert(v.valid);
	ck_assert_str_eq(v.r.event, "a.b");
	verdict_free(&v);

	judge(&v, "{\"event_type\":\"c.d\",\"data\":{}}", SCHEMA_RELAXED);
	ck_assert(v.valid);
	ck_assert_str_eq(v.r.event, "c.d");
	verdict_free(&v);

	judge(&v, "{\"data\":{}}", SCHEMA_RELAXED);
	ck_assert(!v.valid);
	ck_assert_str_eq(v.r.details.v[0].field, "event");
	verdict_free(&v);

	judge(&v, "{\"event_type\":5,\"data\":{}}", SCHEMA_RELAXED);
	ck_assert(!v.valid);
	ck_assert_str_eq(v.r.details.v[0].field, "event_type");
	verdict_free(&v);

	judge(&v, "{\"event_type\":\"a.b\"}", SCHEMA_RELAXED);
	ck_assert(!v.valid);
	ck_assert_str_eq(v.r.details.v[0].field, "data");
	verdict_free(&v);
}
END_TEST

START_TEST(relaxed_checks_types_where_present)
{
	struct verdict	 v;

	/* Time fields: seconds, milliseconds or RFC 3339. */
	judge(&v, "{\"event_type\":\"appointment.created\",\"data\":{"
	    "\"created_at\":1690740444000,\"modified_at\":1690740444},"
	    "\"event_time\":\"2023-07-30T18:07:24.000Z\","
	    "\"timestamp\":1730189588}", SCHEMA_RELAXED);
	ck_assert(v.valid);
	verdict_free(&v);

	judge(&v, "{\"event_type\":\"appointment.created\",\"data\":{"
	    "\"created_at\":1.5,\"sa_ids\":[1],\"doctor_id\":9},"
	    "\"event_time\":\"soon\"}", SCHEMA_RELAXED);
	ck_assert(!v.valid);
	ck_assert_uint_eq(v.r.details.n, 4);
	ck_assert_ptr_nonnull(find_note(&v.r.details, "event_time"));
	ck_assert_ptr_nonnull(find_note(&v.r.details, "data.created_at"));
	ck_assert_ptr_nonnull(find_note(&v.r.details, "data.sa_ids[0]"));
	ck_assert_ptr_nonnull(find_note(&v.r.details, "data.doctor_id"));
	verdict_free(&v);
}
END_TEST

START_TEST(nul_in_a_value_is_a_detail_with_its_path)
{
	struct verdict	 v;
	char		*body;

	body = fixture_with("appointment.created.json",
	    "data.partner_meta.visit_id", "\"V\\u0000-1\"");
	judge(&v, body, SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_uint_eq(v.r.details.n, 1);
	ck_assert_str_eq(v.r.details.v[0].field,
	    "data.partner_meta.visit_id");
	ck_assert_str_eq(v.r.details.v[0].problem,
	    "must not contain \\u0000");
	verdict_free(&v);
	cJSON_free(body);

	body = fixture_with("appointment.created.json", "data.sa_ids",
	    "[\"ok\",\"\\u0000\"]");
	judge(&v, body, SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_str_eq(v.r.details.v[0].field, "data.sa_ids[1]");
	verdict_free(&v);
	cJSON_free(body);

	/* In the event name: no event is taken from it. */
	judge(&v, "{\"event\":\"x\\u0000\",\"data\":{}}", SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_ptr_null(v.r.event);
	ck_assert_ptr_nonnull(find_note(&v.r.details, "event"));
	verdict_free(&v);

	/* In a key. */
	judge(&v, "{\"event\":\"x\",\"data\":{\"k\\u0000\":1}}",
	    SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_str_eq(v.r.details.v[0].problem,
	    "a key must not contain \\u0000");
	verdict_free(&v);
}
END_TEST

/* A path longer than a note holds is cut, never overrun. */
START_TEST(nul_deep_under_long_keys_gets_a_cut_path)
{
	static const char key[] = "\"a_rather_long_key_name\":";
	struct verdict	 v;
	char		*body, *p;
	size_t		 depth = 60, i, n;

	n = 64 + depth * (sizeof(key) + 2);
	body = malloc(n);
	ck_assert_ptr_nonnull(body);
	p = body + snprintf(body, n, "{\"event\":\"x.y\",\"data\":");
	for (i = 0; i < depth; i++)
		p += snprintf(p, n - (size_t)(p - body), "{%s", key);
	p += snprintf(p, n - (size_t)(p - body), "[\"\\u0000\"]");
	for (i = 0; i < depth; i++)
		*p++ = '}';
	snprintf(p, n - (size_t)(p - body), "}");
	judge(&v, body, SCHEMA_STRICT);
	ck_assert(!v.valid);
	ck_assert_uint_eq(v.r.details.n, 1);
	ck_assert_uint_eq(strlen(v.r.details.v[0].field),
	    NOTE_FIELD_MAX - 1);
	ck_assert_mem_eq(v.r.details.v[0].field,
	    "data.a_rather_long_key_name.a_rather", 36);
	verdict_free(&v);
	free(body);
}
END_TEST

START_TEST(mode_names_parse)
{
	enum schema_mode	 m;

	ck_assert_int_eq(schema_mode_parse("strict", &m), 0);
	ck_assert_int_eq(m, SCHEMA_STRICT);
	ck_assert_int_eq(schema_mode_parse("relaxed", &m), 0);
	ck_assert_int_eq(m, SCHEMA_RELAXED);
	ck_assert_int_eq(schema_mode_parse("Strict", &m), -1);
	ck_assert_int_eq(schema_mode_parse("", &m), -1);
}
END_TEST

Suite *
schema_suite(void)
{
	Suite	*s = suite_create("schema");
	TCase	*tc;

	tc = tcase_create("strict");
	tcase_add_test(tc, fixture_passes_strict);
	tcase_add_loop_test(tc, each_missing_required_field_is_its_own_detail,
	    0, (int)NREQUIRED);
	tcase_add_test(tc, missing_event_is_a_detail);
	tcase_add_test(tc, every_missing_field_is_listed_at_once);
	tcase_add_test(tc, optional_fields_may_be_absent);
	tcase_add_loop_test(tc, wrong_types_are_details_naming_the_field, 0,
	    (int)(sizeof(wrong_types) / sizeof(wrong_types[0])));
	tcase_add_test(tc, empty_sa_ids_and_label_are_arrays_of_strings);
	tcase_add_loop_test(tc, integers_are_judged_on_their_text, 0,
	    (int)(sizeof(int_texts) / sizeof(int_texts[0])));
	tcase_add_loop_test(tc, time_strings_must_be_rfc3339, 0,
	    (int)(sizeof(times) / sizeof(times[0])));
	tcase_add_test(tc, unknown_status_and_action_are_warnings_not_details);
	tcase_add_test(tc, every_known_status_and_action_passes_without_warning);
	tcase_add_test(tc, unknown_events_need_only_event_and_data_and_are_noted);
	tcase_add_test(tc, unknown_events_are_422_when_rejected);
	tcase_add_loop_test(tc, hostile_event_names_are_invalid_events, 0,
	    (int)(sizeof(hostile_names) / sizeof(hostile_names[0])));
	tcase_add_test(tc, names_of_128_bytes_and_every_allowed_byte_pass);
	tcase_add_test(tc, wrapped_events_are_judged_by_their_payload);
	tcase_add_test(tc, a_schema_that_cannot_be_read_is_a_config_error);
	tcase_add_test(tc, nul_in_a_value_is_a_detail_with_its_path);
	tcase_add_test(tc, nul_deep_under_long_keys_gets_a_cut_path);
	tcase_add_test(tc, mode_names_parse);
	suite_add_tcase(s, tc);

	tc = tcase_create("relaxed");
	tcase_add_test(tc, relaxed_accepts_the_published_sample);
	tcase_add_test(tc, relaxed_prefers_event_over_event_type);
	tcase_add_test(tc, relaxed_checks_types_where_present);
	suite_add_tcase(s, tc);
	return s;
}

/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "timefmt.h"

enum ftype {
	FT_STRING,
	FT_INT,
	FT_TIME,		/* integer or RFC 3339 date-time */
	FT_OBJECT,
	FT_STRINGS		/* array of strings */
};

struct field {
	const char	*name;
	enum ftype	 type;
	bool		 required;	/* in strict mode, for appointment.* */
};

/* SPEC §3, the envelope. */
static const struct field envelope_fields[] = {
	{ "event",		FT_STRING,	true },
	{ "event_time",		FT_INT,		true },
	{ "timestamp",		FT_TIME,	true },
	{ "client_id",		FT_STRING,	true },
	{ "business_id",	FT_STRING,	true },
	{ "data",		FT_OBJECT,	true },
	{ "service",		FT_STRING,	false },
	{ "transaction_id",	FT_STRING,	false },
};

/* SPEC §3, data of appointment.* events. */
static const struct field data_fields[] = {
	{ "appointment_id",		FT_STRING,	true },
	{ "partner_appointment_id",	FT_STRING,	true },
	{ "doctor_id",			FT_STRING,	true },
	{ "partner_doctor_id",		FT_STRING,	true },
	{ "patient_id",			FT_STRING,	true },
	{ "partner_patient_id",		FT_STRING,	true },
	{ "clinic_id",			FT_STRING,	true },
	{ "partner_clinic_id",		FT_STRING,	true },
	{ "status",			FT_STRING,	true },
	{ "action",			FT_STRING,	true },
	{ "created_at",			FT_TIME,	true },
	{ "modified_at",		FT_TIME,	true },
	{ "partner_meta",		FT_OBJECT,	true },
	{ "sa_ids",			FT_STRINGS,	true },
	{ "custom_attributes",		FT_OBJECT,	false },
};

static const char *const known_status[] = { "BK", "OG", "CM", "CMNP", "CN" };
static const char *const known_action[] = { "created", "modified", "completed" };

static const char *const type_problem[] = {
	[FT_STRING] = "must be a string",
	[FT_INT] = "must be an integer",
	[FT_TIME] = "must be an integer or an RFC 3339 date-time",
	[FT_OBJECT] = "must be an object",
	[FT_STRINGS] = "must be an array of strings",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void	note_add(struct schema_result *, struct schema_notes *,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static void	note_path(struct schema_result *, struct schema_notes *,
		    const char *, const char *, const char *);
static const cJSON *member(const cJSON *, const char *);
static const cJSON *member_next(const cJSON *, const char *,
		    const cJSON **);
static bool	type_ok(const struct json_doc *, const cJSON *, enum ftype);
static void	check_fields(const struct json_doc *, struct schema_result *,
		    const cJSON *, const char *, const struct field *, size_t,
		    bool, bool);
static void	check_enum(struct schema_result *, const cJSON *,
		    const char *, const char *const *, size_t);
static void	check_nul(struct schema_result *, const cJSON *, char *,
		    size_t);
static bool	is_appointment(const char *);

static void
note_add(struct schema_result *r, struct schema_notes *ns, const char *field,
    const char *fmt, ...)
{
	struct schema_note	*v;
	va_list			 ap;
	size_t			 cap;

	if (ns->n == ns->cap) {
		cap = ns->cap ? ns->cap * 2 : 8;
		if ((v = realloc(ns->v, cap * sizeof(*v))) == NULL) {
			r->nomem = true;
			return;
		}
		ns->v = v;
		ns->cap = cap;
	}
	v = &ns->v[ns->n++];
	snprintf(v->field, sizeof(v->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(v->problem, sizeof(v->problem), fmt, ap);
	va_end(ap);
}

/* A note on prefix + name, the path put together only when noted. */
static void
note_path(struct schema_result *r, struct schema_notes *ns, const char *prefix,
    const char *name, const char *problem)
{
	char	 path[SCHEMA_FIELD_MAX];

	snprintf(path, sizeof(path), "%s%s", prefix, name);
	note_add(r, ns, path, "%s", problem);
}

/*
 * The member of obj named name, or NULL: cJSON's lookup, with the first
 * byte compared before calling strcmp (most keys differ there, and this
 * runs for every field of the tables on every request).
 */
static const cJSON *
member(const cJSON *obj, const char *name)
{
	const cJSON	*c;

	if (!cJSON_IsObject(obj))
		return NULL;
	for (c = obj->child; c != NULL; c = c->next)
		if (c->string != NULL && c->string[0] == name[0] &&
		    strcmp(c->string, name) == 0)
			return c;
	return NULL;
}

/*
 * member() for fields looked up in a table's order: *next, the member
 * after the one found last, is tried first, so a body whose keys come
 * in the table's order (Eka's do) costs one comparison per field.
 */
static const cJSON *
member_next(const cJSON *obj, const char *name, const cJSON **next)
{
	const cJSON	*c = *next;

	if (c == NULL || c->string == NULL || c->string[0] != name[0] ||
	    strcmp(c->string, name) != 0)
		c = member(obj, name);
	if (c != NULL)
		*next = c->next;
	return c;
}

static bool
type_ok(const struct json_doc *doc, const cJSON *v, enum ftype t)
{
	const cJSON	*e;

	switch (t) {
	case FT_STRING:
		return cJSON_IsString(v);
	case FT_INT:
		return json_is_int64(doc, v);
	case FT_TIME:
		if (cJSON_IsString(v))
			return !json_string_has_nul(v) &&
			    timefmt_is_rfc3339(v->valuestring,
			    strlen(v->valuestring));
		return json_is_int64(doc, v);
	case FT_OBJECT:
		return cJSON_IsObject(v);
	case FT_STRINGS:
		if (!cJSON_IsArray(v))
			return false;
		for (e = v->child; e != NULL; e = e->next)
			if (!cJSON_IsString(e))
				return false;
		return true;
	}
	return false;
}

/*
 * Checks each field of the table in obj: its type where present, and
 * its presence when required is set.
 */
static void
check_fields(const struct json_doc *doc, struct schema_result *r,
    const cJSON *obj, const char *prefix, const struct field *f, size_t n,
    bool required, bool relaxed)
{
	const cJSON	*v, *next = NULL;
	enum ftype	 t;
	size_t		 i;

	for (i = 0; i < n; i++) {
		v = member_next(obj, f[i].name, &next);
		if (v == NULL) {
			if (required && f[i].required)
				note_path(r, &r->details, prefix, f[i].name,
				    "is required");
			continue;
		}
		/* Relaxed: every time field may be seconds, ms or RFC 3339. */
		t = relaxed && f[i].type == FT_INT ? FT_TIME : f[i].type;
		if (!type_ok(doc, v, t))
			note_path(r, &r->details, prefix, f[i].name,
			    type_problem[t]);
	}
}

static void
check_enum(struct schema_result *r, const cJSON *data, const char *name,
    const char *const *known, size_t n)
{
	const cJSON	*v;
	char		 path[64];
	size_t		 i;

	v = member(data, name);
	if (!cJSON_IsString(v))
		return;
	for (i = 0; i < n; i++)
		if (strcmp(v->valuestring, known[i]) == 0)
			return;
	snprintf(path, sizeof(path), "data.%s", name);
	note_add(r, &r->warnings, path, "unknown %s value", name);
}

/*
 * Every string value that held \u0000 is a problem (SPEC §3); keys are
 * judged from doc->nul_keys.  The walk, which puts a path together for
 * every node, runs only for a body that has one (doc->nnul_strs).
 */
static void
check_nul(struct schema_result *r, const cJSON *node, char *path, size_t len)
{
	const cJSON	*c;
	size_t		 i, n;

	for (i = 0, c = node->child; c != NULL; c = c->next, i++) {
		if (cJSON_IsObject(node))
			n = (size_t)snprintf(path + len, SCHEMA_FIELD_MAX - len,
			    "%s%s", len ? "." : "", c->string);
		else
			n = (size_t)snprintf(path + len, SCHEMA_FIELD_MAX - len,
			    "[%zu]", i);
		if (n >= SCHEMA_FIELD_MAX - len)
			n = SCHEMA_FIELD_MAX - len - 1;
		if (json_string_has_nul(c))
			note_add(r, &r->details, path,
			    "must not contain \\u0000");
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			check_nul(r, c, path, len + n);
		path[len] = '\0';
	}
}

static bool
is_appointment(const char *event)
{
	return event != NULL && strncmp(event, "appointment.", 12) == 0;
}

bool
schema_check(const struct json_doc *doc, enum schema_mode mode,
    struct schema_result *r)
{
	const cJSON	*root = doc->root, *ev, *data, *ca;
	char		 path[SCHEMA_FIELD_MAX];
	size_t		 i;
	bool		 appt, relaxed;

	memset(r, 0, sizeof(*r));
	ev = member(root, "event");
	if (mode == SCHEMA_RELAXED && ev == NULL) {
		ev = member(root, "event_type");
		if (ev == NULL)
			note_add(r, &r->details, "event",
			    "is required (or event_type)");
		else if (!cJSON_IsString(ev))
			note_add(r, &r->details, "event_type",
			    "must be a string");
	}
	if (ev != NULL && cJSON_IsString(ev) && !json_string_has_nul(ev))
		r->event = ev->valuestring;
	appt = is_appointment(r->event);
	data = member(root, "data");

	/* The envelope: fully required only for strict appointment.* events. */
	relaxed = mode == SCHEMA_RELAXED;
	check_fields(doc, r, root, "", envelope_fields, 1, !relaxed, relaxed);
	check_fields(doc, r, root, "", envelope_fields + 1,
	    NELEM(envelope_fields) - 1, !relaxed && appt, relaxed);
	if (data == NULL && (mode == SCHEMA_RELAXED || !appt))
		note_add(r, &r->details, "data", "is required");

	if (appt && cJSON_IsObject(data)) {
		check_fields(doc, r, data, "data.", data_fields,
		    NELEM(data_fields), !relaxed, relaxed);
		ca = member(data, "custom_attributes");
		if (cJSON_IsObject(ca)) {
			static const struct field label = {
				"label", FT_STRINGS, false
			};
			check_fields(doc, r, ca, "data.custom_attributes.",
			    &label, 1, false, relaxed);
		}
		check_enum(r, data, "status", known_status,
		    NELEM(known_status));
		check_enum(r, data, "action", known_action,
		    NELEM(known_action));
	}
	path[0] = '\0';
	if (doc->nnul_strs > 0)
		check_nul(r, root, path, 0);
	for (i = 0; i < doc->nnul_keys; i++)
		note_add(r, &r->details, "", "a key must not contain \\u0000");
	return r->details.n == 0 && !r->nomem;
}

void
schema_result_free(struct schema_result *r)
{
	free(r->details.v);
	free(r->warnings.v);
	memset(r, 0, sizeof(*r));
}

int
schema_mode_parse(const char *s, enum schema_mode *m)
{
	if (strcmp(s, "strict") == 0)
		*m = SCHEMA_STRICT;
	else if (strcmp(s, "relaxed") == 0)
		*m = SCHEMA_RELAXED;
	else
		return -1;
	return 0;
}

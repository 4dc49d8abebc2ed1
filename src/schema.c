/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "schema.h"

/* Relaxed: event_time may be seconds, milliseconds or RFC 3339 text. */
static const char *const relaxed_times[] = { "event_time" };

static void	 check_name(struct schema_result *, const struct json_doc *,
		    const cJSON *, const char *, bool);
static void	 check_data(struct schema_result *, const cJSON *,
		    const char *);
static bool	 has_detail(const struct schema_result *, const char *);
static void	 check_nul(struct schema_result *, const struct json_doc *,
		    const cJSON *, char *, size_t);
static void	 field(char *, size_t, const char *, const char *);

/* prefix + "." + name, or name alone at the top. */
static void
field(char *p, size_t size, const char *prefix, const char *name)
{
	snprintf(p, size, "%s%s%s", prefix, *prefix ? "." : "", name);
}

/*
 * The event's name: present, a string, and safe as a file name and a
 * hook's argument.  Sets r->event when it is.
 */
static void
check_name(struct schema_result *r, const struct json_doc *doc,
    const cJSON *body, const char *prefix, bool relaxed)
{
	const cJSON	*ev;
	const char	*key = "event";
	char		 f[NOTE_FIELD_MAX];

	ev = cJSON_GetObjectItemCaseSensitive(body, "event");
	if (ev == NULL && relaxed) {
		key = "event_type";
		ev = cJSON_GetObjectItemCaseSensitive(body, key);
	}
	if (ev != NULL && cJSON_IsString(ev) &&
	    !json_string_has_nul(doc, ev) && event_name_ok(ev->valuestring)) {
		r->event = ev->valuestring;
		return;
	}
	field(f, sizeof(f), prefix, ev == NULL ? "event" : key);
	if (ev == NULL)
		notes_add(&r->details, f, relaxed ? "is required (or event_type)" :
		    "is required");
	else if (!cJSON_IsString(ev))
		notes_add(&r->details, f, "must be a string");
	else if (!json_string_has_nul(doc, ev))	/* that one: check_nul */
		notes_add(&r->details, f, "must be 1 to %d letters, digits, "
		    "'.', '_' or '-', starting with a letter or digit",
		    EVENT_NAME_MAX);
}

static bool
has_detail(const struct schema_result *r, const char *f)
{
	size_t	 i;

	for (i = 0; i < r->details.n; i++)
		if (strcmp(r->details.v[i].field, f) == 0)
			return true;
	return false;
}

/* "data": an object, whatever else a schema says of it. */
static void
check_data(struct schema_result *r, const cJSON *body, const char *prefix)
{
	const cJSON	*data;
	char		 f[NOTE_FIELD_MAX];

	field(f, sizeof(f), prefix, "data");
	if (has_detail(r, f))
		return;
	data = cJSON_GetObjectItemCaseSensitive(body, "data");
	if (data == NULL)
		notes_add(&r->details, f, "is required");
	else if (!cJSON_IsObject(data))
		notes_add(&r->details, f, "must be an object");
}

/*
 * Every string value that held \u0000 is a problem; keys are judged
 * from doc->nul_keys.  The walk, which puts a path together for every
 * node, runs only for a body that has one (doc->nnul_strs).
 */
static void
check_nul(struct schema_result *r, const struct json_doc *doc,
    const cJSON *node, char *path, size_t len)
{
	const cJSON	*c;
	size_t		 i, n;

	for (i = 0, c = node->child; c != NULL; c = c->next, i++) {
		if (cJSON_IsObject(node))
			n = (size_t)snprintf(path + len, NOTE_FIELD_MAX - len,
			    "%s%s", len ? "." : "", c->string);
		else
			n = (size_t)snprintf(path + len, NOTE_FIELD_MAX - len,
			    "[%zu]", i);
		if (n >= NOTE_FIELD_MAX - len)
			n = NOTE_FIELD_MAX - len - 1;
		if (json_string_has_nul(doc, c))
			notes_add(&r->details, path,
			    "must not contain \\u0000");
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			check_nul(r, doc, c, path, len + n);
		path[len] = '\0';
	}
}

bool
schema_check(const struct json_doc *doc, const struct schema_opts *o,
    struct schema_result *r)
{
	const struct jschema	*js = NULL;
	struct jschema_opts	 jo;
	const cJSON		*body;
	const char		*prefix;
	char			 path[NOTE_FIELD_MAX];
	size_t			 i;
	bool			 relaxed = o->mode == SCHEMA_RELAXED;

	memset(r, 0, sizeof(*r));
	body = event_body(doc->root);
	prefix = body == doc->root ? "" : "payload";
	check_name(r, doc, body, prefix, relaxed);
	if (r->event != NULL)
		switch (o->lookup(o->lookup_arg, r->event, &js)) {
		case CATALOG_ERROR:
			r->config_error = true;
			return false;
		case CATALOG_NONE:
			/* ekahook.conf(5) unknown_events. */
			notes_add(o->unknown_reject ? &r->details :
			    &r->warnings, "event", "has no schema");
			break;
		case CATALOG_FOUND:
			break;
		}
	if (js != NULL) {
		memset(&jo, 0, sizeof(jo));
		jo.relaxed = relaxed;
		jo.relaxed_times = relaxed_times;
		jo.nrelaxed_times = sizeof(relaxed_times) /
		    sizeof(relaxed_times[0]);
		jschema_validate(js, doc, body, prefix, &jo, &r->details,
		    &r->warnings);
	}
	/* Needed by every event without a schema, and in relaxed. */
	if (js == NULL || relaxed)
		check_data(r, body, prefix);
	path[0] = '\0';
	if (doc->nnul_strs > 0)
		check_nul(r, doc, doc->root, path, 0);
	for (i = 0; i < doc->nnul_keys; i++)
		notes_add(&r->details, "", "a key must not contain \\u0000");
	r->nomem = r->details.nomem || r->warnings.nomem;
	return r->details.n == 0 && !r->nomem;
}

void
schema_result_free(struct schema_result *r)
{
	notes_free(&r->details);
	notes_free(&r->warnings);
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

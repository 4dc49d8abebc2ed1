/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"
#include "timefmt.h"

#define JSCHEMA_MAX_DEPTH	64	/* schemas nested deeper are refused */

enum jtype {
	JT_STRING,
	JT_INTEGER,
	JT_NUMBER,
	JT_BOOLEAN,
	JT_OBJECT,
	JT_ARRAY,
	JT_NULL,
	JT_COUNT
};

#define JT_BIT(t)	(1u << (t))

struct jprop {
	char		*name;
	size_t		 len;
	struct jschema	*schema;
	bool		 required;
};

struct jschema {
	unsigned	 types;		/* JT_BIT()s; 0: any value */
	unsigned char	 order[JT_COUNT]; /* the types as written */
	size_t		 ntypes;
	bool		 date_time;	/* format: "date-time" */
	struct jprop	*props;
	size_t		 nprops;
	char		**required;	/* required names not in properties */
	size_t		 nrequired;
	struct jschema	*items;
	char		**known;	/* x-known-values */
	size_t		 nknown;
};

/* Names of JSON Schema's types, and how a problem calls them. */
static const struct {
	const char	*name;
	const char	*words;
} jtypes[JT_COUNT] = {
	[JT_STRING] =	{ "string",	"a string" },
	[JT_INTEGER] =	{ "integer",	"an integer" },
	[JT_NUMBER] =	{ "number",	"a number" },
	[JT_BOOLEAN] =	{ "boolean",	"true or false" },
	[JT_OBJECT] =	{ "object",	"an object" },
	[JT_ARRAY] =	{ "array",	"an array" },
	[JT_NULL] =	{ "null",	"null" },
};

/* Where compiling is: the keyword path for messages, and the depth. */
struct cpos {
	char	 path[256];
	size_t	 len;
	int	 depth;
	char	*err;
	size_t	 errlen;
};

/* A member (name[0..len)) or, name NULL, an element (index) of a node. */
struct seg {
	const char	*name;
	size_t		 len;
	size_t		 index;
};

/* Where validating is. */
struct vctx {
	const struct json_doc		*doc;
	const struct jschema_opts	*opts;
	struct notes			*details;
	struct notes			*warnings;
	char				 path[NOTE_FIELD_MAX];
	size_t				 len;
	unsigned			 depth;	/* 0: the event itself */
};

static struct jschema	*compile_node(const cJSON *, struct cpos *);
static int		 compile_type(struct jschema *, const cJSON *,
			    struct cpos *);
static int		 compile_props(struct jschema *, const cJSON *,
			    struct cpos *);
static int		 compile_required(struct jschema *, const cJSON *,
			    struct cpos *);
static int		 compile_strings(const cJSON *, char ***, size_t *,
			    const char *, struct cpos *);
static int		 cfail(struct cpos *, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
static size_t		 cpos_push(struct cpos *, const char *);
static void		 free_strings(char **, size_t);
static size_t		 path_push(struct vctx *, const struct seg *);
static void		 path_pop(struct vctx *, size_t);
static void		 note_at(struct vctx *, struct notes *,
			    const struct seg *, const char *);
static const cJSON	*member_next(const cJSON *, const char *,
			    const cJSON **);
static bool		 type_ok(const struct vctx *, const struct jschema *,
			    const cJSON *, bool);
static void		 type_problem(struct vctx *, const struct jschema *,
			    const struct seg *, bool);
static void		 known_check(struct vctx *, const struct jschema *,
			    const cJSON *, const struct seg *);
static bool		 relaxed_time(const struct vctx *,
			    const struct jprop *);
static void		 validate_object(struct vctx *, const struct jschema *,
			    const cJSON *);
static void		 validate_array(struct vctx *, const struct jschema *,
			    const cJSON *);
static void		 validate_node(struct vctx *, const struct jschema *,
			    const cJSON *, const struct seg *, bool);

static int
cfail(struct cpos *p, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 n;

	va_start(ap, fmt);
	n = (size_t)vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	if (p->len > 0 && n < p->errlen)
		snprintf(p->err + n, p->errlen - n, " (at %s)", p->path);
	return -1;
}

/* Appends "/key" to the keyword path; returns the length to restore. */
static size_t
cpos_push(struct cpos *p, const char *key)
{
	size_t	 old = p->len;
	int	 n;

	n = snprintf(p->path + p->len, sizeof(p->path) - p->len, "%s%s",
	    p->len > 0 ? "/" : "", key);
	if (n < 0 || (size_t)n >= sizeof(p->path) - p->len)
		p->len = sizeof(p->path) - 1;
	else
		p->len += (size_t)n;
	return old;
}

static void
free_strings(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
jschema_free(struct jschema *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nprops; i++) {
		free(s->props[i].name);
		jschema_free(s->props[i].schema);
	}
	free(s->props);
	free_strings(s->required, s->nrequired);
	jschema_free(s->items);
	free_strings(s->known, s->nknown);
	free(s);
}

static int
compile_type(struct jschema *s, const cJSON *v, struct cpos *p)
{
	const cJSON	*e;
	size_t		 t;

	if (cJSON_IsString(v))
		e = v;
	else if (cJSON_IsArray(v) && v->child != NULL)
		e = v->child;
	else
		return cfail(p, "\"type\" must be a type name or a list of them");
	for (; e != NULL; e = cJSON_IsArray(v) ? e->next : NULL) {
		if (!cJSON_IsString(e))
			return cfail(p, "\"type\" must be a type name or a "
			    "list of them");
		for (t = 0; t < JT_COUNT; t++)
			if (strcmp(e->valuestring, jtypes[t].name) == 0)
				break;
		if (t == JT_COUNT)
			return cfail(p, "type \"%.40s\" is not a JSON Schema "
			    "type", e->valuestring);
		if ((s->types & JT_BIT(t)) == 0)
			s->order[s->ntypes++] = (unsigned char)t;
		s->types |= JT_BIT(t);
	}
	return 0;
}

/* A list of strings into *out, malloc'd.  Returns 0 or -1. */
static int
compile_strings(const cJSON *v, char ***out, size_t *n, const char *kw,
    struct cpos *p)
{
	const cJSON	*e;
	char		**l;
	size_t		 i = 0;

	*out = NULL;
	*n = 0;
	if (!cJSON_IsArray(v))
		return cfail(p, "\"%s\" must be a list of strings", kw);
	if ((l = calloc((size_t)cJSON_GetArraySize(v) + 1,
	    sizeof(*l))) == NULL)
		return cfail(p, "out of memory");
	for (e = v->child; e != NULL; e = e->next) {
		if (!cJSON_IsString(e)) {
			free_strings(l, i);
			return cfail(p, "\"%s\" must be a list of strings", kw);
		}
		if ((l[i++] = strdup(e->valuestring)) == NULL) {
			free_strings(l, i - 1);
			return cfail(p, "out of memory");
		}
	}
	*out = l;
	*n = i;
	return 0;
}

static int
compile_props(struct jschema *s, const cJSON *v, struct cpos *p)
{
	const cJSON	*e;
	size_t		 old, n;

	if (!cJSON_IsObject(v))
		return cfail(p, "\"properties\" must be an object");
	n = (size_t)cJSON_GetArraySize(v);
	if (n == 0)
		return 0;
	if ((s->props = calloc(n, sizeof(*s->props))) == NULL)
		return cfail(p, "out of memory");
	for (e = v->child; e != NULL; e = e->next) {
		struct jprop *jp = &s->props[s->nprops];

		old = cpos_push(p, e->string);
		jp->schema = compile_node(e, p);
		p->len = old;
		p->path[old] = '\0';
		if (jp->schema == NULL)
			return -1;
		s->nprops++;
		if ((jp->name = strdup(e->string)) == NULL)
			return cfail(p, "out of memory");
		jp->len = strlen(jp->name);
	}
	return 0;
}

/*
 * "required": names that are also properties are flagged there, so one
 * pass over the properties judges both; the rest are kept apart.
 */
static int
compile_required(struct jschema *s, const cJSON *v, struct cpos *p)
{
	char	**names;
	size_t	 n, i, j, k = 0;

	if (compile_strings(v, &names, &n, "required", p) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < s->nprops; j++)
			if (strcmp(s->props[j].name, names[i]) == 0)
				break;
		if (j < s->nprops) {
			s->props[j].required = true;
			free(names[i]);
		} else
			names[k++] = names[i];
	}
	s->required = names;
	s->nrequired = k;
	return 0;
}

static struct jschema *
compile_node(const cJSON *node, struct cpos *p)
{
	struct jschema	*s;
	const cJSON	*k, *req = NULL;
	size_t		 old;
	int		 rc = 0;

	if (!cJSON_IsObject(node)) {
		cfail(p, "a schema must be a JSON object");
		return NULL;
	}
	if (++p->depth > JSCHEMA_MAX_DEPTH) {
		cfail(p, "schemas nested more than %d deep", JSCHEMA_MAX_DEPTH);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		cfail(p, "out of memory");
		return NULL;
	}
	for (k = node->child; k != NULL && rc == 0; k = k->next) {
		if (cJSON_GetObjectItemCaseSensitive(node, k->string) != k)
			rc = cfail(p, "keyword \"%.60s\" appears twice",
			    k->string);
		else if (strcmp(k->string, "type") == 0)
			rc = compile_type(s, k, p);
		else if (strcmp(k->string, "properties") == 0) {
			old = cpos_push(p, "properties");
			rc = compile_props(s, k, p);
			p->len = old;
			p->path[old] = '\0';
		} else if (strcmp(k->string, "required") == 0)
			req = k;	/* after properties, wherever it is */
		else if (strcmp(k->string, "items") == 0) {
			old = cpos_push(p, "items");
			if ((s->items = compile_node(k, p)) == NULL)
				rc = -1;
			p->len = old;
			p->path[old] = '\0';
		} else if (strcmp(k->string, "format") == 0) {
			if (!cJSON_IsString(k) ||
			    strcmp(k->valuestring, "date-time") != 0)
				rc = cfail(p, "only \"format\": \"date-time\" "
				    "is supported");
			s->date_time = true;
		} else if (strcmp(k->string, "x-known-values") == 0) {
			rc = compile_strings(k, &s->known, &s->nknown,
			    "x-known-values", p);
		} else
			rc = cfail(p, "keyword \"%.60s\" is not supported",
			    k->string);
	}
	if (rc == 0 && req != NULL)
		rc = compile_required(s, req, p);
	p->depth--;
	if (rc == -1) {
		jschema_free(s);
		return NULL;
	}
	return s;
}

struct jschema *
jschema_compile(const cJSON *root, char *err, size_t errlen)
{
	struct cpos	 p;

	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	return compile_node(root, &p);
}

/*
 * Appends ".name" or "[index]" to the path; returns the length to
 * restore with path_pop().  A path too long for a note is cut.
 */
static size_t
path_push(struct vctx *c, const struct seg *at)
{
	size_t		 old = c->len, room = sizeof(c->path) - c->len, n;
	size_t		 index = at->index;
	char		 num[24], *d = num + sizeof(num);
	const char	*name = at->name;

	if (name != NULL) {
		n = at->len;
		if (c->len > 0 && room > 1) {
			c->path[c->len++] = '.';
			room--;
		}
	} else {
		*--d = ']';
		do
			*--d = (char)('0' + index % 10);
		while ((index /= 10) > 0);
		*--d = '[';
		name = d;
		n = (size_t)(num + sizeof(num) - d);
	}
	if (n >= room)
		n = room - 1;
	memcpy(c->path + c->len, name, n);
	c->len += n;
	c->path[c->len] = '\0';
	return old;
}

static void
path_pop(struct vctx *c, size_t old)
{
	c->len = old;
	c->path[old] = '\0';
}

/*
 * A note on at, a member or element of the node at c->path.  Paths are
 * put together only for notes and for the nodes validation goes into.
 */
static void
note_at(struct vctx *c, struct notes *ns, const struct seg *at,
    const char *problem)
{
	size_t	 old = path_push(c, at);

	notes_add(ns, c->path, "%s", problem);
	path_pop(c, old);
}

/*
 * The member of obj named name, or NULL.  *next, the member after the
 * one found last, is tried first: a body whose keys come in the
 * schema's order (Eka's do) costs one comparison per property.
 */
static const cJSON *
member_next(const cJSON *obj, const char *name, const cJSON **next)
{
	const cJSON	*c = *next;

	if (c == NULL || c->string[0] != name[0] ||
	    strcmp(c->string, name) != 0)
		for (c = obj->child; c != NULL; c = c->next)
			if (c->string[0] == name[0] &&
			    strcmp(c->string, name) == 0)
				break;
	if (c != NULL)
		*next = c->next;
	return c;
}

/*
 * True when v has one of s's types.  as_time: a relaxed date-time field,
 * which may also be an integer or an RFC 3339 string.  An "integer" is
 * judged on the number's text, never through a double.
 */
static bool
type_ok(const struct vctx *c, const struct jschema *s, const cJSON *v,
    bool as_time)
{
	unsigned	 t = s->types;

	if (as_time)
		t |= JT_BIT(JT_INTEGER) | JT_BIT(JT_STRING);
	if (t == 0)
		return true;
	/* cJSON's type bits, read directly: this runs for every field. */
	switch (v->type & 0xFF) {
	case cJSON_String:
		if ((t & JT_BIT(JT_STRING)) == 0)
			return false;
		if (!s->date_time && !as_time)
			return true;
		return !json_string_has_nul(c->doc, v) &&
		    timefmt_is_rfc3339(v->valuestring, strlen(v->valuestring));
	case cJSON_Number:
		return (t & JT_BIT(JT_NUMBER)) != 0 ||
		    ((t & JT_BIT(JT_INTEGER)) != 0 && json_is_int64(c->doc, v));
	case cJSON_True:
	case cJSON_False:
		return (t & JT_BIT(JT_BOOLEAN)) != 0;
	case cJSON_NULL:
		return (t & JT_BIT(JT_NULL)) != 0;
	case cJSON_Object:
		return (t & JT_BIT(JT_OBJECT)) != 0;
	case cJSON_Array:
		return (t & JT_BIT(JT_ARRAY)) != 0;
	}
	return false;
}

/* "must be an integer or an RFC 3339 date-time", in the schema's order. */
static void
type_problem(struct vctx *c, const struct jschema *s, const struct seg *at,
    bool as_time)
{
	unsigned char	 order[JT_COUNT + 2];
	char		 msg[NOTE_PROBLEM_MAX];
	size_t		 n = 0, i, len;

	memcpy(order, s->order, s->ntypes);
	n = s->ntypes;
	if (as_time) {
		if ((s->types & JT_BIT(JT_INTEGER)) == 0)
			order[n++] = JT_INTEGER;
		if ((s->types & JT_BIT(JT_STRING)) == 0)
			order[n++] = JT_STRING;
	}
	len = (size_t)snprintf(msg, sizeof(msg), "must be");
	for (i = 0; i < n && len < sizeof(msg); i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s%s",
		    i == 0 ? " " : i + 1 == n ? " or " : ", ",
		    order[i] == JT_STRING && (s->date_time || as_time) ?
		    "an RFC 3339 date-time" : jtypes[order[i]].words);
	note_at(c, c->details, at, msg);
}

/* x-known-values: "unknown status value" for data.status. */
static void
known_check(struct vctx *c, const struct jschema *s, const cJSON *v,
    const struct seg *at)
{
	char	 msg[NOTE_PROBLEM_MAX];
	size_t	 i;

	if ((v->type & 0xFF) != cJSON_String ||
	    json_string_has_nul(c->doc, v))
		return;
	for (i = 0; i < s->nknown; i++)
		if (strcmp(v->valuestring, s->known[i]) == 0)
			return;
	if (at->name != NULL)
		snprintf(msg, sizeof(msg), "unknown %.*s value",
		    (int)(at->len > 60 ? 60 : at->len), at->name);
	else
		snprintf(msg, sizeof(msg), "unknown value");
	note_at(c, c->warnings, at, msg);
}

static bool
relaxed_time(const struct vctx *c, const struct jprop *jp)
{
	size_t	 k;

	for (k = 0; k < c->opts->nrelaxed_times; k++)
		if (strcmp(jp->name, c->opts->relaxed_times[k]) == 0)
			return true;
	return false;
}

/* The members of v (at c->path) against s's properties and required. */
static void
validate_object(struct vctx *c, const struct jschema *s, const cJSON *v)
{
	const struct jprop	*jp;
	const cJSON		*m, *next = NULL;
	struct seg		 at = { NULL, 0, 0 };
	size_t			 i;
	bool			 top = c->depth == 0, need;

	need = !c->opts->relaxed;
	c->depth++;
	for (i = 0; i < s->nprops; i++) {
		jp = &s->props[i];
		at.name = jp->name;
		at.len = jp->len;
		at.index = 0;
		if ((m = member_next(v, jp->name, &next)) != NULL)
			validate_node(c, jp->schema, m, &at, top &&
			    c->opts->relaxed && relaxed_time(c, jp));
		else if (need && jp->required)
			note_at(c, c->details, &at, "is required");
	}
	for (i = 0; need && i < s->nrequired; i++) {
		if (cJSON_GetObjectItemCaseSensitive(v, s->required[i]) != NULL)
			continue;
		at.name = s->required[i];
		at.len = strlen(at.name);
		note_at(c, c->details, &at, "is required");
	}
	c->depth--;
}

static void
validate_array(struct vctx *c, const struct jschema *s, const cJSON *v)
{
	const cJSON	*e;
	struct seg	 at = { NULL, 0, 0 };

	c->depth++;
	for (e = v->child; e != NULL; e = e->next, at.index++)
		validate_node(c, s->items, e, &at, false);
	c->depth--;
}

/*
 * Judges v, the member or element at of the node at c->path.  as_time:
 * a relaxed date-time field named by jschema_opts.
 */
static void
validate_node(struct vctx *c, const struct jschema *s, const cJSON *v,
    const struct seg *at, bool as_time)
{
	size_t	 old;

	as_time = c->opts->relaxed && (as_time || s->date_time);
	if (!type_ok(c, s, v, as_time)) {
		type_problem(c, s, at, as_time);
		return;
	}
	if ((s->nprops > 0 || s->nrequired > 0) &&
	    (v->type & 0xFF) == cJSON_Object) {
		old = path_push(c, at);
		validate_object(c, s, v);
		path_pop(c, old);
	} else if (s->items != NULL && (v->type & 0xFF) == cJSON_Array) {
		old = path_push(c, at);
		validate_array(c, s, v);
		path_pop(c, old);
	}
	if (s->known != NULL)
		known_check(c, s, v, at);
}

void
jschema_validate(const struct jschema *s, const struct json_doc *doc,
    const cJSON *v, const char *prefix, const struct jschema_opts *opts,
    struct notes *details, struct notes *warnings)
{
	struct vctx	 c;
	size_t		 n = strlen(prefix);

	c.doc = doc;
	c.opts = opts;
	c.details = details;
	c.warnings = warnings;
	c.depth = 0;
	if (n >= sizeof(c.path))
		n = sizeof(c.path) - 1;
	memcpy(c.path, prefix, n);
	c.path[n] = '\0';
	c.len = n;
	/* The event itself: its path is the prefix. */
	if (!type_ok(&c, s, v, false)) {
		notes_add(details, c.path, "must be an object");
		return;
	}
	if (s->nprops > 0 || s->nrequired > 0)
		validate_object(&c, s, v);
}

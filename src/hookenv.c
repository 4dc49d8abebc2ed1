/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "hookenv.h"

#define HOOKENV_PREFIX		"EKA_"
#define HOOKENV_PREFIX_LEN	4
#define HOOKENV_FIXED		6	/* PATH, LANG, four EKAHOOK_ */

/* The state of one build. */
struct envb {
	const struct json_doc	*doc;
	struct hookenv		*env;
	size_t			 cap;		/* slots in env->envp */
	size_t			 total;		/* bytes of EKA_ strings */
	char			**taken;	/* names given or reserved */
	size_t			 ntaken;
	size_t			 captaken;
	struct buf		 name;		/* "EKA_" + path so far */
	struct buf		 val;
	bool			 nomem;
};

static bool	 is_scalar(const cJSON *);
static bool	 is_scalar_array(const cJSON *);
static bool	 key_has_nul(const struct envb *, const cJSON *);
static void	 name_push(struct buf *, const char *);
static bool	 value_of(struct envb *, const cJSON *);
static bool	 scalar_text(struct envb *, const cJSON *);
static size_t	 name_hash(const char *);
static bool	 name_taken(const struct envb *, const char *);
static void	 set_put(char **, size_t, char *);
static void	 take_name(struct envb *, const char *);
static void	 add_string(struct envb *, char *);
static void	 emit(struct envb *, const cJSON *);
static void	 walk(struct envb *, const cJSON *);
static void	 add_fixed(struct envb *, const char *, const char *);

static bool
is_scalar(const cJSON *it)
{
	return cJSON_IsString(it) || cJSON_IsNumber(it) || cJSON_IsBool(it) ||
	    cJSON_IsNull(it);
}

/* An array whose elements are all scalars (an empty one too). */
static bool
is_scalar_array(const cJSON *it)
{
	const cJSON	*e;

	if (!cJSON_IsArray(it))
		return false;
	cJSON_ArrayForEach(e, it)
		if (!is_scalar(e))
			return false;
	return true;
}

/* A key that held \u0000: cJSON's copy is cut, so its name is unknown. */
static bool
key_has_nul(const struct envb *b, const cJSON *it)
{
	size_t	 i;

	for (i = 0; i < b->doc->nnul_keys; i++)
		if (b->doc->nul_keys[i] == it)
			return true;
	return false;
}

/* Appends one path segment: "_" between segments, A-Z0-9 kept. */
static void
name_push(struct buf *name, const char *key)
{
	const unsigned char	*k = (const unsigned char *)key;
	char			 c;

	if (name->len > HOOKENV_PREFIX_LEN)
		buf_putc(name, '_');
	for (; *k != '\0'; k++) {
		c = (char)*k;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			c = '_';
		buf_putc(name, c);
	}
}

/*
 * Appends a scalar's text to b->val: a string's decoded text, a
 * number's text as sent (ekahook(8) "The hook"), true/false, nothing
 * for null.  False for a string that held \u0000 (an environment string
 * cannot carry it), and for a number without its text: every number of
 * b->doc's tree has one, so that is a node from elsewhere, left out
 * rather than given a text the sender never wrote.
 */
static bool
scalar_text(struct envb *b, const cJSON *it)
{
	const char	*t;
	size_t		 n;

	if (cJSON_IsString(it)) {
		if (json_string_has_nul(b->doc, it))
			return false;
		buf_puts(&b->val, it->valuestring);
	} else if (cJSON_IsNumber(it)) {
		if ((t = json_number_text(b->doc, it, &n)) == NULL)
			return false;
		buf_append(&b->val, t, n);
	} else if (cJSON_IsTrue(it))
		buf_puts(&b->val, "true");
	else if (cJSON_IsFalse(it))
		buf_puts(&b->val, "false");
	return true;
}

/*
 * The value of a scalar or of an array of scalars (joined by newline)
 * in b->val.  False when it cannot be an environment value or is over
 * HOOKENV_MAX_VALUE; building stops as soon as that is known.
 */
static bool
value_of(struct envb *b, const cJSON *it)
{
	const cJSON	*e;
	bool		 first = true;

	buf_reset(&b->val);
	if (!cJSON_IsArray(it))
		return scalar_text(b, it) && b->val.len <= HOOKENV_MAX_VALUE;
	cJSON_ArrayForEach(e, it) {
		if (!first)
			buf_putc(&b->val, '\n');
		first = false;
		if (!scalar_text(b, e) || b->val.len > HOOKENV_MAX_VALUE)
			return false;
	}
	return true;
}

/* FNV-1a: names are hashed into an open-addressing set. */
static size_t
name_hash(const char *s)
{
	size_t	 h = (size_t)14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}

static bool
name_taken(const struct envb *b, const char *name)
{
	size_t	 i;

	if (b->captaken == 0)
		return false;
	for (i = name_hash(name) & (b->captaken - 1); b->taken[i] != NULL;
	    i = (i + 1) & (b->captaken - 1))
		if (strcmp(b->taken[i], name) == 0)
			return true;
	return false;
}

/* Puts s (owned) into the set, whose size is a power of two. */
static void
set_put(char **set, size_t cap, char *s)
{
	size_t	 i;

	i = name_hash(s) & (cap - 1);
	while (set[i] != NULL)
		i = (i + 1) & (cap - 1);
	set[i] = s;
}

static void
take_name(struct envb *b, const char *name)
{
	char	**nt, *copy;
	size_t	 ncap, i;

	/* Kept at most half full, so probes stay short and end. */
	if (2 * (b->ntaken + 1) > b->captaken) {
		ncap = b->captaken ? b->captaken * 2 : 64;
		if ((nt = calloc(ncap, sizeof(*nt))) == NULL) {
			b->nomem = true;
			return;
		}
		for (i = 0; i < b->captaken; i++)
			if (b->taken[i] != NULL)
				set_put(nt, ncap, b->taken[i]);
		free(b->taken);
		b->taken = nt;
		b->captaken = ncap;
	}
	if ((copy = strdup(name)) == NULL) {
		b->nomem = true;
		return;
	}
	set_put(b->taken, b->captaken, copy);
	b->ntaken++;
}

/* Adds one "NAME=value" string (taking ownership) to envp. */
static void
add_string(struct envb *b, char *s)
{
	char	**nv;
	size_t	 ncap;

	if (s == NULL) {
		b->nomem = true;
		return;
	}
	/* One slot always stays free for the terminating NULL. */
	if (b->env->n + 1 >= b->cap) {
		ncap = b->cap ? b->cap * 2 : 32;
		nv = reallocarray(b->env->envp, ncap, sizeof(*nv));
		if (nv == NULL) {
			free(s);
			b->nomem = true;
			return;
		}
		b->env->envp = nv;
		b->cap = ncap;
	}
	b->env->envp[b->env->n++] = s;
	b->env->envp[b->env->n] = NULL;
}

/* The variable for a scalar or scalar array named by b->name. */
static void
emit(struct envb *b, const cJSON *it)
{
	const char	*name;
	char		*s;
	size_t		 need;

	/* Too long to be a name: never a variable, so it takes no name. */
	if (b->name.len > HOOKENV_MAX_NAME) {
		b->env->omitted++;
		return;
	}
	if ((name = buf_cstr(&b->name)) == NULL) {
		b->nomem = true;
		return;
	}
	/* ekahook(8) "The hook": a name taken twice keeps its first owner. */
	if (name_taken(b, name))
		return;
	/* Past the count nothing more is exported, so nothing is taken. */
	if (b->env->neka >= HOOKENV_MAX_VARS) {
		b->env->omitted++;
		return;
	}
	take_name(b, name);
	if (!value_of(b, it)) {
		if (!buf_ok(&b->val))
			b->nomem = true;
		b->env->omitted++;
		return;
	}
	need = b->name.len + 1 + b->val.len + 1;
	if (b->total + need > HOOKENV_MAX_TOTAL) {
		b->env->omitted++;
		return;
	}
	if ((s = malloc(need)) == NULL) {
		b->nomem = true;
		return;
	}
	memcpy(s, b->name.data, b->name.len);
	s[b->name.len] = '=';
	if (b->val.len > 0)
		memcpy(s + b->name.len + 1, b->val.data, b->val.len);
	s[need - 1] = '\0';
	add_string(b, s);
	if (!b->nomem) {
		b->env->neka++;
		b->total += need;
	}
}

/* Every member of obj below b->name: scalars and scalar arrays emitted. */
static void
walk(struct envb *b, const cJSON *obj)
{
	const cJSON	*it;
	size_t		 mark = b->name.len;

	cJSON_ArrayForEach(it, obj) {
		if (b->nomem)
			return;
		if (it->string == NULL || key_has_nul(b, it))
			continue;
		name_push(&b->name, it->string);
		if (is_scalar(it) || is_scalar_array(it))
			emit(b, it);
		else if (cJSON_IsObject(it))
			walk(b, it);
		/* Arrays holding objects or arrays are on stdin only. */
		b->name.len = mark;
	}
}

static void
add_fixed(struct envb *b, const char *name, const char *value)
{
	size_t	 n = strlen(name) + 1 + strlen(value) + 1;
	char	*s;

	if ((s = malloc(n)) != NULL)
		snprintf(s, n, "%s=%s", name, value);
	add_string(b, s);
}

int
hookenv_build(const struct json_doc *doc, const cJSON *event,
    const struct hookenv_base *base, struct hookenv *env)
{
	struct envb	 b;
	const cJSON	*it;
	char		 num[16];
	size_t		 i;

	memset(env, 0, sizeof(*env));
	memset(&b, 0, sizeof(b));
	b.doc = doc;
	b.env = env;
	buf_init(&b.name);
	buf_init(&b.val);

	add_string(&b, strdup(HOOKENV_PATH));
	add_string(&b, strdup(HOOKENV_LANG));
	add_fixed(&b, "EKAHOOK_REQUEST_ID", base->request_id);
	add_fixed(&b, "EKAHOOK_RECEIVED_AT", base->received_at);
	snprintf(num, sizeof(num), "%u", base->attempt);
	add_fixed(&b, "EKAHOOK_ATTEMPT", num);
	add_fixed(&b, "EKAHOOK_LOG_FILE", base->log_file);

	/* A wrapped event's fields are those of its payload. */
	event = event_body(event);
	if (cJSON_IsObject(event)) {
		/* First the envelope's own fields: they win every clash. */
		cJSON_ArrayForEach(it, event) {
			if (b.nomem)
				break;
			if (it->string == NULL || key_has_nul(&b, it) ||
			    !(is_scalar(it) || is_scalar_array(it)))
				continue;
			buf_reset(&b.name);
			buf_puts(&b.name, HOOKENV_PREFIX);
			name_push(&b.name, it->string);
			emit(&b, it);
		}
		/* Then nested fields in body order, "data." dropped. */
		cJSON_ArrayForEach(it, event) {
			if (b.nomem)
				break;
			if (it->string == NULL || key_has_nul(&b, it) ||
			    !cJSON_IsObject(it))
				continue;
			buf_reset(&b.name);
			buf_puts(&b.name, HOOKENV_PREFIX);
			if (strcmp(it->string, "data") != 0)
				name_push(&b.name, it->string);
			walk(&b, it);
		}
	}

	for (i = 0; i < b.captaken; i++)
		free(b.taken[i]);
	free(b.taken);
	buf_free(&b.name);
	buf_free(&b.val);
	if (b.nomem || b.env->n < HOOKENV_FIXED) {
		hookenv_free(env);
		return -1;
	}
	return 0;
}

void
hookenv_free(struct hookenv *env)
{
	size_t	 i;

	for (i = 0; i < env->n; i++)
		free(env->envp[i]);
	free(env->envp);
	memset(env, 0, sizeof(*env));
}

const char *
hookenv_get(const struct hookenv *env, const char *name)
{
	size_t	 i, n = strlen(name);

	for (i = 0; i < env->n; i++)
		if (strncmp(env->envp[i], name, n) == 0 &&
		    env->envp[i][n] == '=')
			return env->envp[i] + n + 1;
	return NULL;
}

const char *
hookenv_event_name(const struct json_doc *doc, const cJSON *event)
{
	return event_name(doc, event_body(event));
}

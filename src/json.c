/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define SCAN_OBJ	1
#define SCAN_ARR	2
#define CJSON_DEPTH_LIMIT 1000	/* cJSON's own CJSON_NESTING_LIMIT */

/* One pass over the body: what it found besides the minified text. */
struct scan {
	const unsigned char	*p;
	const unsigned char	*end;
	const unsigned char	*start;
	char			*out;
	size_t			 outlen;
	unsigned char		*stack;		/* SCAN_OBJ / SCAN_ARR per level */
	size_t			 depth;
	size_t			 maxdepth;
	/* Optional records, in document order. */
	struct json_span	*nums;
	size_t			 nnums;
	unsigned char		*strnul;	/* per string token: held \u0000 */
	size_t			 nstrs;
	struct json_error	*err;
};

static bool	scan_fail(struct scan *, const char *);
static void	scan_ws(struct scan *);
static bool	scan_string(struct scan *);
static bool	scan_number(struct scan *);
static bool	scan_literal(struct scan *);
static bool	scan_utf8(struct scan *);
static int	scan_hex4(const unsigned char *);
static bool	scan_run(struct scan *);
static bool	doc_check_dups(const cJSON *);
static int	key_cmp(const void *, const void *);
static bool	doc_attach(struct json_doc *, cJSON *, const unsigned char *,
		    size_t *, size_t *);

static bool
scan_fail(struct scan *s, const char *what)
{
	if (s->err != NULL) {
		s->err->offset = (size_t)(s->p - s->start);
		snprintf(s->err->message, sizeof(s->err->message),
		    "Invalid JSON at byte %zu: %s.", s->err->offset, what);
	}
	return false;
}

static void
scan_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
scan_hex4(const unsigned char *p)
{
	int	 v = 0, i, d;

	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* One multi-byte UTF-8 sequence at s->p (RFC 3629: no overlongs, no surrogates). */
static bool
scan_utf8(struct scan *s)
{
	const unsigned char	*p = s->p;
	size_t			 n, i, avail = (size_t)(s->end - p);
	uint32_t		 cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else
		return scan_fail(s, "invalid UTF-8");
	if (avail < n)
		return scan_fail(s, "truncated UTF-8 sequence");
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return scan_fail(s, "invalid UTF-8");
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return scan_fail(s, "invalid UTF-8");
	memcpy(s->out + s->outlen, p, n);
	s->outlen += n;
	s->p += n;
	return true;
}

static bool
scan_string(struct scan *s)
{
	const unsigned char	*run;
	bool			 nul = false;
	int			 u, lo;

	s->out[s->outlen++] = '"';
	s->p++;
	for (;;) {
		run = s->p;
		while (s->p < s->end && *s->p >= 0x20 && *s->p < 0x80 &&
		    *s->p != '"' && *s->p != '\\')
			s->p++;
		memcpy(s->out + s->outlen, run, (size_t)(s->p - run));
		s->outlen += (size_t)(s->p - run);
		if (s->p >= s->end)
			return scan_fail(s, "unterminated string");
		if (*s->p == '"')
			break;
		if (*s->p < 0x20)
			return scan_fail(s, "control character in string");
		if (*s->p >= 0x80) {
			if (!scan_utf8(s))
				return false;
			continue;
		}
		/* A backslash escape. */
		if (s->end - s->p < 2)
			return scan_fail(s, "unterminated string");
		switch (s->p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f':
		case 'n': case 'r': case 't':
			memcpy(s->out + s->outlen, s->p, 2);
			s->outlen += 2;
			s->p += 2;
			continue;
		case 'u':
			break;
		default:
			return scan_fail(s, "invalid escape in string");
		}
		if (s->end - s->p < 6 || (u = scan_hex4(s->p + 2)) < 0)
			return scan_fail(s, "invalid \\u escape");
		if (u >= 0xdc00 && u <= 0xdfff)
			return scan_fail(s, "lone low surrogate");
		if (u >= 0xd800 && u <= 0xdbff) {
			if (s->end - s->p < 12 || s->p[6] != '\\' ||
			    s->p[7] != 'u' || (lo = scan_hex4(s->p + 8)) < 0 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return scan_fail(s, "lone high surrogate");
			memcpy(s->out + s->outlen, s->p, 12);
			s->outlen += 12;
			s->p += 12;
			continue;
		}
		if (u == 0)
			nul = true;
		memcpy(s->out + s->outlen, s->p, 6);
		s->outlen += 6;
		s->p += 6;
	}
	s->out[s->outlen++] = '"';
	s->p++;
	if (s->strnul != NULL)
		s->strnul[s->nstrs] = nul;
	s->nstrs++;
	return true;
}

static bool
scan_number(struct scan *s)
{
	const unsigned char	*b = s->p;
	size_t			 off = s->outlen;

	if (*s->p == '-')
		s->p++;
	if (s->p >= s->end || *s->p < '0' || *s->p > '9')
		return scan_fail(s, "invalid number");
	if (*s->p == '0')
		s->p++;
	else
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (s->p >= s->end || *s->p < '0' || *s->p > '9')
			return scan_fail(s, "invalid number");
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (s->p >= s->end || *s->p < '0' || *s->p > '9')
			return scan_fail(s, "invalid number");
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			s->p++;
	}
	memcpy(s->out + s->outlen, b, (size_t)(s->p - b));
	s->outlen += (size_t)(s->p - b);
	if (s->nums != NULL) {
		s->nums[s->nnums].off = off;
		s->nums[s->nnums].len = (size_t)(s->p - b);
	}
	s->nnums++;
	return true;
}

static bool
scan_literal(struct scan *s)
{
	static const char *const lits[] = { "true", "false", "null" };
	size_t	 i, n;

	for (i = 0; i < 3; i++) {
		n = strlen(lits[i]);
		if ((size_t)(s->end - s->p) >= n &&
		    memcmp(s->p, lits[i], n) == 0) {
			memcpy(s->out + s->outlen, s->p, n);
			s->outlen += n;
			s->p += n;
			return true;
		}
	}
	return scan_fail(s, "unexpected character");
}

/*
 * The grammar as a loop with an explicit stack, so hostile nesting
 * cannot exhaust the C stack.
 */
static bool
scan_run(struct scan *s)
{
	unsigned char	 c;

value:
	scan_ws(s);
	if (s->p >= s->end)
		return scan_fail(s, s->depth ? "unexpected end of body" :
		    "empty body");
	c = *s->p;
	if (c == '{' || c == '[') {
		s->stack[s->depth++] = c == '{' ? SCAN_OBJ : SCAN_ARR;
		if (s->depth > s->maxdepth)
			s->maxdepth = s->depth;
		s->out[s->outlen++] = (char)c;
		s->p++;
		scan_ws(s);
		if (s->p < s->end && *s->p == (c == '{' ? '}' : ']')) {
			s->out[s->outlen++] = (char)*s->p++;
			s->depth--;
			goto after;
		}
		if (c == '[')
			goto value;
		goto key;
	}
	if (c == '"') {
		if (!scan_string(s))
			return false;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		if (!scan_number(s))
			return false;
	} else if (!scan_literal(s))
		return false;
after:
	scan_ws(s);
	if (s->depth == 0) {
		if (s->p != s->end)
			return scan_fail(s, "data after the JSON value");
		return true;
	}
	if (s->p >= s->end)
		return scan_fail(s, "unexpected end of body");
	c = *s->p;
	if (c == ',') {
		s->out[s->outlen++] = ',';
		s->p++;
		if (s->stack[s->depth - 1] == SCAN_ARR)
			goto value;
		scan_ws(s);
		goto key;
	}
	if ((c == '}' && s->stack[s->depth - 1] == SCAN_OBJ) ||
	    (c == ']' && s->stack[s->depth - 1] == SCAN_ARR)) {
		s->out[s->outlen++] = (char)c;
		s->p++;
		s->depth--;
		goto after;
	}
	return scan_fail(s, "expected ',' or the end of the container");
key:
	if (s->p >= s->end || *s->p != '"')
		return scan_fail(s, "expected a string key");
	if (!scan_string(s))
		return false;
	scan_ws(s);
	if (s->p >= s->end || *s->p != ':')
		return scan_fail(s, "expected ':'");
	s->out[s->outlen++] = ':';
	s->p++;
	goto value;
}

bool
json_minify(const char *body, size_t len, char *out, size_t *outlen,
    size_t *maxdepth, struct json_error *err)
{
	struct scan	 s;
	bool		 ok;

	memset(&s, 0, sizeof(s));
	s.start = s.p = (const unsigned char *)body;
	s.end = s.p + len;
	s.out = out;
	s.err = err;
	/* An unclosed "[[[" nests once per byte before it fails. */
	if ((s.stack = malloc(len + 1)) == NULL) {
		if (err != NULL)
			snprintf(err->message, sizeof(err->message),
			    "out of memory");
		return false;
	}
	ok = scan_run(&s);
	free(s.stack);
	*outlen = s.outlen;
	if (maxdepth != NULL)
		*maxdepth = s.maxdepth;
	return ok;
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* True when no object in the tree repeats a key. */
static bool
doc_check_dups(const cJSON *node)
{
	const cJSON	*c, *d;
	const char	**keys;
	size_t		 n = 0, i;
	bool		 ok = true;

	for (c = node->child; c != NULL; c = c->next) {
		n++;
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) &&
		    !doc_check_dups(c))
			return false;
	}
	if (!cJSON_IsObject(node) || n < 2)
		return true;
	if (n <= 16) {
		for (c = node->child; c != NULL && ok; c = c->next)
			for (d = c->next; d != NULL && ok; d = d->next)
				ok = strcmp(c->string, d->string) != 0;
		return ok;
	}
	if ((keys = malloc(n * sizeof(*keys))) == NULL)
		return false;
	for (i = 0, c = node->child; c != NULL; c = c->next)
		keys[i++] = c->string;
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (i = 1; i < n && ok; i++)
		ok = strcmp(keys[i - 1], keys[i]) != 0;
	free(keys);
	return ok;
}

/*
 * Walks the tree in document order, giving each number its text index
 * (kept in valueint, which cJSON only fills for convenience) and each
 * string its \u0000 flag.
 */
static bool
doc_attach(struct json_doc *doc, cJSON *node, const unsigned char *strnul,
    size_t *ni, size_t *si)
{
	cJSON	*c;

	for (c = node->child; c != NULL; c = c->next) {
		if (cJSON_IsObject(node) && strnul[(*si)++]) {
			const cJSON **k = realloc(doc->nul_keys,
			    (doc->nnul_keys + 1) * sizeof(*k));
			if (k == NULL)
				return false;
			doc->nul_keys = k;
			doc->nul_keys[doc->nnul_keys++] = c;
		}
		if (cJSON_IsNumber(c))
			c->valueint = (int)(*ni)++;
		else if (cJSON_IsString(c))
			c->valueint = strnul[(*si)++];
		else if ((cJSON_IsObject(c) || cJSON_IsArray(c)) &&
		    !doc_attach(doc, c, strnul, ni, si))
			return false;
	}
	return true;
}

enum json_status
json_parse(const char *body, size_t len, struct json_doc *doc,
    struct json_error *err)
{
	struct scan		 s;
	enum json_status	 st = JSON_NOMEM;
	size_t			 ni = 0, si = 0;
	const char		*end;

	memset(doc, 0, sizeof(*doc));
	memset(&s, 0, sizeof(s));
	if (err != NULL) {
		err->offset = 0;
		snprintf(err->message, sizeof(err->message), "out of memory");
	}
	s.start = s.p = (const unsigned char *)body;
	s.end = s.p + len;
	s.err = err;
	/*
	 * Each token takes at least one byte: len bounds every table.  The
	 * stack needs a level per byte, as "[[[" nests that deep before it
	 * fails; numbers and strings take at least two bytes with their
	 * separator.
	 */
	if ((doc->min = malloc(len + 1)) == NULL ||
	    (s.stack = malloc(len + 1)) == NULL ||
	    (s.nums = malloc((len / 2 + 1) * sizeof(*s.nums))) == NULL ||
	    (s.strnul = malloc(len / 2 + 1)) == NULL)
		goto fail;
	s.out = doc->min;
	if (!scan_run(&s)) {
		st = JSON_INVALID;
		goto fail;
	}
	doc->min[s.outlen] = '\0';
	doc->min_len = s.outlen;
	if (s.maxdepth > CJSON_DEPTH_LIMIT) {
		/* Deeper than cJSON will go: duplicates cannot be judged. */
		st = JSON_TOO_DEEP;
		goto judged;
	}
	doc->root = cJSON_ParseWithLengthOpts(doc->min, doc->min_len, &end, 0);
	if (doc->root == NULL) {
		/* The scan accepted it, so cJSON ran out of memory. */
		goto fail;
	}
	if (!doc_check_dups(doc->root)) {
		st = JSON_DUPLICATE_KEY;
		goto judged;
	}
	if (!cJSON_IsObject(doc->root)) {
		st = JSON_NOT_OBJECT;
		goto judged;
	}
	if (s.maxdepth > JSON_MAX_DEPTH) {
		st = JSON_TOO_DEEP;
		goto judged;
	}
	if (!doc_attach(doc, doc->root, s.strnul, &ni, &si))
		goto fail;
	doc->nums = s.nums;
	doc->nnums = s.nnums;
	free(s.stack);
	free(s.strnul);
	return JSON_OK;

judged:
	if (err != NULL) {
		err->offset = 0;
		snprintf(err->message, sizeof(err->message), "%s",
		    st == JSON_TOO_DEEP ?
		    "The body nests more than 64 objects and arrays." :
		    st == JSON_NOT_OBJECT ?
		    "The top level of the body is not a JSON object." :
		    "An object in the body repeats a key.");
	}
fail:
	free(s.stack);
	free(s.strnul);
	free(s.nums);
	json_doc_free(doc);
	return st;
}

void
json_doc_free(struct json_doc *doc)
{
	if (doc->root != NULL)
		cJSON_Delete(doc->root);
	free(doc->min);
	if (doc->nums != NULL)
		free(doc->nums);
	free(doc->nul_keys);
	memset(doc, 0, sizeof(*doc));
}

const char *
json_number_text(const struct json_doc *doc, const cJSON *item, size_t *len)
{
	size_t	 i;

	if (!cJSON_IsNumber(item) || item->valueint < 0)
		return NULL;
	i = (size_t)item->valueint;
	if (i >= doc->nnums)
		return NULL;
	*len = doc->nums[i].len;
	return doc->min + doc->nums[i].off;
}

bool
json_string_has_nul(const cJSON *item)
{
	return cJSON_IsString(item) && item->valueint != 0;
}

bool
json_text_is_int64(const char *t, size_t n)
{
	static const char max[] = "9223372036854775807";
	static const char min[] = "9223372036854775808";
	bool	 neg = false;
	size_t	 i;

	if (n > 0 && t[0] == '-') {
		neg = true;
		t++;
		n--;
	}
	if (n == 0 || (t[0] == '0' && n > 1))
		return false;
	for (i = 0; i < n; i++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	if (n < 19)
		return true;
	if (n > 19)
		return false;
	return memcmp(t, neg ? min : max, 19) <= 0;
}

bool
json_is_int64(const struct json_doc *doc, const cJSON *item)
{
	const char	*t;
	size_t		 n;

	if ((t = json_number_text(doc, item, &n)) == NULL)
		return false;
	return json_text_is_int64(t, n);
}

const char *
json_status_code(enum json_status st)
{
	switch (st) {
	case JSON_OK:			return "ok";
	case JSON_INVALID:		return "invalid_json";
	case JSON_DUPLICATE_KEY:	return "duplicate_key";
	case JSON_NOT_OBJECT:		return "not_an_object";
	case JSON_TOO_DEEP:		return "too_deep";
	case JSON_NOMEM:		return "out_of_memory";
	}
	return "invalid_json";
}

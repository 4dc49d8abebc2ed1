/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"

#define SCAN_OBJ	1
#define SCAN_ARR	2
#define CJSON_DEPTH_LIMIT 1000	/* cJSON's own CJSON_NESTING_LIMIT */
#define BUILD_STACK	64	/* containers the builder tracks without malloc */

/* A number token of the minified text. */
struct json_span {
	size_t	off;		/* into json_doc.min */
	size_t	len;
};

/*
 * The side data of one node: a number's text, or a string value's
 * \u0000 (json.h).  Entries are made as build_tree makes their nodes,
 * which it takes in order from one array in the arena: the table is
 * sorted by node address as it is written.
 */
struct json_side {
	const cJSON	*node;
	size_t		 off;		/* a number's text, into json_doc.min */
	size_t		 len;		/* its length; 0 for a string */
	bool		 nul;		/* a string value that held \u0000 */
};

/* A string token of the minified text, as the scan found it. */
struct str_token {
	size_t	end;		/* offset of its closing quote */
	bool	nul;		/* it held \u0000 */
	bool	esc;		/* it holds a backslash escape */
};

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
	struct str_token	*strs;		/* per string token */
	size_t			 nstrs;
	size_t			 nnul;		/* string tokens with \u0000 */
	size_t			 nvalues;	/* values: the tree's nodes */
	struct json_error	*err;
};

/* Building the tree from the minified text, which the scan validated. */
struct build {
	const char		*p;		/* into json_doc.min */
	const char		*min;
	cJSON			*nodes;		/* the arena's nodes */
	size_t			 used;
	char			*text;		/* the arena's copy of min */
	const struct str_token	*strs;
	size_t			 si;		/* next string token */
	const struct json_span	*nums;
	size_t			 ni;		/* next number */
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
static char	*build_string(struct build *, bool *);
static int	 build_tree(struct json_doc *, struct build *, size_t);
static int	 note_nul_key(struct json_doc *, const cJSON *);
static void	 set_number(cJSON *, const char *, size_t);
static struct json_side *side_add(struct json_doc *, const cJSON *);
static const struct json_side *side_find(const struct json_doc *,
		    const cJSON *);

/* Bytes that stand for themselves inside a string. */
static const unsigned char plain_byte[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x30] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x40] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	[0x60] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x70] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

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
	size_t			 n;

	if ((n = buf_utf8_len(p, (size_t)(s->end - p))) == 0)
		return scan_fail(s, "invalid UTF-8");
	memcpy(s->out + s->outlen, p, n);
	s->outlen += n;
	s->p += n;
	return true;
}

static bool
scan_string(struct scan *s)
{
	/* Locals, not s->p: stores through out would make the compiler reload it. */
	const unsigned char	*p = s->p + 1, *end = s->end, *run;
	char			*out = s->out + s->outlen;
	bool			 nul = false, esc = false;
	int			 u, lo;

	*out++ = '"';
	for (;;) {
		run = p;
		/* Four at a time while they last: most bytes are plain. */
		while (end - p >= 4 && plain_byte[p[0]] && plain_byte[p[1]] &&
		    plain_byte[p[2]] && plain_byte[p[3]])
			p += 4;
		while (p < end && plain_byte[*p])
			p++;
		memcpy(out, run, (size_t)(p - run));
		out += p - run;
		s->p = p;
		if (p >= end)
			return scan_fail(s, "unterminated string");
		if (*p == '"')
			break;
		if (*p < 0x20)
			return scan_fail(s, "control character in string");
		if (*p >= 0x80) {
			s->outlen = (size_t)(out - s->out);
			if (!scan_utf8(s))
				return false;
			p = s->p;
			out = s->out + s->outlen;
			continue;
		}
		/* A backslash escape. */
		esc = true;
		if (end - p < 2)
			return scan_fail(s, "unterminated string");
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f':
		case 'n': case 'r': case 't':
			memcpy(out, p, 2);
			out += 2;
			p += 2;
			continue;
		case 'u':
			break;
		default:
			return scan_fail(s, "invalid escape in string");
		}
		if (end - p < 6 || (u = scan_hex4(p + 2)) < 0)
			return scan_fail(s, "invalid \\u escape");
		if (u >= 0xdc00 && u <= 0xdfff)
			return scan_fail(s, "lone low surrogate");
		if (u >= 0xd800 && u <= 0xdbff) {
			if (end - p < 12 || p[6] != '\\' ||
			    p[7] != 'u' || (lo = scan_hex4(p + 8)) < 0 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return scan_fail(s, "lone high surrogate");
			memcpy(out, p, 12);
			out += 12;
			p += 12;
			continue;
		}
		if (u == 0)
			nul = true;
		memcpy(out, p, 6);
		out += 6;
		p += 6;
	}
	s->outlen = (size_t)(out - s->out);
	if (s->strs != NULL) {
		s->strs[s->nstrs].end = s->outlen;
		s->strs[s->nstrs].nul = nul;
		s->strs[s->nstrs].esc = esc;
	}
	s->out[s->outlen++] = '"';
	s->p = p + 1;
	s->nstrs++;
	if (nul)
		s->nnul++;
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
	s->nvalues++;
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
				ok = c->string[0] != d->string[0] ||
				    strcmp(c->string, d->string) != 0;
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

/* Remembers a member whose key held \u0000: 0, or -1 out of memory. */
static int
note_nul_key(struct json_doc *doc, const cJSON *member)
{
	const cJSON	**k;

	k = realloc(doc->nul_keys, (doc->nnul_keys + 1) * sizeof(*k));
	if (k == NULL)
		return -1;
	doc->nul_keys = k;
	doc->nul_keys[doc->nnul_keys++] = member;
	return 0;
}

/*
 * The string token at b->p as a C string in the arena's copy of the
 * minified text: its closing quote becomes the NUL, and escapes are
 * decoded in place (never longer than their text).  Like cJSON, a
 * \u0000 becomes a NUL byte, so the C string ends there.  Sets *nul
 * when it held \u0000, and moves b->p past the token.
 */
static char *
build_string(struct build *b, bool *nul)
{
	const struct str_token	*t = &b->strs[b->si++];
	size_t			 start = (size_t)(b->p - b->min) + 1;
	const unsigned char	*p = (const unsigned char *)b->text + start;
	/*
	 * The scanner wrote one entry per token and the builder reads them
	 * in the same order, which the analyzer cannot follow (valgrind on
	 * the fuzz corpora finds no uninitialised read).
	 * NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
	const unsigned char	*end = (const unsigned char *)b->text + t->end;
	char			*out = b->text + start, *str = out;
	unsigned long		 u, lo;

	*nul = t->nul;
	b->p = b->min + t->end + 1;
	if (!t->esc) {
		b->text[t->end] = '\0';
		return str;
	}
	while (p < end) {
		if (*p != '\\') {
			*out++ = (char)*p++;
			continue;
		}
		switch (p[1]) {
		case 'b': *out++ = '\b'; p += 2; continue;
		case 'f': *out++ = '\f'; p += 2; continue;
		case 'n': *out++ = '\n'; p += 2; continue;
		case 'r': *out++ = '\r'; p += 2; continue;
		case 't': *out++ = '\t'; p += 2; continue;
		case 'u': break;
		default: *out++ = (char)p[1]; p += 2; continue;
		}
		u = (unsigned long)scan_hex4(p + 2);
		p += 6;
		if (u >= 0xd800 && u <= 0xdbff) {
			lo = (unsigned long)scan_hex4(p + 2);
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		}
		if (u < 0x80)
			*out++ = (char)u;
		else if (u < 0x800) {
			*out++ = (char)(0xc0 | (u >> 6));
			*out++ = (char)(0x80 | (u & 0x3f));
		} else if (u < 0x10000) {
			*out++ = (char)(0xe0 | (u >> 12));
			*out++ = (char)(0x80 | ((u >> 6) & 0x3f));
			*out++ = (char)(0x80 | (u & 0x3f));
		} else {
			*out++ = (char)(0xf0 | (u >> 18));
			*out++ = (char)(0x80 | ((u >> 12) & 0x3f));
			*out++ = (char)(0x80 | ((u >> 6) & 0x3f));
			*out++ = (char)(0x80 | (u & 0x3f));
		}
	}
	*out = '\0';
	return str;
}

/*
 * A number's valuedouble, and its valueint as cJSON's parser sets it
 * from that double (saturated at INT_MIN and INT_MAX); the text is kept
 * in the side table.
 */
static void
set_number(cJSON *node, const char *t, size_t n)
{
	double	 v = 0;
	size_t	 i = t[0] == '-';

	/* Integers of up to 15 digits are exact in a double: no strtod. */
	if (n - i > 15 || n == i)
		v = strtod(t, NULL);
	else {
		for (; i < n; i++) {
			if (t[i] < '0' || t[i] > '9') {
				v = strtod(t, NULL);
				break;
			}
			v = v * 10 + (t[i] - '0');
		}
		if (i == n && t[0] == '-')
			v = -v;
	}
	node->valuedouble = v;
	if (v >= (double)INT_MAX)
		node->valueint = INT_MAX;
	else if (v <= (double)INT_MIN)
		node->valueint = INT_MIN;
	else
		node->valueint = (int)v;
}

/*
 * The next entry of the side table, for node: json_parse_depth sized
 * the table for every number and \u0000 string, so there is room.
 */
static struct json_side *
side_add(struct json_doc *doc, const cJSON *node)
{
	struct json_side	*e = &doc->side[doc->nside++];

	memset(e, 0, sizeof(*e));
	e->node = node;
	return e;
}

/*
 * Builds cJSON's tree of the minified text in one arena instead of one
 * allocation per node and string (cJSON's own parser was most of the
 * cost of a request): nodes linked as cJSON links them (first child's
 * prev is the last child), each with the fields cJSON's parser would
 * give it.  A number's text and a string's \u0000 go to doc's side
 * table (side_add).  The tree is read-only: it is released with the
 * doc, never with cJSON_Delete.  Returns 0, or -1 when out of memory.
 */
static int
build_tree(struct json_doc *doc, struct build *b, size_t maxdepth)
{
	cJSON		*local[BUILD_STACK], **stack = local, *node, *parent;
	struct json_side *e;
	const char	*key = NULL;
	bool		 keynul = false, nul;
	size_t		 depth = 0;
	char		 c;
	int		 rc = -1;

	if (maxdepth > BUILD_STACK &&
	    (stack = malloc(maxdepth * sizeof(*stack))) == NULL)
		return -1;
value:
	node = &b->nodes[b->used++];
	if (depth > 0) {
		parent = stack[depth - 1];
		if (parent->child == NULL) {
			parent->child = node;
			node->prev = node;
		} else {
			node->prev = parent->child->prev;
			node->prev->next = node;
			parent->child->prev = node;
		}
		if (key != NULL) {
			node->string = (char *)key;
			if (keynul && note_nul_key(doc, node) == -1)
				goto done;
			key = NULL;
		}
	} else
		doc->root = node;
	switch (*b->p) {
	case '{':
	case '[':
		node->type = *b->p == '{' ? cJSON_Object : cJSON_Array;
		b->p++;
		if (*b->p == '}' || *b->p == ']') {
			b->p++;
			break;
		}
		stack[depth++] = node;
		if (node->type == cJSON_Array)
			goto value;
		goto key;
	case '"':
		node->type = cJSON_String;
		node->valuestring = build_string(b, &nul);
		if (nul) {
			side_add(doc, node)->nul = true;
			doc->nnul_strs++;
		}
		break;
	case 't':
		node->type = cJSON_True;
		node->valueint = 1;
		b->p += 4;
		break;
	case 'f':
		node->type = cJSON_False;
		b->p += 5;
		break;
	case 'n':
		node->type = cJSON_NULL;
		b->p += 4;
		break;
	default:
		node->type = cJSON_Number;
		e = side_add(doc, node);
		/* As in build_string: one entry per token, read in order.
		 * NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign) */
		e->off = b->nums[b->ni].off;
		e->len = b->nums[b->ni++].len;
		set_number(node, b->p, e->len);
		b->p += e->len;
		break;
	}
after:
	if (depth == 0) {
		rc = 0;
		goto done;
	}
	c = *b->p++;
	if (c == ',') {
		if (stack[depth - 1]->type == cJSON_Array)
			goto value;
		goto key;
	}
	/* '}' or ']' */
	depth--;
	goto after;
key:
	key = build_string(b, &keynul);
	b->p++;		/* ':' */
	goto value;
done:
	if (stack != local)
		free(stack);
	return rc;
}

enum json_status
json_parse(const char *body, size_t len, struct json_doc *doc,
    struct json_error *err)
{
	return json_parse_depth(body, len, doc, err, JSON_MAX_DEPTH);
}

enum json_status
json_parse_depth(const char *body, size_t len, struct json_doc *doc,
    struct json_error *err, size_t max_depth)
{
	struct scan		 s;
	struct build		 b;
	enum json_status	 st = JSON_NOMEM;

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
	    (s.strs = malloc((len / 2 + 1) * sizeof(*s.strs))) == NULL)
		goto fail;
	s.out = doc->min;
	if (!scan_run(&s)) {
		st = JSON_INVALID;
		goto fail;
	}
	doc->min[s.outlen] = '\0';
	doc->min_len = s.outlen;
	if (s.maxdepth > CJSON_DEPTH_LIMIT) {
		/* Deeper than cJSON would go: duplicates are not judged. */
		st = JSON_TOO_DEEP;
		goto judged;
	}
	/* An entry per number and per string that may be a \u0000 value. */
	if (s.nnums + s.nnul > 0 && (doc->side = malloc((s.nnums + s.nnul) *
	    sizeof(*doc->side))) == NULL)
		goto fail;
	/* One arena: a node per value, then a copy of min for the strings. */
	if ((doc->arena = malloc(s.nvalues * sizeof(cJSON) + s.outlen + 1)) ==
	    NULL)
		goto fail;
	memset(doc->arena, 0, s.nvalues * sizeof(cJSON));
	memset(&b, 0, sizeof(b));
	b.p = b.min = doc->min;
	b.nodes = doc->arena;
	b.text = (char *)(b.nodes + s.nvalues);
	memcpy(b.text, doc->min, s.outlen + 1);
	b.strs = s.strs;
	b.nums = s.nums;
	if (build_tree(doc, &b, s.maxdepth) == -1)
		goto fail;
	if (!doc_check_dups(doc->root)) {
		st = JSON_DUPLICATE_KEY;
		goto judged;
	}
	if (!cJSON_IsObject(doc->root)) {
		st = JSON_NOT_OBJECT;
		goto judged;
	}
	if (s.maxdepth > max_depth) {
		st = JSON_TOO_DEEP;
		goto judged;
	}
	free(s.stack);
	free(s.strs);
	free(s.nums);
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
	free(s.strs);
	free(s.nums);
	json_doc_free(doc);
	return st;
}

void
json_doc_free(struct json_doc *doc)
{
	/* The tree lives in the arena (build_tree). */
	free(doc->arena);
	free(doc->min);
	free(doc->side);
	free(doc->nul_keys);
	memset(doc, 0, sizeof(*doc));
}

/*
 * item's entry in doc's side table, or NULL.  A binary search over the
 * nodes' addresses, compared as integers: item may be no node of doc.
 */
static const struct json_side *
side_find(const struct json_doc *doc, const cJSON *item)
{
	uintptr_t	 at = (uintptr_t)item;
	size_t		 lo = 0, hi = doc->nside, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((uintptr_t)doc->side[mid].node < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < doc->nside && doc->side[lo].node == item ?
	    &doc->side[lo] : NULL;
}

const char *
json_number_text(const struct json_doc *doc, const cJSON *item, size_t *len)
{
	const struct json_side	*e;

	if (!cJSON_IsNumber(item) || (e = side_find(doc, item)) == NULL)
		return NULL;
	*len = e->len;
	return doc->min + e->off;
}

bool
json_string_has_nul(const struct json_doc *doc, const cJSON *item)
{
	const struct json_side	*e;

	/* Almost every event has none: no search on the request path. */
	return doc->nnul_strs > 0 && cJSON_IsString(item) &&
	    (e = side_find(doc, item)) != NULL && e->nul;
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

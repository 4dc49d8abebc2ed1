/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_JSON_H
#define EKAHOOK_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * Strict JSON intake.  One pass over the raw bytes checks the grammar
 * (RFC 8259) and UTF-8 and writes the minified text: the body with
 * insignificant whitespace removed and every other byte kept.  A second
 * pass over the minified text builds cJSON's tree (cJSON's types, read
 * with cJSON's functions) in one allocation; the text of each number and
 * whether a string held \u0000 are kept beside the tree, indexed by
 * node, because cJSON holds numbers as doubles and strings as C
 * strings.  Every cJSON field keeps its cJSON meaning: valueint and
 * valuedouble are what cJSON's own parser would set, or 0.
 */

#define JSON_MAX_DEPTH	64	/* ekahook(8) "Requests": more is too_deep */

enum json_status {
	JSON_OK = 0,
	JSON_INVALID,		/* not one JSON value in UTF-8 */
	JSON_DUPLICATE_KEY,	/* an object repeats a key */
	JSON_NOT_OBJECT,	/* the top level is not an object */
	JSON_TOO_DEEP,		/* nesting over JSON_MAX_DEPTH */
	JSON_NOMEM
};

/*
 * What cJSON's fields cannot say of a node (its number text, its
 * \u0000), one entry a node that has any; read with the accessors below.
 */
struct json_side;

struct json_doc {
	char		*min;		/* minified text, NUL-terminated */
	size_t		 min_len;
	cJSON		*root;		/* read-only: never cJSON_Delete it */
	void		*arena;		/* where the tree's nodes and strings are */
	struct json_side *side;		/* by node address (json.c side_find) */
	size_t		 nside;
	const cJSON	**nul_keys;	/* members whose key held \u0000 */
	size_t		 nnul_keys;
	size_t		 nnul_strs;	/* string values that held \u0000 */
};

struct json_error {
	size_t	offset;			/* byte offset in the raw body */
	char	message[128];		/* one sentence, no trailing period */
};

/*
 * Parses body[0..len).  On JSON_OK doc is filled and must be released
 * with json_doc_free(); otherwise doc is left empty and err says why.
 */
enum json_status json_parse(const char *body, size_t len, struct json_doc *doc,
		    struct json_error *err);
/*
 * json_parse with another nesting limit: a line of ekahook's own log
 * holds an event one level below its top (ekahook(8) "Logs").
 */
enum json_status json_parse_depth(const char *body, size_t len,
		    struct json_doc *doc, struct json_error *err,
		    size_t max_depth);
void		 json_doc_free(struct json_doc *);

/* Only the grammar and UTF-8 check with minifying, for tools and tests. */
bool		 json_minify(const char *body, size_t len, char *out,
		    size_t *outlen, size_t *maxdepth, struct json_error *err);

/*
 * The number's text as sent (not NUL-terminated).  NULL only if item is
 * not a number of doc's tree.
 */
const char	*json_number_text(const struct json_doc *, const cJSON *,
		    size_t *len);
/*
 * True if item is a string value of doc's tree that held \u0000
 * (cJSON's copy is cut there).
 */
bool		 json_string_has_nul(const struct json_doc *, const cJSON *);
/* True for a number whose text is an integer that fits int64_t. */
bool		 json_is_int64(const struct json_doc *, const cJSON *);
/* Checks integer text: -?(0|[1-9][0-9]*) within int64_t. */
bool		 json_text_is_int64(const char *, size_t);

#endif

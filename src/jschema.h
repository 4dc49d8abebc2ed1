/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_JSCHEMA_H
#define EKAHOOK_JSCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "notes.h"

/*
 * The subset of JSON Schema (draft 2020-12) that event schemas are
 * written in (ekahook.conf(5) schema_dir): "type" (a name or a list of
 * names), "properties", "required", "items", "format": "date-time" and
 * "x-known-values" (a value outside the list is a warning, never a
 * problem).  Any other keyword is refused when the schema is compiled,
 * so that a schema never seems to check what it does not.
 */

/* A compiled schema node; opaque outside jschema.c. */
struct jschema;

/* How a value is judged. */
struct jschema_opts {
	/*
	 * Relaxed validation: "required" is not enforced, and a date-time
	 * field may also be an integer (seconds or milliseconds).
	 */
	bool	relaxed;
	/* Top-level members judged as date-time fields under relaxed. */
	const char *const *relaxed_times;
	size_t	nrelaxed_times;
};

/*
 * Compiles the schema in root.  Returns the compiled schema, or NULL
 * with one sentence in err naming the keyword and where it is.
 */
struct jschema	*jschema_compile(const cJSON *root, char *err, size_t errlen);
void		 jschema_free(struct jschema *);

/*
 * Judges v (a node of doc) against s.  Every problem goes to details and
 * every unknown value to warnings, each with its path: prefix, then
 * ".name" for a member and "[i]" for an element.
 */
void	jschema_validate(const struct jschema *s, const struct json_doc *doc,
	    const cJSON *v, const char *prefix, const struct jschema_opts *,
	    struct notes *details, struct notes *warnings);

#endif

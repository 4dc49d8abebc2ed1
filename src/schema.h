/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_SCHEMA_H
#define EKAHOOK_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "json.h"
#include "notes.h"

/*
 * Whether a body is an event ekahook takes (ekahook(8) "Validation"):
 * its name, then its event's schema in strict or relaxed mode, or the
 * rule for events without one (ekahook.conf(5) unknown_events).
 */

enum schema_mode {
	SCHEMA_STRICT,
	SCHEMA_RELAXED
};

/* Finds the schema of a named event: catalog_find(), or a test's own. */
typedef enum catalog_result (*schema_lookup_fn)(void *arg, const char *event,
		    const struct jschema **schema);

struct schema_opts {
	enum schema_mode	 mode;
	bool			 unknown_reject;	/* no schema: 422 */
	schema_lookup_fn	 lookup;
	void			*lookup_arg;
};

struct schema_result {
	struct notes	 details;	/* problems: 422 when any */
	struct notes	 warnings;	/* accepted, but noted */
	const char	*event;		/* a valid event name, or NULL */
	bool		 config_error;	/* the schema could not be read */
	bool		 nomem;
};

/*
 * Checks the event in doc.  Returns true when it is to be accepted;
 * every problem found is in r->details either way, and config_error
 * says the event could not be judged.  r must be released with
 * schema_result_free().
 */
bool	schema_check(const struct json_doc *, const struct schema_opts *,
	    struct schema_result *r);
void	schema_result_free(struct schema_result *);
int	schema_mode_parse(const char *, enum schema_mode *);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_SCHEMA_H
#define EKAHOOK_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

enum schema_mode {
	SCHEMA_STRICT,
	SCHEMA_RELAXED
};

#define SCHEMA_FIELD_MAX	192
#define SCHEMA_PROBLEM_MAX	96

/* One finding: a dotted path ("data.sa_ids[1]") and what is wrong there. */
struct schema_note {
	char	field[SCHEMA_FIELD_MAX];
	char	problem[SCHEMA_PROBLEM_MAX];
};

struct schema_notes {
	struct schema_note	*v;
	size_t			 n;
	size_t			 cap;
};

struct schema_result {
	struct schema_notes	 details;	/* problems: 422 when any */
	struct schema_notes	 warnings;	/* accepted, but noted */
	const char		*event;		/* event name, or NULL */
	bool			 nomem;
};

/*
 * Checks the event in doc against the schema of SPEC §3.  Returns true
 * when the event is valid; every problem found is in r->details either
 * way.  r must be released with schema_result_free().
 */
bool	schema_check(const struct json_doc *, enum schema_mode,
	    struct schema_result *r);
void	schema_result_free(struct schema_result *);
int	schema_mode_parse(const char *, enum schema_mode *);

#endif

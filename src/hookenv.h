/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_HOOKENV_H
#define EKAHOOK_HOOKENV_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

/*
 * The hook's environment (ekahook(8) "The hook"), built from the logged
 * event alone: no I/O, no clock, so unit tests and fuzzers can call it.
 *
 * The fixed part is PATH, LANG and the four EKAHOOK_ variables.  Then
 * one EKA_ variable per scalar field and per array of scalars, named by
 * the field's path (a leading "data" segment dropped, "_" between
 * segments, upper-cased, every byte outside A-Z0-9 made "_").  A name
 * taken twice goes to the top-level field, else to the first in the
 * body.  Limits: HOOKENV_MAX_VARS EKA_ variables, HOOKENV_MAX_VALUE
 * bytes a value (ekahook(8) "The hook"); further, so that execve(2)
 * never fails with E2BIG, HOOKENV_MAX_NAME bytes a name and
 * HOOKENV_MAX_TOTAL bytes for all EKA_ strings.  A variable past a
 * limit is left out whole (never cut) and counted in omitted; its name
 * stays taken.
 */

#define HOOKENV_PATH		"PATH=/usr/local/bin:/usr/bin:/bin"
#define HOOKENV_LANG		"LANG=C.UTF-8"
#define HOOKENV_MAX_VARS	256
#define HOOKENV_MAX_VALUE	(32 * 1024)
#define HOOKENV_MAX_NAME	1024
#define HOOKENV_MAX_TOTAL	(1024 * 1024)

/* The EKAHOOK_ values of one attempt. */
struct hookenv_base {
	const char	*request_id;
	const char	*received_at;
	const char	*log_file;
	unsigned	 attempt;
};

struct hookenv {
	char	**envp;		/* "NAME=value" strings, NULL-terminated */
	size_t	 n;		/* strings in envp */
	size_t	 neka;		/* of which EKA_ variables */
	size_t	 omitted;	/* EKA_ variables left out by the limits */
};

/*
 * Builds the environment for event (an object inside doc, which holds
 * the number texts; for a wrapped event, from its payload).  Returns 0, or -1 when memory ran out (env is then
 * empty).  Release with hookenv_free().
 */
int		 hookenv_build(const struct json_doc *doc, const cJSON *event,
		    const struct hookenv_base *, struct hookenv *env);
void		 hookenv_free(struct hookenv *);
/* The value of name in env, or NULL. */
const char	*hookenv_get(const struct hookenv *, const char *name);
/*
 * The name of event, a part of doc's tree (ekahook(8) "Events"):
 * "event", or "event_type" where "event" is absent, in the payload of a
 * wrapped event.  NULL when neither is a string.
 */
const char	*hookenv_event_name(const struct json_doc *doc,
		    const cJSON *event);

#endif

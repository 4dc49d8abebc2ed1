/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_EVENT_H
#define EKAHOOK_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

/*
 * What makes a body an event (ekahook(8) "Events"): where its fields
 * are, and its name.
 */

#define EVENT_NAME_MAX	128	/* bytes */

/*
 * The object whose fields are the event's.  The body itself, or for a
 * wrapped event (no "event" nor "event_type" at the top, a "payload"
 * object holding "event", as Eka's EkaScribe sample is) its payload.
 */
const cJSON	*event_body(const cJSON *root);
/*
 * The event's name in body, a part of doc's tree: "event", or
 * "event_type" where "event" is absent.  NULL when neither is a string
 * (or the string held \u0000).
 */
const char	*event_name(const struct json_doc *doc, const cJSON *body);
/*
 * True for a name safe in a file name and as a hook's argv[1]: 1 to
 * EVENT_NAME_MAX bytes of A-Z a-z 0-9 . _ -, starting with a letter or
 * a digit.
 */
bool		 event_name_ok(const char *);

#endif

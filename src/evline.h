/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_EVLINE_H
#define EKAHOOK_EVLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

/*
 * An accepted-event line of log_file (ekahook(8) "Logs") read back,
 * for the hook:
 * {"received_at":…,"request_id":…,…,"duplicate":false,…,"event":{…}}
 * The whole line is parsed with json_parse(), so the event's numbers
 * keep their text as sent; the event's own bytes, as logged, are
 * everything after the first ,"event": up to the line's closing brace
 * (no string can hold that sequence: a quote inside a string is always
 * escaped, and the fields before it are ekahook's own).
 */

#define EVLINE_ID_MAX	64	/* longest request_id taken as a file name */

struct evline {
	struct json_doc	 doc;		/* the whole line */
	const cJSON	*event;		/* the "event" object in doc */
	const char	*request_id;	/* strings inside doc */
	const char	*received_at;
	const char	*name;		/* event name, or NULL */
	const char	*event_text;	/* into the caller's line */
	size_t		 event_len;
	bool		 duplicate;
};

/*
 * Parses line[0..len) (a trailing newline allowed).  Returns 0, or -1
 * when it is not an accepted-event line ekahook could have written;
 * ev needs evline_free() only after 0.
 */
int	evline_parse(const char *line, size_t len, struct evline *ev);
void	evline_free(struct evline *);
/* True for a request id usable as a file name: [0-9A-Za-z-], 1..63. */
bool	evline_id_ok(const char *);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_REQLINE_H
#define EKAHOOK_REQLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "json.h"
#include "notes.h"

/*
 * The lines of ekahook(8) "Logs" a request leaves: an accepted event's
 * in log_file, a rejected request's in reject_file.  They are formatted
 * here without touching any file, and the accepted one is read back
 * here too (the hook's queue, ekahookctl show, tail and replay): the
 * line changes in one place.
 */

struct accept_rec {
	const char			*received_at;
	const char			*request_id;
	const char			*remote_addr;
	bool				 verified;
	bool				 duplicate;
	const struct notes	*warnings;
	const char			*event;		/* minified JSON */
	size_t				 event_len;
};

struct reject_rec {
	const char			*received_at;
	const char			*request_id;
	const char			*remote_addr;
	int				 status;
	const char			*error;
	const struct notes	*details;
	size_t				 body_bytes;
	const char			*body;		/* NULL: not read */
	bool				 keep_body;	/* its bytes may be stored */
	size_t				 body_max;	/* reject_body_max */
};

void	reqline_accept(struct buf *, const struct accept_rec *);
/*
 * The rejected request's line: body_bytes and body_sha256 describe the
 * whole body (the hash when it was read); "body" (or "body_base64" when
 * the body is not UTF-8) holds at most body_max bytes of it, cut at a
 * character boundary, and only when keep_body says it may be stored.
 */
void	reqline_reject(struct buf *, const struct reject_rec *);
/* Appends [{"field":…,"problem":…},…]. */
void	reqline_notes(struct buf *, const struct notes *);
/* True when s[0..n) is valid UTF-8 (RFC 3629). */
bool	reqline_utf8_valid(const char *, size_t);
/* SHA-256 of the bytes into out (32 bytes). */
void	reqline_sha256(const char *, size_t, unsigned char out[32]);
/* Lower-case hex SHA-256 of the bytes into out (65 bytes). */
void	reqline_sha256_hex(const char *, size_t, char out[65]);

/*
 * An accepted-event line of log_file read back, for the hook:
 * {"received_at":…,"request_id":…,…,"duplicate":false,…,"event":{…}}
 * The whole line is parsed with json_parse(), so the event's numbers
 * keep their text as sent; the event's own bytes, as logged, are
 * everything after the first ,"event": up to the line's closing brace
 * (no string can hold that sequence: a quote inside a string is always
 * escaped, and the fields before it are ekahook's own).
 */

#define REQLINE_ID_MAX	64	/* longest request_id taken as a file name */

struct reqline {
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
 * ev needs reqline_free() only after 0.
 */
int	reqline_parse(const char *line, size_t len, struct reqline *ev);
void	reqline_free(struct reqline *);
/* True for a request id usable as a file name: [0-9A-Za-z-], 1..63. */
bool	reqline_id_ok(const char *);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_REQLINE_H
#define EKAHOOK_REQLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "notes.h"

/* The lines of ekahook(8) "Logs", formatted without touching any file. */

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

#endif

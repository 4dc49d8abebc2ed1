/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_ANSWER_H
#define EKAHOOK_ANSWER_H

#include <stdbool.h>

#include "buf.h"
#include "notes.h"

/* Every answer ekahook gives (ekahook(8) "Requests"). */
enum answer_kind {
	ANS_OK,
	ANS_HEALTH,
	ANS_METHOD,
	ANS_ADDRESS,
	ANS_MEDIA_TYPE,
	ANS_TOO_LARGE,
	ANS_SIG_MISSING,
	ANS_SIG_INVALID,
	ANS_SIG_EXPIRED,
	ANS_INVALID_JSON,
	ANS_DUPLICATE_KEY,
	ANS_NOT_OBJECT,
	ANS_TOO_DEEP,
	ANS_INVALID_EVENT,
	ANS_STORAGE,
	ANS_CONFIG,
	ANS_COUNT
};

struct answer {
	enum answer_kind		 kind;
	const char			*request_id;
	const char			*message;	/* NULL: the default */
	const struct notes	*details;
	bool				 duplicate;
};

int		 answer_status(enum answer_kind);
const char	*answer_error(enum answer_kind);	/* NULL for 200s */
const char	*answer_reason(int status);
/* True for the 4xx answers kept in reject_file (ekahook(8) "Logs"). */
bool		 answer_is_logged_reject(enum answer_kind);
/* Appends the JSON body of the answer (no newline). */
void		 answer_body(struct buf *, const struct answer *);
/* Appends the CGI header block for a body of body_len bytes. */
void		 answer_headers(struct buf *, const struct answer *,
		    size_t body_len);

#endif

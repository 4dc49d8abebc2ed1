/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_NOTES_H
#define EKAHOOK_NOTES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Findings about an event: a field's path ("data.sa_ids[1]") and what
 * is wrong there.  The details of a 422 and the warnings of a log line
 * (ekahook(8) "Validation") are lists of these.
 */

#define NOTE_FIELD_MAX		192
#define NOTE_PROBLEM_MAX	96

struct note {
	char	field[NOTE_FIELD_MAX];
	char	problem[NOTE_PROBLEM_MAX];
};

struct notes {
	struct note	*v;
	size_t		 n;
	size_t		 cap;
	bool		 nomem;		/* a note was lost: memory ran out */
};

/* Adds a note; on failure sets ns->nomem and keeps what it had. */
void	notes_add(struct notes *ns, const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	notes_free(struct notes *);

#endif

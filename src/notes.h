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
/*
 * Notes kept of one event: a stranger's body must not make an answer or
 * a reject line as long as it likes.  The rest are only counted.
 */
#define NOTES_MAX		32

struct note {
	char	field[NOTE_FIELD_MAX];
	char	problem[NOTE_PROBLEM_MAX];
};

struct notes {
	struct note	*v;
	size_t		 n;
	size_t		 cap;
	bool		 nomem;		/* a note was lost: memory ran out */
	size_t		 more;		/* notes past NOTES_MAX, not kept */
};

/*
 * Adds a note, or past NOTES_MAX counts it in ns->more; on failure sets
 * ns->nomem and keeps what it had.
 */
void	notes_add(struct notes *ns, const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	notes_free(struct notes *);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_VERIFYLOG_H
#define EKAHOOK_VERIFYLOG_H

#include <stdio.h>

/* ekahookctl(1) verify-log: is every line of a log one whole JSON object? */

struct verifylog_counts {
	unsigned long	lines;		/* complete and valid */
	unsigned long	bad;		/* torn or invalid */
};

/* What checking one file found. */
enum verifylog_result {
	VERIFYLOG_GOOD,		/* every line is one whole JSON object */
	VERIFYLOG_BAD,		/* some line is not */
	VERIFYLOG_UNREADABLE	/* not read to its end (reported too) */
};

/*
 * Checks that every line of the file is one complete JSON object ending
 * in '\n'; reports each bad one as "FILE:LINE: why" on out.
 */
enum verifylog_result	verifylog_file(const char *path, FILE *out,
			    struct verifylog_counts *);

#endif

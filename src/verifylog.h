/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_VERIFYLOG_H
#define EKAHOOK_VERIFYLOG_H

#include <stdio.h>

/* ekahookctl(1) verify-log: is every line of a log one whole JSON object? */

struct verifylog_counts {
	unsigned long	lines;		/* complete and valid */
	unsigned long	bad;		/* torn or invalid */
};

/*
 * Checks that every line of the file is one complete JSON object ending
 * in '\n'; reports each bad one as "FILE:LINE: why" on out.
 * Returns 0 when all are good, 1 when some are not, -1 when the file
 * cannot be read (reported too).
 */
int	verifylog_file(const char *path, FILE *out, struct verifylog_counts *);

#endif

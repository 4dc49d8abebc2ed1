/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_TIMEFMT_H
#define EKAHOOK_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define TIMEFMT_LEN	64	/* room for "2026-11-23T20:20:42.123Z" */

/* Formats ts as UTC with milliseconds: 2026-11-23T20:20:42.123Z. */
void	timefmt_iso_ms(const struct timespec *ts, char out[TIMEFMT_LEN]);
/* True when s[0..n) is an RFC 3339 date-time (section 5.6). */
bool	timefmt_is_rfc3339(const char *s, size_t n);
/* Parses an RFC 3339 date-time or plain unix seconds; -1 on error. */
int	timefmt_parse(const char *s, time_t *out);
/* The same in milliseconds (a finer fraction cut off); -1 on error. */
int	timefmt_parse_ms(const char *s, long long *out);
/* The time now (CLOCK_REALTIME) in Unix milliseconds. */
long long timefmt_now_ms(void);
/* Days from 1970-01-01 to y-m-d, proleptic Gregorian. */
long long timefmt_days(int y, int m, int d);

#endif

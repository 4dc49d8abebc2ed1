/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

static int	digits(const char *, size_t);
static bool	leap_year(int);
static int	days_in_month(int, int);

void
timefmt_iso_ms(const struct timespec *ts, char out[TIMEFMT_LEN])
{
	/* Each field's digits and the character after it. */
	static const int	 width[7] = { 4, 2, 2, 2, 2, 2, 3 };
	static const char	 sep[7] = "--T::.Z";
	struct tm		 tm;
	int			 f[7], i, n;
	char			*p = out;

	gmtime_r(&ts->tv_sec, &tm);
	f[0] = tm.tm_year + 1900;
	f[1] = tm.tm_mon + 1;
	f[2] = tm.tm_mday;
	f[3] = tm.tm_hour;
	f[4] = tm.tm_min;
	f[5] = tm.tm_sec;
	f[6] = (int)(ts->tv_nsec / 1000000);
	if (f[0] < 0 || f[0] > 9999) {
		/* Not four digits: leave it to snprintf. */
		snprintf(out, TIMEFMT_LEN,
		    "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		    f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
		return;
	}
	/* Digit by digit rather than snprintf: this runs on every request. */
	for (i = 0; i < 7; i++) {
		for (n = width[i] - 1; n >= 0; n--, f[i] /= 10)
			p[n] = (char)('0' + f[i] % 10);
		p += width[i];
		*p++ = sep[i];
	}
	*p = '\0';
}

/* The value of n decimal digits at s, or -1 if any is not a digit. */
static int
digits(const char *s, size_t n)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool
leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 (Howard Hinnant's algorithm). */
long long
timefmt_days(int y, int m, int d)
{
	int	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (long long)era * 146097 + doe - 719468;
}

long long
timefmt_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * RFC 3339 §5.6: full-date "T" full-time, with time-secfrac and
 * time-offset "Z" / ("+" / "-") hh:mm.  "t" and "z" are allowed too.
 */
static bool
rfc3339_fields(const char *s, size_t n, time_t *out, int *ms)
{
	int	 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0, frac = 0;
	size_t	 i, nd;

	if (n < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return false;
	if ((y = digits(s, 4)) < 0 || (mo = digits(s + 5, 2)) < 1 ||
	    mo > 12 || (d = digits(s + 8, 2)) < 1 ||
	    d > days_in_month(y, mo) || (h = digits(s + 11, 2)) < 0 ||
	    h > 23 || (mi = digits(s + 14, 2)) < 0 || mi > 59 ||
	    (sec = digits(s + 17, 2)) < 0 || sec > 60)
		return false;
	i = 19;
	if (s[i] == '.') {
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return false;
		/* Milliseconds: three digits, the rest cut off. */
		for (nd = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, nd++)
			if (nd < 3)
				frac = frac * 10 + (s[i] - '0');
		for (; nd < 3; nd++)
			frac *= 10;
	}
	if (i >= n)
		return false;
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n)
		;
	else if ((s[i] == '+' || s[i] == '-') && i + 6 == n &&
	    s[i + 3] == ':') {
		sign = s[i] == '+' ? 1 : -1;
		if ((oh = digits(s + i + 1, 2)) < 0 || oh > 23 ||
		    (om = digits(s + i + 4, 2)) < 0 || om > 59)
			return false;
	} else
		return false;
	if (out != NULL)
		*out = (time_t)timefmt_days(y, mo, d) * 86400 + h * 3600 +
		    mi * 60 + (sec == 60 ? 59 : sec) -
		    sign * (oh * 3600 + om * 60);
	if (ms != NULL)
		*ms = frac;
	return true;
}

bool
timefmt_is_rfc3339(const char *s, size_t n)
{
	return rfc3339_fields(s, n, NULL, NULL);
}

int
timefmt_parse(const char *s, time_t *out)
{
	long long	 ms;

	if (timefmt_parse_ms(s, &ms) == -1)
		return -1;
	*out = (time_t)(ms >= 0 ? ms / 1000 : -((999 - ms) / 1000));
	return 0;
}

int
timefmt_parse_ms(const char *s, long long *out)
{
	char		*end;
	long long	 v;
	time_t		 t;
	int		 ms;

	if (rfc3339_fields(s, strlen(s), &t, &ms)) {
		*out = (long long)t * 1000 + ms;
		return 0;
	}
	/* Plain digits only: strtoll would also take blanks and a sign. */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > LLONG_MAX / 1000)
		return -1;
	*out = v * 1000;
	return 0;
}

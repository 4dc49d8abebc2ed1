/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"

struct job
job_new(long long now_ms)
{
	struct job	 j = { 0, 0, now_ms };

	return j;
}

unsigned
job_attempt(const struct job *j)
{
	return j->attempts + 1;
}

bool
job_due(const struct job *j, long long now_ms)
{
	return now_ms >= j->due_ms;
}

long long
job_delay_ms(unsigned n, const struct job_policy *p)
{
	long long	 d;

	d = n <= 1 ? JOB_DELAY_1_MS : n == 2 ? JOB_DELAY_2_MS :
	    JOB_DELAY_REST_MS;
	if (p->scale > 0 && p->scale < 1)
		return (long long)((double)d * p->scale);
	return d;
}

struct job
job_begin(const struct job *j)
{
	struct job	 b = *j;

	b.attempts = j->attempts + 1;
	return b;
}

/*
 * ekahook.conf(5) hook_retries: that many further attempts after a
 * failed one, each counted from the end of the one before.
 */
enum job_where
job_after(const struct job *j, bool ok, long long now_ms,
    const struct job_policy *p, struct job *next)
{
	*next = *j;
	if (ok) {
		next->fails = 0;
		next->due_ms = now_ms;
		return JOB_DONE;
	}
	next->fails = j->fails + 1;
	if (next->fails > p->retries) {
		next->due_ms = now_ms;
		return JOB_DEAD;
	}
	next->due_ms = now_ms + job_delay_ms(next->fails, p);
	return JOB_WAIT;
}

/* The attempts so far keep their numbers; the retries start again. */
struct job
job_replay(const struct job *j, long long now_ms)
{
	struct job	 r = *j;

	r.fails = 0;
	r.due_ms = now_ms;
	return r;
}

int
job_format(char *out, size_t len, const struct job *j)
{
	return snprintf(out, len, "%u %u %lld\n", j->attempts, j->fails,
	    j->due_ms);
}

static const char *
number(const char *p, const char *end, unsigned long long *v)
{
	const char	*start = p;

	*v = 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (*v > (~0ULL - 9) / 10)
			return NULL;
		*v = *v * 10 + (unsigned)(*p - '0');
	}
	return p == start ? NULL : p;
}

int
job_parse(const char *s, size_t len, struct job *j)
{
	const char		*p = s, *end = s + len;
	unsigned long long	 a, f, d;

	if ((p = number(p, end, &a)) == NULL || p >= end || *p++ != ' ' ||
	    (p = number(p, end, &f)) == NULL || p >= end || *p++ != ' ' ||
	    (p = number(p, end, &d)) == NULL)
		return -1;
	if (p < end && *p == '\n')
		p++;
	if (p != end || a > 1000000000ULL || f > a ||
	    d > 1000000000000000ULL)
		return -1;
	j->attempts = (unsigned)a;
	j->fails = (unsigned)f;
	j->due_ms = (long long)d;
	return 0;
}

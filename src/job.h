/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_JOB_H
#define EKAHOOK_JOB_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The state of one event's hook work, and every change to it, as pure
 * functions of (state, outcome, now): no file, no clock, no process.
 * The spool (spool.h) keeps a job's state on disk; the runner and
 * `ekahookctl replay` decide what comes next only through these.
 */

/* ekahook.conf(5) hook_retries: waits after the 1st, 2nd, 3rd… failure. */
#define JOB_DELAY_1_MS		5000LL
#define JOB_DELAY_2_MS		30000LL
#define JOB_DELAY_REST_MS	300000LL

#define JOB_TEXT_MAX		96	/* job_format's longest text */

struct job {
	unsigned	 attempts;	/* attempts started, ever */
	unsigned	 fails;		/* failed in a row since last queued */
	long long	 due_ms;	/* not to start before (Unix ms) */
};

/* What the configuration says about retries. */
struct job_policy {
	unsigned	 retries;	/* hook_retries */
	double		 scale;		/* delays times this (1 but in tests) */
};

enum job_where {
	JOB_DONE,	/* finished: nothing left to do */
	JOB_WAIT,	/* in new/: run again once due */
	JOB_DEAD	/* in failed/: every attempt failed */
};

/* A job just queued: nothing run yet, due now. */
struct job	 job_new(long long now_ms);
/* The number the next attempt gets (EKAHOOK_ATTEMPT). */
unsigned	 job_attempt(const struct job *);
bool		 job_due(const struct job *, long long now_ms);
/* The wait after the n-th failure in a row (n >= 1). */
long long	 job_delay_ms(unsigned n, const struct job_policy *);
/*
 * An attempt starts: counted before the hook runs, so that one cut
 * short by a crash is not numbered again.
 */
struct job	 job_begin(const struct job *);
/*
 * After the attempt job_begin() counted ended at now_ms, ok or not:
 * where the job goes, and its state there in *next.
 */
enum job_where	 job_after(const struct job *, bool ok, long long now_ms,
		    const struct job_policy *, struct job *next);
/* Queued again by hand (a dead letter, a logged event): due now. */
struct job	 job_replay(const struct job *, long long now_ms);

/* "attempts fails due_ms\n" into out (JOB_TEXT_MAX); the length. */
int		 job_format(char *out, size_t len, const struct job *);
/* Reads job_format's text.  0, or -1 when it is not that. */
int		 job_parse(const char *s, size_t len, struct job *);

#endif

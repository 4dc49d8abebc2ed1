/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "ctl.h"
#include "hooklog.h"
#include "job.h"
#include "logset.h"
#include "reqline.h"
#include "runner.h"
#include "spool.h"
#include "timefmt.h"

/*
 * ekahookctl(1) replay: queues hooks again, into the spool the runner
 * takes them from.  Dead letters move from failed/ back to new/; a
 * logged event gets a new file in new/, its attempts numbered on from
 * the highest hook_log knows.
 */

/* A logged event chosen for a replay. */
struct pick {
	char		 id[REQLINE_ID_MAX];
	unsigned	 attempts;	/* the highest in hook_log */
	bool		 done;		/* queued */
};

struct replay {
	struct conf	 c;
	struct spool	 sp;
	bool		 failed;
	const char	*request_id;
	bool		 have_since;
	long long	 since_ms;
	struct pick	*picks;
	size_t		 npicks;
	size_t		 queued, waiting, errors;
};

static int	 replay_usage(void);
static bool	 wanted(const struct replay *, const struct reqline *);
static int	 pick_cmp(const void *, const void *);
static void	 read_hook_log(struct replay *);
static void	 queue_event(struct replay *, const struct reqline *);
static bool	 hook_line(const char *, size_t, void *);
static bool	 pick_line(const char *, size_t, void *);
static bool	 queue_line(const char *, size_t, void *);
static void	 replay_logs(struct replay *);
static void	 replay_failed(struct replay *);

static int
replay_usage(void)
{
	fprintf(stderr, "usage: ekahookctl replay [--failed] "
	    "[--request-id ID] [--since TIME] [--config FILE]\n"
	    "  without --failed, --request-id or --since chooses the "
	    "logged events\n");
	return 2;
}

/* The events the options choose: the ones whose hook ran, or was due. */
static bool
wanted(const struct replay *rp, const struct reqline *ev)
{
	long long	 t;

	if (ev->duplicate || !conf_hook_wants(&rp->c, ev->name))
		return false;
	if (rp->request_id != NULL && strcmp(rp->request_id,
	    ev->request_id) != 0)
		return false;
	if (rp->have_since && (timefmt_parse_ms(ev->received_at, &t) == -1 ||
	    t < rp->since_ms))
		return false;
	return true;
}

static int
pick_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pick *)a)->id,
	    ((const struct pick *)b)->id);
}

/* A hook_log line: the highest attempt per pick. */
static bool
hook_line(const char *line, size_t len, void *arg)
{
	struct replay		*rp = arg;
	struct hooklog_entry	 e;
	struct pick		 key = { .attempts = 0 }, *p;

	if (hooklog_parse(line, len, &e) == -1)
		return false;
	memcpy(key.id, e.request_id, sizeof(key.id));
	if ((p = bsearch(&key, rp->picks, rp->npicks, sizeof(*p),
	    pick_cmp)) != NULL && e.attempt > p->attempts)
		p->attempts = e.attempt;
	return false;
}

/* The highest attempt hook_log (rotated files too) holds per pick. */
static void
read_hook_log(struct replay *rp)
{
	char		**v;
	size_t		 n, i;
	long long	 off;

	qsort(rp->picks, rp->npicks, sizeof(*rp->picks), pick_cmp);
	if (logset_list(rp->c.hook_log, rp->c.log_keep, &v, &n) == -1)
		return;
	for (i = 0; i < n; i++) {
		off = 0;
		(void)logset_lines(v[i], &off, hook_line, rp);
	}
	logset_free(v, n);
}

/* One logged event chosen: remembered, queued after hook_log is read. */
static void
queue_event(struct replay *rp, const struct reqline *ev)
{
	struct pick	*np;

	if (spool_has(&rp->sp, SPOOL_NEW, ev->request_id)) {
		printf("%s: already waiting\n", ev->request_id);
		rp->waiting++;
		return;
	}
	if (spool_has(&rp->sp, SPOOL_FAILED, ev->request_id)) {
		if (spool_requeue(&rp->sp, ev->request_id, 0, rp->c.log_fsync)
		    == -1) {
			fprintf(stderr, "ekahookctl: %s: %s\n", ev->request_id,
			    strerror(errno));
			rp->errors++;
			return;
		}
		printf("%s: queued again from failed/\n", ev->request_id);
		rp->queued++;
		return;
	}
	if ((np = realloc(rp->picks, (rp->npicks + 1) * sizeof(*np))) ==
	    NULL) {
		rp->errors++;
		return;
	}
	rp->picks = np;
	memset(&np[rp->npicks], 0, sizeof(*np));
	snprintf(np[rp->npicks].id, sizeof(np->id), "%s", ev->request_id);
	rp->npicks++;
}

/* First pass: a logged event the options choose is noted. */
static bool
pick_line(const char *line, size_t len, void *arg)
{
	struct replay	*rp = arg;
	struct reqline	 ev;

	if (reqline_parse(line, len, &ev) == -1)
		return false;
	if (wanted(rp, &ev))
		queue_event(rp, &ev);
	reqline_free(&ev);
	return false;
}

/* Second pass: a noted event into new/, as its next attempt. */
static bool
queue_line(const char *line, size_t len, void *arg)
{
	struct replay	*rp = arg;
	struct reqline	 ev;
	struct pick	 key = { .attempts = 0 }, *p;
	struct job	 j;
	struct timespec	 ts;
	long long	 ms;

	if (reqline_parse(line, len, &ev) == -1)
		return false;
	memcpy(key.id, ev.request_id, sizeof(key.id));
	if (!wanted(rp, &ev) || (p = bsearch(&key, rp->picks, rp->npicks,
	    sizeof(*p), pick_cmp)) == NULL || p->done ||
	    timefmt_parse_ms(ev.received_at, &ms) == -1) {
		reqline_free(&ev);
		return false;
	}
	j = job_new(0);
	j.attempts = p->attempts;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = ms % 1000 * 1000000;
	if (spool_add(&rp->sp, rp->c.state_dir, ev.request_id, &ts,
	    ev.event_text, ev.event_len, &j, rp->c.log_fsync) == -1) {
		fprintf(stderr, "ekahookctl: %s: cannot queue: %s\n",
		    ev.request_id, strerror(errno));
		rp->errors++;
	} else {
		printf("%s: queued as attempt %u\n", ev.request_id,
		    job_attempt(&j));
		rp->queued++;
	}
	/* The same id twice in the logs is queued once. */
	p->done = true;
	reqline_free(&ev);
	return false;
}

/* The logs, oldest first: .N … .1, then the file itself. */
static void
replay_logs(struct replay *rp)
{
	char		**v;
	size_t		 n, i;
	long long	 off;

	if (logset_list(rp->c.log_file, rp->c.log_keep, &v, &n) == -1) {
		rp->errors++;
		return;
	}
	for (i = 0; i < n; i++) {
		off = 0;
		(void)logset_lines(v[i], &off, pick_line, rp);
	}
	if (rp->npicks > 0) {
		read_hook_log(rp);
		for (i = 0; i < n; i++) {
			off = 0;
			(void)logset_lines(v[i], &off, queue_line, rp);
		}
	}
	logset_free(v, n);
}

static void
replay_failed(struct replay *rp)
{
	char		**v;
	size_t		 n, i;

	if (spool_list(&rp->sp, SPOOL_FAILED, &v, &n) == -1) {
		fprintf(stderr, "ekahookctl: %s/%s/failed: %s\n",
		    rp->c.state_dir, SPOOL_DIR, strerror(errno));
		rp->errors++;
		return;
	}
	for (i = 0; i < n; i++) {
		if (rp->request_id != NULL &&
		    strcmp(rp->request_id, v[i]) != 0)
			continue;
		if (spool_requeue(&rp->sp, v[i], 0, rp->c.log_fsync) == -1) {
			fprintf(stderr, "ekahookctl: %s: %s\n", v[i],
			    strerror(errno));
			rp->errors++;
			continue;
		}
		printf("%s: queued again from failed/\n", v[i]);
		rp->queued++;
	}
	spool_list_free(v, n);
}

int
ctl_replay(int argc, char **argv)
{
	struct replay	 rp;
	const char	*config = NULL;
	int		 a;

	memset(&rp, 0, sizeof(rp));
	spool_init(&rp.sp);
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--failed") == 0)
			rp.failed = true;
		else if (strcmp(argv[a], "--request-id") == 0 && a + 1 < argc)
			rp.request_id = argv[++a];
		else if (strcmp(argv[a], "--since") == 0 && a + 1 < argc) {
			if (timefmt_parse_ms(argv[++a], &rp.since_ms) == -1) {
				fprintf(stderr, "ekahookctl: --since: not an "
				    "RFC 3339 time or Unix seconds: %s\n",
				    argv[a]);
				return 2;
			}
			rp.have_since = true;
		} else if (strcmp(argv[a], "--config") == 0 && a + 1 < argc)
			config = argv[++a];
		else
			return replay_usage();
	}
	if (!rp.failed && rp.request_id == NULL && !rp.have_since)
		return replay_usage();
	if (ctl_load_conf(config, &rp.c) == -1)
		return 1;
	if (rp.c.hook == NULL) {
		fprintf(stderr, "ekahookctl: no hook is configured\n");
		conf_free(&rp.c);
		return 1;
	}
	if (spool_open(&rp.sp, rp.c.state_dir) == -1) {
		fprintf(stderr, "ekahookctl: %s/%s: %s\n", rp.c.state_dir,
		    SPOOL_DIR, strerror(errno));
		conf_free(&rp.c);
		return 1;
	}
	if (rp.failed)
		replay_failed(&rp);
	else
		replay_logs(&rp);
	if (rp.queued > 0) {
		runner_kick(&rp.c, true);
		printf("queued %zu\n", rp.queued);
	} else if (rp.errors == 0)
		printf("nothing to replay\n");
	free(rp.picks);
	spool_close(&rp.sp);
	conf_free(&rp.c);
	return rp.errors > 0 ? 1 : 0;
}

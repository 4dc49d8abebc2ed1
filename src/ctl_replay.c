/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "ctl.h"
#include "evline.h"
#include "hookattempt.h"
#include "hooklog.h"
#include "hookq.h"
#include "logtail.h"
#include "timefmt.h"

#define SLOT_WAIT_MS	50	/* between looks for a free slot */

/* An event of the logs the hook may run again. */
struct cand {
	char		 id[EVLINE_ID_MAX];
	size_t		 file;		/* into replay.files */
	off_t		 off;
	size_t		 len;
	bool		 taken;		/* the runner has passed it */
};

/* A log file read, kept open so a rotation meanwhile does not matter. */
struct lfile {
	int		 fd;
	char		*name;
};

/* The last hook_log line of a request, and its highest attempt. */
struct seen {
	char		 id[EVLINE_ID_MAX];
	size_t		 seq;
	unsigned	 attempt;
	bool		 ok;
};

struct replay {
	struct conf	 c;
	bool		 failed;
	const char	*request_id;
	bool		 have_since;
	long long	 since_ms;	/* received_at at the earliest */
	struct logpos	 pos;
	struct lfile	*files;
	size_t		 nfiles;
	struct cand	*cands;
	size_t		 ncands, capcands;
	struct seen	*seen;
	size_t		 nseen, capseen;
	char		**jobs;
	size_t		 njobs;
};

static int	 replay_usage(void);
static int	 load_conf(struct replay *, const char *);
static int	 read_events(struct replay *);
static int	 read_event_file(struct replay *, const char *, int);
static bool	 wanted(struct replay *, const struct evline *);
static int	 read_hook_log(struct replay *);
static int	 seen_cmp(const void *, const void *);
static int	 jobs_cmp(const void *, const void *);
static const struct seen *seen_last(const struct replay *, const char *,
		    unsigned *);
static bool	 has_job(const struct replay *, const char *);
static bool	 job_lost(const struct replay *, const char *);
static int	 run_one(struct replay *, const struct cand *);
static int	 slot_wait(const char *, unsigned);
static void	 replay_free(struct replay *);

static int
replay_usage(void)
{
	fprintf(stderr, "usage: ekahookctl replay [--failed] "
	    "[--request-id ID] [--since TIME] [--config FILE]\n");
	return 2;
}

static int
load_conf(struct replay *rp, const char *config)
{
	char	 err[512], *file, *exe_dir;
	int	 rc;

	exe_dir = conf_exe_dir();
	file = conf_find(config != NULL ? config : getenv("EKAHOOK_CONFIG"),
	    exe_dir);
	rc = conf_load(file, exe_dir, conf_process_getenv, NULL, &rp->c, err,
	    sizeof(err));
	if (rc == -1)
		fprintf(stderr, "ekahookctl: %s\n", err);
	free(file);
	free(exe_dir);
	return rc;
}

/* The events the options choose, before hook_log is looked at. */
static bool
wanted(struct replay *rp, const struct evline *ev)
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

/* One log file, rank k (0: the current one). */
static int
read_event_file(struct replay *rp, const char *name, int k)
{
	struct lfile	*nf;
	struct cand	*nc, *cd;
	struct evline	 ev;
	struct stat	 st;
	FILE		*fp;
	char		*line = NULL;
	size_t		 cap = 0, ncap;
	ssize_t		 n;
	off_t		 off = 0;
	int		 fd, rank_pos = -1;

	if ((fd = open(name, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == -1 || (nf = reallocarray(rp->files,
	    rp->nfiles + 1, sizeof(*nf))) == NULL) {
		close(fd);
		return -1;
	}
	rp->files = nf;
	rp->files[rp->nfiles].fd = fd;
	rp->files[rp->nfiles].name = strdup(name);
	if (rp->files[rp->nfiles++].name == NULL)
		return -1;
	rank_pos = logtail_rank(rp->c.log_file, rp->c.log_keep, &rp->pos,
	    NULL, 0);
	if ((fp = fdopen(dup(fd), "r")) == NULL)
		return -1;
	while ((n = getline(&line, &cap, fp)) > 0) {
		off += n;
		if ((size_t)n > LOGTAIL_LINE_MAX ||
		    evline_parse(line, (size_t)n, &ev) == -1)
			continue;
		if (!wanted(rp, &ev)) {
			evline_free(&ev);
			continue;
		}
		if (rp->ncands == rp->capcands) {
			ncap = rp->capcands ? rp->capcands * 2 : 256;
			if ((nc = reallocarray(rp->cands, ncap,
			    sizeof(*nc))) == NULL) {
				evline_free(&ev);
				break;
			}
			rp->cands = nc;
			rp->capcands = ncap;
		}
		cd = &rp->cands[rp->ncands++];
		snprintf(cd->id, sizeof(cd->id), "%s", ev.request_id);
		cd->file = rp->nfiles - 1;
		cd->off = off - n;
		cd->len = (size_t)n;
		/* Older than the runner's file, or before its offset there. */
		cd->taken = rp->pos.known && rank_pos >= 0 &&
		    (k == rank_pos ? off <= rp->pos.off : k > rank_pos);
		evline_free(&ev);
	}
	free(line);
	fclose(fp);
	return 0;
}

/* Every log file, oldest first, as the events came. */
static int
read_events(struct replay *rp)
{
	char		 name[PATH_MAX];
	int		 k;

	/* Files held for the runner first (logheld.h), then .N to .1. */
	for (k = logtail_oldest_rank(rp->c.log_file, rp->c.log_keep); k >= 0;
	    k--) {
		if (logtail_rank_name(rp->c.log_file, rp->c.log_keep, k, name,
		    sizeof(name)) == -1)
			continue;
		if (read_event_file(rp, name, k) == -1) {
			fprintf(stderr, "ekahookctl: %s: %s\n", name,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
seen_cmp(const void *a, const void *b)
{
	const struct seen	*x = a, *y = b;
	int			 c = strcmp(x->id, y->id);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
jobs_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every hook_log line, oldest file first: the last one per id wins. */
static int
read_hook_log(struct replay *rp)
{
	struct hooklog_entry	 e;
	struct seen		*ns;
	char			 name[PATH_MAX], *line = NULL;
	size_t			 cap = 0, ncap;
	ssize_t			 n;
	FILE			*fp;
	int			 k;

	for (k = (int)rp->c.log_keep; k >= 0; k--) {
		if ((k == 0 ? snprintf(name, sizeof(name), "%s",
		    rp->c.hook_log) : snprintf(name, sizeof(name), "%s.%d",
		    rp->c.hook_log, k)) >= (int)sizeof(name))
			continue;
		if ((fp = fopen(name, "re")) == NULL)
			continue;
		while ((n = getline(&line, &cap, fp)) > 0) {
			if (hooklog_parse(line, (size_t)n, &e) == -1)
				continue;
			if (rp->nseen == rp->capseen) {
				ncap = rp->capseen ? rp->capseen * 2 : 256;
				if ((ns = reallocarray(rp->seen, ncap,
				    sizeof(*ns))) == NULL) {
					fclose(fp);
					free(line);
					return -1;
				}
				rp->seen = ns;
				rp->capseen = ncap;
			}
			snprintf(rp->seen[rp->nseen].id,
			    sizeof(rp->seen[rp->nseen].id), "%s", e.request_id);
			rp->seen[rp->nseen].seq = rp->nseen;
			rp->seen[rp->nseen].attempt = e.attempt;
			rp->seen[rp->nseen].ok = e.ok;
			rp->nseen++;
		}
		fclose(fp);
	}
	free(line);
	if (rp->nseen > 0)
		qsort(rp->seen, rp->nseen, sizeof(*rp->seen), seen_cmp);
	return 0;
}

/* The last line for id (NULL: none) and the highest attempt number. */
static const struct seen *
seen_last(const struct replay *rp, const char *id, unsigned *max_attempt)
{
	size_t	 lo = 0, hi = rp->nseen, mid;
	const struct seen *last = NULL;

	*max_attempt = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(rp->seen[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < rp->nseen && strcmp(rp->seen[lo].id, id) == 0; lo++) {
		last = &rp->seen[lo];
		if (last->attempt > *max_attempt)
			*max_attempt = last->attempt;
	}
	return last;
}

static bool
has_job(const struct replay *rp, const char *id)
{
	return rp->njobs > 0 && bsearch(&id, rp->jobs, rp->njobs,
	    sizeof(*rp->jobs), jobs_cmp) != NULL;
}

/*
 * A job whose attempt started and never finished: marked running, and
 * its watcher (who would hold its lock) gone.
 */
static bool
job_lost(const struct replay *rp, const char *id)
{
	struct hookjob	 j;
	bool		 lost;
	int		 rc;

	if (!has_job(rp, id) || hookjob_peek(rp->c.state_dir, id, &j) == -1)
		return false;
	lost = j.running;
	hookjob_close(&j);
	if (!lost)
		return false;
	/* Held: an attempt is under way right now. */
	if ((rc = hookjob_open(rp->c.state_dir, id, &j)) == 0)
		hookjob_close(&j);
	return rc == 0;
}

/* A slot of hook_max_running, waited for: replay counts like any run. */
static int
slot_wait(const char *state_dir, unsigned cap)
{
	struct timespec	 ts = { 0, SLOT_WAIT_MS * 1000000L };
	int		 fd;

	while ((fd = hookq_slot_take(state_dir, cap)) == -1) {
		if (errno != EWOULDBLOCK)
			return -1;
		nanosleep(&ts, NULL);
	}
	return fd;
}

/*
 * Runs the hook once more for cd.  A job of the runner's for the same
 * event is held meanwhile (so both never run it at once) and removed
 * when this run succeeds.  Returns 0 when it succeeded, 1 otherwise.
 */
static int
run_one(struct replay *rp, const struct cand *cd)
{
	struct hookjob		 j;
	enum hookattempt_result	 res;
	unsigned		 attempt;
	char			*line;
	int			 slot, jrc;

	(void)seen_last(rp, cd->id, &attempt);
	jrc = hookjob_open(rp->c.state_dir, cd->id, &j);
	if (jrc == 1) {
		printf("%s: running now, left alone\n", cd->id);
		return 1;
	}
	if (jrc == 0 && j.next > attempt + 1)
		attempt = j.next - 1;
	/* Attempt j.next was under way and lost (runner.c settle()). */
	if (jrc == 0 && j.running && j.next > attempt)
		attempt = j.next;
	attempt++;
	if ((line = malloc(cd->len)) == NULL ||
	    pread(rp->files[cd->file].fd, line, cd->len, cd->off) !=
	    (ssize_t)cd->len) {
		free(line);
		if (jrc == 0)
			hookjob_close(&j);
		printf("%s: cannot read it back from %s\n", cd->id,
		    rp->files[cd->file].name);
		return 1;
	}
	if ((slot = slot_wait(rp->c.state_dir, rp->c.hook_max_running)) ==
	    -1) {
		fprintf(stderr, "ekahookctl: %s: no slot: %s\n",
		    rp->c.state_dir, strerror(errno));
		free(line);
		if (jrc == 0)
			hookjob_close(&j);
		return 1;
	}
	res = hookattempt_run(&rp->c, line, cd->len, rp->files[cd->file].name,
	    attempt);
	close(slot);
	free(line);
	if (jrc == 0) {
		if (res == HOOKATTEMPT_OK)
			(void)hookjob_remove(&j);
		else {
			/*
			 * Its retries go on as planned, numbered after ours;
			 * a lost attempt it was marked with is settled by ours.
			 */
			if (j.next <= attempt) {
				j.next = attempt + 1;
				j.running = false;
				(void)hookjob_save(&j, rp->c.log_fsync);
			}
			hookjob_close(&j);
		}
	}
	printf("%s: attempt %u: %s\n", cd->id, attempt,
	    res == HOOKATTEMPT_OK ? "ok" : res == HOOKATTEMPT_FAILED ?
	    "failed" : "not run (see above)");
	return res == HOOKATTEMPT_OK ? 0 : 1;
}

static void
replay_free(struct replay *rp)
{
	size_t	 i;

	for (i = 0; i < rp->nfiles; i++) {
		close(rp->files[i].fd);
		free(rp->files[i].name);
	}
	free(rp->files);
	free(rp->cands);
	free(rp->seen);
	hookq_free_list(rp->jobs, rp->njobs);
	conf_free(&rp->c);
}

int
ctl_replay(int argc, char **argv)
{
	struct replay		 rp;
	const struct seen	*last;
	const char		*config = NULL;
	char			 pos_file[PATH_MAX];
	unsigned		 max_attempt;
	size_t			 i, ran = 0, bad = 0, waiting = 0;
	bool			 pick;
	int			 a;

	memset(&rp, 0, sizeof(rp));
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
	if (load_conf(&rp, config) == -1)
		return 1;
	if (rp.c.hook == NULL) {
		fprintf(stderr, "ekahookctl: no hook is configured\n");
		conf_free(&rp.c);
		return 1;
	}
	if (hookq_mkdirs(rp.c.state_dir) == -1 ||
	    hookq_path(pos_file, sizeof(pos_file), rp.c.state_dir,
	    "position") == -1) {
		fprintf(stderr, "ekahookctl: %s: %s\n", rp.c.state_dir,
		    strerror(errno));
		conf_free(&rp.c);
		return 1;
	}
	if (logpos_load(pos_file, &rp.pos) != 0)
		memset(&rp.pos, 0, sizeof(rp.pos));
	/*
	 * Jobs before hook_log: an attempt that ends in between has its
	 * line written before its job goes, so it is seen one way or the
	 * other and never taken for lost.
	 */
	if (read_events(&rp) == -1 ||
	    hookq_list_jobs(rp.c.state_dir, &rp.jobs, &rp.njobs) == -1 ||
	    read_hook_log(&rp) == -1) {
		replay_free(&rp);
		return 1;
	}
	if (rp.njobs > 0)
		qsort(rp.jobs, rp.njobs, sizeof(*rp.jobs), jobs_cmp);
	for (i = 0; i < rp.ncands; i++) {
		last = seen_last(&rp, rp.cands[i].id, &max_attempt);
		/*
		 * Not taken by the runner yet, never run: its first run is
		 * the runner's to make; one now would make two attempts 1.
		 */
		if (last == NULL && rp.pos.known && !rp.cands[i].taken) {
			waiting++;
			continue;
		}
		/*
		 * --failed: the last attempt failed or never finished (its
		 * job marked running and nobody at it), or the runner took
		 * the event and its run left neither a line nor a job.
		 */
		pick = !rp.failed || (last != NULL && !last->ok) ||
		    job_lost(&rp, rp.cands[i].id) ||
		    (last == NULL && rp.cands[i].taken &&
		    !has_job(&rp, rp.cands[i].id));
		if (!pick)
			continue;
		ran++;
		bad += (size_t)run_one(&rp, &rp.cands[i]);
	}
	if (waiting > 0)
		printf("left to the runner: %zu event%s still waiting for a "
		    "first run\n", waiting, waiting == 1 ? "" : "s");
	if (ran == 0)
		printf("nothing to replay\n");
	else
		printf("replayed %zu, %zu failed\n", ran, bad);
	replay_free(&rp);
	return bad > 0 ? 1 : 0;
}

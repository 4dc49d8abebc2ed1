/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "hookattempt.h"
#include "hookenv.h"
#include "hooklog.h"
#include "hookrun.h"
#include "logset.h"
#include "path.h"
#include "timefmt.h"

/* Past this a spool file is no event of ours (events are far smaller). */
#define EVENT_FILE_MAX	(64L * 1024 * 1024)

/* What one attempt needs, gathered before the hook starts. */
struct attempt {
	char		*text;		/* the spool file: the event, "\n" */
	size_t		 len;
	struct json_doc	 doc;
	struct job	 job;
	struct timespec	 received_ts;	/* the file's mtime */
	char		 received[TIMEFMT_LEN];
	char		*hook;		/* absolute */
	char		*dir;
	char		*log_file;	/* absolute */
};

static char	*abs_path(const char *);
static char	*log_file_of(const struct conf *, const char *,
		    const struct timespec *);
static void	 dead_letter(const struct conf *, const struct spool *,
		    const char *, const char *, const struct job *,
		    const struct hookrun_result *);
static int	 read_event(struct attempt *, int);
/* What gathering an attempt's needs came to. */
enum prepared {
	PREPARED,		/* ready to run */
	PREPARED_NO_EVENT,	/* the file is no event: a dead letter */
	PREPARED_NOT		/* a failure of ours: tried again */
};

static enum prepared prepare(struct attempt *, const struct conf *,
		    const struct spool *, const char *, int);
static void	 attempt_free(struct attempt *);

/*
 * An absolute form of p, symbolic links left as they are: argv[0], the
 * working directory and the names in the environment and hook_log are
 * the ones the configuration gave.
 */
static char *
abs_path(const char *p)
{
	char	 cwd[PATH_MAX], *r;
	size_t	 n;

	if (p[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return strdup(p);
	n = strlen(cwd) + strlen(p) + 2;
	if ((r = malloc(n)) != NULL)
		snprintf(r, n, "%s/%s", cwd, p);
	return r;
}

/*
 * The log file that holds the event now (ekahook(8) EKAHOOK_LOG_FILE):
 * it may have been rotated since it was accepted.  When none holds it
 * any more, the configured log_file.
 */
static char *
log_file_of(const struct conf *c, const char *id,
    const struct timespec *received)
{
	char	*path, *held;

	if ((path = abs_path(c->log_file)) == NULL)
		return NULL;
	if ((held = logset_holder(path, c->log_keep, id, received)) == NULL)
		return path;
	free(path);
	return held;
}

/* The file's bytes, read without moving its offset (the hook's stdin). */
static int
read_event(struct attempt *a, int fd)
{
	struct stat	 st;
	ssize_t		 n;
	size_t		 got = 0;

	if (fstat(fd, &st) == -1)
		return -1;
	if (st.st_size <= 0 || st.st_size > EVENT_FILE_MAX) {
		errno = EINVAL;
		return -1;
	}
	a->received_ts = st.st_mtim;
	timefmt_iso_ms(&st.st_mtim, a->received);
	if ((a->text = malloc((size_t)st.st_size + 1)) == NULL)
		return -1;
	while (got < (size_t)st.st_size) {
		n = pread(fd, a->text + got, (size_t)st.st_size - got,
		    (off_t)got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	a->text[got] = '\0';
	a->len = got;
	while (a->len > 0 && a->text[a->len - 1] == '\n')
		a->len--;
	return 0;
}

/* Gathers what the attempt needs. */
static enum prepared
prepare(struct attempt *a, const struct conf *c, const struct spool *sp,
    const char *id, int fd)
{
	struct json_error	 err;

	if (read_event(a, fd) == -1) {
		fprintf(stderr, "ekahook: %s/%s/new/%s: cannot read: %s\n",
		    sp->state_dir, SPOOL_DIR, id, strerror(errno));
		return errno == EINVAL ? PREPARED_NO_EVENT : PREPARED_NOT;
	}
	if (json_parse(a->text, a->len, &a->doc, &err) != JSON_OK) {
		fprintf(stderr, "ekahook: %s/%s/new/%s: not a JSON object "
		    "(%s): moved to failed/\n", sp->state_dir, SPOOL_DIR, id,
		    err.message);
		return PREPARED_NO_EVENT;
	}
	if (spool_job(sp, id, fd, &a->job) == -1) {
		fprintf(stderr, "ekahook: %s/%s/tries/%s: unreadable, "
		    "counted from attempt 1\n", sp->state_dir, SPOOL_DIR, id);
		a->job = job_new(timefmt_now_ms());
	}
	if ((a->hook = abs_path(c->hook)) == NULL ||
	    (a->dir = path_dir_of(a->hook)) == NULL ||
	    (a->log_file = log_file_of(c, id, &a->received_ts)) == NULL) {
		fprintf(stderr, "ekahook: out of memory for a hook run\n");
		return PREPARED_NOT;
	}
	return PREPARED;
}

static void
attempt_free(struct attempt *a)
{
	free(a->text);
	json_doc_free(&a->doc);
	free(a->hook);
	free(a->dir);
	free(a->log_file);
}

/* ekahook(8) "Alerts": an event became a dead letter. */
static void
dead_letter(const struct conf *c, const struct spool *sp, const char *id,
    const char *name, const struct job *j, const struct hookrun_result *res)
{
	struct buf	 m, d;
	char		 file[PATH_MAX];

	if (c->alert_command == NULL)
		return;
	buf_init(&m);
	buf_init(&d);
	buf_printf(&m, "The hook failed for event %s after %u attempt%s; it "
	    "waits in %s/%s/failed/ (ekahookctl replay --failed runs it "
	    "again).", id, j->attempts, j->attempts == 1 ? "" : "s",
	    sp->state_dir, SPOOL_DIR);
	buf_puts(&d, "{\"kind\":\"" ALERT_HOOK_FAILED "\",\"request_id\":");
	buf_json_cstr(&d, id);
	buf_puts(&d, ",\"event\":");
	if (name != NULL)
		buf_json_cstr(&d, name);
	else
		buf_puts(&d, "null");
	buf_printf(&d, ",\"attempts\":%u", j->attempts);
	if (res != NULL && res->exit_code >= 0)
		buf_printf(&d, ",\"exit\":%d", res->exit_code);
	if (res != NULL && res->signo != 0)
		buf_printf(&d, ",\"signal\":%d", res->signo);
	if (res != NULL && res->timed_out)
		buf_puts(&d, ",\"timed_out\":true");
	snprintf(file, sizeof(file), "%s/%s/failed/%s", sp->state_dir,
	    SPOOL_DIR, id);
	buf_puts(&d, ",\"file\":");
	buf_json_cstr(&d, file);
	buf_putc(&d, '}');
	alert_raise(c, ALERT_HOOK_FAILED, buf_cstr(&m), buf_cstr(&d));
	buf_free(&m);
	buf_free(&d);
}

int
hookattempt_run(const struct conf *c, const struct spool *sp,
    const char *id, int fd, const struct job_policy *pol)
{
	struct attempt		 a;
	struct hookenv		 env;
	struct hookenv_base	 base;
	struct hookrun_spec	 rs;
	struct hookrun_result	*res = NULL;
	struct hooklog_rec	 rec;
	struct job		 next;
	char			 finished[TIMEFMT_LEN], *argv[3];
	const char		*name;
	enum prepared		 prep;
	int			 where = HOOKATTEMPT_NOT_RUN;

	memset(&a, 0, sizeof(a));
	memset(&env, 0, sizeof(env));
	if ((prep = prepare(&a, c, sp, id, fd)) != PREPARED) {
		/* Never runnable: a dead letter for a person to look at. */
		a.job = job_new(timefmt_now_ms());
		if (prep == PREPARED_NO_EVENT && spool_settle(sp, id, JOB_DEAD, &a.job,
		    c->log_fsync) == 0) {
			where = JOB_DEAD;
			dead_letter(c, sp, id, NULL, &a.job, NULL);
		}
		goto done;
	}
	/* Counted before it runs: a crash now does not reuse its number. */
	a.job = job_begin(&a.job);
	if (spool_settle(sp, id, JOB_WAIT, &a.job, false) == -1)
		fprintf(stderr, "ekahook: %s/%s/tries/%s: %s\n",
		    sp->state_dir, SPOOL_DIR, id, strerror(errno));
	name = hookenv_event_name(&a.doc, a.doc.root);
	base.request_id = id;
	base.received_at = a.received;
	base.log_file = a.log_file;
	base.attempt = a.job.attempts;
	if (hookenv_build(&a.doc, a.doc.root, &base, &env) == -1 ||
	    (res = malloc(sizeof(*res))) == NULL) {
		fprintf(stderr, "ekahook: out of memory for a hook run\n");
		goto done;
	}
	argv[0] = a.hook;
	argv[1] = (char *)(name != NULL ? name : "");
	argv[2] = NULL;
	memset(&rs, 0, sizeof(rs));
	rs.path = a.hook;
	rs.argv = argv;
	rs.envp = env.envp;
	rs.dir = a.dir;
	rs.stdin_fd = fd;
	rs.timeout = c->hook_timeout;
	rs.kill_after = HOOKRUN_KILL_AFTER;
	if (lseek(fd, 0, SEEK_SET) == -1 || hookrun_exec(&rs, res) == -1) {
		fprintf(stderr, "ekahook: cannot start %s: %s\n", a.hook,
		    strerror(errno));
		goto done;
	}
	hooklog_rec_of(&rec, res, finished);
	rec.request_id = id;
	rec.event = name;
	rec.hook = a.hook;
	rec.attempt = base.attempt;
	rec.env_omitted = env.omitted;
	/* A line that cannot be written does not undo the run. */
	(void)hooklog_append(c, &rec);
	where = (int)job_after(&a.job, hooklog_rec_ok(&rec), timefmt_now_ms(),
	    pol, &next);
	if (spool_settle(sp, id, (enum job_where)where, &next,
	    c->log_fsync) == -1) {
		fprintf(stderr, "ekahook: %s/%s: cannot settle %s: %s\n",
		    sp->state_dir, SPOOL_DIR, id, strerror(errno));
		where = JOB_WAIT;
	} else if (where == JOB_DEAD)
		dead_letter(c, sp, id, name, &next, res);
done:
	hookenv_free(&env);
	attempt_free(&a);
	free(res);
	return where;
}

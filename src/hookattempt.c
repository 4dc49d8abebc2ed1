/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evline.h"
#include "hookattempt.h"
#include "hookenv.h"
#include "hooklog.h"
#include "hookq.h"
#include "hookrun.h"
#include "logfile.h"
#include "timefmt.h"

static char	*abs_path(const char *);
static int	 stdin_file(const char *, const char *, size_t);
static int	 write_line(const struct conf *, const struct hooklog_rec *);

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
 * A regular file holding the event and a newline, already unlinked, at
 * offset 0: a hook that never reads stdin can never block on it.
 */
static int
stdin_file(const char *state_dir, const char *text, size_t len)
{
	char	 p[PATH_MAX];
	int	 fd;

	if (hookq_path(p, sizeof(p), state_dir, ".stdin.XXXXXX") == -1 ||
	    (fd = mkostemp(p, O_CLOEXEC)) == -1)
		return -1;
	(void)unlink(p);
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    lseek(fd, 0, SEEK_SET) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_line(const struct conf *c, const struct hooklog_rec *rec)
{
	struct logfile	 lf;
	struct buf	 b;
	int		 rc = -1;

	buf_init(&b);
	hooklog_format(&b, rec);
	logfile_init(&lf, c->hook_log, c->log_max_bytes, c->log_keep);
	if (buf_ok(&b))
		rc = logfile_append(&lf, b.data, b.len, c->log_fsync);
	if (rc == -1)
		fprintf(stderr, "ekahook: %s: cannot append: %s\n",
		    c->hook_log, strerror(errno));
	logfile_close(&lf);
	free(lf.path);
	buf_free(&b);
	return rc;
}

enum hookattempt_result
hookattempt_run(const struct conf *c, const char *line, size_t len,
    const char *log_file, unsigned attempt)
{
	struct evline		 ev;
	struct hookenv		 env;
	struct hookenv_base	 base;
	struct hookrun_spec	 sp;
	struct hookrun_result	*res = NULL;
	struct hooklog_rec	 rec;
	struct timespec		 now;
	char			 finished[TIMEFMT_LEN], *hook = NULL,
				*dir = NULL, *logabs = NULL, *argv[3];
	enum hookattempt_result	 rc = HOOKATTEMPT_NOT_RUN;
	int			 in = -1;

	memset(&env, 0, sizeof(env));
	if (c->hook == NULL)
		return HOOKATTEMPT_NOT_RUN;
	if (evline_parse(line, len, &ev) == -1) {
		fprintf(stderr,
		    "ekahook: %s: a line is not an accepted event\n",
		    log_file);
		return HOOKATTEMPT_BAD_EVENT;
	}
	if ((hook = abs_path(c->hook)) == NULL ||
	    (dir = conf_dir_of(hook)) == NULL ||
	    (logabs = abs_path(log_file)) == NULL ||
	    (res = malloc(sizeof(*res))) == NULL)
		goto nomem;
	base.request_id = ev.request_id;
	base.received_at = ev.received_at;
	base.log_file = logabs;
	base.attempt = attempt;
	if (hookenv_build(&ev.doc, ev.event, &base, &env) == -1)
		goto nomem;
	if ((in = stdin_file(c->state_dir, ev.event_text, ev.event_len)) ==
	    -1) {
		fprintf(stderr, "ekahook: %s: cannot make the hook's stdin: "
		    "%s\n", c->state_dir, strerror(errno));
		goto done;
	}
	argv[0] = hook;
	argv[1] = (char *)(ev.name != NULL ? ev.name : "");
	argv[2] = NULL;
	memset(&sp, 0, sizeof(sp));
	sp.path = hook;
	sp.argv = argv;
	sp.envp = env.envp;
	sp.dir = dir;
	sp.stdin_fd = in;
	sp.timeout = c->hook_timeout;
	sp.kill_after = HOOKRUN_KILL_AFTER;
	if (hookrun_exec(&sp, res) == -1) {
		fprintf(stderr, "ekahook: cannot start %s: %s\n", hook,
		    strerror(errno));
		goto done;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	timefmt_iso_ms(&now, finished);
	memset(&rec, 0, sizeof(rec));
	rec.finished_at = finished;
	rec.request_id = ev.request_id;
	rec.event = ev.name;
	rec.hook = hook;
	rec.attempt = attempt;
	rec.exit_code = res->exit_code;
	rec.signo = res->signo;
	rec.timed_out = res->timed_out;
	rec.duration_ms = res->duration_ms;
	rec.output = res->out;
	rec.output_len = res->out_len;
	rec.output_cut = res->out_cut;
	rec.env_omitted = env.omitted;
	/* A line that cannot be written does not undo the run. */
	(void)write_line(c, &rec);
	rc = hooklog_rec_ok(&rec) ? HOOKATTEMPT_OK : HOOKATTEMPT_FAILED;
	goto done;
nomem:
	fprintf(stderr, "ekahook: out of memory for a hook run\n");
done:
	if (in != -1)
		close(in);
	hookenv_free(&env);
	evline_free(&ev);
	free(hook);
	free(dir);
	free(logabs);
	free(res);
	return rc;
}

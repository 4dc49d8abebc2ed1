/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evline.h"
#include "fdpass.h"
#include "hookattempt.h"
#include "hookq.h"
#include "hookrun.h"
#include "logtail.h"
#include "runner.h"
#include "timefmt.h"

#define RUNNER_IDLE_MS		2000	/* nothing to do this long: leave */
#define RUNNER_POLL_MS		20	/* looking for new lines, a slot free */
#define RUNNER_WATCH_MS		200	/* jobs someone else holds */
#define RUNNER_SAVE_MS		1000	/* position of skipped lines saved */
#define RUNNER_ERROR_MS		1000	/* pause after a failure of our own */
#define RUNNER_NOT_RUN_MS	5000	/* an attempt that could not start */
#define RUNNER_LOG_MAX		(1024 * 1024)	/* runner.log kept to this */
#define RUNNER_FD_HIGH		10	/* the lock moves above 0-2 first */
#define RUNNER_LOCK_FD		3
#define RUNNER_MODE		0640
#define RUNNER_SCALE_ENV	"EKAHOOK_TEST_RETRY_SCALE"

/* SPEC §2 hook_retries: after 5 s, 30 s, 300 s, then every 300 s. */
static const unsigned retry_delays[] = { 5, 30, 300 };

/* A job to look at again: when due, or (watch list) when let go. */
struct due {
	long long	 at;		/* Unix ms */
	char		 id[EVLINE_ID_MAX];
};

/*
 * An attempt watcher, a child of ours that runs one attempt at a time
 * for as long as we live: busy with attempt id, or waiting on sock.
 */
struct kid {
	pid_t		 pid;
	int		 sock;		/* our end of its socket pair */
	bool		 busy;
	char		 id[EVLINE_ID_MAX];
};

struct runner {
	struct conf_cache	 cc;
	char			*conf_file;	/* NULL: none */
	char			*exe_dir;
	const struct conf	*c;
	char			*state_dir;	/* the one elected for */
	char			*log_file;	/* the one followed */
	bool			 paused;	/* config gone bad or changed */
	int			 lock_fd;
	struct logtail		 lt;
	struct logpos		 pos;		/* lines taken up to here */
	bool			 pos_dirty;
	long long		 pos_saved_at;
	char			 pos_file[PATH_MAX];
	struct kid		*kids;
	size_t			 nkids, capkids;
	struct pollfd		*pfds;		/* capkids of them */
	struct due		*heap;		/* min-heap on at */
	size_t			 nheap, capheap;
	struct due		*watch;
	size_t			 nwatch, capwatch;
	long long		 active_at;	/* last time work was done */
	long long		 watch_at;
	long long		 error_until;
	double			 retry_scale;
};

/* The responder's memory of what it did for a state_dir. */
static struct {
	char	*state_dir;
	bool	 prepared;
	bool	 warned;
} rs;

static volatile sig_atomic_t	 runner_sigchld;

static void	 on_sigchld(int);
static long long now_ms(void);
static void	 rlog(const char *, ...) __attribute__((format(printf, 1, 2)));
static void	 rs_for(const char *);
static bool	 work_left(const struct conf *);
static void	 kick(const struct conf *, bool);
static void	 spawn(const struct conf *, int);
static void	 detached(const struct conf *, int) __attribute__((noreturn));
static int	 detach_fds(const char *, int);
static void	 run(struct runner *);
static int	 begin(struct runner *);
static bool	 reload(struct runner *);
static void	 recover(struct runner *);
static void	 settle(struct runner *, const char *);
static void	 reap(struct runner *);
static void	 collect(struct runner *);
static size_t	 busy_kids(const struct runner *);
static void	 ended(struct runner *, const char *);
static void	 kid_drop(struct runner *, size_t);
static void	 kids_close(struct runner *);
static int	 new_watcher(struct runner *);
static void	 poll_watch(struct runner *);
static void	 start_work(struct runner *);
static int	 take_line(struct runner *, int);
static void	 start_job(struct runner *, const char *, int);
static void	 start_attempt(struct runner *, struct hookjob *, int);
static void	 watcher(struct runner *, int) __attribute__((noreturn));
static void	 attempt(struct runner *, const char *, int, int);
static long long retry_delay_ms(const struct runner *, unsigned);
static void	 save_pos(struct runner *);
static bool	 leave(struct runner *);
static bool	 lock_again(struct runner *);
static void	 write_pid(int);
static void	 wait_a_while(struct runner *);
static bool	 idle(const struct runner *);
static int	 push(struct due **, size_t *, size_t *, long long,
		    const char *);
static void	 heap_push(struct runner *, long long, const char *);
static void	 heap_pop(struct runner *, struct due *);
static void	 watch_add(struct runner *, const char *);
static void	 clean_dot_files(const char *);

static void
on_sigchld(int sig)
{
	(void)sig;
	runner_sigchld = 1;
}

/* Wall-clock milliseconds: due times are kept on disk across boots. */
static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One line on the runner's stderr (runner.log), with the time. */
static void
rlog(const char *fmt, ...)
{
	struct timespec	 ts;
	char		 when[TIMEFMT_LEN];
	va_list		 ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	timefmt_iso_ms(&ts, when);
	fprintf(stderr, "%s ekahook runner[%ld]: ", when, (long)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Responder side: forget what was done when state_dir changes. */
static void
rs_for(const char *state_dir)
{
	if (rs.state_dir != NULL && strcmp(rs.state_dir, state_dir) == 0)
		return;
	free(rs.state_dir);
	memset(&rs, 0, sizeof(rs));
	rs.state_dir = strdup(state_dir);
}

void
runner_prepare(const struct conf *c)
{
	char		 p[PATH_MAX];
	struct logpos	 end;

	if (c->hook == NULL)
		return;
	rs_for(c->state_dir);
	if (rs.prepared)
		return;
	if (hookq_path(p, sizeof(p), c->state_dir, "position") == -1)
		goto fail;
	/* Under CGI every request is a new process: one access(2) then. */
	if (access(p, F_OK) == 0) {
		rs.prepared = true;
		return;
	}
	if (hookq_mkdirs(c->state_dir) == -1)
		goto fail;
	/* SPEC §5 runs hooks for events accepted with a hook configured. */
	logpos_end(c->log_file, &end);
	if (logpos_create(p, &end, c->log_fsync) == -1)
		goto fail;
	rs.prepared = true;
	return;
fail:
	if (!rs.warned)
		fprintf(stderr, "ekahook: %s: cannot set up the hook queue: "
		    "%s\n", c->state_dir, strerror(errno));
	rs.warned = true;
}

bool
runner_holds(const char *name, unsigned rank, void *arg)
{
	const struct conf	*c = arg;
	char			 p[PATH_MAX];
	struct logpos		 pos;
	struct stat		 st;
	int			 at;

	if (c == NULL || c->hook == NULL ||
	    hookq_path(p, sizeof(p), c->state_dir, "position") == -1 ||
	    logpos_load(p, &pos) != 0 || !pos.known)
		return false;
	at = logtail_rank(c->log_file, c->log_keep, &pos, NULL, 0);
	/* The runner is in a newer file: done with this one. */
	if (at >= 0 && (unsigned)at < rank)
		return false;
	/* In this very file: unless it has taken all of it. */
	if (at >= 0 && (unsigned)at == rank)
		return stat(name, &st) == -1 || st.st_size > pos.off;
	/* In an older one, held or gone: all of this file is to come. */
	return true;
}

/* Lines past the saved position, or jobs: a runner has work. */
static bool
work_left(const struct conf *c)
{
	char		 p[PATH_MAX];
	struct logpos	 pos;

	if (hookq_path(p, sizeof(p), c->state_dir, "position") == -1)
		return false;
	if (logpos_load(p, &pos) == 0 &&
	    logpos_behind(c->log_file, c->log_keep, &pos))
		return true;
	return hookq_has_jobs(c->state_dir);
}

void
runner_after_request(const struct conf *c, bool hook_due)
{
	if (c == NULL || c->hook == NULL)
		return;
	kick(c, hook_due);
}

/*
 * Starts a runner unless one holds the lock: always after a new event
 * (its own line is work), else only when work was left behind (a
 * runner that died, pending retries after a reboot).  The lock taken
 * here is handed down to the runner, so two never start.
 */
static void
kick(const struct conf *c, bool new_work)
{
	char	 p[PATH_MAX];
	int	 fd;

	if (hookq_path(p, sizeof(p), c->state_dir, "runner.lock") == -1)
		return;
	if ((fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, RUNNER_MODE)) == -1 &&
	    errno == ENOENT && hookq_mkdirs(c->state_dir) == 0)
		fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, RUNNER_MODE);
	if (fd == -1) {
		fprintf(stderr, "ekahook: %s: %s\n", p, strerror(errno));
		return;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0 && (new_work || work_left(c)))
		spawn(c, fd);
	close(fd);
}

/*
 * Fork, setsid, fork again: the runner belongs to no server's process
 * group or session, survives the responder, and its parent is gone at
 * once, so the responder waits only for that middle process.
 */
static void
spawn(const struct conf *c, int lock_fd)
{
	pid_t	 pid;

	if ((pid = fork()) == -1) {
		fprintf(stderr, "ekahook: cannot start the hook runner: %s\n",
		    strerror(errno));
		return;
	}
	if (pid == 0) {
		(void)setsid();
		switch (fork()) {
		case -1:
			_exit(1);
		case 0:
			detached(c, lock_fd);
		default:
			_exit(0);
		}
	}
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		continue;
}

/*
 * Leaves the server's descriptors behind: stdin and stdout on
 * /dev/null, stderr on runner.log (rotated once past RUNNER_LOG_MAX),
 * the lock on descriptor 3, nothing else.  Returns the lock descriptor.
 */
static int
detach_fds(const char *state_dir, int lock_fd)
{
	char		 p[PATH_MAX], old[PATH_MAX];
	struct stat	 st;
	int		 hi, null, err = -1;

	if ((hi = fcntl(lock_fd, F_DUPFD_CLOEXEC, RUNNER_FD_HIGH)) == -1)
		_exit(1);
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		_exit(1);
	if (hookq_path(p, sizeof(p), state_dir, "runner.log") == 0) {
		if (stat(p, &st) == 0 && st.st_size > RUNNER_LOG_MAX &&
		    snprintf(old, sizeof(old), "%s.1", p) < (int)sizeof(old))
			(void)rename(p, old);
		err = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    RUNNER_MODE);
	}
	if (dup2(null, STDIN_FILENO) == -1 || dup2(null, STDOUT_FILENO) == -1 ||
	    dup2(err != -1 ? err : null, STDERR_FILENO) == -1 ||
	    dup2(hi, RUNNER_LOCK_FD) == -1)
		_exit(1);
	(void)fcntl(RUNNER_LOCK_FD, F_SETFD, FD_CLOEXEC);
	hookrun_closefrom(RUNNER_LOCK_FD + 1);
	setvbuf(stderr, NULL, _IOLBF, 0);
	return RUNNER_LOCK_FD;
}

/* The runner process: set up, run until idle, leave. */
static void
detached(const struct conf *c, int lock_fd)
{
	struct runner	 r;
	struct sigaction sa;
	sigset_t	 block;
	const char	*scale;
	char		*end;
	double		 s;

	memset(&r, 0, sizeof(r));
	r.lock_fd = detach_fds(c->state_dir, lock_fd);
	(void)prctl(PR_SET_NAME, "ekahook-runner", 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	/* SIGCHLD only ever arrives inside ppoll(2): no race with waitpid. */
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_SETMASK, &block, NULL);

	r.conf_file = c->file != NULL ? strdup(c->file) : NULL;
	r.exe_dir = conf_exe_dir();
	r.state_dir = strdup(c->state_dir);
	r.log_file = strdup(c->log_file);
	r.retry_scale = 1.0;
	/* For tests only: shrinks the retry delays (0 < scale <= 1). */
	if ((scale = getenv(RUNNER_SCALE_ENV)) != NULL) {
		s = strtod(scale, &end);
		if (end != scale && *end == '\0' && s > 0 && s <= 1)
			r.retry_scale = s;
	}
	if (r.state_dir != NULL && r.log_file != NULL &&
	    (c->file == NULL || r.conf_file != NULL))
		run(&r);
	else
		rlog("out of memory");
	_exit(0);
}

/* The configuration of now; false when it no longer fits this runner. */
static bool
reload(struct runner *r)
{
	r->c = conf_cache_get(&r->cc, r->conf_file, r->exe_dir);
	r->paused = r->c == NULL || r->c->hook == NULL ||
	    strcmp(r->c->state_dir, r->state_dir) != 0 ||
	    strcmp(r->c->log_file, r->log_file) != 0;
	return !r->paused;
}

static void
run(struct runner *r)
{
	if (begin(r) == -1)
		return;
	for (;;) {
		(void)reload(r);
		reap(r);
		if (now_ms() >= r->watch_at) {
			poll_watch(r);
			r->watch_at = now_ms() + RUNNER_WATCH_MS;
		}
		if (!r->paused && now_ms() >= r->error_until)
			start_work(r);
		if (r->pos_dirty &&
		    now_ms() - r->pos_saved_at >= RUNNER_SAVE_MS)
			save_pos(r);
		if (idle(r) && now_ms() - r->active_at >= RUNNER_IDLE_MS &&
		    leave(r))
			break;
		wait_a_while(r);
	}
	kids_close(r);
	logtail_free(&r->lt);
	conf_cache_free(&r->cc);
}

/* Nothing running, nothing watched, nothing due that may run. */
static bool
idle(const struct runner *r)
{
	return busy_kids(r) == 0 && r->nwatch == 0 &&
	    (r->nheap == 0 || r->paused);
}

/*
 * Start-up: the pid in the lock file, the position (a new one at the
 * end of the log), jobs left by a runner or an attempt that died.
 */
static int
begin(struct runner *r)
{
	if (!reload(r))
		return -1;
	write_pid(r->lock_fd);
	if (hookq_mkdirs(r->state_dir) == -1 ||
	    hookq_path(r->pos_file, sizeof(r->pos_file), r->state_dir,
	    "position") == -1) {
		rlog("%s: %s", r->state_dir, strerror(errno));
		return -1;
	}
	clean_dot_files(r->state_dir);
	switch (logpos_load(r->pos_file, &r->pos)) {
	case 0:
		break;
	case 1:
		/* Deleted by hand: start from now (see RUNNER.md). */
		logpos_end(r->log_file, &r->pos);
		r->pos_dirty = true;
		break;
	default:
		rlog("%s: unreadable, starting at the end of %s", r->pos_file,
		    r->log_file);
		logpos_end(r->log_file, &r->pos);
		r->pos_dirty = true;
	}
	recover(r);
	if (r->pos_dirty)
		save_pos(r);
	logtail_init(&r->lt, r->log_file, r->c->log_keep, &r->pos);
	if (r->lt.path == NULL) {
		rlog("out of memory");
		return -1;
	}
	/* The one reader of the files held for it: it deletes them. */
	r->lt.drop_held = true;
	r->active_at = now_ms();
	return 0;
}

/*
 * Removes what a crash left half made: .new.* jobs, .stdin.* files,
 * position.<pid>.tmp files.
 */
static void
clean_dot_files(const char *state_dir)
{
	char		 p[PATH_MAX], f[PATH_MAX * 2];
	const char	*dirs[] = { "jobs", "" };
	DIR		*d;
	struct dirent	*de;
	size_t		 i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (hookq_path(p, sizeof(p), state_dir, dirs[i]) == -1 ||
		    (d = opendir(p)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL)
			if (strncmp(de->d_name, ".new.", 5) == 0 ||
			    strncmp(de->d_name, ".stdin.", 7) == 0 ||
			    (strncmp(de->d_name, "position.", 9) == 0 &&
			    strstr(de->d_name, ".tmp") != NULL)) {
				snprintf(f, sizeof(f), "%s/%s", p, de->d_name);
				(void)unlink(f);
			}
		closedir(d);
	}
}

/*
 * The jobs on disk.  Their own log positions move ours forward: a job
 * is made before the position is saved, so a crash in between must not
 * take the same line again once that job has finished and gone.
 */
static void
recover(struct runner *r)
{
	struct hookjob	 j;
	char		**ids;
	size_t		 n, i;

	if (hookq_list_jobs(r->state_dir, &ids, &n) == -1) {
		rlog("%s: cannot list jobs: %s", r->state_dir, strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		if (hookjob_peek(r->state_dir, ids[i], &j) == 0 &&
		    logpos_after(r->log_file, r->c->log_keep, &j.after,
		    &r->pos)) {
			r->pos = j.after;
			r->pos_dirty = true;
		}
		hookjob_close(&j);
		watch_add(r, ids[i]);
	}
	hookq_free_list(ids, n);
	/* Everything found is looked at on the first round. */
	r->watch_at = 0;
}

/*
 * A job nobody holds: due for its next attempt.  One marked running was
 * lost with its watcher (killed, or the machine died): SPEC §5 runs it
 * again, as the next attempt, without counting it as a failure.
 */
static void
settle(struct runner *r, const char *id)
{
	struct hookjob	 j;
	int		 rc;

	rc = hookjob_open(r->state_dir, id, &j);
	if (rc == 1) {
		watch_add(r, id);
		return;
	}
	if (rc == 2)
		return;
	if (rc == -1) {
		rlog("job %s: %s", id, strerror(errno));
		return;
	}
	if (j.running) {
		rlog("job %s: attempt %u was lost; running it again", id,
		    j.next);
		j.next++;
		j.running = false;
		j.due_ms = now_ms();
		if (hookjob_save(&j, r->c != NULL && r->c->log_fsync) == -1)
			rlog("job %s: %s", id, strerror(errno));
	}
	heap_push(r, j.due_ms, id);
	hookjob_close(&j);
}

/* Attempts ended (their watchers said so) and watchers gone. */
static void
reap(struct runner *r)
{
	pid_t	 pid;
	int	 st;
	size_t	 i;

	runner_sigchld = 0;
	collect(r);
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < r->nkids && r->kids[i].pid != pid; i++)
			continue;
		if (i < r->nkids)
			kid_drop(r, i);
	}
}

/*
 * Reads the watchers' "done" bytes: each ends the attempt it was given.
 * A watcher whose socket is at its end has died.  Watchers beyond
 * hook_max_running (it was lowered) are let go when they wait.
 */
static void
collect(struct runner *r)
{
	char	 b;
	ssize_t	 n;
	size_t	 i = 0;

	while (i < r->nkids) {
		n = recv(r->kids[i].sock, &b, 1, MSG_DONTWAIT);
		if (n == 1 && r->kids[i].busy) {
			r->kids[i].busy = false;
			ended(r, r->kids[i].id);
		} else if (n == 0 || (n == -1 && errno != EAGAIN &&
		    errno != EWOULDBLOCK && errno != EINTR)) {
			kid_drop(r, i);
			continue;
		}
		i++;
	}
	for (i = 0; r->c != NULL && r->nkids > r->c->hook_max_running &&
	    i < r->nkids; )
		if (!r->kids[i].busy)
			kid_drop(r, i);
		else
			i++;
}

/* Watchers with an attempt under way. */
static size_t
busy_kids(const struct runner *r)
{
	size_t	 i, n = 0;

	for (i = 0; i < r->nkids; i++)
		n += r->kids[i].busy;
	return n;
}

/* Attempt id has ended, one way or another: look at its job. */
static void
ended(struct runner *r, const char *id)
{
	r->active_at = now_ms();
	settle(r, id);
}

/* Forgets watcher i (dead, or let go); its attempt, if any, is settled. */
static void
kid_drop(struct runner *r, size_t i)
{
	char	 id[EVLINE_ID_MAX];
	bool	 busy = r->kids[i].busy;

	snprintf(id, sizeof(id), "%s", r->kids[i].id);
	close(r->kids[i].sock);
	r->kids[i] = r->kids[--r->nkids];
	if (busy)
		ended(r, id);
}

/* Leaving: waiting watchers see the end of their sockets and exit. */
static void
kids_close(struct runner *r)
{
	while (r->nkids > 0)
		kid_drop(r, r->nkids - 1);
	free(r->kids);
	free(r->pfds);
	r->kids = NULL;
	r->pfds = NULL;
	r->capkids = 0;
}

/* Jobs held elsewhere: settled once let go. */
static void
poll_watch(struct runner *r)
{
	struct due	*w;
	size_t		 n, i;

	if (r->nwatch == 0)
		return;
	w = r->watch;
	n = r->nwatch;
	r->watch = NULL;
	r->nwatch = r->capwatch = 0;
	for (i = 0; i < n; i++)
		settle(r, w[i].id);
	free(w);
}

/* Starts attempts while slots are free and work is there. */
static void
start_work(struct runner *r)
{
	struct due	 d;
	bool		 due;
	int		 slot;

	while (busy_kids(r) < r->c->hook_max_running) {
		due = r->nheap > 0 && r->heap[0].at <= now_ms();
		if (!due && !logtail_pending(&r->lt))
			return;
		if ((slot = hookq_slot_take(r->state_dir,
		    r->c->hook_max_running)) == -1) {
			if (errno != EWOULDBLOCK) {
				rlog("%s: no slot: %s", r->state_dir,
				    strerror(errno));
				r->error_until = now_ms() + RUNNER_ERROR_MS;
			}
			return;
		}
		if (due) {
			heap_pop(r, &d);
			start_job(r, d.id, slot);
			continue;
		}
		if (take_line(r, slot) != 1) {
			close(slot);
			return;
		}
	}
}

/*
 * Takes lines until one needs the hook, makes its job and starts it
 * with slot.  Returns 1 when started, 0 when no line is waiting, -1 on
 * an error (the line is read again later).
 */
static int
take_line(struct runner *r, int slot)
{
	struct evline	 ev;
	struct hookjob	 j;
	struct logpos	 after;
	const char	*line, *name;
	char		 where[PATH_MAX];
	size_t		 len;
	int		 rc;

	for (;;) {
		if ((rc = logtail_next(&r->lt, &line, &len, &after)) != 1) {
			if (rc == -1) {
				rlog("%s: %s", r->log_file, strerror(errno));
				r->error_until = now_ms() + RUNNER_ERROR_MS;
			}
			return rc;
		}
		r->active_at = now_ms();
		/* Not for the hook: torn, a duplicate, or filtered out. */
		if (evline_parse(line, len, &ev) == -1 || ev.duplicate ||
		    !conf_hook_wants(r->c, ev.name)) {
			evline_free(&ev);
			r->pos = after;
			r->pos_dirty = true;
			continue;
		}
		if ((name = logtail_name(&r->lt, where, sizeof(where))) == NULL)
			name = r->log_file;
		rc = hookjob_create(r->state_dir, ev.request_id, name, &after,
		    line, len, r->c->log_fsync, &j);
		if (rc == 1) {
			/* Taken before a crash; its job carries on. */
			evline_free(&ev);
			r->pos = after;
			r->pos_dirty = true;
			continue;
		}
		if (rc == -1) {
			rlog("job %s: cannot create: %s", ev.request_id,
			    strerror(errno));
			evline_free(&ev);
			logtail_seek(&r->lt, &r->pos);
			r->error_until = now_ms() + RUNNER_ERROR_MS;
			return -1;
		}
		evline_free(&ev);
		r->pos = after;
		save_pos(r);
		start_attempt(r, &j, slot);
		return 1;
	}
}

/* A job from the heap, when nobody else has it and it is still due. */
static void
start_job(struct runner *r, const char *id, int slot)
{
	struct hookjob	 j;
	int		 rc;

	rc = hookjob_open(r->state_dir, id, &j);
	if (rc != 0 || j.running || j.due_ms > now_ms()) {
		close(slot);
		if (rc == 0) {
			hookjob_close(&j);
			settle(r, id);
		} else if (rc == 1)
			watch_add(r, id);
		else if (rc == -1)
			rlog("job %s: %s", id, strerror(errno));
		return;
	}
	start_attempt(r, &j, slot);
}

/*
 * Hands the attempt to a waiting watcher (a new one when none waits):
 * its name, with the job's locked descriptor and the slot's, which the
 * watcher keeps until the attempt has ended; we close ours.
 */
static void
start_attempt(struct runner *r, struct hookjob *j, int slot)
{
	int	 fds[2] = { j->fd, slot };
	size_t	 i;

	for (i = 0; i < r->nkids && r->kids[i].busy; i++)
		continue;
	if (i == r->nkids && new_watcher(r) == -1)
		goto fail;
	if (fdpass_send(r->kids[i].sock, j->id, strlen(j->id), fds, 2) ==
	    -1) {
		kid_drop(r, i);
		goto fail;
	}
	r->kids[i].busy = true;
	snprintf(r->kids[i].id, sizeof(r->kids[i].id), "%s", j->id);
	r->active_at = now_ms();
	hookjob_close(j);
	close(slot);
	return;
fail:
	rlog("job %s: cannot start: %s", j->id, strerror(errno));
	heap_push(r, now_ms() + RUNNER_ERROR_MS, j->id);
	hookjob_close(j);
	close(slot);
}

/* Forks a watcher, waiting for attempts on its end of a socket pair. */
static int
new_watcher(struct runner *r)
{
	struct kid	*nk;
	struct pollfd	*np;
	size_t		 ncap;
	pid_t		 pid;
	int		 sv[2];

	if (r->nkids == r->capkids) {
		ncap = r->capkids ? r->capkids * 2 : 8;
		if ((nk = reallocarray(r->kids, ncap, sizeof(*nk))) == NULL)
			return -1;
		r->kids = nk;
		if ((np = reallocarray(r->pfds, ncap, sizeof(*np))) == NULL)
			return -1;
		r->pfds = np;
		r->capkids = ncap;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		watcher(r, sv[1]);
	}
	close(sv[1]);
	memset(&r->kids[r->nkids], 0, sizeof(r->kids[r->nkids]));
	r->kids[r->nkids].pid = pid;
	r->kids[r->nkids].sock = sv[0];
	r->nkids++;
	return 0;
}

static long long
retry_delay_ms(const struct runner *r, unsigned fails)
{
	size_t		 n = sizeof(retry_delays) / sizeof(retry_delays[0]);
	unsigned	 s;

	s = retry_delays[fails - 1 < n ? fails - 1 : n - 1];
	return (long long)(s * 1000.0 * r->retry_scale);
}

/*
 * An attempt watcher: runs the attempts it is handed, one at a time,
 * and answers one byte after each.  Killing the runner does not stop
 * an attempt under way; at the end of its socket (the runner left or
 * died) it starts a runner if work is left and none is alive, so a dead
 * runner's backlog does not wait for the next request.
 */
static void
watcher(struct runner *r, int sock)
{
	char	 id[EVLINE_ID_MAX];
	int	 fds[FDPASS_MAX_FDS];
	size_t	 nfds, i;
	ssize_t	 n;

	(void)prctl(PR_SET_NAME, "ekahook-attempt", 0, 0, 0);
	/*
	 * Nothing of the runner's stays open here: its lock, the log, the
	 * other watchers' sockets, and the job and slot of the attempt it
	 * was about to hand over when it forked us (held, they would never
	 * be let go).
	 */
	if (dup2(sock, RUNNER_LOCK_FD) == -1)
		_exit(1);
	sock = RUNNER_LOCK_FD;
	hookrun_closefrom(RUNNER_LOCK_FD + 1);
	while ((n = fdpass_recv(sock, id, sizeof(id) - 1, fds, &nfds)) > 0) {
		id[n] = '\0';
		if (nfds == 2)
			attempt(r, id, fds[0], fds[1]);
		else
			for (i = 0; i < nfds; i++)
				close(fds[i]);
		(void)send(sock, "d", 1, MSG_NOSIGNAL);
	}
	if (r->c != NULL)
		kick(r->c, false);
	_exit(0);
}

/*
 * One attempt, holding the job (jfd) and the slot: marks the job
 * running, runs the attempt (which writes the hook_log line), then
 * removes the job or schedules its retry, and lets both go.
 */
static void
attempt(struct runner *r, const char *id, int jfd, int slot)
{
	const struct conf	*c;
	struct hookjob		 j;
	enum hookattempt_result	 res;
	char			 where[PATH_MAX];
	const char		*log_name;

	if (hookjob_adopt(r->state_dir, id, jfd, &j) == -1) {
		rlog("job %s: %s", id, strerror(errno));
		close(slot);
		return;
	}
	if (!reload(r)) {
		/* The configuration went bad or moved: not now. */
		j.due_ms = now_ms() + RUNNER_NOT_RUN_MS;
		if (hookjob_save(&j, false) == -1)
			rlog("job %s: %s", id, strerror(errno));
		goto out;
	}
	c = r->c;
	j.running = true;
	if (hookjob_save(&j, c->log_fsync) == -1) {
		rlog("job %s: %s", id, strerror(errno));
		goto out;
	}
	/* SPEC §5: the log that holds the event now, after any rotation. */
	log_name = j.log_path;
	if (logtail_rank(c->log_file, c->log_keep, &j.after, where,
	    sizeof(where)) >= 0)
		log_name = where;
	res = hookattempt_run(c, j.line, j.line_len, log_name, j.next);
	if (res == HOOKATTEMPT_BAD_EVENT)
		rlog("job %s: its event cannot be read; removed", id);
	if (res == HOOKATTEMPT_OK || res == HOOKATTEMPT_BAD_EVENT ||
	    (res == HOOKATTEMPT_FAILED && j.fails >= c->hook_retries)) {
		if (hookjob_remove(&j) == -1)
			rlog("job %s: cannot remove: %s", id,
			    strerror(errno));
	} else {
		j.running = false;
		if (res == HOOKATTEMPT_FAILED) {
			j.fails++;
			j.next++;
			j.due_ms = now_ms() + retry_delay_ms(r, j.fails);
		} else
			j.due_ms = now_ms() + RUNNER_NOT_RUN_MS;
		if (hookjob_save(&j, c->log_fsync) == -1)
			rlog("job %s: %s", id, strerror(errno));
	}
out:
	hookjob_close(&j);
	close(slot);
}

static void
save_pos(struct runner *r)
{
	bool	 sync = r->c != NULL && r->c->log_fsync;

	if (logpos_save(r->pos_file, &r->pos, sync) == -1)
		rlog("%s: %s", r->pos_file, strerror(errno));
	else
		r->pos_dirty = false;
	r->pos_saved_at = now_ms();
}

/*
 * Gives up the lock, then looks once more: a responder that wrote a
 * line before our unlock saw the lock held and started nobody, so a
 * line there now is ours to take, if the lock is still free.  Returns
 * true when the runner should end.
 */
static bool
leave(struct runner *r)
{
	if (r->pos_dirty)
		save_pos(r);
	close(r->lock_fd);
	r->lock_fd = -1;
	if (r->paused || !logtail_pending(&r->lt))
		return true;
	return !lock_again(r);
}

static bool
lock_again(struct runner *r)
{
	char	 p[PATH_MAX];
	int	 fd;

	if (hookq_path(p, sizeof(p), r->state_dir, "runner.lock") == -1 ||
	    (fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, RUNNER_MODE)) == -1)
		return false;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return false;
	}
	write_pid(fd);
	r->lock_fd = fd;
	r->active_at = now_ms();
	return true;
}

/* The lock file names its holder, for people and tests. */
static void
write_pid(int fd)
{
	char	 pid[32];
	int	 n;

	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)n, 0) != n)
		rlog("runner.lock: %s", strerror(errno));
}

/* Sleeps until a child ends or something may be due. */
static void
wait_a_while(struct runner *r)
{
	struct timespec	 ts;
	sigset_t	 mask;
	long long	 now = now_ms(), t = RUNNER_IDLE_MS, d;
	size_t		 i;

	if (runner_sigchld)
		return;
	if (!r->paused && busy_kids(r) < r->c->hook_max_running)
		t = RUNNER_POLL_MS;
	if (r->nwatch > 0 && t > RUNNER_WATCH_MS)
		t = RUNNER_WATCH_MS;
	if (!r->paused && r->nheap > 0) {
		d = r->heap[0].at - now;
		if (d < t)
			t = d < 0 ? 0 : d;
	}
	if (r->error_until > now && r->error_until - now < t)
		t = r->error_until - now;
	if (idle(r)) {
		d = r->active_at + RUNNER_IDLE_MS - now;
		if (d < t)
			t = d < 0 ? 0 : d;
	}
	ts.tv_sec = t / 1000;
	ts.tv_nsec = (t % 1000) * 1000000;
	for (i = 0; i < r->nkids; i++) {
		r->pfds[i].fd = r->kids[i].sock;
		r->pfds[i].events = POLLIN;
		r->pfds[i].revents = 0;
	}
	sigprocmask(SIG_SETMASK, NULL, &mask);
	sigdelset(&mask, SIGCHLD);
	(void)ppoll(r->nkids > 0 ? r->pfds : NULL, r->nkids, &ts, &mask);
}

static int
push(struct due **v, size_t *n, size_t *cap, long long at, const char *id)
{
	struct due	*nv;
	size_t		 ncap;

	if (*n == *cap) {
		ncap = *cap ? *cap * 2 : 16;
		if ((nv = reallocarray(*v, ncap, sizeof(*nv))) == NULL)
			return -1;
		*v = nv;
		*cap = ncap;
	}
	(*v)[*n].at = at;
	snprintf((*v)[*n].id, sizeof((*v)[*n].id), "%s", id);
	(*n)++;
	return 0;
}

static void
heap_push(struct runner *r, long long at, const char *id)
{
	struct due	 t;
	size_t		 i, p;

	if (push(&r->heap, &r->nheap, &r->capheap, at, id) == -1) {
		/* The job stays on disk: the next runner finds it. */
		rlog("job %s: out of memory", id);
		return;
	}
	for (i = r->nheap - 1; i > 0; i = p) {
		p = (i - 1) / 2;
		if (r->heap[p].at <= r->heap[i].at)
			break;
		t = r->heap[p];
		r->heap[p] = r->heap[i];
		r->heap[i] = t;
	}
}

static void
heap_pop(struct runner *r, struct due *out)
{
	struct due	 t;
	size_t		 i = 0, l, m;

	*out = r->heap[0];
	r->heap[0] = r->heap[--r->nheap];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < r->nheap && r->heap[l].at < r->heap[m].at)
			m = l;
		if (l + 1 < r->nheap && r->heap[l + 1].at < r->heap[m].at)
			m = l + 1;
		if (m == i)
			break;
		t = r->heap[m];
		r->heap[m] = r->heap[i];
		r->heap[i] = t;
		i = m;
	}
}

static void
watch_add(struct runner *r, const char *id)
{
	if (push(&r->watch, &r->nwatch, &r->capwatch, 0, id) == -1)
		rlog("job %s: out of memory", id);
}

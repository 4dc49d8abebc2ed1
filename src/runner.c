/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

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

#include "hookattempt.h"
#include "hookrun.h"
#include "migrate.h"
#include "path.h"
#include "procname.h"
#include "runner.h"
#include "spool.h"
#include "timefmt.h"

#define RUNNER_IDLE_MS		2000	/* nothing to do this long: leave */
#define RUNNER_BUSY_MS		500	/* jobs another process runs: looked at */
#define RUNNER_ERROR_MS		1000	/* pause after a failure of our own */
#define RUNNER_LOG_MAX		(1024 * 1024)	/* runner.log kept to this */
#define RUNNER_LOCK_FD		3
#define RUNNER_FD_HIGH		10	/* the lock moves above 0-2 first */
#define RUNNER_MODE		0640
#define WAKE_MODE		0660
#define RUNNER_SCALE_ENV	"EKAHOOK_TEST_RETRY_SCALE"

/*
 * A long-lived attempt process, forked by the runner once and not per
 * attempt: it runs the attempts the runner hands it, one at a time.
 */
struct worker {
	pid_t	 pid;
	int	 fd;	/* SOCK_SEQPACKET: an id out, one byte back */
	char	*id;	/* the attempt it runs now; NULL: idle */
};

/* A worker's answer for one id. */
#define WORKER_RAN	'r'	/* run and settled, or settled meanwhile */
#define WORKER_NOT_RUN	'n'	/* a failure of ours: the runner pauses */

struct runner {
	pid_t			 pid;
	char			*conf_file;	/* as the responder found it */
	char			*exe_dir;
	char			*state_dir;	/* the one this runner serves */
	struct conf_cache	 cc;
	const struct conf	*c;		/* NULL: paused */
	struct spool		 sp;
	struct job_policy	 pol;
	int			 lock_fd;
	int			 wake_r, wake_w;
	struct worker		*w;
	size_t			 nw;
	size_t			 nbusy;		/* workers running an attempt */
	char			**names;	/* new/ at the last scan */
	size_t			 nnames, next;	/* next: the one to look at */
	size_t			 busy;		/* run by others at that scan */
	bool			 rescan;
	long long		 due_at;	/* earliest retry seen waiting */
	long long		 busy_at;	/* look at busy ones again */
	long long		 error_until;
	long long		 active_at;
};

/* The responder's side: its descriptor onto the runner's wake FIFO. */
static struct {
	char	*state_dir;
	int	 fd;
} waker = { NULL, -1 };

static int	 wake(const struct conf *);
static void	 start(const struct conf *);
static bool	 has_work(const struct conf *);
static void	 spawn(const struct conf *, int);
static int	 detach_fds(const char *, int);
static void	 detached(const struct conf *, int) __attribute__((noreturn));
static void	 run(struct runner *);
static int	 begin(struct runner *);
static int	 open_wake(struct runner *);
static void	 close_wake(struct runner *);
static bool	 reload(struct runner *);
static void	 reap(void);
static void	 scan(struct runner *);
static void	 start_due(struct runner *);
static bool	 running(const struct runner *, const char *);
static void	 dispatch(struct runner *, const char *, int);
static struct worker *idle_worker(struct runner *);
static struct worker *worker_start(struct runner *);
static void	 worker_loop(struct runner *, int) __attribute__((noreturn));
static char	 worker_attempt(struct runner *, const char *);
static void	 worker_done(struct runner *, size_t, char);
static void	 workers_stop(struct runner *);
static bool	 leave(struct runner *);
static void	 wait_a_while(struct runner *);
static void	 write_pid(int);

/*
 * One byte into state_dir/hooks/wake.  Returns 0 when a runner reads
 * it, -1 when none does (then none runs, or one is leaving: see leave).
 * The descriptor is kept for the next request.
 */
static int
wake(const struct conf *c)
{
	char	 p[PATH_MAX];

	if (waker.fd != -1 && (waker.state_dir == NULL ||
	    strcmp(waker.state_dir, c->state_dir) != 0)) {
		close(waker.fd);
		waker.fd = -1;
	}
	if (waker.fd == -1) {
		if (spool_path(p, sizeof(p), c->state_dir, "wake") == -1 ||
		    (waker.fd = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) ==
		    -1)
			return -1;
		free(waker.state_dir);
		waker.state_dir = strdup(c->state_dir);
	}
	/* A full pipe already holds a wake-up. */
	if (write(waker.fd, "", 1) == 1 || errno == EAGAIN)
		return 0;
	close(waker.fd);
	waker.fd = -1;
	return -1;
}

void
runner_kick(const struct conf *c, bool queued)
{
	if (c == NULL || c->hook == NULL)
		return;
	if (!queued && waker.fd != -1)
		return;
	if (wake(c) == 0 || (!queued && !has_work(c)))
		return;
	start(c);
}

/* True when new/ names an event. */
static bool
has_work(const struct conf *c)
{
	struct spool	 sp;
	char		**v;
	size_t		 n = 0;

	spool_init(&sp);
	if (spool_open(&sp, c->state_dir) == 0 &&
	    spool_list(&sp, SPOOL_NEW, &v, &n) == 0)
		spool_list_free(v, n);
	spool_close(&sp);
	return n > 0;
}

/*
 * Starts a runner unless one holds the lock.  One that does is either
 * starting (it scans new/ once it reads its wake FIFO) or leaving (it
 * scans new/ once more after letting go): either way it sees what was
 * queued before this call.  The lock taken here is handed down.
 */
static void
start(const struct conf *c)
{
	char	 p[PATH_MAX];
	int	 fd;

	if (spool_path(p, sizeof(p), c->state_dir, "runner.lock") == -1)
		return;
	if ((fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, RUNNER_MODE)) == -1) {
		fprintf(stderr, "ekahook: %s: %s\n", p, strerror(errno));
		return;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
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
	char		 p[PATH_MAX], old[PATH_MAX + 2];
	struct stat	 st;
	int		 hi, null, err = -1;

	if ((hi = fcntl(lock_fd, F_DUPFD_CLOEXEC, RUNNER_FD_HIGH)) == -1 ||
	    (null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		_exit(1);
	if (spool_path(p, sizeof(p), state_dir, "runner.log") == 0) {
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
	const char	*scale;
	char		*end;
	double		 s;

	memset(&r, 0, sizeof(r));
	r.lock_fd = detach_fds(c->state_dir, lock_fd);
	/* The responder's descriptor is closed (and its number reused). */
	waker.fd = -1;
	r.wake_r = r.wake_w = -1;
	r.pid = getpid();
	proc_name("ekahook-runner");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	spool_init(&r.sp);

	r.conf_file = c->file != NULL ? strdup(c->file) : NULL;
	r.exe_dir = path_exe_dir();
	r.state_dir = strdup(c->state_dir);
	r.pol.scale = 1.0;
	/* For tests only: shrinks the retry delays (0 < scale <= 1). */
	if ((scale = getenv(RUNNER_SCALE_ENV)) != NULL) {
		s = strtod(scale, &end);
		if (end != scale && *end == '\0' && s > 0 && s <= 1)
			r.pol.scale = s;
	}
	if (r.state_dir != NULL && (c->file == NULL || r.conf_file != NULL))
		run(&r);
	else
		fprintf(stderr, "ekahook: runner: out of memory\n");
	_exit(0);
}

/* The configuration of now; false when it no longer fits this runner. */
static bool
reload(struct runner *r)
{
	r->c = conf_cache_get(&r->cc, r->conf_file, r->exe_dir);
	if (r->c != NULL && (r->c->hook == NULL ||
	    strcmp(r->c->state_dir, r->state_dir) != 0))
		r->c = NULL;
	if (r->c != NULL)
		r->pol.retries = r->c->hook_retries;
	return r->c != NULL;
}

static void
write_pid(int fd)
{
	char	 b[32];
	int	 n;

	n = snprintf(b, sizeof(b), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, b, (size_t)n, 0) != n)
		fprintf(stderr, "ekahook: runner.lock: %s\n", strerror(errno));
}

/* The FIFO responders wake us through, made when missing. */
static int
open_wake(struct runner *r)
{
	char	 p[PATH_MAX];

	if (spool_path(p, sizeof(p), r->state_dir, "wake") == -1)
		return -1;
	if (mkfifo(p, WAKE_MODE) == -1 && errno != EEXIST)
		return -1;
	/* Our own writer: the reader never sees end-of-file. */
	if ((r->wake_r = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    (r->wake_w = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		close_wake(r);
		return -1;
	}
	return 0;
}

static void
close_wake(struct runner *r)
{
	if (r->wake_r != -1)
		close(r->wake_r);
	if (r->wake_w != -1)
		close(r->wake_w);
	r->wake_r = r->wake_w = -1;
}

static int
begin(struct runner *r)
{
	write_pid(r->lock_fd);
	if (!reload(r)) {
		fprintf(stderr, "ekahook: runner: the configuration has no "
		    "hook for %s now\n", r->state_dir);
		return -1;
	}
	if (spool_open(&r->sp, r->state_dir) == -1 || open_wake(r) == -1) {
		fprintf(stderr, "ekahook: runner: %s/%s: %s\n", r->state_dir,
		    SPOOL_DIR, strerror(errno));
		return -1;
	}
	migrate_queue(r->c, &r->sp);
	spool_tidy(&r->sp, time(NULL));
	r->rescan = true;
	r->active_at = timefmt_now_ms();
	return 0;
}

static void
run(struct runner *r)
{
	if (begin(r) == 0) {
		for (;;) {
			(void)reload(r);
			reap();
			if (r->c != NULL && timefmt_now_ms() >= r->error_until)
				start_due(r);
			if (r->nbusy == 0 && (r->c == NULL || r->nnames == 0) &&
			    timefmt_now_ms() - r->active_at >= RUNNER_IDLE_MS &&
			    leave(r))
				break;
			wait_a_while(r);
		}
	}
	workers_stop(r);
	spool_list_free(r->names, r->nnames);
	spool_close(&r->sp);
	close_wake(r);
	conf_cache_free(&r->cc);
}

static bool
running(const struct runner *r, const char *id)
{
	size_t	 i;

	for (i = 0; i < r->nw; i++)
		if (r->w[i].id != NULL && strcmp(r->w[i].id, id) == 0)
			return true;
	return false;
}

/* new/ read again: a fresh pass from its oldest event. */
static void
scan(struct runner *r)
{
	spool_list_free(r->names, r->nnames);
	r->names = NULL;
	r->nnames = r->next = r->busy = 0;
	r->due_at = r->busy_at = 0;
	r->rescan = false;
	if (spool_list(&r->sp, SPOOL_NEW, &r->names, &r->nnames) == -1) {
		fprintf(stderr, "ekahook: runner: %s/%s/new: %s\n",
		    r->state_dir, SPOOL_DIR, strerror(errno));
		r->error_until = timefmt_now_ms() + RUNNER_ERROR_MS;
	}
}

/*
 * Starts the due events of this pass while fewer than hook_max_running
 * run: ours, and those other processes still hold (an attempt whose
 * runner died).  A pass ends at the last name; the next starts when
 * woken, when an attempt ended, or when a retry or a busy one is due.
 */
static void
start_due(struct runner *r)
{
	struct job	 j;
	long long	 now = timefmt_now_ms();
	const char	*id;
	int		 fd;

	if (r->next >= r->nnames && (r->rescan ||
	    (r->due_at != 0 && now >= r->due_at) ||
	    (r->busy_at != 0 && now >= r->busy_at)))
		scan(r);
	while (r->next < r->nnames &&
	    r->nbusy + r->busy < r->c->hook_max_running) {
		id = r->names[r->next++];
		if (running(r, id))
			continue;
		if ((fd = spool_take(&r->sp, id)) == -1) {
			if (errno == EWOULDBLOCK) {
				r->busy++;
				r->busy_at = now + RUNNER_BUSY_MS;
			}
			continue;
		}
		if (spool_job(&r->sp, id, fd, &j) == 0 && !job_due(&j, now)) {
			if (r->due_at == 0 || j.due_ms < r->due_at)
				r->due_at = j.due_ms;
			close(fd);
			continue;
		}
		dispatch(r, id, fd);
	}
}

/*
 * Hands id to an idle worker, starting one while fewer than
 * hook_max_running live.  Our lock on the file goes first: the worker
 * takes it again (spool_take), and nothing but this runner's workers
 * takes files from new/ meanwhile.
 */
static void
dispatch(struct runner *r, const char *id, int fd)
{
	struct worker	*w;
	char		*dup;

	close(fd);
	if ((dup = strdup(id)) == NULL || (w = idle_worker(r)) == NULL)
		goto fail;
	if (send(w->fd, id, strlen(id), MSG_NOSIGNAL) == -1) {
		worker_done(r, (size_t)(w - r->w), 0);
		goto fail;
	}
	w->id = dup;
	r->nbusy++;
	r->active_at = timefmt_now_ms();
	return;
fail:
	fprintf(stderr, "ekahook: runner: cannot start an attempt: %s\n",
	    strerror(errno));
	free(dup);
	r->error_until = timefmt_now_ms() + RUNNER_ERROR_MS;
}

static struct worker *
idle_worker(struct runner *r)
{
	size_t	 i;

	for (i = 0; i < r->nw; i++)
		if (r->w[i].id == NULL)
			return &r->w[i];
	return worker_start(r);
}

static struct worker *
worker_start(struct runner *r)
{
	struct worker	*nw;
	pid_t		 pid;
	size_t		 i;
	int		 sv[2];

	if ((nw = realloc(r->w, (r->nw + 1) * sizeof(*nw))) == NULL)
		return NULL;
	r->w = nw;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1)
		return NULL;
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (pid == 0) {
		/* Only the runner holds the other ends: EOF when it is gone. */
		close(sv[0]);
		for (i = 0; i < r->nw; i++)
			close(r->w[i].fd);
		worker_loop(r, sv[1]);
	}
	close(sv[1]);
	(void)fcntl(sv[0], F_SETFD, FD_CLOEXEC);
	nw[r->nw].pid = pid;
	nw[r->nw].fd = sv[0];
	nw[r->nw].id = NULL;
	return &nw[r->nw++];
}

/*
 * A worker: runs each id it is handed and answers once the job is
 * settled, so that an attempt ends well even if the runner dies
 * meanwhile.  It holds no lock or wake-up of the runner's and ends when
 * the runner closes its end or is gone.
 */
static void
worker_loop(struct runner *r, int fd)
{
	char	 id[NAME_MAX + 1], answer;
	ssize_t	 n;

	proc_name("ekahook-attempt");
	close(r->lock_fd);
	close_wake(r);
	for (;;) {
		if ((n = recv(fd, id, sizeof(id) - 1, 0)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0) {
			/* Killed while we were idle: new/ may hold work. */
			if (getppid() != r->pid)
				runner_kick(r->c, false);
			break;
		}
		id[n] = '\0';
		answer = worker_attempt(r, id);
		/* A runner killed meanwhile: the events after ours need one. */
		if (getppid() != r->pid) {
			runner_kick(r->c, false);
			break;
		}
		if (send(fd, &answer, 1, MSG_NOSIGNAL) != 1)
			break;
	}
	_exit(0);
}

static char
worker_attempt(struct runner *r, const char *id)
{
	int	 fd, where;

	if (!reload(r))
		return WORKER_NOT_RUN;
	/* Settled by an attempt of a runner before us: nothing to do. */
	if ((fd = spool_take(&r->sp, id)) == -1)
		return WORKER_RAN;
	where = hookattempt_run(r->c, &r->sp, id, fd, &r->pol);
	close(fd);
	return where == HOOKATTEMPT_NOT_RUN ? WORKER_NOT_RUN : WORKER_RAN;
}

/*
 * Worker i answered (WORKER_RAN, WORKER_NOT_RUN) or is gone (0): what
 * it settled is seen at the next scan.  A gone worker's process is
 * collected by reap().
 */
static void
worker_done(struct runner *r, size_t i, char answer)
{
	struct worker	*w = &r->w[i];

	if (answer != WORKER_RAN && w->id != NULL) {
		fprintf(stderr, "ekahook: runner: the attempt for %s did not "
		    "run\n", w->id);
		r->error_until = timefmt_now_ms() + RUNNER_ERROR_MS;
	}
	if (w->id != NULL)
		r->nbusy--;
	free(w->id);
	w->id = NULL;
	r->rescan = true;
	r->active_at = timefmt_now_ms();
	if (answer != 0)
		return;
	close(w->fd);
	r->nw--;
	memmove(w, w + 1, (r->nw - i) * sizeof(*w));
}

/* Idle workers end once their end of the socket is closed. */
static void
workers_stop(struct runner *r)
{
	while (r->nw > 0)
		worker_done(r, r->nw - 1, 0);
	free(r->w);
	r->w = NULL;
}

/* Collects ended workers. */
static void
reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		continue;
}

/*
 * Lets go of the lock with new/ empty.  A responder that queued an
 * event meanwhile found no reader on the FIFO and tried the lock: it
 * either got it (and started a runner) or failed while we still held
 * it, in which case the scan after letting go sees its event.
 */
static bool
leave(struct runner *r)
{
	char		 p[PATH_MAX];
	char		**v;
	size_t		 n = 0;
	int		 fd;

	close_wake(r);
	close(r->lock_fd);
	r->lock_fd = -1;
	if (spool_list(&r->sp, SPOOL_NEW, &v, &n) == 0)
		spool_list_free(v, n);
	if (n == 0 || r->c == NULL)
		return true;
	if (spool_path(p, sizeof(p), r->state_dir, "runner.lock") == -1 ||
	    (fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, RUNNER_MODE)) == -1)
		return true;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 || open_wake(r) == -1) {
		close(fd);
		return true;
	}
	r->lock_fd = fd;
	write_pid(fd);
	r->rescan = true;
	r->active_at = timefmt_now_ms();
	return false;
}

/* Until woken, an attempt ends, or the next thing falls due. */
static void
wait_a_while(struct runner *r)
{
	struct pollfd	*pfd;
	long long	 now = timefmt_now_ms(), until = now + RUNNER_IDLE_MS;
	size_t		 i;
	ssize_t		 n;
	char		 buf[512];

	if (r->due_at != 0 && r->due_at < until)
		until = r->due_at;
	if (r->busy_at != 0 && r->busy_at < until)
		until = r->busy_at;
	if (r->error_until > now && r->error_until < until)
		until = r->error_until;
	if (until < now)
		until = now;
	if ((pfd = calloc(r->nw + 1, sizeof(*pfd))) == NULL) {
		r->error_until = now + RUNNER_ERROR_MS;
		return;
	}
	pfd[0].fd = r->wake_r;
	pfd[0].events = POLLIN;
	for (i = 0; i < r->nw; i++) {
		pfd[i + 1].fd = r->w[i].fd;
		pfd[i + 1].events = POLLIN;
	}
	if (poll(pfd, r->nw + 1, (int)(until - now)) > 0) {
		if (pfd[0].revents & POLLIN) {
			while (read(r->wake_r, buf, sizeof(buf)) > 0)
				continue;
			r->rescan = true;
			r->active_at = timefmt_now_ms();
		}
		/* From the last: a gone worker moves those after it. */
		for (i = r->nw; i-- > 0;) {
			if (pfd[i + 1].revents == 0)
				continue;
			buf[0] = 0;
			n = recv(r->w[i].fd, buf, 1, MSG_DONTWAIT);
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			/* Nothing read: the worker is gone. */
			worker_done(r, i, buf[0]);
		}
	}
	free(pfd);
}

/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hookrun.h"

#define CLOSEFROM_MAX	65536	/* highest fd closed without close_range */

/*
 * posix_spawn(3) with a chdir and a closefrom action (glibc 2.34) is a
 * vfork: no copy of the parent's page tables, a few times cheaper than
 * fork(2) and exec (much more under ASan).  Where the C library lacks
 * either action (configure looks), fork and exec.
 */
#if defined(HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP) && \
    defined(HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCHDIR_NP)
#define HOOKRUN_SPAWN	1
#endif
#define GROUP_POLL_MS	10	/* a group's strays: looked at this often */

/* Output kept as a ring of the last HOOKRUN_OUTPUT_MAX bytes. */
struct ring {
	char	 data[HOOKRUN_OUTPUT_MAX];
	size_t	 head;		/* next write position */
	size_t	 len;
	bool	 cut;
};

static volatile sig_atomic_t	 child_seen;

static void		 on_sigchld(int);
static long long	 now_ms(void);
static int		 fd_onto(int, int);
static void		 child_fail(const char *, const char *);
static void		 child_exec(const struct hookrun_spec *, int)
			    __attribute__((noreturn));
static int		 spawn_hook(const struct hookrun_spec *, int, pid_t *);
static void		 ring_put(struct ring *, const char *, size_t);
static int		 ring_read(struct ring *, int);
static void		 ring_flatten(const struct ring *,
			    struct hookrun_result *);

static void
on_sigchld(int sig)
{
	(void)sig;
	child_seen = 1;
}

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
hookrun_closefrom(int lowfd)
{
	struct rlimit	 rl;
	long		 fd, max = CLOSEFROM_MAX;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)max)
		max = (long)rl.rlim_cur;
	for (fd = lowfd; fd < max; fd++)
		(void)close((int)fd);
}

/* Puts fd on target, without FD_CLOEXEC.  Returns 0 or -1. */
static int
fd_onto(int fd, int target)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, target) == -1 ? -1 : 0;
}

/* In the child, stderr already being the output pipe: say why, exit. */
static void
child_fail(const char *what, const char *path)
{
	char	 msg[512];
	int	 n;

	n = snprintf(msg, sizeof(msg), "ekahook: cannot %s %s: %s\n", what,
	    path, strerror(errno));
	/* Nothing more can be done if even this fails. */
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n < sizeof(msg) ?
	    (size_t)n : sizeof(msg) - 1) < 0)
		_exit(127);
	_exit(127);
}

/*
 * The child: its own process group, default signal dispositions and an
 * empty mask (ekahook ignores SIGPIPE, which execve would keep), stdin
 * from the file, stdout and stderr into the pipe, nothing else open.
 */
static void
child_exec(const struct hookrun_spec *sp, int outw)
{
	sigset_t	 none;
	int		 sig;

	(void)setpgid(0, 0);
	for (sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (fd_onto(outw, STDOUT_FILENO) == -1 ||
	    fd_onto(outw, STDERR_FILENO) == -1)
		_exit(127);
	if (fd_onto(sp->stdin_fd, STDIN_FILENO) == -1)
		child_fail("set up stdin for", sp->path);
	hookrun_closefrom(3);
	if (chdir(sp->dir) == -1)
		child_fail("enter the directory of", sp->path);
	execve(sp->path, sp->argv, sp->envp);
	child_fail("execute", sp->path);
	_exit(127);
}

/*
 * Starts the hook with outw as its stdout and stderr.  Returns 0 with
 * *pid set; an errno value when it could not be executed (then no
 * process is left); or -1 with errno set when no process could be made.
 */
static int
spawn_hook(const struct hookrun_spec *sp, int outw, pid_t *pid)
{
#ifdef HOOKRUN_SPAWN
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 at;
	sigset_t			 all, none;
	int				 rc;

	if (sp->fork_exec)
		goto fork_exec;
	/* As child_exec: own group, default signals, 0-2 and nothing else. */
	sigfillset(&all);
	sigemptyset(&none);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		errno = rc;
		return -1;
	}
	if ((rc = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		errno = rc;
		return -1;
	}
	if ((rc = posix_spawn_file_actions_adddup2(&fa, outw,
	    STDOUT_FILENO)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, outw,
	    STDERR_FILENO)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, sp->stdin_fd,
	    STDIN_FILENO)) != 0 ||
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0 ||
	    (rc = posix_spawn_file_actions_addchdir_np(&fa, sp->dir)) != 0 ||
	    (rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)) != 0 ||
	    (rc = posix_spawnattr_setpgroup(&at, 0)) != 0 ||
	    (rc = posix_spawnattr_setsigdefault(&at, &all)) != 0 ||
	    (rc = posix_spawnattr_setsigmask(&at, &none)) != 0)
		goto done;
	rc = posix_spawn(pid, sp->path, &fa, &at, sp->argv, sp->envp);
done:
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc == EAGAIN || rc == ENOMEM) {
		/* No process: a resource limit, not the hook's fault. */
		errno = rc;
		return -1;
	}
	return rc;
fork_exec:
#endif
	if ((*pid = fork()) == -1)
		return -1;
	if (*pid == 0)
		child_exec(sp, outw);
	return 0;
}

static void
ring_put(struct ring *r, const char *p, size_t n)
{
	size_t	 k;

	if (n >= sizeof(r->data)) {
		r->cut |= r->len > 0 || n > sizeof(r->data);
		memcpy(r->data, p + n - sizeof(r->data), sizeof(r->data));
		r->head = 0;
		r->len = sizeof(r->data);
		return;
	}
	while (n > 0) {
		k = sizeof(r->data) - r->head;
		if (k > n)
			k = n;
		memcpy(r->data + r->head, p, k);
		r->head = (r->head + k) % sizeof(r->data);
		p += k;
		n -= k;
		if (r->len + k > sizeof(r->data))
			r->cut = true;
		r->len = r->len + k > sizeof(r->data) ? sizeof(r->data) :
		    r->len + k;
	}
}

/* Reads what is there.  Returns 1 at end of file, 0 otherwise. */
static int
ring_read(struct ring *r, int fd)
{
	char	 chunk[8192];
	ssize_t	 n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n > 0) {
			ring_put(r, chunk, (size_t)n);
			continue;
		}
		if (n == 0)
			return 1;
		if (errno == EINTR)
			continue;
		/* EAGAIN: all read for now; another error ends the stream. */
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : 1;
	}
}

static void
ring_flatten(const struct ring *r, struct hookrun_result *res)
{
	size_t	 start = (r->head + sizeof(r->data) - r->len) % sizeof(r->data);
	size_t	 first = sizeof(r->data) - start;

	if (first > r->len)
		first = r->len;
	memcpy(res->out, r->data + start, first);
	memcpy(res->out + first, r->data, r->len - first);
	res->out_len = r->len;
	res->out_cut = r->cut;
}

int
hookrun_exec(const struct hookrun_spec *sp, struct hookrun_result *res)
{
	struct sigaction	 sa, old_sa;
	sigset_t		 block, old_mask, wait_mask;
	struct pollfd		 pfd;
	struct ring		*ring;
	long long		 start, term_at, kill_at, now, wait;
	bool			 termed = false, killed = false;
	int			 p[2], status = 0, saved, rc, n;
	pid_t			 pid, r;

	memset(res, 0, sizeof(*res));
	if ((ring = calloc(1, sizeof(*ring))) == NULL)
		return -1;
	if (pipe2(p, O_CLOEXEC) == -1) {
		free(ring);
		return -1;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old_sa);
	wait_mask = old_mask;
	sigdelset(&wait_mask, SIGCHLD);
	child_seen = 0;

	start = now_ms();
	if ((rc = spawn_hook(sp, p[1], &pid)) != 0) {
		saved = errno;
		close(p[0]);
		close(p[1]);
		sigaction(SIGCHLD, &old_sa, NULL);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		if (rc > 0) {
			/* Not executable: as the child would have said it. */
			res->duration_ms = now_ms() - start;
			res->exit_code = 127;
			n = snprintf(ring->data, sizeof(ring->data),
			    "ekahook: cannot execute %s: %s\n", sp->path,
			    strerror(rc));
			ring->len = n < 0 ? 0 : (size_t)n < sizeof(ring->data) ?
			    (size_t)n : sizeof(ring->data) - 1;
			ring->head = ring->len;
			ring_flatten(ring, res);
			free(ring);
			return 0;
		}
		free(ring);
		errno = saved;
		return -1;
	}
	/* Both sides set the group, so a signal can never miss it. */
	(void)setpgid(pid, pid);
	close(p[1]);
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	term_at = start + (long long)sp->timeout * 1000;
	kill_at = term_at + (long long)sp->kill_after * 1000;

	for (;;) {
		while ((r = waitpid(pid, &status, WNOHANG)) == -1 &&
		    errno == EINTR)
			continue;
		if (r == pid || r == -1)
			break;
		now = now_ms();
		if (!termed && now >= term_at) {
			/* ekahook.conf(5) hook_timeout: the whole group. */
			(void)kill(-pid, SIGTERM);
			termed = res->timed_out = true;
		}
		if (termed && !killed && now >= kill_at) {
			(void)kill(-pid, SIGKILL);
			killed = true;
		}
		wait = killed ? 1000 : (termed ? kill_at : term_at) - now;
		{
			struct timespec	 ts = { wait / 1000,
			    (wait % 1000) * 1000000 };

			if (ppoll(&pfd, pfd.fd != -1 ? 1 : 0, &ts,
			    &wait_mask) > 0 && pfd.revents != 0 &&
			    ring_read(ring, pfd.fd) == 1) {
				close(pfd.fd);
				pfd.fd = -1;
			}
		}
	}
	res->duration_ms = now_ms() - start;
	/* What the hook wrote before it ended; strays' later output is not. */
	if (pfd.fd != -1) {
		(void)ring_read(ring, pfd.fd);
		close(pfd.fd);
	}
	/*
	 * ekahook(8) "The hook": its leftovers never outlive it.  Whatever
	 * remains of its group gets SIGTERM now (a timed-out group has had
	 * it), and SIGKILL kill_after seconds later.
	 */
	if (!termed && kill(-pid, 0) == 0) {
		(void)kill(-pid, SIGTERM);
		termed = true;
		kill_at = now_ms() + (long long)sp->kill_after * 1000;
	}
	while (termed && !killed && kill(-pid, 0) == 0) {
		now = now_ms();
		if (now >= kill_at) {
			(void)kill(-pid, SIGKILL);
			break;
		}
		wait = kill_at - now < GROUP_POLL_MS ? kill_at - now :
		    GROUP_POLL_MS;
		{
			struct timespec	 ts = { 0, wait * 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	if (r == pid && WIFEXITED(status)) {
		res->exit_code = WEXITSTATUS(status);
	} else if (r == pid && WIFSIGNALED(status)) {
		res->exit_code = -1;
		res->signo = WTERMSIG(status);
	} else {
		/* Reaped elsewhere (SIGCHLD set to SIG_IGN by someone). */
		res->exit_code = -1;
		res->signo = SIGKILL;
	}
	ring_flatten(ring, res);
	free(ring);
	sigaction(SIGCHLD, &old_sa, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return 0;
}

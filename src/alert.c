/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "buf.h"
#include "hookenv.h"
#include "hooklog.h"
#include "hookrun.h"
#include "path.h"
#include "timefmt.h"

#define ALERT_DIR	"alerts"	/* in state_dir: one file per kind */
#define ALERT_MODE	0640

static bool	 take_turn(const struct conf *, const char *, long long *);
static void	 spawn(const struct conf *, const char *, const char *,
		    const char *);
static void	 run(const struct conf *, const char *, const char *,
		    const char *) __attribute__((noreturn));
static int	 stdin_file(const char *, const char *);

/*
 * state_dir/alerts/<kind> holds "last_ms held": the last alert of the
 * kind and how many were held back since, changed under its flock(2).
 * True when this one runs (*held: how many it reports), false when it
 * is held back.  A file that cannot be used lets every alert run.
 */
static bool
take_turn(const struct conf *c, const char *kind, long long *held)
{
	char		 p[PATH_MAX], text[64];
	long long	 last = 0, n = 0, now = timefmt_now_ms();
	ssize_t		 r;
	int		 fd, w;
	bool		 turn;

	*held = 0;
	/* ekahook.conf(5) state_dir: made when missing. */
	if ((mkdir(c->state_dir, 0750) == -1 && errno != EEXIST) ||
	    snprintf(p, sizeof(p), "%s/%s", c->state_dir, ALERT_DIR) >=
	    (int)sizeof(p) || (mkdir(p, 0750) == -1 && errno != EEXIST) ||
	    snprintf(p, sizeof(p), "%s/%s/%s", c->state_dir, ALERT_DIR,
	    kind) >= (int)sizeof(p) ||
	    (fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, ALERT_MODE)) == -1)
		return true;
	if (flock(fd, LOCK_EX) == -1) {
		close(fd);
		return true;
	}
	if ((r = pread(fd, text, sizeof(text) - 1, 0)) > 0) {
		char	*end;

		text[r] = '\0';
		last = strtoll(text, &end, 10);
		n = *end == ' ' ? strtoll(end + 1, NULL, 10) : 0;
		if (last < 0 || n < 0)
			last = n = 0;
	}
	turn = last == 0 || now - last >= c->alert_interval * 1000 ||
	    now < last;
	if (turn) {
		*held = n;
		last = now;
		n = 0;
	} else
		n++;
	w = snprintf(text, sizeof(text), "%lld %lld\n", last, n);
	if (ftruncate(fd, 0) == -1 || pwrite(fd, text, (size_t)w, 0) != w)
		fprintf(stderr, "ekahook: %s: %s\n", p, strerror(errno));
	close(fd);
	return turn;
}

void
alert_raise(const struct conf *c, const char *kind, const char *message,
    const char *details)
{
	struct buf	 msg, det;
	long long	 held;
	size_t		 dlen;

	if (c == NULL || c->alert_command == NULL || message == NULL ||
	    details == NULL)
		return;
	if (!take_turn(c, kind, &held))
		return;
	buf_init(&msg);
	buf_init(&det);
	buf_puts(&msg, message);
	if (held > 0)
		buf_printf(&msg, " %lld more %s alert%s held back since the "
		    "last one.", held, kind, held == 1 ? " was" : "s were");
	/* details is one object: held_back goes in before its brace. */
	dlen = strlen(details);
	while (dlen > 0 && details[dlen - 1] != '}')
		dlen--;
	if (dlen > 0) {
		buf_append(&det, details, dlen - 1);
		buf_printf(&det, "%s\"held_back\":%lld}",
		    dlen > 2 ? "," : "", held);
	} else
		buf_printf(&det, "{\"kind\":\"%s\",\"held_back\":%lld}", kind,
		    held);
	if (buf_ok(&msg) && buf_ok(&det))
		spawn(c, kind, buf_cstr(&msg), buf_cstr(&det));
	buf_free(&msg);
	buf_free(&det);
}

/*
 * Fork, setsid, fork: the command never delays an answer or an attempt,
 * and its process belongs to no server's group.
 */
static void
spawn(const struct conf *c, const char *kind, const char *message,
    const char *details)
{
	pid_t	 pid;

	if ((pid = fork()) == -1) {
		fprintf(stderr, "ekahook: cannot run alert_command: %s\n",
		    strerror(errno));
		return;
	}
	if (pid == 0) {
		(void)setsid();
		if (fork() == 0)
			run(c, kind, message, details);
		_exit(0);
	}
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		continue;
}

/* The details and a newline in an unlinked file, at offset 0. */
static int
stdin_file(const char *state_dir, const char *details)
{
	char	 p[PATH_MAX];
	size_t	 n = strlen(details);
	int	 fd;

	if (snprintf(p, sizeof(p), "%s/%s/.stdin.XXXXXX", state_dir,
	    ALERT_DIR) >= (int)sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(p, O_CLOEXEC)) == -1)
		return -1;
	(void)unlink(p);
	if (write(fd, details, n) != (ssize_t)n || write(fd, "\n", 1) != 1 ||
	    lseek(fd, 0, SEEK_SET) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The detached process: runs the command like a hook, logs the run. */
static void
run(const struct conf *c, const char *kind, const char *message,
    const char *details)
{
	struct hookrun_spec	 rs;
	struct hookrun_result	*res;
	struct hooklog_rec	 rec;
	struct buf		 e1, e2;
	char			 finished[TIMEFMT_LEN], *dir;
	char			*argv[3], *envp[5];
	int			 null, in;

	/* Nothing of the server's: no socket, no answer pipe. */
	if ((null = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(null, STDIN_FILENO) == -1 || dup2(null, STDOUT_FILENO) == -1)
		_exit(1);
	hookrun_closefrom(STDERR_FILENO + 1);
	buf_init(&e1);
	buf_init(&e2);
	buf_printf(&e1, "EKAHOOK_ALERT=%s", kind);
	buf_printf(&e2, "EKAHOOK_ALERT_MESSAGE=%s", message);
	if ((dir = path_dir_of(c->alert_command)) == NULL ||
	    (res = malloc(sizeof(*res))) == NULL || !buf_ok(&e1) ||
	    !buf_ok(&e2) || (in = stdin_file(c->state_dir, details)) == -1) {
		fprintf(stderr, "ekahook: cannot run alert_command: %s\n",
		    strerror(errno));
		_exit(1);
	}
	argv[0] = c->alert_command;
	argv[1] = (char *)kind;
	argv[2] = NULL;
	envp[0] = (char *)HOOKENV_PATH;
	envp[1] = (char *)HOOKENV_LANG;
	envp[2] = buf_cstr(&e1);
	envp[3] = buf_cstr(&e2);
	envp[4] = NULL;
	memset(&rs, 0, sizeof(rs));
	rs.path = c->alert_command;
	rs.argv = argv;
	rs.envp = envp;
	rs.dir = dir;
	rs.stdin_fd = in;
	rs.timeout = c->hook_timeout;
	rs.kill_after = HOOKRUN_KILL_AFTER;
	if (hookrun_exec(&rs, res) == -1) {
		fprintf(stderr, "ekahook: cannot start %s: %s\n",
		    c->alert_command, strerror(errno));
		_exit(1);
	}
	hooklog_rec_of(&rec, res, finished);
	rec.alert = kind;
	rec.hook = c->alert_command;
	rec.attempt = 1;
	(void)hooklog_append(c, &rec);
	_exit(0);
}

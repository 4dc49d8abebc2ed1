/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_HOOKRUN_H
#define EKAHOOK_HOOKRUN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * One run of the hook executable (ekahook(8) "The hook"): posix_spawn
 * (or fork and execve where glibc lacks what that needs) in its own
 * process group with an allow-listed environment, stdin from a regular
 * file, stdout and stderr into one pipe of which the last
 * HOOKRUN_OUTPUT_MAX bytes are kept in memory (so a chatty hook costs
 * neither memory nor disk), and a deadline: SIGTERM to the group after
 * timeout seconds, SIGKILL kill_after seconds later.
 */

/* ekahook(8) "The hook queue": hook_log keeps the last 4 KiB of output. */
#define HOOKRUN_OUTPUT_MAX	4096
/* ekahook.conf(5) hook_timeout: SIGKILL this many seconds after SIGTERM. */
#define HOOKRUN_KILL_AFTER	5

struct hookrun_spec {
	const char	*path;		/* absolute */
	char *const	*argv;
	char *const	*envp;
	const char	*dir;		/* working directory */
	int		 stdin_fd;	/* a regular file, at offset 0 */
	unsigned	 timeout;	/* seconds before SIGTERM */
	unsigned	 kill_after;	/* seconds from SIGTERM to SIGKILL */
	bool		 fork_exec;	/* fork+execve even where posix_spawn
					   would do (for tests of that way) */
};

struct hookrun_result {
	int		 exit_code;	/* -1 when a signal ended it */
	int		 signo;		/* that signal, or 0 */
	bool		 timed_out;
	long long	 duration_ms;
	char		 out[HOOKRUN_OUTPUT_MAX];
	size_t		 out_len;
	bool		 out_cut;	/* more was written than kept */
};

/*
 * Runs the hook to its end.  Returns 0 with res filled (an exec that
 * failed is exit 127 with the reason in the output), or -1 with errno
 * set when no process could be started.  SIGCHLD is handled only while
 * this runs; the caller's disposition and mask are restored.
 */
int	hookrun_exec(const struct hookrun_spec *, struct hookrun_result *res);
/* Closes every descriptor from lowfd up (for a fresh child). */
void	hookrun_closefrom(int lowfd);

#endif

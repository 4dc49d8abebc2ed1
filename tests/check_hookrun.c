/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hookrun.h"
#include "suites.h"

static struct hookrun_result	 res;
static char			*dir;
static int			 in = -1;
static bool			 use_fork;	/* the fork+execve way */

static void	 setup(int);
static void	 teardown(void);
static void	 sh(const char *, unsigned, unsigned);
static const char *out(void);
static bool	 alive(pid_t);

/* Loop test i: 0 the posix_spawn way (where there is one), 1 fork. */
static void
setup(int i)
{
	char	*p;

	use_fork = i == 1;
	dir = tu_tmpdir();
	p = tu_join(dir, "stdin");
	in = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ne(in, -1);
	ck_assert_int_eq(write(in, "{\"event\":\"x\"}\n", 14), 14);
	ck_assert_int_eq(lseek(in, 0, SEEK_SET), 0);
	free(p);
}

static void
teardown(void)
{
	close(in);
	tu_rmtree(dir);
	free(dir);
}

/* Runs /bin/sh -c script in dir with a one-variable environment. */
static void
sh(const char *script, unsigned timeout, unsigned kill_after)
{
	char			*argv[] = { "/bin/sh", "-c", (char *)script,
				    NULL };
	char			*envp[] = { "PATH=/usr/bin:/bin", NULL };
	struct hookrun_spec	 sp;

	memset(&sp, 0, sizeof(sp));
	sp.path = "/bin/sh";
	sp.argv = argv;
	sp.envp = envp;
	sp.dir = dir;
	sp.stdin_fd = in;
	sp.timeout = timeout;
	sp.kill_after = kill_after;
	sp.fork_exec = use_fork;
	ck_assert_int_eq(hookrun_exec(&sp, &res), 0);
}

static const char *
out(void)
{
	static char	 s[HOOKRUN_OUTPUT_MAX + 1];

	memcpy(s, res.out, res.out_len);
	s[res.out_len] = '\0';
	return s;
}

/* Running, not gone nor a zombie (orphans may wait a while for init). */
static bool
alive(pid_t pid)
{
	char	 p[64], st[512], *rp;
	FILE	*fp;
	bool	 live = false;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(p, "r")) == NULL)
		return false;
	if (fgets(st, sizeof(st), fp) != NULL &&
	    (rp = strrchr(st, ')')) != NULL)
		live = rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
	fclose(fp);
	return live;
}

START_TEST(exit_status_output_stdin_and_directory)
{
	char	 want[4096];

	setup(_i);
	sh("cat; pwd; echo err >&2; exit 3", 10, 1);
	ck_assert_int_eq(res.exit_code, 3);
	ck_assert_int_eq(res.signo, 0);
	ck_assert(!res.timed_out);
	snprintf(want, sizeof(want), "{\"event\":\"x\"}\n%s\nerr\n", dir);
	ck_assert_str_eq(out(), want);
	ck_assert(!res.out_cut);
	teardown();
}
END_TEST

START_TEST(the_environment_is_exactly_the_one_given)
{
	char			*argv[] = { "env", NULL };
	char			*envp[] = { "A=1", "B=two words", "C=$(x)",
				    NULL };
	struct hookrun_spec	 sp;

	setup(_i);
	memset(&sp, 0, sizeof(sp));
	sp.path = "/usr/bin/env";
	sp.argv = argv;
	sp.envp = envp;
	sp.dir = dir;
	sp.stdin_fd = in;
	sp.timeout = 10;
	sp.fork_exec = use_fork;
	ck_assert_int_eq(hookrun_exec(&sp, &res), 0);
	ck_assert_int_eq(res.exit_code, 0);
	ck_assert_str_eq(out(), "A=1\nB=two words\nC=$(x)\n");
	teardown();
}
END_TEST

START_TEST(no_descriptor_signal_or_group_is_inherited)
{
	int	 fd;

	setup(_i);
	/* A descriptor without FD_CLOEXEC, SIGPIPE ignored (as ekahook). */
	fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_ne(dup2(fd, 17), -1);
	signal(SIGPIPE, SIG_IGN);
	/* Signals 1-31: glibc keeps 32 and 33 for itself, as they were. */
	sh("test -e /proc/$$/fd/17 && echo leaked;"
	    "ign=$(awk '/^SigIgn/ { print $2 }' /proc/$$/status);"
	    "echo ignored $((0x$ign & 0x7fffffff));"
	    "test \"$(cut -d' ' -f5 /proc/$$/stat)\" = $$ && echo own group",
	    10, 1);
	ck_assert_int_eq(res.exit_code, 0);
	ck_assert_str_eq(out(), "ignored 0\nown group\n");
	close(17);
	close(fd);
	teardown();
}
END_TEST

START_TEST(only_the_last_4k_of_output_is_kept)
{
	setup(_i);
	sh("i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); done;"
	    "printf END", 10, 1);
	ck_assert_int_eq(res.exit_code, 0);
	ck_assert_uint_eq(res.out_len, HOOKRUN_OUTPUT_MAX);
	ck_assert(res.out_cut);
	ck_assert(memcmp(res.out + res.out_len - 3, "END", 3) == 0);
	ck_assert(memcmp(res.out + res.out_len - 14, "0123456789\nEND", 14) ==
	    0);
	teardown();
}
END_TEST

START_TEST(a_hook_over_its_time_gets_sigterm)
{
	setup(_i);
	/* 2 s: time for the shell to start even on a busy machine. */
	sh("echo started; sleep 30; echo finished", 2, 5);
	ck_assert(res.timed_out);
	/* Ended by the SIGTERM, not the SIGKILL that would follow it. */
	ck_assert_int_eq(res.exit_code, -1);
	ck_assert_int_eq(res.signo, SIGTERM);
	/* Cut short while it ran: after its start, before its end. */
	ck_assert_str_eq(out(), "started\n");
	teardown();
}
END_TEST

START_TEST(a_hook_ignoring_sigterm_gets_sigkill)
{
	setup(_i);
	/*
	 * 3 s: the trap is set before SIGTERM even on a busy machine.  The
	 * SIGTERM ends the first sleep and wakes the shell, which says so
	 * and sleeps again, until the SIGKILL.
	 */
	sh("trap 'echo TERM' TERM; echo started; sleep 30 & wait; sleep 30",
	    3, 1);
	ck_assert(res.timed_out);
	ck_assert_int_eq(res.exit_code, -1);
	ck_assert_int_eq(res.signo, SIGKILL);
	/* SIGTERM first, lived through; then SIGKILL. */
	ck_assert_str_eq(out(), "started\nTERM\n");
	teardown();
}
END_TEST

START_TEST(the_group_of_a_timed_out_hook_is_killed_too)
{
	char	*pidfile;
	char	 buf[32];
	FILE	*fp;
	pid_t	 child;
	int	 i;

	setup(_i);
	pidfile = tu_join(dir, "child.pid");
	/* The shell dies of SIGTERM; its child ignores it and lives on. */
	/* 3 s: time for the shell to start even on a busy machine. */
	sh("(trap '' TERM; sleep 30) & echo $! >child.pid; wait", 3, 1);
	ck_assert(res.timed_out);
	ck_assert_ptr_nonnull(fp = fopen(pidfile, "r"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	child = (pid_t)atoi(buf);
	ck_assert_int_gt(child, 0);
	/*
	 * The result is the shell's, which the SIGTERM ended; its stray
	 * lived on for the SIGKILL after it.
	 */
	ck_assert_int_eq(res.exit_code, -1);
	ck_assert_int_eq(res.signo, SIGTERM);
	/* SIGKILL was sent; it lands within moments. */
	for (i = 0; i < 100 && alive(child); i++)
		usleep(10000);
	ck_assert_msg(!alive(child), "the hook's child %d is alive",
	    (int)child);
	free(pidfile);
	teardown();
}
END_TEST

/*
 * ekahook(8) "The hook": leftovers never outlive it.  The hook exits at
 * once, well inside its time; its background child is ended with it:
 * one that takes SIGTERM at once, one that ignores it by SIGKILL.
 */
START_TEST(a_hook_s_leftovers_end_with_it)
{
	char	*pidfile;
	char	 buf[32];
	FILE	*fp;
	pid_t	 child;
	int	 i;

	setup(_i / 2);
	pidfile = tu_join(dir, "child.pid");
	sh(_i % 2 == 0 ? "sleep 77 & echo $! >child.pid; exit 0" :
	    "(trap '' TERM; sleep 77) & echo $! >child.pid; sleep 0.3; exit 0",
	    30, 1);
	ck_assert(!res.timed_out);
	ck_assert_int_eq(res.exit_code, 0);
	ck_assert_ptr_nonnull(fp = fopen(pidfile, "r"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	child = (pid_t)atoi(buf);
	ck_assert_int_gt(child, 0);
	for (i = 0; i < 100 && alive(child); i++)
		usleep(10000);
	ck_assert_msg(!alive(child), "the hook's child %d outlived it",
	    (int)child);
	free(pidfile);
	teardown();
}
END_TEST

START_TEST(a_hook_that_cannot_run_exits_127_and_says_why)
{
	char			*argv[] = { "/nonexistent/hook", "x", NULL };
	char			*envp[] = { NULL };
	struct hookrun_spec	 sp;

	setup(_i);
	memset(&sp, 0, sizeof(sp));
	sp.path = "/nonexistent/hook";
	sp.argv = argv;
	sp.envp = envp;
	sp.dir = dir;
	sp.stdin_fd = in;
	sp.timeout = 10;
	sp.fork_exec = use_fork;
	ck_assert_int_eq(hookrun_exec(&sp, &res), 0);
	ck_assert_int_eq(res.exit_code, 127);
	ck_assert_ptr_nonnull(strstr(out(),
	    "cannot execute /nonexistent/hook"));
	teardown();
}
END_TEST

Suite *
hookrun_suite(void)
{
	Suite	*s = suite_create("hookrun");
	TCase	*tc = tcase_create("hookrun");

	tcase_set_timeout(tc, 30);
	/* Each one both ways: posix_spawn (0) and fork+execve (1). */
	tcase_add_loop_test(tc, exit_status_output_stdin_and_directory, 0, 2);
	tcase_add_loop_test(tc, the_environment_is_exactly_the_one_given,
	    0, 2);
	tcase_add_loop_test(tc, no_descriptor_signal_or_group_is_inherited,
	    0, 2);
	tcase_add_loop_test(tc, only_the_last_4k_of_output_is_kept, 0, 2);
	tcase_add_loop_test(tc, a_hook_over_its_time_gets_sigterm, 0, 2);
	tcase_add_loop_test(tc, a_hook_ignoring_sigterm_gets_sigkill, 0, 2);
	tcase_add_loop_test(tc, the_group_of_a_timed_out_hook_is_killed_too,
	    0, 2);
	tcase_add_loop_test(tc, a_hook_s_leftovers_end_with_it, 0, 4);
	tcase_add_loop_test(tc, a_hook_that_cannot_run_exits_127_and_says_why,
	    0, 2);
	suite_add_tcase(s, tc);
	return s;
}

/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_hook.h"
#include "fdpass.h"
#include "hookq.h"

static int	 sv[2];

static void	 pair(void);
static bool	 is_open(int);

static void
pair(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    sv), 0);
}

static bool
is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

START_TEST(a_message_arrives_with_its_descriptors)
{
	int	 p[2], fds[FDPASS_MAX_FDS], out[2];
	size_t	 n;
	char	 msg[16], b;

	pair();
	ck_assert_int_eq(pipe(p), 0);
	out[0] = p[0];
	out[1] = p[1];
	ck_assert_int_eq(fdpass_send(sv[0], "job-1", 5, out, 2), 0);
	close(p[0]);
	close(p[1]);
	ck_assert_int_eq(fdpass_recv(sv[1], msg, sizeof(msg), fds, &n), 5);
	ck_assert(memcmp(msg, "job-1", 5) == 0);
	ck_assert_uint_eq(n, 2);
	/* The same pipe, through the new descriptors; close-on-exec. */
	ck_assert_int_eq(write(fds[1], "x", 1), 1);
	ck_assert_int_eq(read(fds[0], &b, 1), 1);
	ck_assert_int_eq(b, 'x');
	ck_assert_int_eq(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fds[0]);
	close(fds[1]);
	/* A message without descriptors, then the end of the peer. */
	ck_assert_int_eq(fdpass_send(sv[0], "d", 1, NULL, 0), 0);
	ck_assert_int_eq(fdpass_recv(sv[1], msg, sizeof(msg), fds, &n), 1);
	ck_assert_uint_eq(n, 0);
	close(sv[0]);
	ck_assert_int_eq(fdpass_recv(sv[1], msg, sizeof(msg), fds, &n), 0);
	close(sv[1]);
}
END_TEST

START_TEST(bad_sends_are_refused)
{
	int	 fds[FDPASS_MAX_FDS + 1] = { 0, 1, 2 };

	pair();
	errno = 0;
	ck_assert_int_eq(fdpass_send(sv[0], "", 0, NULL, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(fdpass_send(sv[0], "x", 1, fds, FDPASS_MAX_FDS + 1),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	close(sv[1]);
	/* A gone peer: an error, never SIGPIPE. */
	ck_assert_int_eq(fdpass_send(sv[0], "x", 1, NULL, 0), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(sv[0]);
}
END_TEST

START_TEST(a_cut_message_loses_its_descriptors_not_them_open)
{
	int	 p[2], fds[FDPASS_MAX_FDS] = { -1, -1 };
	size_t	 n = 9;
	char	 msg[2];

	pair();
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(fdpass_send(sv[0], "longer", 6, p, 2), 0);
	close(p[0]);
	close(p[1]);
	errno = 0;
	ck_assert_int_eq(fdpass_recv(sv[1], msg, sizeof(msg), fds, &n), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_uint_eq(n, 0);
	/* What arrived was closed: the numbers are free again. */
	ck_assert(!is_open(p[0]) && !is_open(p[1]));
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* The runner's handover: a job's lock never lapses on the way. */
START_TEST(a_job_handed_over_stays_locked_until_its_taker_lets_go)
{
	static const char line[] = "{\"received_at\":\"t\","
	    "\"request_id\":\"r9\",\"duplicate\":false,"
	    "\"event\":{\"event\":\"x\"}}\n";
	struct logpos	 after = { true, 1, 2, 3, 64, 99 };
	struct hookjob	 j, k;
	char		*dir, id[16];
	int		 fds[FDPASS_MAX_FDS];
	size_t		 n;
	ssize_t		 len;

	dir = tu_tmpdir();
	ck_assert_int_eq(hookq_mkdirs(dir), 0);
	ck_assert_int_eq(hookjob_create(dir, "r9", "/l", &after, line,
	    strlen(line), false, &j), 0);
	pair();
	ck_assert_int_eq(fdpass_send(sv[0], "r9", 2, &j.fd, 1), 0);
	hookjob_close(&j);
	/* In flight: still held. */
	ck_assert_int_eq(hookjob_open(dir, "r9", &k), 1);
	len = fdpass_recv(sv[1], id, sizeof(id) - 1, fds, &n);
	ck_assert_int_eq(len, 2);
	id[len] = '\0';
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(hookjob_adopt(dir, id, fds[0], &k), 0);
	ck_assert_str_eq(k.id, "r9");
	ck_assert_str_eq(k.log_path, "/l");
	ck_assert_str_eq(k.line, line);
	ck_assert_uint_eq(k.after.off, 99);
	ck_assert_int_eq(hookjob_open(dir, "r9", &j), 1);
	hookjob_close(&k);
	ck_assert_int_eq(hookjob_open(dir, "r9", &j), 0);
	hookjob_close(&j);
	/* Not a job file: refused, and the descriptor closed. */
	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(hookjob_adopt(dir, "r9", fds[0], &k), -1);
	ck_assert(!is_open(fds[0]));
	close(sv[0]);
	close(sv[1]);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

Suite *
fdpass_suite(void)
{
	Suite	*s = suite_create("fdpass");
	TCase	*tc = tcase_create("fdpass");

	tcase_add_test(tc, a_message_arrives_with_its_descriptors);
	tcase_add_test(tc, bad_sends_are_refused);
	tcase_add_test(tc, a_cut_message_loses_its_descriptors_not_them_open);
	tcase_add_test(tc,
	    a_job_handed_over_stays_locked_until_its_taker_lets_go);
	suite_add_tcase(s, tc);
	return s;
}

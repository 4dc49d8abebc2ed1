/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "procname.h"
#include "suites.h"

#ifdef HAVE_SYS_PRCTL_H
static void	comm(char *, size_t);

/* This process's name as /proc shows it, without the newline. */
static void
comm(char *out, size_t size)
{
	ssize_t	 n;
	int	 fd;

	fd = open("/proc/self/comm", O_RDONLY);
	ck_assert_int_ne(fd, -1);
	n = read(fd, out, size - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

START_TEST(names_the_process_cut_to_15_bytes)
{
	char	 was[64], now[64];

	comm(was, sizeof(was));
	proc_name("ekahook-runner");
	comm(now, sizeof(now));
	ck_assert_str_eq(now, "ekahook-runner");
	proc_name("ekahook-attempt-1234");
	comm(now, sizeof(now));
	ck_assert_str_eq(now, "ekahook-attempt");
	/* Check runs this suite in its own process: its name back. */
	proc_name(was);
	comm(now, sizeof(now));
	ck_assert_str_eq(now, was);
}
END_TEST
#else
/* No prctl(2): there is nothing to name the process with. */
START_TEST(returns_without_prctl)
{
	proc_name("ekahook-runner");
}
END_TEST
#endif

Suite *
procname_suite(void)
{
	Suite	*s = suite_create("procname");
	TCase	*tc;

	tc = tcase_create("procname");
#ifdef HAVE_SYS_PRCTL_H
	tcase_add_test(tc, names_the_process_cut_to_15_bytes);
#else
	tcase_add_test(tc, returns_without_prctl);
#endif
	suite_add_tcase(s, tc);
	return s;
}

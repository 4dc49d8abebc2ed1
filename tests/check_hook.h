/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_TESTS_CHECK_HOOK_H
#define EKAHOOK_TESTS_CHECK_HOOK_H

#include <stddef.h>

#include <check.h>

/* The hook's modules, run by tests/check_hook (check_hook_main.c). */
Suite	*evline_suite(void);
Suite	*hookenv_suite(void);
Suite	*hooklog_suite(void);
Suite	*hookq_suite(void);
Suite	*hookrun_suite(void);
Suite	*logtail_suite(void);

/* A new private directory under $TMPDIR or /tmp, malloc'd. */
char	*hk_tmpdir(void);
/* Removes a directory tree. */
void	 hk_rmtree(const char *);
/* "dir/name", malloc'd. */
char	*hk_join(const char *, const char *);

#endif

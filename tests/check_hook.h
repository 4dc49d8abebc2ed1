/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_TESTS_CHECK_HOOK_H
#define EKAHOOK_TESTS_CHECK_HOOK_H

#include <stddef.h>

#include <check.h>

/* The hook's modules, run by tests/check_hook (check_hook_main.c). */
Suite	*evline_suite(void);
Suite	*hookenv_suite(void);
Suite	*hooklog_suite(void);
Suite	*job_suite(void);
Suite	*migrate_suite(void);
Suite	*hookrun_suite(void);
Suite	*spool_suite(void);

/* Test helpers (tu_tmpdir, tu_join, …) come from tests/check_util.c. */
#include "suites.h"

#endif

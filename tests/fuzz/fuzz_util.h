/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_FUZZ_UTIL_H
#define EKAHOOK_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Helpers shared by the fuzz harnesses.  The harnesses are built two
 * ways: with clang and libFuzzer (`make fuzz`), and with the normal
 * compiler and tests/fuzz/replay.c as main (`make check` replays the
 * committed corpora and regression inputs through the same code).
 */

/* The entry point libFuzzer calls; every harness defines it. */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Makes a private temporary directory, removed again at exit.  Returns
 * its path (static storage); aborts when it cannot, as a harness
 * without its directory would prove nothing.
 */
const char	*fuzz_tmpdir(const char *tag);
/* Writes n bytes to path (created or truncated); aborts on failure. */
void		 fuzz_write_file(const char *path, const void *, size_t n);
/* Removes a directory tree; missing is fine. */
void		 fuzz_rm_rf(const char *path);
/* Drops every EKAHOOK_* variable, so only the harness configures. */
void		 fuzz_clean_env(void);
/* Reports a broken invariant with the input's size and aborts. */
void		 fuzz_fail(const char *what, size_t input_len)
		    __attribute__((noreturn));

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the Eka-Webhook-Signature parser and verifier.
 *
 * Input layout: byte 0 picks the tolerance (bits 0-1) and how many keys
 * are configured (bit 2: two instead of one); then the header value up
 * to the first '\n'; the rest is the body.  The clock is fixed at
 * FUZZ_NOW, so a seed signed for that time stays valid.
 *
 * Checks besides the sanitizers: the parser reads only the bytes it is
 * given (the whole input, unterminated, goes through it too); the
 * verdict agrees with the parser (a header that does not parse is never
 * accepted, an empty one is "missing"); a value sig_format() makes for
 * the body verifies and parses back to its time and one digest, and
 * stops verifying when the body changes.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sig.h"

#include "fuzz_util.h"

#define FUZZ_NOW	1763929242LL
#define KEY0		"fuzz-key-0-8f1c2d3e4a5b6c7d"
#define KEY1		"fuzz-key-1-0a9b8c7d6e5f4a3b"

static const long long	tolerances[4] = { 0, 1, 180, 10LL * 365 * 86400 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const	 keys[2] = { KEY0, KEY1 };
	struct sig_header	 h;
	enum sig_result		 res;
	const uint8_t		*nl;
	char			*copy, *hdr, value[SIG_VALUE_LEN];
	const char		*body;
	size_t			 hlen, blen, nkeys;
	long long		 tol, t;
	int			 parsed;

	/* The raw input, in a buffer of exactly its size. */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	(void)sig_parse(copy, size, &h);
	free(copy);
	if (size < 1)
		return 0;

	tol = tolerances[data[0] & 3];
	nkeys = data[0] & 4 ? 2 : 1;
	data++;
	size--;
	nl = memchr(data, '\n', size);
	hlen = nl != NULL ? (size_t)(nl - data) : size;
	body = nl != NULL ? (const char *)nl + 1 : "";
	blen = nl != NULL ? size - hlen - 1 : 0;
	if ((hdr = strndup((const char *)data, hlen)) == NULL)
		abort();

	parsed = sig_parse(hdr, strlen(hdr), &h);
	res = sig_verify(hdr, body, blen, keys, nkeys, tol, FUZZ_NOW);
	if (*hdr == '\0' && res != SIG_MISSING)
		fuzz_fail("an empty header is not \"missing\"", size + 1);
	if (*hdr != '\0' && parsed == -1 && res != SIG_INVALID)
		fuzz_fail("a header that does not parse was not invalid",
		    size + 1);
	if (parsed == 0 && (h.nv1 == 0 || h.nv1 > SIG_MAX_V1 || h.t < 0))
		fuzz_fail("a parsed header out of range", size + 1);
	if (res == SIG_OK && tol > 0 &&
	    (h.t > FUZZ_NOW + tol || h.t < FUZZ_NOW - tol))
		fuzz_fail("an expired signature accepted", size + 1);
	if (strcmp(sig_result_code(res), "verified") != 0 &&
	    strncmp(sig_result_code(res), "signature_", 10) != 0)
		fuzz_fail("an unknown result code", size + 1);

	/* What we sign ourselves verifies, for this body and no other. */
	t = parsed == 0 ? h.t : FUZZ_NOW;
	sig_format(keys[nkeys - 1], t, body, blen, value);
	if (sig_parse(value, strlen(value), &h) != 0 || h.t != t ||
	    h.nv1 != 1)
		fuzz_fail("a formatted signature does not parse back",
		    size + 1);
	if (sig_verify(value, body, blen, keys, nkeys, 0, FUZZ_NOW) != SIG_OK)
		fuzz_fail("a formatted signature does not verify", size + 1);
	if (blen > 0 && sig_verify(value, body, blen - 1, keys, nkeys, 0,
	    FUZZ_NOW) != SIG_INVALID)
		fuzz_fail("a signature verifies a shorter body", size + 1);
	free(hdr);
	return 0;
}

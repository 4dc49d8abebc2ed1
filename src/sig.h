/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_SIG_H
#define EKAHOOK_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SIG_DIGEST_LEN	32
#define SIG_MAX_V1	8	/* v1= entries looked at in one header */
#define SIG_HEADER_MAX	1024	/* longer headers are signature_invalid */
#define SIG_VALUE_LEN	(2 + 20 + 4 + 2 * SIG_DIGEST_LEN + 1)

enum sig_result {
	SIG_OK,
	SIG_MISSING,
	SIG_INVALID,
	SIG_EXPIRED
};

/* Eka-Webhook-Signature: t=<unix seconds>,v1=<64 hex>[,v1=…] */
struct sig_header {
	long long	t;
	char		t_text[20];	/* t as sent: the text that is signed */
	unsigned char	v1[SIG_MAX_V1][SIG_DIGEST_LEN];
	size_t		nv1;
};

/* Parses the header value.  Returns 0, or -1 when it is malformed. */
int		sig_parse(const char *value, size_t len, struct sig_header *);
/* HMAC-SHA256(key, "<t>." + body). */
void		sig_compute(const char *key, size_t keylen, long long t,
		    const char *body, size_t len,
		    unsigned char out[SIG_DIGEST_LEN]);
/*
 * Judges a delivery (ekahook(8) "Signatures"): value is the header or NULL,
 * any key may match any v1 (compared in constant time), and |now - t|
 * must be within tolerance unless tolerance is 0.
 */
enum sig_result	sig_verify(const char *value, const char *body, size_t len,
		    char *const *keys, size_t nkeys, long long tolerance,
		    time_t now);
/* Writes "t=<t>,v1=<hex>" for the body into out. */
void		sig_format(const char *key, long long t, const char *body,
		    size_t len, char out[SIG_VALUE_LEN]);
const char	*sig_result_code(enum sig_result);

#endif

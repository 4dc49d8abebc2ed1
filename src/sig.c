/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "sig.h"

static int	hexval(int);

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
sig_parse(const char *s, size_t len, struct sig_header *h)
{
	const char	*p = s, *end = s + len, *item, *iend;
	bool		 have_t = false;
	size_t		 i, n;
	int		 hi, lo;

	memset(h, 0, sizeof(*h));
	if (len == 0 || len > SIG_HEADER_MAX)
		return -1;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		item = p;
		while (p < end && *p != ',')
			p++;
		iend = p;
		while (iend > item && (iend[-1] == ' ' || iend[-1] == '\t'))
			iend--;
		if (p < end)
			p++;	/* the comma */
		n = (size_t)(iend - item);
		if (n >= 2 && item[0] == 't' && item[1] == '=') {
			/* One t=, a plain decimal that fits comfortably. */
			if (have_t || n < 3 || n > 2 + 18)
				return -1;
			for (i = 2; i < n; i++) {
				if (item[i] < '0' || item[i] > '9')
					return -1;
				h->t = h->t * 10 + (item[i] - '0');
			}
			memcpy(h->t_text, item + 2, n - 2);
			h->t_text[n - 2] = '\0';
			have_t = true;
		} else if (n >= 3 && memcmp(item, "v1=", 3) == 0) {
			if (n != 3 + 2 * SIG_DIGEST_LEN)
				return -1;
			if (h->nv1 == SIG_MAX_V1)
				continue;	/* more than we look at */
			for (i = 0; i < SIG_DIGEST_LEN; i++) {
				hi = hexval((unsigned char)item[3 + 2 * i]);
				lo = hexval((unsigned char)item[4 + 2 * i]);
				if (hi < 0 || lo < 0)
					return -1;
				h->v1[h->nv1][i] = (unsigned char)(hi << 4 | lo);
			}
			h->nv1++;
		} else if (n == 0 || memchr(item, '=', n) == NULL)
			return -1;
		/* Other schemes (v0=…) are ignored, as senders may add them. */
	}
	if (!have_t || h->nv1 == 0)
		return -1;
	return 0;
}

/* HMAC-SHA256(key, t_text + "." + body): t as its text was sent. */
static void
mac_of(const char *key, size_t keylen, const char *t_text, const char *body,
    size_t len, unsigned char out[SIG_DIGEST_LEN])
{
	struct hmac_sha256_ctx	 ctx;

	hmac_sha256_set_key(&ctx, keylen, (const uint8_t *)key);
	hmac_sha256_update(&ctx, strlen(t_text), (const uint8_t *)t_text);
	hmac_sha256_update(&ctx, 1, (const uint8_t *)".");
	hmac_sha256_update(&ctx, len, (const uint8_t *)body);
	hmac_sha256_digest(&ctx, SIG_DIGEST_LEN, out);
	memset(&ctx, 0, sizeof(ctx));
}

void
sig_compute(const char *key, size_t keylen, long long t, const char *body,
    size_t len, unsigned char out[SIG_DIGEST_LEN])
{
	char	 ts[24];

	snprintf(ts, sizeof(ts), "%lld", t);
	mac_of(key, keylen, ts, body, len, out);
}

enum sig_result
sig_verify(const char *value, const char *body, size_t len, char *const *keys,
    size_t nkeys, long long tolerance, time_t now)
{
	struct sig_header	 h;
	unsigned char		 mac[SIG_DIGEST_LEN];
	size_t			 k, i;
	bool			 match = false;
	long long		 age;

	if (value == NULL || *value == '\0')
		return SIG_MISSING;
	if (sig_parse(value, strlen(value), &h) == -1)
		return SIG_INVALID;
	for (k = 0; k < nkeys; k++) {
		mac_of(keys[k], strlen(keys[k]), h.t_text, body, len, mac);
		/* Look at every entry, so timing does not tell which matched. */
		for (i = 0; i < h.nv1; i++)
			match |= memeql_sec(mac, h.v1[i], SIG_DIGEST_LEN) != 0;
	}
	memset(mac, 0, sizeof(mac));
	if (!match)
		return SIG_INVALID;
	age = (long long)now - h.t;
	if (tolerance > 0 && (age > tolerance || age < -tolerance))
		return SIG_EXPIRED;
	return SIG_OK;
}

void
sig_format(const char *key, long long t, const char *body, size_t len,
    char out[SIG_VALUE_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	 mac[SIG_DIGEST_LEN];
	int		 n;
	size_t		 i;

	sig_compute(key, strlen(key), t, body, len, mac);
	n = snprintf(out, SIG_VALUE_LEN, "t=%lld,v1=", t);
	for (i = 0; i < SIG_DIGEST_LEN && (size_t)n + 2 * i + 2 < SIG_VALUE_LEN;
	    i++) {
		out[n + 2 * i] = hex[mac[i] >> 4];
		out[n + 2 * i + 1] = hex[mac[i] & 15];
	}
	out[n + 2 * i] = '\0';
}

const char *
sig_result_code(enum sig_result r)
{
	switch (r) {
	case SIG_OK:		return "verified";
	case SIG_MISSING:	return "signature_missing";
	case SIG_INVALID:	return "signature_invalid";
	case SIG_EXPIRED:	return "signature_expired";
	}
	return "signature_invalid";
}

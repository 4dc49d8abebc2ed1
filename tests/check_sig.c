/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/hmac.h>

#include "sig.h"
#include "suites.h"

static void	tohex(const unsigned char *, size_t, char *);
static void	make_header(char *, size_t, long long, const char *);

/* RFC 4231 §4: the HMAC-SHA-256 results of test cases 1-4, 6 and 7. */
static const struct {
	const char	*name;
	unsigned char	 key[131];
	size_t		 keylen;
	const char	*data;
	size_t		 datalen;
	const char	*mac;
} rfc4231[] = {
	{ "case 1", { 0 }, 20, "Hi There", 8,
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ "case 2", "Jefe", 4, "what do ya want for nothing?", 28,
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ "case 3", { 0 }, 20, NULL, 50,
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
	{ "case 4", { 0 }, 25, NULL, 50,
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
	{ "case 6", { 0 }, 131,
	  "Test Using Larger Than Block-Size Key - Hash Key First", 54,
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ "case 7", { 0 }, 131,
	  "This is a test using a larger than block-size key and a larger "
	  "than block-size data. The key needs to be hashed before being "
	  "used by the HMAC algorithm.", 152,
	  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
};

/* The keys and data of the table that are patterns, not text. */
static void
rfc4231_material(size_t i, unsigned char *key, unsigned char *data)
{
	size_t	 k;

	memcpy(key, rfc4231[i].key, sizeof(rfc4231[i].key));
	if (rfc4231[i].data != NULL)
		memcpy(data, rfc4231[i].data, rfc4231[i].datalen);
	switch (i) {
	case 0:
		memset(key, 0x0b, 20);
		break;
	case 2:
		memset(key, 0xaa, 20);
		memset(data, 0xdd, 50);
		break;
	case 3:
		for (k = 0; k < 25; k++)
			key[k] = (unsigned char)(k + 1);
		memset(data, 0xcd, 50);
		break;
	case 4:
	case 5:
		memset(key, 0xaa, 131);
		break;
	}
}

static void
tohex(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t	 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The calls sig_compute makes, on the RFC's data. */
START_TEST(hmac_sha256_matches_rfc4231)
{
	struct hmac_sha256_ctx	 ctx;
	unsigned char		 key[131], data[200], mac[SIG_DIGEST_LEN];
	char			 hex[2 * SIG_DIGEST_LEN + 1];

	rfc4231_material((size_t)_i, key, data);
	hmac_sha256_set_key(&ctx, rfc4231[_i].keylen, key);
	hmac_sha256_update(&ctx, rfc4231[_i].datalen, data);
	hmac_sha256_digest(&ctx, SIG_DIGEST_LEN, mac);
	tohex(mac, sizeof(mac), hex);
	ck_assert_msg(strcmp(hex, rfc4231[_i].mac) == 0, "%s: %s",
	    rfc4231[_i].name, hex);
}
END_TEST

/* The RFC's keys signing a delivery: format and verify agree. */
START_TEST(rfc4231_keys_round_trip_through_format_and_verify)
{
	unsigned char	 key[132], data[200];
	char		 value[SIG_VALUE_LEN], *keys[1];

	rfc4231_material((size_t)_i, key, data);
	key[rfc4231[_i].keylen] = '\0';
	keys[0] = (char *)key;
	sig_format(keys[0], 1763929242, (const char *)data,
	    rfc4231[_i].datalen, value);
	ck_assert_int_eq(sig_verify(value, (const char *)data,
	    rfc4231[_i].datalen, keys, 1, 180, 1763929242), SIG_OK);
	data[0] ^= 1;
	ck_assert_int_eq(sig_verify(value, (const char *)data,
	    rfc4231[_i].datalen, keys, 1, 180, 1763929242), SIG_INVALID);
}
END_TEST

START_TEST(compute_signs_t_dot_body)
{
	static const char body[] = "{\"a\":1}";
	struct hmac_sha256_ctx	 ctx;
	unsigned char		 a[SIG_DIGEST_LEN], b[SIG_DIGEST_LEN];
	char			 value[SIG_VALUE_LEN];
	static const char	 msg[] = "1763929242.{\"a\":1}";

	sig_compute("whsec_test", 10, 1763929242, body, sizeof(body) - 1, a);
	hmac_sha256_set_key(&ctx, 10, (const uint8_t *)"whsec_test");
	hmac_sha256_update(&ctx, sizeof(msg) - 1, (const uint8_t *)msg);
	hmac_sha256_digest(&ctx, SIG_DIGEST_LEN, b);
	ck_assert_mem_eq(a, b, SIG_DIGEST_LEN);
	/* Computed independently (Python's hmac module). */
	sig_format("whsec_test", 1763929242, body, sizeof(body) - 1, value);
	ck_assert_str_eq(value, "t=1763929242,v1="
	    "ad0ea92cc9f4e78e6ccf2a3fd61398d517357ea656383c5b6d62298462cf1d61");
}
END_TEST

/* "t=<t>,v1=<the right mac>" for a body and key. */
static void
make_header(char *out, size_t n, long long t, const char *key)
{
	char	 v[SIG_VALUE_LEN];

	sig_format(key, t, "body", 4, v);
	snprintf(out, n, "%s", v);
}

#define HEX64A	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX64F	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct {
	const char	*value;
	int		 rc;
} headers[] = {
	{ "t=1,v1=" HEX64A, 0 },
	{ " t=1 , v1=" HEX64A " ", 0 },
	{ "t=1,\tv1=" HEX64A "\t", 0 },
	{ "v1=" HEX64A ",t=1", 0 },
	{ "t=1,v1=" HEX64A ",v0=whatever", 0 },
	{ "t=1,v2=xyz,v1=" HEX64A ",scheme=", 0 },
	{ "t=1,v1=" HEX64A ",", 0 },
	{ "t=1,v1=0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
	  "0123456789ABCDEF", 0 },
	{ "t=999999999999999999,v1=" HEX64A, 0 },
	{ "t=0,v1=" HEX64A, 0 },
	/* Malformed. */
	{ "v1=" HEX64A, -1 },
	{ "t=1", -1 },
	{ "t=1,t=2,v1=" HEX64A, -1 },
	{ "t=1,t=1,v1=" HEX64A, -1 },
	{ "t=,v1=" HEX64A, -1 },
	{ "t=12a,v1=" HEX64A, -1 },
	{ "t=-5,v1=" HEX64A, -1 },
	{ "t=+5,v1=" HEX64A, -1 },
	{ "t=1 2,v1=" HEX64A, -1 },
	{ "t=1.5,v1=" HEX64A, -1 },
	{ "t=9999999999999999999,v1=" HEX64A, -1 },
	{ "t=99999999999999999999999999999999,v1=" HEX64A, -1 },
	{ "t=1,v1=" HEX64A "a", -1 },
	{ "t=1,v1=" HEX64A "aa", -1 },
	{ "t=1,v1=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", -1 },
	{ "t=1,v1=", -1 },
	{ "t=1,v1=gaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", -1 },
	{ "t=1,v1=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ", -1 },
	{ "t=1,,v1=" HEX64A, -1 },
	{ ",t=1,v1=" HEX64A, -1 },
	{ "t=1;v1=" HEX64A, -1 },
	{ "t=1,v1=" HEX64A ",garbage", -1 },
	{ "T=1,v1=" HEX64A, -1 },
	{ "", -1 },
};

START_TEST(header_parser_edges)
{
	struct sig_header	 h;
	int			 rc;

	rc = sig_parse(headers[_i].value, strlen(headers[_i].value), &h);
	ck_assert_msg(rc == headers[_i].rc, "\"%s\": %d", headers[_i].value,
	    rc);
	if (rc == 0)
		ck_assert_uint_ge(h.nv1, 1);
}
END_TEST

START_TEST(header_parser_reads_t_and_every_v1)
{
	struct sig_header	 h;
	static const char	 v[] = "t=1763929242,v1=" HEX64F ",v1=" HEX64A;

	ck_assert_int_eq(sig_parse(v, sizeof(v) - 1, &h), 0);
	ck_assert_int_eq(h.t, 1763929242);
	ck_assert_uint_eq(h.nv1, 2);
	ck_assert_uint_eq(h.v1[0][0], 0x01);
	ck_assert_uint_eq(h.v1[0][1], 0x23);
	ck_assert_uint_eq(h.v1[0][31], 0xef);
	ck_assert_uint_eq(h.v1[1][0], 0xaa);
	/* The length given is what is parsed. */
	ck_assert_int_eq(sig_parse(v, 13, &h), -1);
}
END_TEST

START_TEST(more_than_eight_v1_entries_keep_the_first_eight)
{
	struct sig_header	 h;
	char			 v[2048], right[SIG_VALUE_LEN], *keys[] = { "k" };
	size_t			 n, i;

	n = (size_t)snprintf(v, sizeof(v), "t=100");
	for (i = 0; i < 12; i++)
		n += (size_t)snprintf(v + n, sizeof(v) - n, ",v1=" HEX64A);
	ck_assert_uint_le(n, SIG_HEADER_MAX);
	ck_assert_int_eq(sig_parse(v, n, &h), 0);
	ck_assert_uint_eq(h.nv1, SIG_MAX_V1);

	/* The right one as the 8th is looked at; as the 9th it is not. */
	make_header(right, sizeof(right), 100, "k");
	for (i = 7; i <= 8; i++) {
		size_t	 j;

		n = (size_t)snprintf(v, sizeof(v), "t=100");
		for (j = 0; j < i; j++)
			n += (size_t)snprintf(v + n, sizeof(v) - n,
			    ",v1=" HEX64A);
		snprintf(v + n, sizeof(v) - n, ",%s", strchr(right, ',') + 1);
		ck_assert_int_eq(sig_verify(v, "body", 4, keys, 1, 0, 100),
		    i == 7 ? SIG_OK : SIG_INVALID);
	}
}
END_TEST

/*
 * ekahook(8) "Signatures": the HMAC is over "<t>" as sent, leading zeros
 * and all.
 */
START_TEST(t_is_signed_as_sent)
{
	static const char	 body[] = "{\"event\":\"x\"}";
	char			 v[SIG_VALUE_LEN + 8], *keys[] = { "k" };
	unsigned char		 mac[SIG_DIGEST_LEN];
	struct hmac_sha256_ctx	 ctx;
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, n;

	hmac_sha256_set_key(&ctx, 1, (const uint8_t *)"k");
	hmac_sha256_update(&ctx, 5, (const uint8_t *)"0100.");
	hmac_sha256_update(&ctx, sizeof(body) - 1, (const uint8_t *)body);
	hmac_sha256_digest(&ctx, SIG_DIGEST_LEN, mac);
	n = (size_t)snprintf(v, sizeof(v), "t=0100,v1=");
	for (i = 0; i < SIG_DIGEST_LEN; i++) {
		v[n++] = hex[mac[i] >> 4];
		v[n++] = hex[mac[i] & 15];
	}
	v[n] = '\0';
	ck_assert_int_eq(sig_verify(v, body, sizeof(body) - 1, keys, 1, 0,
	    100), SIG_OK);
	/* The same digest under "t=100" is for other bytes. */
	memmove(v + 2, v + 3, strlen(v + 3) + 1);
	ck_assert_int_eq(strncmp(v, "t=100,v1=", 9), 0);
	ck_assert_int_eq(sig_verify(v, body, sizeof(body) - 1, keys, 1, 0,
	    100), SIG_INVALID);
}
END_TEST

START_TEST(oversized_header_is_invalid_and_empty_is_missing)
{
	char	*big, *keys[] = { "k" };
	size_t	 n = 10 * 1024, i;

	big = malloc(n + 1);
	ck_assert_ptr_nonnull(big);
	memcpy(big, "t=1", 3);
	for (i = 3; i + 68 <= n; i += 68)
		memcpy(big + i, ",v1=" HEX64A, 68);
	big[i] = '\0';
	ck_assert_int_eq(sig_verify(big, "body", 4, keys, 1, 0, 1),
	    SIG_INVALID);
	ck_assert_int_eq(sig_parse(big, strlen(big), &(struct sig_header){0}),
	    -1);
	free(big);
	ck_assert_int_eq(sig_verify("", "body", 4, keys, 1, 0, 1),
	    SIG_MISSING);
	ck_assert_int_eq(sig_verify(NULL, "body", 4, keys, 1, 0, 1),
	    SIG_MISSING);
	ck_assert_int_eq(sig_verify("garbage", "body", 4, keys, 1, 0, 1),
	    SIG_INVALID);
}
END_TEST

START_TEST(any_configured_key_may_match)
{
	char	 v[SIG_VALUE_LEN], *keys[] = { "old-key", "new-key", "third" };

	make_header(v, sizeof(v), 500, "new-key");
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 3, 60, 500), SIG_OK);
	make_header(v, sizeof(v), 500, "third");
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 3, 60, 500), SIG_OK);
	make_header(v, sizeof(v), 500, "other");
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 3, 60, 500),
	    SIG_INVALID);
	/* No key at all: nothing can match. */
	make_header(v, sizeof(v), 500, "old-key");
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 0, 60, 500),
	    SIG_INVALID);
}
END_TEST

START_TEST(any_v1_entry_may_match)
{
	char	 right[SIG_VALUE_LEN], v[512], *keys[] = { "k" };
	char	*hex;

	make_header(right, sizeof(right), 500, "k");
	hex = strchr(right, ',') + 1;
	snprintf(v, sizeof(v), "t=500,v1=" HEX64A ",%s,v1=" HEX64F, hex);
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 1, 60, 500), SIG_OK);
	snprintf(v, sizeof(v), "t=500,v1=" HEX64A ",v1=" HEX64F);
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 1, 60, 500),
	    SIG_INVALID);
}
END_TEST

START_TEST(uppercase_hex_verifies)
{
	char	 v[SIG_VALUE_LEN], *p, *keys[] = { "k" };

	make_header(v, sizeof(v), 500, "k");
	for (p = strchr(v, ',') + 4; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 1, 60, 500), SIG_OK);
}
END_TEST

START_TEST(tolerance_applies_both_ways)
{
	char	 v[SIG_VALUE_LEN], *keys[] = { "k" };
	long long t = 1763929242;

	make_header(v, sizeof(v), t, "k");
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 1, 180, t), SIG_OK);
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 1, 180, t + 180),
	    SIG_OK);
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 1, 180, t - 180),
	    SIG_OK);
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 1, 180, t + 181),
	    SIG_EXPIRED);
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 1, 180, t - 181),
	    SIG_EXPIRED);
	/* 0: no age check at all. */
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 1, 0, t + 100000000),
	    SIG_OK);
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 1, 0, 0), SIG_OK);
	/* A wrong signature is invalid, whatever its age. */
	v[strlen(v) - 1] ^= 1;
	ck_assert_int_eq(sig_verify(v, "body", 4, keys, 1, 180, t + 1000),
	    SIG_INVALID);
}
END_TEST

START_TEST(any_changed_byte_is_invalid)
{
	static const char body[] = "{\"event\":\"appointment.created\"}";
	char	 v[SIG_VALUE_LEN], copy[sizeof(body)], *keys[] = { "k" };
	size_t	 i;

	sig_format("k", 500, body, sizeof(body) - 1, v);
	ck_assert_int_eq(sig_verify(v, body, sizeof(body) - 1, keys, 1, 60,
	    500), SIG_OK);
	for (i = 0; i < sizeof(body) - 1; i++) {
		memcpy(copy, body, sizeof(body));
		copy[i] ^= 0x01;
		ck_assert_msg(sig_verify(v, copy, sizeof(body) - 1, keys, 1,
		    60, 500) == SIG_INVALID, "byte %zu", i);
	}
	/* One byte less or more. */
	ck_assert_int_eq(sig_verify(v, body, sizeof(body) - 2, keys, 1, 60,
	    500), SIG_INVALID);
	ck_assert_int_eq(sig_verify(v, body, sizeof(body), keys, 1, 60, 500),
	    SIG_INVALID);
	/* Another t, same mac: the time is signed too. */
	v[2] = v[2] == '5' ? '6' : '5';
	ck_assert_int_eq(sig_verify(v, body, sizeof(body) - 1, keys, 1, 0,
	    500), SIG_INVALID);
}
END_TEST

START_TEST(result_codes_name_the_spec_errors)
{
	ck_assert_str_eq(sig_result_code(SIG_OK), "verified");
	ck_assert_str_eq(sig_result_code(SIG_MISSING), "signature_missing");
	ck_assert_str_eq(sig_result_code(SIG_INVALID), "signature_invalid");
	ck_assert_str_eq(sig_result_code(SIG_EXPIRED), "signature_expired");
}
END_TEST

Suite *
sig_suite(void)
{
	Suite	*s = suite_create("sig");
	TCase	*tc;
	int	 nrfc = (int)(sizeof(rfc4231) / sizeof(rfc4231[0]));

	tc = tcase_create("hmac");
	tcase_add_loop_test(tc, hmac_sha256_matches_rfc4231, 0, nrfc);
	tcase_add_loop_test(tc, rfc4231_keys_round_trip_through_format_and_verify,
	    0, nrfc);
	tcase_add_test(tc, compute_signs_t_dot_body);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, header_parser_edges, 0,
	    (int)(sizeof(headers) / sizeof(headers[0])));
	tcase_add_test(tc, header_parser_reads_t_and_every_v1);
	tcase_add_test(tc, more_than_eight_v1_entries_keep_the_first_eight);
	tcase_add_test(tc, oversized_header_is_invalid_and_empty_is_missing);
	tcase_add_test(tc, t_is_signed_as_sent);
	suite_add_tcase(s, tc);

	tc = tcase_create("verify");
	tcase_add_test(tc, any_configured_key_may_match);
	tcase_add_test(tc, any_v1_entry_may_match);
	tcase_add_test(tc, uppercase_hex_verifies);
	tcase_add_test(tc, tolerance_applies_both_ways);
	tcase_add_test(tc, any_changed_byte_is_invalid);
	tcase_add_test(tc, result_codes_name_the_spec_errors);
	suite_add_tcase(s, tc);
	return s;
}

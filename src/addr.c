/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

#define ADDR_TEXT_MAX	64

static int	addr_parse_one(const char *, size_t, struct addr_rule *);
static int	addr_to_bytes(const char *, int *, unsigned char[16]);
static bool	prefix_match(const unsigned char *, const unsigned char *,
		    unsigned);

/*
 * Reads a textual address into 16 bytes; an IPv4-mapped IPv6 address
 * becomes the IPv4 address it carries.  Returns 0 or -1.
 */
static int
addr_to_bytes(const char *s, int *family, unsigned char out[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	unsigned char	 v6[16];

	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, v6) != 1)
		return -1;
	if (memcmp(v6, mapped, sizeof(mapped)) == 0) {
		memcpy(out, v6 + 12, 4);
		*family = AF_INET;
		return 0;
	}
	memcpy(out, v6, 16);
	*family = AF_INET6;
	return 0;
}

static int
addr_parse_one(const char *s, size_t n, struct addr_rule *r)
{
	char		 text[ADDR_TEXT_MAX], *slash, *end;
	unsigned long	 prefix;
	unsigned	 max;

	if (n == 0 || n >= sizeof(text))
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	if ((slash = strchr(text, '/')) != NULL)
		*slash++ = '\0';
	if (addr_to_bytes(text, &r->family, r->net) == -1)
		return -1;
	/* An IPv4-mapped address is written, and its prefix counted, as IPv6. */
	max = r->family == AF_INET && strchr(text, ':') == NULL ? 32 : 128;
	if (slash == NULL) {
		r->prefix = r->family == AF_INET ? 32 : 128;
		return 0;
	}
	if (*slash < '0' || *slash > '9')
		return -1;
	prefix = strtoul(slash, &end, 10);
	if (*end != '\0' || prefix > max)
		return -1;
	/* "::ffff:10.0.0.0/104" names IPv4 10.0.0.0/8. */
	if (r->family == AF_INET && strchr(text, ':') != NULL) {
		if (prefix < 96)
			return -1;
		prefix -= 96;
	}
	r->prefix = (unsigned)prefix;
	return 0;
}

int
addr_list_parse(const char *s, struct addr_list *l, char *err, size_t errlen)
{
	const char	*p, *b, *e, *t;
	size_t		 count = 1;

	memset(l, 0, sizeof(*l));
	for (p = s; *p != '\0'; p++)
		if (*p == ',')
			count++;
	if ((l->v = calloc(count, sizeof(*l->v))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (p = s; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '\0')
		return 0;	/* an empty list: anyone */
	for (p = s;; p = e + 1) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		for (b = p; b < e && (*b == ' ' || *b == '\t'); b++)
			;
		for (t = e; t > b && (t[-1] == ' ' || t[-1] == '\t'); t--)
			;
		if (b == t) {
			snprintf(err, errlen, "empty entry in the list");
			goto fail;
		}
		if (addr_parse_one(b, (size_t)(t - b), &l->v[l->n]) == -1) {
			snprintf(err, errlen,
			    "not an IPv4/IPv6 address or CIDR range: \"%.*s\"",
			    (int)(t - b) > 64 ? 64 : (int)(t - b), b);
			goto fail;
		}
		l->n++;
		if (*e == '\0')
			break;
	}
	return 0;
fail:
	addr_list_free(l);
	return -1;
}

void
addr_list_free(struct addr_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool
prefix_match(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned	 bytes = bits / 8, rest = bits % 8;
	unsigned char	 mask;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

bool
addr_list_match(const struct addr_list *l, const char *addr)
{
	unsigned char	 bytes[16];
	int		 family;
	size_t		 i;

	if (addr == NULL || addr_to_bytes(addr, &family, bytes) == -1)
		return false;
	for (i = 0; i < l->n; i++)
		if (l->v[i].family == family &&
		    prefix_match(bytes, l->v[i].net, l->v[i].prefix))
			return true;
	return false;
}

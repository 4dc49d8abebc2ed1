/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "plain.h"

static const char	 hex[] = "0123456789abcdef";

static void	 put_cp(struct buf *, unsigned long, size_t *, size_t);
static void	 put_byte(struct buf *, unsigned char);

static void
put_byte(struct buf *b, unsigned char c)
{
	char	 e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

	buf_append(b, e, sizeof(e));
}

void
plain_text(struct buf *b, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, len;
	unsigned long		 cp;

	while (i < n) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			buf_putc(b, (char)u[i++]);
			continue;
		}
		if (u[i] < 0x80) {
			put_byte(b, u[i++]);
			continue;
		}
		if ((len = buf_utf8_len(u + i, n - i)) == 0) {
			put_byte(b, u[i++]);
			continue;
		}
		if (buf_unsafe_char(u + i, len)) {
			cp = len == 2 ? (u[i] & 0x1fUL) << 6 | (u[i + 1] & 0x3fUL) :
			    (u[i] & 0x0fUL) << 12 | (u[i + 1] & 0x3fUL) << 6 |
			    (u[i + 2] & 0x3fUL);
			buf_printf(b, "\\u{%04lx}", cp);
		} else
			buf_append(b, s + i, len);
		i += len;
	}
}

/* A decoded code point, as UTF-8 through plain_text; counts characters. */
static void
put_cp(struct buf *b, unsigned long cp, size_t *count, size_t max)
{
	char	 u[4];
	size_t	 n;

	if (*count >= max)
		return;
	(*count)++;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		if (cp >= 0xd800 && cp <= 0xdfff) {
			buf_printf(b, "\\u{%04lx}", cp);
			return;
		}
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	plain_text(b, u, n);
}

static int
hex4(const char *s, unsigned long *v)
{
	int	 i, d;

	for (*v = 0, i = 0; i < 4; i++) {
		d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' :
		    s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 :
		    s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (unsigned long)d;
	}
	return 0;
}

void
plain_json_str_max(struct buf *b, const char *s, size_t n, size_t max)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned long		 cp, lo;
	size_t			 i = 0, count = 0, len;

	while (i < n && count < max) {
		if (s[i] != '\\') {
			len = u[i] < 0x80 ? 1 : buf_utf8_len(u + i, n - i);
			if (len == 0)
				len = 1;
			plain_text(b, s + i, len);
			count++;
			i += len;
			continue;
		}
		/* A backslash ending the text is shown, not taken for a cut. */
		switch (i + 1 < n ? s[i + 1] : '\0') {
		case '\0':
			break;
		case 'n': put_cp(b, '\n', &count, max); i += 2; continue;
		case 't': put_cp(b, '\t', &count, max); i += 2; continue;
		case 'r': put_cp(b, '\r', &count, max); i += 2; continue;
		case 'b': put_cp(b, '\b', &count, max); i += 2; continue;
		case 'f': put_cp(b, '\f', &count, max); i += 2; continue;
		case 'u':
			if (i + 6 > n || hex4(s + i + 2, &cp) == -1)
				break;
			i += 6;
			if (cp >= 0xd800 && cp <= 0xdbff && i + 6 <= n &&
			    s[i] == '\\' && s[i + 1] == 'u' &&
			    hex4(s + i + 2, &lo) == 0 && lo >= 0xdc00 &&
			    lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 6;
			}
			put_cp(b, cp, &count, max);
			continue;
		default:
			put_cp(b, (unsigned char)s[i + 1], &count, max);
			i += 2;
			continue;
		}
		put_byte(b, '\\');
		count++;
		i++;
	}
	if (i < n)
		buf_puts(b, "…");
}

void
plain_json_str(struct buf *b, const char *s, size_t n)
{
	plain_json_str_max(b, s, n, (size_t)-1);
}

void
plain_age(struct buf *b, long long s)
{
	if (s < 0)
		s = 0;
	if (s < 5)
		buf_puts(b, "just now");
	else if (s < 120)
		buf_printf(b, "%lld s ago", s);
	else if (s < 2 * 3600)
		buf_printf(b, "%lld min ago", s / 60);
	else if (s < 2 * 86400)
		buf_printf(b, "%lld h ago", s / 3600);
	else
		buf_printf(b, "%lld days ago", s / 86400);
}

void
plain_bytes(struct buf *b, unsigned long long n)
{
	static const char	*unit[] = { "KB", "MB", "GB", "TB" };
	double			 v = (double)n;
	int			 i = -1;

	if (n < 1000) {
		buf_printf(b, "%llu B", n);
		return;
	}
	/* 999950 B shows as 1.0 MB, not as 1000.0 KB once rounded. */
	while (v >= 999.95 && i < 3) {
		v /= 1000;
		i++;
	}
	buf_printf(b, "%.1f %s", v, unit[i]);
}

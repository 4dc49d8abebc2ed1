/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static bool	buf_reserve(struct buf *, size_t);

void
buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->broken = false;
}

bool
buf_ok(const struct buf *b)
{
	return !b->broken;
}

/* Makes room for n more bytes plus a NUL; false when that is impossible. */
static bool
buf_reserve(struct buf *b, size_t n)
{
	size_t	 want, cap;
	char	*p;

	if (b->broken)
		return false;
	if (n > SIZE_MAX - b->len - 1) {
		b->broken = true;
		return false;
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL) {
		b->broken = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

bool
buf_grow(struct buf *b, size_t n)
{
	return buf_reserve(b, n);
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0 || !buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	if (!buf_reserve(b, 1))
		return;
	b->data[b->len++] = c;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->broken = true;
		return;
	}
	if (!buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

size_t
buf_utf8_len(const unsigned char *p, size_t avail)
{
	size_t		 n, k;
	uint32_t	 cp;

	if (avail == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (avail < n)
		return 0;
	for (k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[k] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Bytes that are not well-formed UTF-8 (a REMOTE_ADDR from a hostile
 * proxy, a path cut inside a character) become U+FFFD, so the output is
 * always valid JSON text (RFC 8259 section 8.1).
 */
void
buf_json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t		 i, run, ulen;
	unsigned char	 c;
	unsigned	 cp;

	buf_putc(b, '"');
	for (i = 0; i < n; i += run) {
		/* Copy the longest run that needs no escaping in one go. */
		for (run = 0; i + run < n; run += ulen) {
			c = u[i + run];
			ulen = 1;
			if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)
				break;
			if (c >= 0x80 && ((ulen = buf_utf8_len(u + i + run,
			    n - i - run)) == 0 || buf_unsafe_char(u + i + run,
			    ulen)))
				break;
		}
		buf_append(b, s + i, run);
		if (i + run == n)
			break;
		c = u[i + run];
		if (c >= 0x80) {
			if ((ulen = buf_utf8_len(u + i + run, n - i - run)) == 0) {
				buf_append(b, "\\ufffd", 6);
				run++;
				continue;
			}
			/* A control or bidi character, written as \uXXXX. */
			cp = ulen == 2 ? (c & 0x1fu) << 6 | (u[i + run + 1] & 0x3fu) :
			    (c & 0x0fu) << 12 | (u[i + run + 1] & 0x3fu) << 6 |
			    (u[i + run + 2] & 0x3fu);
			{
				char e[6] = { '\\', 'u', hex[cp >> 12 & 15],
				    hex[cp >> 8 & 15], hex[cp >> 4 & 15],
				    hex[cp & 15] };
				buf_append(b, e, sizeof(e));
			}
			run += ulen;
			continue;
		}
		switch (c) {
		case '"':  buf_append(b, "\\\"", 2); break;
		case '\\': buf_append(b, "\\\\", 2); break;
		case '\n': buf_append(b, "\\n", 2); break;
		case '\r': buf_append(b, "\\r", 2); break;
		case '\t': buf_append(b, "\\t", 2); break;
		case '\b': buf_append(b, "\\b", 2); break;
		case '\f': buf_append(b, "\\f", 2); break;
		default: {
			char e[6] = { '\\', 'u', '0', '0',
			    hex[c >> 4], hex[c & 15] };
			buf_append(b, e, sizeof(e));
		}
		}
		run++;
	}
	buf_putc(b, '"');
}

/*
 * True for a character a person's terminal or editor may act on rather
 * than show: C1 controls (U+0080-U+009F), the line and paragraph
 * separators U+2028 and U+2029, and the bidirectional controls (U+061C,
 * U+200E, U+200F, U+202A-U+202E, U+2066-U+2069).  p[0..len) is one
 * well-formed UTF-8 character.
 */
bool
buf_unsafe_char(const unsigned char *p, size_t len)
{
	if (len == 2)
		return (p[0] == 0xc2 && p[1] <= 0x9f) ||
		    (p[0] == 0xd8 && p[1] == 0x9c);
	if (len != 3 || p[0] != 0xe2)
		return false;
	if (p[1] == 0x80)
		return p[2] == 0x8e || p[2] == 0x8f ||
		    (p[2] >= 0xa8 && p[2] <= 0xae);
	return p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9;
}

void
buf_json_cstr(struct buf *b, const char *s)
{
	buf_json_str(b, s, strlen(s));
}

char *
buf_cstr(struct buf *b)
{
	if (!buf_reserve(b, 0))
		return NULL;
	b->data[b->len] = '\0';
	return b->data;
}

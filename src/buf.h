/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_BUF_H
#define EKAHOOK_BUF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A growable byte buffer.  Appends never fail silently: once an
 * allocation fails the buffer is marked broken, later appends do
 * nothing, and buf_ok() says false.  Callers check once at the end.
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	bool	 broken;
};

void	buf_init(struct buf *);
void	buf_free(struct buf *);
void	buf_reset(struct buf *);
bool	buf_ok(const struct buf *);
/* Makes room for n more bytes after len; false when it cannot. */
bool	buf_grow(struct buf *, size_t n);
void	buf_append(struct buf *, const void *, size_t);
void	buf_puts(struct buf *, const char *);
void	buf_putc(struct buf *, char);
void	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * The length of the well-formed UTF-8 character at p (RFC 3629: no
 * overlongs, no surrogates, nothing past U+10FFFF), or 0 if invalid.
 */
size_t	buf_utf8_len(const unsigned char *p, size_t avail);
/*
 * Appends s[0..n) as a JSON string.  Bytes that are not UTF-8 become
 * U+FFFD; control characters (C0, C1, U+2028, U+2029) and bidirectional
 * controls are written as \u escapes, so that no line of ekahook's
 * shows a person a raw one.
 */
void	buf_json_str(struct buf *, const char *, size_t);
/* True for a character buf_json_str escapes though it is not ASCII. */
bool	buf_unsafe_char(const unsigned char *p, size_t len);
/* Appends a NUL-terminated C string as a JSON string literal. */
void	buf_json_cstr(struct buf *, const char *);
/* Makes data NUL-terminated (not counted in len); returns data or NULL. */
char	*buf_cstr(struct buf *);

#endif

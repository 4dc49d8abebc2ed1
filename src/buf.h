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
/* Appends a JSON string literal (quotes included) for the given bytes. */
void	buf_json_str(struct buf *, const char *, size_t);
/* Appends a NUL-terminated C string as a JSON string literal. */
void	buf_json_cstr(struct buf *, const char *);
/* Makes data NUL-terminated (not counted in len); returns data or NULL. */
char	*buf_cstr(struct buf *);

#endif

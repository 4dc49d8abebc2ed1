/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_PLAIN_H
#define EKAHOOK_PLAIN_H

#include <stddef.h>

#include "buf.h"

/*
 * Text for a person's terminal (ekahookctl status, show, tail): what
 * came in a request never reaches it raw.  Control characters (C0, DEL,
 * C1), U+2028, U+2029 and the bidirectional controls are written as
 * \xHH or \u{XXXX}, bytes that are not UTF-8 as \xHH; the rest as is.
 */

/* Appends s[0..n), made safe. */
void	plain_text(struct buf *, const char *s, size_t n);
/* Appends the JSON string body s[0..n) (escaped as in the logs), decoded
 * and made safe. */
void	plain_json_str(struct buf *, const char *s, size_t n);
/* Appends at most max characters of that, then "…" when cut. */
void	plain_json_str_max(struct buf *, const char *s, size_t n,
	    size_t max);
/* "just now", "42 s ago", "3 min ago", "5 h ago", "2 days ago". */
void	plain_age(struct buf *, long long seconds);
/* "812 B", "1.2 KB", "10.0 MB", "3.4 GB". */
void	plain_bytes(struct buf *, unsigned long long);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_ADDR_H
#define EKAHOOK_ADDR_H

#include <stdbool.h>
#include <stddef.h>

/* One allow_from entry: an address with a prefix length (CIDR). */
struct addr_rule {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	net[16];
	unsigned	prefix;
};

struct addr_list {
	struct addr_rule	*v;
	size_t			 n;
};

/*
 * Parses a comma-separated list of addresses and CIDR ranges, blanks
 * around commas ignored.  Returns 0, or -1 with a reason in err.
 */
int	addr_list_parse(const char *, struct addr_list *, char *err,
	    size_t errlen);
void	addr_list_free(struct addr_list *);
/* True when addr (textual, as in REMOTE_ADDR) falls in some rule. */
bool	addr_list_match(const struct addr_list *, const char *addr);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_LISTEN_H
#define EKAHOOK_LISTEN_H

/*
 * Opens the FastCGI listening socket named by EKAHOOK_LISTEN:
 * "host:port", "[v6addr]:port", ":port" (loopback) or "/path.sock".
 * Returns the descriptor, or -1 with a reason in err.
 */
int	listen_open(const char *spec, char *err, unsigned long errlen);

#endif

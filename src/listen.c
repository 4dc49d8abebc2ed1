/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netdb.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"

#define LISTEN_BACKLOG	128
#define LISTEN_MODE	0660	/* the unix socket: owner and group */

static int	listen_unix(const char *, char *, unsigned long);
static int	listen_inet(const char *, char *, unsigned long);

static int
listen_unix(const char *path, char *err, unsigned long errlen)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);	/* fits: checked */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	(void)unlink(path);	/* a stale socket from an earlier run */
	/*
	 * Whoever can connect chooses requests: the server's group, never
	 * everyone, whatever the umask (ekahook(8) "Security").  Made so at
	 * once, then made exactly 0660.
	 */
	old = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	(void)umask(old);
	if (rc == -1 || chmod(path, LISTEN_MODE) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1) {
		close(fd);
		goto fail;
	}
	return fd;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

static int
listen_inet(const char *spec, char *err, unsigned long errlen)
{
	struct addrinfo	 hints, *res, *ai;
	char		 host[256];
	const char	*port, *h = host;
	size_t		 n;
	int		 fd = -1, one = 1, rc;

	if (spec[0] == '[') {
		const char *close_br = strchr(spec, ']');

		if (close_br == NULL || close_br[1] != ':')
			goto bad;
		n = (size_t)(close_br - spec - 1);
		port = close_br + 2;
		spec++;
	} else {
		if ((port = strrchr(spec, ':')) == NULL)
			goto bad;
		n = (size_t)(port - spec);
		port++;
	}
	if (n >= sizeof(host) || *port == '\0')
		goto bad;
	memcpy(host, spec, n);
	host[n] = '\0';
	if (n == 0)
		h = "127.0.0.1";
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(h, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", spec, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, LISTEN_BACKLOG) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd == -1)
		snprintf(err, errlen, "%s: %s", spec, strerror(errno));
	freeaddrinfo(res);
	return fd;
bad:
	snprintf(err, errlen,
	    "EKAHOOK_LISTEN must be host:port, [v6]:port or /path.sock, not \"%.64s\"",
	    spec);
	return -1;
}

int
listen_open(const char *spec, char *err, unsigned long errlen)
{
	if (spec[0] == '/')
		return listen_unix(spec, err, errlen);
	return listen_inet(spec, err, errlen);
}

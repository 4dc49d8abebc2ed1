/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fdpass.h"

/* Room for FDPASS_MAX_FDS descriptors, aligned as a cmsghdr must be. */
union fdpass_ctl {
	struct cmsghdr	 hdr;
	char		 buf[CMSG_SPACE(sizeof(int) * FDPASS_MAX_FDS)];
};

int
fdpass_send(int sock, const void *msg, size_t len, const int *fds,
    size_t nfds)
{
	union fdpass_ctl	 ctl;
	struct msghdr		 mh;
	struct iovec		 iov;
	struct cmsghdr		*cm;
	ssize_t			 n;

	if (len == 0 || nfds > FDPASS_MAX_FDS) {
		errno = EINVAL;
		return -1;
	}
	memset(&mh, 0, sizeof(mh));
	memset(&ctl, 0, sizeof(ctl));
	iov.iov_base = (void *)msg;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

ssize_t
fdpass_recv(int sock, void *msg, size_t cap, int *fds, size_t *nfds)
{
	union fdpass_ctl	 ctl;
	struct msghdr		 mh;
	struct iovec		 iov;
	struct cmsghdr		*cm;
	size_t			 i, n;
	ssize_t			 got;
	int			 fd;

	*nfds = 0;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = msg;
	iov.iov_len = cap;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	do
		got = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (got == -1 && errno == EINTR);
	if (got == -1)
		return -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(int));
			if (*nfds < FDPASS_MAX_FDS)
				fds[(*nfds)++] = fd;
			else
				close(fd);
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		for (i = 0; i < *nfds; i++)
			close(fds[i]);
		*nfds = 0;
		errno = EMSGSIZE;
		return -1;
	}
	return got;
}

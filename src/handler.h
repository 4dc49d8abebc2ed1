/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_HANDLER_H
#define EKAHOOK_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "catalog.h"
#include "conf.h"
#include "logfile.h"
#include "spool.h"

/* How one request reaches the handler: FastCGI, CGI or a test. */
struct req_io {
	/* A CGI parameter (REQUEST_METHOD, CONTENT_LENGTH, …) or NULL. */
	const char	*(*param)(void *ctx, const char *name);
	/* Reads body bytes: the count, 0 at the end, -1 on error. */
	ssize_t		 (*read)(void *ctx, char *p, size_t n);
	/* Writes answer bytes: 0 or -1. */
	int		 (*write)(void *ctx, const char *p, size_t n);
	void		*ctx;
};

/* State kept across the requests one process serves. */
struct handler {
	struct conf_cache	 cc;
	char			*exe_dir;
	char			*shipped_schemas; /* catalog_shipped_dir() */
	struct catalog		 schemas;
	struct logfile		 events;
	struct logfile		 rejects;
	struct spool		 spool;		/* the hook queue */
	struct buf		 body;
	struct buf		 line;
	struct buf		 out;
	bool			 warn_open;	/* say once: no signing_key */
	char			 said[512];	/* last untrusted path said */
	/* Set by handler_serve for the work done after the answer. */
	const struct conf	*conf;
	bool			 accepted;	/* a new event reached the log */
	bool			 hook_due;	/* and its hook should run */
	bool			 deduped;	/* a duplicate marker was made */
	const char		*alert_kind;	/* an alert to raise, or NULL */
	struct buf		 alert_msg;	/* its sentence, NUL-ended */
	struct buf		 alert_details;	/* its JSON object */
	char			 trouble[600];	/* the last storage failure */
	int			 status;
};

void	handler_init(struct handler *);
void	handler_free(struct handler *);
/* Serves one request: never fails, every problem becomes an answer. */
void	handler_serve(struct handler *, const struct req_io *);
/*
 * The configuration found without a request (EKAHOOK_CONFIG in the
 * process environment, or the default places), or NULL when it is in
 * error (said on stderr).  For a FastCGI process just started.
 */
const struct conf *handler_startup_conf(struct handler *);
/*
 * After the answer: housekeeping shared by every process of a state_dir
 * (old duplicate markers removed, at most once a minute).
 */
void	handler_after(struct handler *);
/*
 * True for "application/json", parameters allowed (ekahook(8)
 * "Requests", 415).
 */
bool	handler_is_json_type(const char *);

#endif

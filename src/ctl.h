/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_CTL_H
#define EKAHOOK_CTL_H

#include <stddef.h>

#include "conf.h"

/* ekahookctl's commands; each returns the exit status. */
int	ctl_send(int argc, char **argv);
int	ctl_replay(int argc, char **argv);
int	ctl_show(int argc, char **argv);
int	ctl_tail(int argc, char **argv);
int	ctl_status(int argc, char **argv);

/*
 * The configuration as ekahook would load it: config (--config), else
 * EKAHOOK_CONFIG, else the usual places.  0, or -1 after saying why on
 * stderr.
 */
int	ctl_load_conf(const char *config, struct conf *c);

/* Reads a whole file (or stdin for NULL / "-") into *out. 0 or -1. */
int	ctl_read_input(const char *path, char **out, size_t *len);
/* The sample appointment.created event shipped with ekahook. */
const char *ctl_sample_path(void);

#endif

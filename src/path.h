/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_PATH_H
#define EKAHOOK_PATH_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

/*
 * Paths: joined, cut to their directory, made absolute, and checked.
 * Each function returning a char * returns a malloc'd string, or NULL
 * when out of memory.
 */

/* p when it is absolute or dir is NULL, else "dir/p". */
char	*path_join(const char *dir, const char *p);
/* The directory part of a path ("." or "/" at the least). */
char	*path_dir_of(const char *path);
/*
 * dir made absolute against the working directory, so that a later
 * chdir does not move it; NULL also when the working directory is
 * unknown.
 */
char	*path_absolute(const char *dir);
/*
 * The directory of the running executable, symbolic links resolved
 * ("." when /proc/self/exe cannot be read).
 */
char	*path_exe_dir(void);
/*
 * True when path is absolute and the file and its directory are owned
 * by the effective user or root and writable by no one else: no other
 * user can change what the file says.  Otherwise why says what is
 * wrong.
 */
bool	 path_trusted(const char *path, char *why, size_t n);
/*
 * Makes the directory path with mode, and every missing directory above
 * it, as mkdir -p does; an existing one is fine.  Returns 0, or -1 with
 * errno.
 */
int	 path_make_dirs(const char *path, mode_t mode);

#endif

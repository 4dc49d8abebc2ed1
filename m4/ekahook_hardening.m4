# ekahook_hardening.m4: hardened compiler and linker defaults.
#
# EKAHOOK_HARDENING sets HARDEN_CFLAGS and HARDEN_LDFLAGS (added to
# AM_CFLAGS and AM_LDFLAGS) from the flags the toolchain takes:
#   -fstack-protector-strong           canaries in functions with arrays
#   -D_FORTIFY_SOURCE=2                checked string and stdio calls;
#                                      needs optimisation (glibc warns
#                                      without -O), and is left out with
#                                      --enable-sanitizers, whose
#                                      interceptors replace those calls
#   -fPIE / -pie                       a position-independent executable
#   -Wl,-z,relro,-z,now                full RELRO: GOT read-only, symbols
#                                      bound at start
# Each is tried with AC_LINK_IFELSE under -Werror on top of the user's
# CFLAGS, so a flag that only warns is not taken.
# tests/fuzz/hardening.sh checks the result on the built programs.

# EKAHOOK_TRY_HARDEN(CFLAGS, LDFLAGS)
AC_DEFUN([EKAHOOK_TRY_HARDEN], [
  AC_MSG_CHECKING([whether $CC takes $1 $2])
  ekahook_save_CFLAGS=$CFLAGS
  ekahook_save_LDFLAGS=$LDFLAGS
  CFLAGS="$CFLAGS $HARDEN_CFLAGS $1 -Werror"
  LDFLAGS="$LDFLAGS $HARDEN_LDFLAGS $2"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <stdio.h>
#include <string.h>]], [[char b[16];
snprintf(b, sizeof(b), "%d", (int)sizeof(b));
return (int)strlen(b);]])],
    [AC_MSG_RESULT([yes])
     HARDEN_CFLAGS="$HARDEN_CFLAGS $1"
     HARDEN_LDFLAGS="$HARDEN_LDFLAGS $2"],
    [AC_MSG_RESULT([no])])
  CFLAGS=$ekahook_save_CFLAGS
  LDFLAGS=$ekahook_save_LDFLAGS
])

AC_DEFUN([EKAHOOK_HARDENING], [
  HARDEN_CFLAGS=
  HARDEN_LDFLAGS=
  EKAHOOK_TRY_HARDEN([-fstack-protector-strong], [])
  AS_IF([test "x$enable_sanitizers" != xyes],
    [EKAHOOK_TRY_HARDEN([-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2], [])])
  EKAHOOK_TRY_HARDEN([-fPIE], [-pie])
  EKAHOOK_TRY_HARDEN([], [-Wl,-z,relro,-z,now])
  AC_SUBST([HARDEN_CFLAGS])
  AC_SUBST([HARDEN_LDFLAGS])
])

# ACME_CHECK_CFLAG(FLAG, [ACTION-IF-ACCEPTED], [ACTION-IF-REJECTED])
# Compile an empty program with FLAG (and -Werror, so that an unknown flag that
# only warns is rejected too).
AC_DEFUN([ACME_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([acme_cv], [acme_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [acme_cv], [
    acme_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS -Werror $1"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
      [AS_VAR_SET([acme_cv], [yes])], [AS_VAR_SET([acme_cv], [no])])
    CFLAGS=$acme_save_CFLAGS])
  AS_VAR_IF([acme_cv], [yes], [$2], [$3])
  AS_VAR_POPDEF([acme_cv])
])

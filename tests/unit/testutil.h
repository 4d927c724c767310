/*
 * testutil.h - assertions and helpers shared by the unit tests.
 *
 * Include after <cmocka.h>.  Everything here is a macro or a static
 * function, so that a failure is reported at the caller's line.
 */
#ifndef ACME_TESTUTIL_H
#define ACME_TESTUTIL_H

#include <string.h>

/* A string contains a substring; the failure message shows both. */
#define assert_contains(hay, needle) do {				\
	const char *hay_ = (hay), *needle_ = (needle);			\
									\
	if (hay_ == NULL || strstr(hay_, needle_) == NULL)		\
		fail_msg("\"%s\" does not contain \"%s\"",		\
		    hay_ != NULL ? hay_ : "(null)", needle_);		\
} while (0)

/* A problem has type t and a detail containing s. */
#define assert_problem(p, t, s) do {					\
	const struct problem *pp_ = (p);				\
									\
	if (pp_->type != (t))						\
		fail_msg("problem type %d (%s), want %d; detail \"%s\"",	\
		    (int)pp_->type, problem_type_name(pp_->type) != NULL ?	\
		    problem_type_name(pp_->type) : "none", (int)(t),	\
		    pp_->detail);					\
	assert_contains(pp_->detail, (s));				\
} while (0)

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#endif

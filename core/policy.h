/*
 * policy.h - what an issuing template allows: which identifiers, which
 * validity, which key types and extended key usages (acme-template(8)).
 */
#ifndef ACME_POLICY_H
#define ACME_POLICY_H

#include <stddef.h>
#include <time.h>

#include "db.h"
#include "identifier.h"

struct problem;

/*
 * Every identifier must match a rule of the template: a DNS name one of
 * its name rules (a wildcard identifier also needs allow_wildcard), an IP
 * address one of its address rules.  Returns 1, or 0 with p a
 * rejectedIdentifier with one subproblem per refused identifier.
 */
int	 policy_authorize(const struct db_policy *pol, const struct identifier *ids,
	    size_t n, struct problem *p);

/*
 * Asks refuse() about every identifier: NULL allows it, else it says why
 * not.  Returns 1 if none is refused, else 0 with p a rejectedIdentifier
 * with one subproblem each and the detail "R of N identifier" followed by
 * one (N is 1) or many, and " (see subproblems)".
 */
int	 policy_refuse_each(const struct identifier *ids, size_t n,
	    const char *(*refuse)(const struct identifier *, const void *),
	    const void *ctx, const char *one, const char *many, struct problem *p);

/* When policy_validity() is asked. */
enum validity_when {
	VALIDITY_ORDER,		/* newOrder: refuse a notBefore in the past */
	VALIDITY_ISSUE		/* finalize: issue from now on instead */
};

/*
 * The validity of a certificate issued now for an order that asked for
 * req_nb and req_na (0: not asked).  Without them: from now - CA_BACKDATE
 * for validity_days whole days.  Asked for: notBefore no earlier than
 * now - CA_BACKDATE (at finalize, an earlier one the order was accepted
 * with becomes that) and at most max_validity_days ahead, notAfter after
 * notBefore, and the span at most max_validity_days -- the backdating of
 * a notBefore not asked for shrinks to fit a notAfter that was.  A
 * notAfter not asked for ends with the issuing CA's certificate if that
 * ends sooner; one asked for beyond it is refused.  Returns
 * 1 with *nb and *na (inclusive), or 0 with p malformed.
 */
int	 policy_validity(const struct db_policy *pol, time_t now, time_t req_nb,
	    time_t req_na, enum validity_when when, time_t *nb, time_t *na,
	    struct problem *p);

/* The template's extended key usages as CA_EKU_* flags. */
unsigned policy_eku(const struct db_policy *pol);

#endif

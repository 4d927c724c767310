#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "ca.h"
#include "policy.h"
#include "problem.h"

#define DAY	86400

static int
allowed(const struct db_policy *pol, const struct identifier *id,
    const char **why)
{
	struct ip_rule r;

	if (id->type == IDENT_IP) {
		for (size_t i = 0; pol->ip_rules != NULL && pol->ip_rules[i] != NULL; i++)
			if (ip_rule_parse(pol->ip_rules[i], &r) && ip_rule_match(&r, id))
				return 1;
		*why = pol->ip_rules == NULL ?
		    "this endpoint's template allows no IP addresses" :
		    "no address rule of this endpoint's template matches it";
		return 0;
	}
	if (id->wildcard && !pol->allow_wildcard) {
		*why = "this endpoint's template allows no wildcard names";
		return 0;
	}
	for (size_t i = 0; pol->dns_rules != NULL && pol->dns_rules[i] != NULL; i++)
		if (ident_rule_match(pol->dns_rules[i], id))
			return 1;
	*why = "no name rule of this endpoint's template matches it";
	return 0;
}

int
policy_refuse_each(const struct identifier *ids, size_t n,
    const char *(*refuse)(const struct identifier *, const void *),
    const void *ctx, const char *one, const char *many, struct problem *p)
{
	const char	*why;
	size_t		 refused = 0;

	for (size_t i = 0; i < n; i++) {
		if ((why = refuse(&ids[i], ctx)) == NULL)
			continue;
		refused++;
		if (!problem_add_sub(p, PROB_REJECTED_IDENTIFIER,
		    ident_type_name(ids[i].type), ids[i].value, why))
			return problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
	}
	if (refused == 0)
		return 1;
	return problem_set(p, PROB_REJECTED_IDENTIFIER,
	    "%zu of %zu identifier%s (see subproblems)", refused, n,
	    n == 1 ? one : many);
}

/* policy_refuse_each()'s question for a template. */
static const char *
not_allowed(const struct identifier *id, const void *pol)
{
	const char *why;

	return allowed(pol, id, &why) ? NULL : why;
}

int
policy_authorize(const struct db_policy *pol, const struct identifier *ids,
    size_t n, struct problem *p)
{
	return policy_refuse_each(ids, n, not_allowed, pol,
	    " is not allowed on this endpoint", "s are not allowed on this endpoint",
	    p);
}

int
policy_validity(const struct db_policy *pol, time_t now, time_t req_nb,
    time_t req_na, enum validity_when when, time_t *nb, time_t *na,
    struct problem *p)
{
	time_t	max = (time_t)pol->max_validity_days * DAY;

	if (req_nb != 0 && req_nb < now - CA_BACKDATE) {
		if (when == VALIDITY_ORDER)
			return problem_set(p, PROB_MALFORMED,
			    "\"notBefore\" is more than %d minutes in the past",
			    CA_BACKDATE / 60);
		/* Accepted when the order was placed: issue from now on. */
		req_nb = now - CA_BACKDATE;
	}
	if (req_nb > now + max)
		return problem_set(p, PROB_MALFORMED,
		    "\"notBefore\" is more than %u days ahead", pol->max_validity_days);
	*nb = req_nb != 0 ? req_nb : now - CA_BACKDATE;
	if (req_na == 0)
		*na = *nb + (time_t)pol->validity_days * DAY - 1;
	else {
		*na = req_na;
		/*
		 * Without a notBefore asked for, the backdating is ours: it
		 * never makes an allowed notAfter too far.
		 */
		if (req_nb == 0 && *na - *nb + 1 > max && *na - now + 1 <= max)
			*nb = *na - max + 1;
	}
	/* No certificate outlives its issuer (RFC 5280 §6.1.3). */
	if (pol->ca_not_after != 0 && pol->ca_not_after <= *nb)
		return problem_set(p, PROB_SERVER_INTERNAL,
		    "the issuing CA's certificate has expired");
	if (pol->ca_not_after != 0 && *na > pol->ca_not_after) {
		if (req_na != 0)
			return problem_set(p, PROB_MALFORMED, "\"notAfter\" is "
			    "after the issuing CA's certificate expires (%lld)",
			    (long long)pol->ca_not_after);
		*na = (time_t)pol->ca_not_after;
	}
	if (*na <= *nb)
		return problem_set(p, PROB_MALFORMED,
		    "\"notAfter\" is not after \"notBefore\"");
	/* Inclusive bounds: a span of d days ends d days less a second later. */
	if (*na - *nb + 1 > max)
		return problem_set(p, PROB_MALFORMED,
		    "the certificate would be valid for longer than the %u days "
		    "this endpoint's template allows", pol->max_validity_days);
	return 1;
}

unsigned
policy_eku(const struct db_policy *pol)
{
	unsigned eku = 0;

	if (strstr(pol->eku, "serverAuth") != NULL)
		eku |= CA_EKU_SERVER_AUTH;
	if (strstr(pol->eku, "clientAuth") != NULL)
		eku |= CA_EKU_CLIENT_AUTH;
	return eku;
}

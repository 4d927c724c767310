/*
 * identifier.h - ACME identifiers (RFC 8555 §7.1.4, RFC 8738) and the
 * issuing-template rules that authorise them.
 *
 * An identifier from a client is parsed into its one normal form, so that
 * every later comparison (duplicates, CSR names, policy) is a string compare:
 * DNS names in lower case without a trailing dot, A-labels only; IP addresses
 * as inet_ntop(3) writes them (RFC 5952 for IPv6).
 */
#ifndef ACME_IDENTIFIER_H
#define ACME_IDENTIFIER_H

#include <stddef.h>
#include <stdint.h>

struct problem;

enum ident_type {
	IDENT_DNS,
	IDENT_IP
};

/* RFC 1035 §2.3.4: 253 characters of name; IPv6 text is shorter. */
#define IDENT_MAX	253

struct identifier {
	enum ident_type	 type;
	int		 wildcard;		/* DNS "*.name" */
	char		 value[IDENT_MAX + 1];	/* normal form, "*." included */
};

/* "dns" or "ip". */
const char	*ident_type_name(enum ident_type t);

/*
 * Parses and normalises one identifier.  Returns 1, or 0 with p set:
 * unsupportedIdentifier for another type, rejectedIdentifier for a value
 * that can never be issued (bad syntax, U-labels, misplaced wildcard, an
 * IP address written as a DNS name), malformed for a value that is not a
 * string of that type at all.
 */
int	 ident_parse(const char *type, const char *value, struct identifier *id,
	    struct problem *p);

/*
 * A name rule of an issuing template:
 *   "host.example.com"  that name only;
 *   "*.example.com"     every name below example.com, at any depth
 *                       (a.example.com, a.b.example.com), not example.com.
 * A wildcard identifier "*.B" matches "*.S" when B is S or below S, and
 * needs the template's allow_wildcard; no rule matches it otherwise.
 * ident_rule_valid: 1 if the rule is a name or "*." and a name, in normal form.
 */
int	 ident_rule_valid(const char *rule);
int	 ident_rule_match(const char *rule, const struct identifier *id);

/* An IP rule: "192.0.2.0/24", "2001:db8::/32", or one address (a /32 or /128). */
struct ip_rule {
	int	 family;
	uint8_t	 addr[16];
	unsigned prefix;
};
int	 ip_rule_parse(const char *text, struct ip_rule *r);
int	 ip_rule_match(const struct ip_rule *r, const struct identifier *id);

#endif

#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identifier.h"
#include "problem.h"

const char *
ident_type_name(enum ident_type t)
{
	return t == IDENT_IP ? "ip" : "dns";
}

static int
is_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/*
 * Checks a lower-cased DNS name without wildcard: labels of 1 to 63 LDH
 * characters, no hyphen at either end, and a last label that is not
 * all digits (so that no IPv4 address passes as a name).
 * Returns NULL or what is wrong.
 */
static const char *
dns_name_error(const char *name)
{
	const char	*label = name, *p;
	size_t		 len;
	int		 digits;

	for (;;) {
		digits = 1;
		for (p = label; *p != '\0' && *p != '.'; p++) {
			if (!is_ldh(*p))
				return (unsigned char)*p >= 0x80 ?
				    "is not ASCII; use the A-label (xn--) form" :
				    "has a character other than letters, digits, '-' and '.'";
			if (*p < '0' || *p > '9')
				digits = 0;
		}
		len = (size_t)(p - label);
		if (len == 0)
			return "has an empty label";
		if (len > 63)
			return "has a label longer than 63 characters";
		if (label[0] == '-' || label[len - 1] == '-')
			return "has a label that starts or ends with '-'";
		if (*p == '\0')
			break;
		label = p + 1;
	}
	/*
	 * One label ("localhost", "printer") is allowed: a private CA's
	 * templates decide which names are issued.
	 */
	if (digits)
		return "ends in a numeric label (an IP address is an \"ip\" identifier)";
	return NULL;
}

static int
parse_dns(const char *value, struct identifier *id, struct problem *p)
{
	const char	*err, *name;
	size_t		 len = strlen(value), i;

	if (len == 0)
		return problem_set(p, PROB_MALFORMED, "empty dns identifier");
	if (len > IDENT_MAX)
		return problem_set(p, PROB_REJECTED_IDENTIFIER,
		    "dns identifier is longer than %d characters", IDENT_MAX);
	for (i = 0; i <= len; i++) {
		char c = value[i];
		id->value[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	name = id->value;
	if (strncmp(name, "*.", 2) == 0) {
		id->wildcard = 1;
		name += 2;
	}
	if (strchr(name, '*') != NULL)
		return problem_set(p, PROB_REJECTED_IDENTIFIER,
		    "dns identifier \"%.*s\": a wildcard must be the whole leftmost label",
		    (int)len, value);
	if (len > 0 && value[len - 1] == '.')
		return problem_set(p, PROB_REJECTED_IDENTIFIER,
		    "dns identifier \"%s\" ends with a dot", value);
	if ((err = dns_name_error(name)) != NULL)
		return problem_set(p, PROB_REJECTED_IDENTIFIER,
		    "dns identifier \"%.*s\" %s", (int)len, value, err);
	return 1;
}

static int
parse_ip(const char *value, struct identifier *id, struct problem *p)
{
	unsigned char	buf[16];
	char		text[INET6_ADDRSTRLEN];

	if (strchr(value, ':') != NULL) {
		if (inet_pton(AF_INET6, value, buf) != 1)
			return problem_set(p, PROB_MALFORMED,
			    "ip identifier \"%.64s\" is not an IPv6 address", value);
		inet_ntop(AF_INET6, buf, text, sizeof(text));
	} else {
		/* RFC 8738 §3: dotted-quad, so no leading zeros either. */
		if (inet_pton(AF_INET, value, buf) != 1 ||
		    inet_ntop(AF_INET, buf, text, sizeof(text)) == NULL ||
		    strcmp(text, value) != 0)
			return problem_set(p, PROB_MALFORMED,
			    "ip identifier \"%.64s\" is not a dotted-quad IPv4 address", value);
	}
	snprintf(id->value, sizeof(id->value), "%s", text);
	return 1;
}

int
ident_parse(const char *type, const char *value, struct identifier *id,
    struct problem *p)
{
	memset(id, 0, sizeof(*id));
	if (strcmp(type, "dns") == 0) {
		id->type = IDENT_DNS;
		return parse_dns(value, id, p);
	}
	if (strcmp(type, "ip") == 0) {
		id->type = IDENT_IP;
		return parse_ip(value, id, p);
	}
	return problem_set(p, PROB_UNSUPPORTED_IDENTIFIER,
	    "identifier type \"%.32s\" is not supported; use \"dns\" or \"ip\"", type);
}

int
ident_rule_valid(const char *rule)
{
	struct identifier	id;
	struct problem		p;

	memset(&p, 0, sizeof(p));
	if (!ident_parse("dns", rule, &id, &p))
		return 0;
	/* Rules are written in normal form: lower case. */
	return strcmp(id.value, rule) == 0;
}

/* 1 if name is below suffix (at any depth), or equal when or_equal. */
static int
below(const char *name, const char *suffix, int or_equal)
{
	size_t	n = strlen(name), s = strlen(suffix);

	if (n == s)
		return or_equal && strcmp(name, suffix) == 0;
	return n > s && name[n - s - 1] == '.' && strcmp(name + n - s, suffix) == 0;
}

int
ident_rule_match(const char *rule, const struct identifier *id)
{
	if (id->type != IDENT_DNS)
		return 0;
	if (strncmp(rule, "*.", 2) != 0)
		return !id->wildcard && strcmp(rule, id->value) == 0;
	if (id->wildcard)
		return below(id->value + 2, rule + 2, 1);
	return below(id->value, rule + 2, 0);
}

int
ip_rule_parse(const char *text, struct ip_rule *r)
{
	char		 addr[INET6_ADDRSTRLEN + 1], *slash, *end;
	unsigned long	 prefix;
	unsigned	 max, i;

	memset(r, 0, sizeof(*r));
	if (strlen(text) >= sizeof(addr))
		return 0;
	snprintf(addr, sizeof(addr), "%s", text);
	if ((slash = strchr(addr, '/')) != NULL)
		*slash++ = '\0';
	r->family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(r->family, addr, r->addr) != 1)
		return 0;
	max = r->family == AF_INET ? 32 : 128;
	if (slash == NULL)
		prefix = max;
	else {
		if (*slash < '0' || *slash > '9')
			return 0;
		prefix = strtoul(slash, &end, 10);
		if (*end != '\0' || prefix > max)
			return 0;
	}
	r->prefix = (unsigned)prefix;
	/* Host bits must be zero: "192.0.2.1/24" is a typo, not a network. */
	for (i = r->prefix; i < max; i++)
		if (r->addr[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

int
ip_rule_match(const struct ip_rule *r, const struct identifier *id)
{
	uint8_t		buf[16];
	unsigned	i;

	if (id->type != IDENT_IP ||
	    inet_pton(r->family, id->value, buf) != 1)
		return 0;
	for (i = 0; i < r->prefix; i++)
		if ((buf[i / 8] ^ r->addr[i / 8]) & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

/*
 * acme-check - the administration scripts' view of the rules acme-fcgi
 * applies, from the same code:
 *
 *     acme-check dns-rule RULE...   name rules of an issuing template or
 *                                   of a managed challenge
 *     acme-check ip-rule CIDR...    address rules of an issuing template
 *     acme-check contact EMAIL...   contact addresses, as for an account
 *
 * Prints each in its normal form, one per line, if all are valid (a
 * contact as its mailto: URL); otherwise prints why the first invalid one
 * is not on stderr and exits 1.  Usage errors exit 2.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "contact.h"
#include "identifier.h"
#include "problem.h"

static int
dns_rule(const char *rule, int print)
{
	struct identifier	id;
	struct problem		p;

	memset(&p, 0, sizeof(p));
	if (!ident_parse("dns", rule, &id, &p)) {
		fprintf(stderr, "invalid name rule \"%s\": %s\n", rule, p.detail);
		return 0;
	}
	/* Rules are stored in normal form (lower case); compare that. */
	if (!ident_rule_valid(id.value)) {
		fprintf(stderr, "invalid name rule \"%s\"\n", rule);
		return 0;
	}
	if (print)
		printf("%s\n", id.value);
	return 1;
}

static int
ip_rule(const char *text, int print)
{
	struct ip_rule	r;
	char		buf[INET6_ADDRSTRLEN];

	if (!ip_rule_parse(text, &r)) {
		fprintf(stderr, "invalid address rule \"%s\": use ADDRESS or "
		    "NETWORK/PREFIX with the host bits zero\n", text);
		return 0;
	}
	inet_ntop(r.family, r.addr, buf, sizeof(buf));
	if (print)
		printf("%s/%u\n", buf, r.prefix);
	return 1;
}

/* An address, or its mailto: URL, as contact_parse() takes account contacts. */
static int
contact(const char *addr, int print)
{
	struct json_object	*arr = NULL, *url;
	struct problem		 p;
	char			 buf[CONTACT_MAX_LEN + 1], *norm = NULL;
	int			 ok = 0;

	memset(&p, 0, sizeof(p));
	if (snprintf(buf, sizeof(buf), "%s%s", strncasecmp(addr, "mailto:", 7) == 0 ?
	    "" : "mailto:", addr) >= (int)sizeof(buf)) {
		fprintf(stderr, "invalid contact \"%s\": longer than %d characters\n",
		    addr, CONTACT_MAX_LEN);
		return 0;
	}
	if ((arr = json_object_new_array()) == NULL ||
	    (url = json_object_new_string(buf)) == NULL ||
	    json_object_array_add(arr, url) != 0) {
		fprintf(stderr, "out of memory\n");
		goto out;
	}
	if (!contact_parse(arr, 1, &norm, &p)) {
		fprintf(stderr, "invalid contact \"%s\": %s\n", addr, p.detail);
		goto out;
	}
	/* One address: norm is ["mailto:..."], and needs no unescaping. */
	if (print)
		printf("mailto:%s\n", buf + 7);
	ok = 1;
out:
	free(norm);
	json_object_put(arr);
	return ok;
}

int
main(int argc, char *argv[])
{
	int	(*fn)(const char *, int);
	int	 i;

	if (argc < 3)
		goto usage;
	if (strcmp(argv[1], "dns-rule") == 0)
		fn = dns_rule;
	else if (strcmp(argv[1], "ip-rule") == 0)
		fn = ip_rule;
	else if (strcmp(argv[1], "contact") == 0)
		fn = contact;
	else
		goto usage;
	/* Nothing is printed unless every rule is valid. */
	for (i = 2; i < argc; i++)
		if (!fn(argv[i], 0))
			return 1;
	for (i = 2; i < argc; i++)
		fn(argv[i], 1);
	return fflush(stdout) == 0 ? 0 : 1;
usage:
	fprintf(stderr, "usage: acme-check dns-rule RULE... | ip-rule CIDR... | "
	    "contact EMAIL...\n");
	return 2;
}

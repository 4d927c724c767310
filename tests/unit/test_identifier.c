/*
 * test_identifier.c - identifier normal forms (RFC 8555 §7.1.4, RFC 8738)
 * and the name and address rules of issuing templates.
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "identifier.h"
#include "problem.h"
#include "testutil.h"

static void
accepted(const char *type, const char *value, const char *want, int wildcard)
{
	struct identifier	id;
	struct problem		p;

	memset(&p, 0, sizeof(p));
	if (!ident_parse(type, value, &id, &p))
		fail_msg("%s \"%s\" refused: %s", type, value, p.detail);
	assert_string_equal(id.value, want);
	assert_int_equal(id.wildcard, wildcard);
	assert_string_equal(ident_type_name(id.type), type);
}

#define refused(ty, val, t, s) do {					\
	struct identifier	id_;					\
	struct problem		p_;					\
									\
	memset(&p_, 0, sizeof(p_));					\
	if (ident_parse((ty), (val), &id_, &p_))			\
		fail_msg("%s \"%s\" accepted as \"%s\"", (ty), (val), id_.value); \
	assert_problem(&p_, (t), (s));					\
} while (0)

static void
test_dns_normal_form(void **state)
{
	(void)state;
	accepted("dns", "www.example.com", "www.example.com", 0);
	accepted("dns", "WWW.Example.COM", "www.example.com", 0);
	accepted("dns", "*.Example.com", "*.example.com", 1);
	accepted("dns", "xn--bcher-kva.example", "xn--bcher-kva.example", 0);
	accepted("dns", "a-b.c0.example", "a-b.c0.example", 0);
	accepted("dns", "localhost", "localhost", 0);
	accepted("dns", "1.2.3.example", "1.2.3.example", 0);
}

static void
test_dns_lengths(void **state)
{
	char	name[300];

	(void)state;
	/* 63 characters in a label is the most. */
	memset(name, 'a', 63);
	strcpy(name + 63, ".example");
	accepted("dns", name, name, 0);
	memset(name, 'a', 64);
	strcpy(name + 64, ".example");
	refused("dns", name, PROB_REJECTED_IDENTIFIER, "longer than 63");
	/* 253 characters in all. */
	for (int i = 0; i < 4; i++) {
		memset(name + i * 64, 'a', 63);
		name[i * 64 + 63] = '.';
	}
	name[253] = '\0';
	name[252] = 'b';
	accepted("dns", name, name, 0);
	name[253] = 'c';
	name[254] = '\0';
	refused("dns", name, PROB_REJECTED_IDENTIFIER, "longer than 253");
}

static void
test_dns_rejected(void **state)
{
	(void)state;
	refused("dns", "", PROB_MALFORMED, "empty");
	refused("dns", "www.example.com.", PROB_REJECTED_IDENTIFIER, "ends with a dot");
	refused("dns", "www..example.com", PROB_REJECTED_IDENTIFIER, "empty label");
	refused("dns", ".example.com", PROB_REJECTED_IDENTIFIER, "empty label");
	refused("dns", "-a.example.com", PROB_REJECTED_IDENTIFIER, "'-'");
	refused("dns", "a-.example.com", PROB_REJECTED_IDENTIFIER, "'-'");
	refused("dns", "a_b.example.com", PROB_REJECTED_IDENTIFIER, "character");
	refused("dns", "a b.example.com", PROB_REJECTED_IDENTIFIER, "character");
	refused("dns", "b\xc3\xbc" "cher.example", PROB_REJECTED_IDENTIFIER, "A-label");
	refused("dns", "192.0.2.1", PROB_REJECTED_IDENTIFIER, "numeric");
	refused("dns", "www.*.example.com", PROB_REJECTED_IDENTIFIER, "wildcard");
	refused("dns", "*a.example.com", PROB_REJECTED_IDENTIFIER, "wildcard");
	refused("dns", "*.*.example.com", PROB_REJECTED_IDENTIFIER, "wildcard");
	refused("dns", "*", PROB_REJECTED_IDENTIFIER, "wildcard");
	refused("dns", "*.", PROB_REJECTED_IDENTIFIER, "dot");
}

static void
test_ip(void **state)
{
	(void)state;
	accepted("ip", "192.0.2.1", "192.0.2.1", 0);
	accepted("ip", "2001:DB8:0:0:0:0:0:1", "2001:db8::1", 0);
	accepted("ip", "::ffff:192.0.2.1", "::ffff:192.0.2.1", 0);
	refused("ip", "192.0.2.01", PROB_MALFORMED, "dotted-quad");
	refused("ip", "192.0.2", PROB_MALFORMED, "dotted-quad");
	refused("ip", "192.0.2.256", PROB_MALFORMED, "dotted-quad");
	refused("ip", "example.com", PROB_MALFORMED, "IPv4");
	refused("ip", "2001:db8::1::2", PROB_MALFORMED, "IPv6");
	refused("ip", "fe80::1%eth0", PROB_MALFORMED, "IPv6");
}

static void
test_other_types(void **state)
{
	(void)state;
	refused("email", "a@example.com", PROB_UNSUPPORTED_IDENTIFIER, "\"email\"");
	refused("DNS", "example.com", PROB_UNSUPPORTED_IDENTIFIER, "not supported");
}

static int
match(const char *rule, const char *type, const char *value)
{
	struct identifier	id;
	struct problem		p;

	memset(&p, 0, sizeof(p));
	if (!ident_parse(type, value, &id, &p))
		fail_msg("test identifier \"%s\" refused: %s", value, p.detail);
	assert_true(ident_rule_valid(rule));
	return ident_rule_match(rule, &id);
}

static void
test_rule_exact(void **state)
{
	(void)state;
	assert_true(match("www.example.com", "dns", "WWW.example.com"));
	assert_false(match("www.example.com", "dns", "a.www.example.com"));
	assert_false(match("www.example.com", "dns", "example.com"));
	assert_false(match("www.example.com", "dns", "*.example.com"));
	assert_false(match("example.com", "dns", "*.example.com"));
	assert_false(match("example.com", "dns", "wwwexample.com"));
}

static void
test_rule_suffix(void **state)
{
	(void)state;
	assert_true(match("*.example.com", "dns", "a.example.com"));
	assert_true(match("*.example.com", "dns", "a.b.example.com"));
	assert_false(match("*.example.com", "dns", "example.com"));
	assert_false(match("*.example.com", "dns", "aexample.com"));
	assert_false(match("*.example.com", "dns", "a.example.com.evil.test"));
	assert_false(match("*.example.com", "dns", "a.example.org"));
	/* Wildcard identifiers: at or below the rule's name. */
	assert_true(match("*.example.com", "dns", "*.example.com"));
	assert_true(match("*.example.com", "dns", "*.a.example.com"));
	assert_false(match("*.a.example.com", "dns", "*.example.com"));
	assert_false(match("*.example.com", "dns", "*.badexample.com"));
	/* No name rule matches an address. */
	assert_false(match("*.example.com", "ip", "192.0.2.1"));
}

static void
test_rule_validity(void **state)
{
	(void)state;
	assert_true(ident_rule_valid("example.com"));
	assert_true(ident_rule_valid("*.example.com"));
	assert_true(ident_rule_valid("localhost"));
	assert_false(ident_rule_valid("Example.com"));
	assert_false(ident_rule_valid("*example.com"));
	assert_false(ident_rule_valid("a.*.example.com"));
	assert_false(ident_rule_valid("example.com."));
	assert_false(ident_rule_valid(""));
	assert_false(ident_rule_valid("10.0.0.1"));
}

static int
ipmatch(const char *rule, const char *addr)
{
	struct ip_rule		r;
	struct identifier	id;
	struct problem		p;

	memset(&p, 0, sizeof(p));
	if (!ip_rule_parse(rule, &r))
		fail_msg("rule \"%s\" refused", rule);
	if (!ident_parse("ip", addr, &id, &p))
		fail_msg("address \"%s\" refused: %s", addr, p.detail);
	return ip_rule_match(&r, &id);
}

static void
test_ip_rules(void **state)
{
	struct ip_rule	r;

	(void)state;
	assert_true(ipmatch("192.0.2.0/24", "192.0.2.255"));
	assert_false(ipmatch("192.0.2.0/24", "192.0.3.0"));
	assert_true(ipmatch("192.0.2.7", "192.0.2.7"));
	assert_false(ipmatch("192.0.2.7", "192.0.2.8"));
	assert_true(ipmatch("0.0.0.0/0", "203.0.113.9"));
	assert_false(ipmatch("0.0.0.0/0", "2001:db8::1"));
	assert_true(ipmatch("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(ipmatch("2001:db8::/32", "2001:db9::1"));
	assert_true(ipmatch("10.0.0.0/7", "11.255.0.1"));
	assert_false(ipmatch("10.0.0.0/7", "12.0.0.1"));
	assert_false(ip_rule_parse("192.0.2.1/24", &r));	/* host bits set */
	assert_false(ip_rule_parse("192.0.2.0/33", &r));
	assert_false(ip_rule_parse("192.0.2.0/", &r));
	assert_false(ip_rule_parse("192.0.2.0/-1", &r));
	assert_false(ip_rule_parse("192.0.2.0/24x", &r));
	assert_false(ip_rule_parse("2001:db8::/129", &r));
	assert_false(ip_rule_parse("example.com", &r));
	assert_false(ip_rule_parse("", &r));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_normal_form),
		cmocka_unit_test(test_dns_lengths),
		cmocka_unit_test(test_dns_rejected),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_other_types),
		cmocka_unit_test(test_rule_exact),
		cmocka_unit_test(test_rule_suffix),
		cmocka_unit_test(test_rule_validity),
		cmocka_unit_test(test_ip_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_config.c - acme-fcgi.conf(5): defaults, every key, and every error
 * reported as "file:line: reason".
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "fixture.h"
#include "testutil.h"

#define tmpdir	fixture_dir
static unsigned	nfiles;

/* Writes text to a new file in the temporary directory; path out. */
static void
conf_file(const char *text, char *path, size_t len)
{
	char name[32];

	snprintf(name, sizeof(name), "conf%u", nfiles++);
	assert_true(fixture_path(path, len, tmpdir, name));
	assert_true(fixture_write(path, text));
}

/* Loads text over the defaults; returns config_load()'s result. */
static int
load(const char *text, struct config *c, char *path, char *err, size_t errlen)
{
	config_defaults(c);
	conf_file(text, path, FIXTURE_PATH_MAX);
	err[0] = '\0';
	return config_load(c, path, err, errlen);
}

/* Asserts that text is refused with "PATH:line: " followed by reason. */
static void
refused(const char *text, unsigned line, const char *reason)
{
	struct config	c;
	char		path[FIXTURE_PATH_MAX], err[512], want[FIXTURE_PATH_MAX + 16];

	if (load(text, &c, path, err, sizeof(err))) {
		config_free(&c);
		fail_msg("accepted: %s", text);
	}
	snprintf(want, sizeof(want), "%s:%u: ", path, line);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", err, want);
	assert_contains(err + strlen(want), reason);
	config_free(&c);
}

/* Asserts that text loads. */
static void
accepted(const char *text, struct config *c)
{
	char path[FIXTURE_PATH_MAX], err[512];

	if (!load(text, c, path, err, sizeof(err)))
		fail_msg("refused (%s): %s", err, text);
}

static void
test_defaults(void **state)
{
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_null(c.database);
	assert_null(c.base_url);
	assert_null(c.base_path);
	assert_null(c.terms_of_service);
	assert_null(c.website);
	assert_null(c.listen);
	assert_int_equal(c.workers, 4);
	assert_int_equal(c.nonce_lifetime, 3600);
	assert_int_equal(c.max_body, 65536);
	assert_int_equal(c.max_json_depth, 10);
	assert_int_equal(c.max_contacts, 4);
	assert_int_equal(c.max_identifiers, 100);
	assert_int_equal(c.order_lifetime, 604800);
	assert_int_equal(c.orders_per_page, 100);
	assert_int_equal(c.max_pending_orders, 300);
	assert_int_equal(c.upstream_timeout, 1800);
	assert_int_equal(c.job_processes, 4);
	assert_null(c.location_header);
	assert_int_equal(c.busy_timeout, 5000);
	assert_int_equal(c.log_level, LOG_LVL_INFO);
	assert_int_equal(c.log_syslog, 0);
	config_free(&c);
}

static void
test_every_key(void **state)
{
	struct config c;

	(void)state;
	accepted("# acme-fcgi.conf\n"
	    "\n"
	    "database = /var/lib/acme/acme.db\n"
	    "base_url = https://ca.example/acme\n"
	    "terms_of_service = https://ca.example/tos.pdf\n"
	    "website = http://ca.example/\n"
	    "listen = unix:/run/acme.sock\n"
	    "workers = 8\n"
	    "nonce_lifetime = 600\n"
	    "max_body = 131072\n"
	    "max_json_depth = 12\n"
	    "max_contacts = 0\n"
	    "max_identifiers = 10\n"
	    "order_lifetime = 3600\n"
	    "orders_per_page = 2\n"
	    "max_pending_orders = 7\n"
	    "upstream_timeout = 30\n"
	    "job_processes = 64\n"
	    "rfc2136_solver = /opt/acme/rfc2136-solver\n"
	    "location_header = Acme-Location\n"
	    "busy_timeout = 2500\n"
	    "log_level = debug\n"
	    "log = syslog\n", &c);
	assert_string_equal(c.database, "/var/lib/acme/acme.db");
	assert_string_equal(c.base_url, "https://ca.example/acme");
	assert_string_equal(c.base_path, "/acme");
	assert_string_equal(c.terms_of_service, "https://ca.example/tos.pdf");
	assert_string_equal(c.website, "http://ca.example/");
	assert_string_equal(c.listen, "unix:/run/acme.sock");
	assert_int_equal(c.workers, 8);
	assert_int_equal(c.nonce_lifetime, 600);
	assert_int_equal(c.max_body, 131072);
	assert_int_equal(c.max_json_depth, 12);
	assert_int_equal(c.max_contacts, 0);
	assert_int_equal(c.max_identifiers, 10);
	assert_int_equal(c.order_lifetime, 3600);
	assert_int_equal(c.orders_per_page, 2);
	assert_int_equal(c.max_pending_orders, 7);
	assert_int_equal(c.upstream_timeout, 30);
	assert_int_equal(c.job_processes, 64);
	assert_string_equal(c.rfc2136_solver, "/opt/acme/rfc2136-solver");
	assert_string_equal(c.location_header, "Acme-Location");
	assert_int_equal(c.busy_timeout, 2500);
	assert_int_equal(c.log_level, LOG_LVL_DEBUG);
	assert_int_equal(c.log_syslog, 1);
	config_free(&c);
}

static void
test_whitespace_comments_and_crlf(void **state)
{
	struct config c;

	(void)state;
	accepted("  # comment\r\n\t\r\n  workers\t=\t16  \r\n"
	    "database=/db # not a comment\n", &c);
	assert_int_equal(c.workers, 16);
	assert_string_equal(c.database, "/db # not a comment");
	config_free(&c);
}

static void
test_log_levels(void **state)
{
	static const struct {
		const char	*name;
		enum log_level	 level;
	} levels[] = {
		{ "error", LOG_LVL_ERR }, { "warning", LOG_LVL_WARN },
		{ "info", LOG_LVL_INFO }, { "debug", LOG_LVL_DEBUG },
	};
	struct config	c;
	char		err[256];

	(void)state;
	for (size_t i = 0; i < nitems(levels); i++) {
		config_defaults(&c);
		assert_true(config_set(&c, "log_level", levels[i].name, err,
		    sizeof(err)));
		assert_int_equal(c.log_level, levels[i].level);
		config_free(&c);
	}
}

static void
test_rejects_unknown_key(void **state)
{
	(void)state;
	refused("workers = 2\nwrokers = 2\n", 2, "unknown key \"wrokers\"");
	refused("Workers = 2\n", 1, "unknown key \"Workers\"");
}

static void
test_rejects_duplicate_key(void **state)
{
	(void)state;
	refused("workers = 2\n# again\nworkers = 2\n", 3, "\"workers\" set twice");
	refused("base_url = https://a.test\nbase_url = https://a.test\n", 2,
	    "\"base_url\" set twice");
}

static void
test_rejects_missing_equals(void **state)
{
	(void)state;
	refused("workers 2\n", 1, "expected \"key = value\"");
	refused("\n\ndatabase\n", 3, "expected \"key = value\"");
}

static void
test_rejects_empty_value(void **state)
{
	(void)state;
	refused("database =\n", 1, "database: empty value");
	refused("listen =   \n", 1, "listen: empty value");
}

static void
test_rejects_integer_out_of_range(void **state)
{
	struct config c;

	(void)state;
	refused("workers = 0\n", 1, "workers: not an integer from 1 to 256");
	refused("workers = 257\n", 1, "workers: not an integer from 1 to 256");
	refused("nonce_lifetime = 59\n", 1, "nonce_lifetime: not an integer from 60");
	refused("max_body = 4095\n", 1, "max_body: not an integer from 4096");
	refused("max_json_depth = 65\n", 1, "max_json_depth: not an integer");
	refused("max_contacts = 33\n", 1, "max_contacts: not an integer from 0 to 32");
	refused("busy_timeout = 99\n", 1, "busy_timeout: not an integer");
	refused("max_identifiers = 0\n", 1, "max_identifiers: not an integer from 1 to 100");
	refused("max_identifiers = 101\n", 1, "max_identifiers: not an integer from 1 to 100");
	refused("order_lifetime = 299\n", 1, "order_lifetime: not an integer from 300");
	refused("order_lifetime = 2592001\n", 1, "order_lifetime: not an integer");
	refused("orders_per_page = 0\n", 1, "orders_per_page: not an integer from 1 to 1000");
	refused("orders_per_page = 1001\n", 1, "orders_per_page: not an integer");
	refused("max_pending_orders = 0\n", 1,
	    "max_pending_orders: not an integer from 1 to 10000");
	refused("max_pending_orders = 10001\n", 1,
	    "max_pending_orders: not an integer from 1 to 10000");
	refused("max_pending_orders = -1\n", 1, "max_pending_orders: not an integer");
	refused("upstream_timeout = 29\n", 1,
	    "upstream_timeout: not an integer from 30 to 604800");
	refused("upstream_timeout = 604801\n", 1, "upstream_timeout: not an integer");
	refused("job_processes = 0\n", 1, "job_processes: not an integer from 1 to 64");
	refused("job_processes = 65\n", 1, "job_processes: not an integer");
	refused("workers = 99999999999999999999999\n", 1, "workers: not an integer");
	/* The bounds themselves are accepted. */
	accepted("workers = 256\nnonce_lifetime = 60\nmax_body = 16777216\n", &c);
	assert_int_equal(c.workers, 256);
	assert_int_equal(c.max_body, 16777216);
	config_free(&c);
	accepted("max_pending_orders = 1\n", &c);
	assert_int_equal(c.max_pending_orders, 1);
	config_free(&c);
	accepted("max_pending_orders = 10000\n", &c);
	assert_int_equal(c.max_pending_orders, 10000);
	config_free(&c);
}

static void
test_rejects_non_integer(void **state)
{
	(void)state;
	refused("workers = 4x\n", 1, "workers: not an integer");
	refused("workers = -1\n", 1, "workers: not an integer");
	refused("workers = +4\n", 1, "workers: not an integer");
	refused("workers = 0x10\n", 1, "workers: not an integer");
	refused("workers = four\n", 1, "workers: not an integer");
	refused("workers = 4 4\n", 1, "workers: not an integer");
}

static void
test_rejects_bad_log_level(void **state)
{
	(void)state;
	refused("log_level = verbose\n", 1,
	    "log_level: not one of error, warning, info, debug");
	refused("log_level = DEBUG\n", 1, "log_level: not one of");
	refused("log = file\n", 1, "log: not one of stderr, syslog");
}

static void
test_rejects_non_http_url(void **state)
{
	(void)state;
	refused("base_url = ftp://ca.test/acme\n", 1,
	    "base_url: not an http(s) URL");
	refused("base_url = ca.test/acme\n", 1, "base_url: not an http(s) URL");
	refused("website = HTTPS://ca.test/\n", 1, "website: not an http(s) URL");
	refused("terms_of_service = https://\n", 1, "terms_of_service: not an");
	refused("base_url = https:///acme\n", 1, "base_url: not an http(s) URL");
}

static void
test_rejects_url_with_query_or_fragment(void **state)
{
	(void)state;
	refused("base_url = https://ca.test/acme?x=1\n", 1,
	    "without query or fragment");
	refused("base_url = https://ca.test/acme#top\n", 1,
	    "without query or fragment");
	refused("website = https://ca.test/?\n", 1, "without query or fragment");
	refused("website = https://ca.test/a b\n", 1, "website: not an http(s) URL");
}

static void
test_rejects_control_characters(void **state)
{
	(void)state;
	refused("database = /var/db\x01/acme.db\n", 1, "control characters");
	refused("listen = a\tb\n", 1, "control characters");
	refused("database = /a\x7f\n", 1, "control characters");
}

static void
test_rejects_overlong_line(void **state)
{
	char *text;

	(void)state;
	assert_non_null(text = malloc(8192));
	strcpy(text, "workers = 4\ndatabase = /");
	memset(text + strlen(text), 'd', 5000);
	strcpy(text + 24 + 5000, "\n");
	refused(text, 2, "line too long");
	free(text);
}

/* A refusal on a later line still names that line. */
static void
test_error_names_its_line(void **state)
{
	(void)state;
	refused("database = /db\nbase_url = https://ca.test\n\n# c\nworkers = 0\n",
	    5, "workers:");
}

static void
test_base_url_trailing_slashes(void **state)
{
	struct config c;

	(void)state;
	accepted("base_url = https://ca.test/acme///\n", &c);
	assert_string_equal(c.base_url, "https://ca.test/acme");
	assert_string_equal(c.base_path, "/acme");
	config_free(&c);
}

static void
test_base_path_derived(void **state)
{
	struct config c;

	(void)state;
	accepted("base_url = https://ca.test\n", &c);
	assert_string_equal(c.base_url, "https://ca.test");
	assert_string_equal(c.base_path, "");
	config_free(&c);
	accepted("base_url = https://ca.test/\n", &c);
	assert_string_equal(c.base_url, "https://ca.test");
	assert_string_equal(c.base_path, "");
	config_free(&c);
	accepted("base_url = http://ca.test:8080/a/b/\n", &c);
	assert_string_equal(c.base_url, "http://ca.test:8080/a/b");
	assert_string_equal(c.base_path, "/a/b");
	config_free(&c);
}

static void
test_check_requires_database(void **state)
{
	struct config	c;
	char		err[256] = "";

	(void)state;
	accepted("base_url = https://ca.test/acme\n", &c);
	assert_false(config_check(&c, err, sizeof(err)));
	assert_string_equal(err, "\"database\" is not set");
	config_free(&c);
}

static void
test_check_requires_base_url(void **state)
{
	struct config	c;
	char		err[256] = "";

	(void)state;
	accepted("database = /db\n", &c);
	assert_false(config_check(&c, err, sizeof(err)));
	assert_string_equal(err, "\"base_url\" is not set");
	config_free(&c);
}

/* A location_header that is not a header name is refused, whatever sets it. */
static void
test_check_location_header(void **state)
{
	static const char *const bad[] = {
		"Acme Location", "Location:", "X\r\nSet-Cookie", "é", "A_B",
		"a123456789012345678901234567890123456789012345678901234567890123456",
	};
	struct config	c;
	char		err[256] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		accepted("database = /db\nbase_url = https://ca.test/acme\n", &c);
		if (!config_set(&c, "location_header", bad[i], err, sizeof(err))) {
			config_free(&c);
			continue;	/* refused already (control characters) */
		}
		assert_false(config_check(&c, err, sizeof(err)));
		assert_string_equal(err, "\"location_header\" is not a header name");
		config_free(&c);
	}
	accepted("database = /db\nbase_url = https://ca.test/acme\n"
	    "location_header = Acme-Location\n", &c);
	assert_true(config_check(&c, err, sizeof(err)));
	config_free(&c);
}

/* The rfc2136 solver is named by an absolute file name. */
static void
test_check_rfc2136_solver(void **state)
{
	struct config	c;
	char		err[256] = "";

	(void)state;
	accepted("database = /db\nbase_url = https://ca.test/acme\n"
	    "rfc2136_solver = bin/rfc2136-solver\n", &c);
	assert_false(config_check(&c, err, sizeof(err)));
	assert_string_equal(err, "\"rfc2136_solver\" is not an absolute file name");
	config_free(&c);
	accepted("database = /db\nbase_url = https://ca.test/acme\n"
	    "rfc2136_solver = /usr/libexec/acme-fcgi/rfc2136-solver\n", &c);
	assert_true(config_check(&c, err, sizeof(err)));
	config_free(&c);
}

static void
test_check_passes(void **state)
{
	struct config	c;
	char		err[256] = "";

	(void)state;
	accepted("database = /db\nbase_url = https://ca.test/acme\n", &c);
	assert_true(config_check(&c, err, sizeof(err)));
	config_free(&c);
}

static void
test_missing_file(void **state)
{
	struct config	c;
	char		path[FIXTURE_PATH_MAX], err[512];

	(void)state;
	assert_true(fixture_path(path, sizeof(path), tmpdir, "no-such-file"));
	config_defaults(&c);
	assert_false(config_load(&c, path, err, sizeof(err)));
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	assert_contains(err, "No such file");
	config_free(&c);
}

/* config_set() is the command-line override: same checks, no file:line. */
static void
test_set_override(void **state)
{
	struct config	c;
	char		err[256];

	(void)state;
	config_defaults(&c);
	assert_true(config_set(&c, "workers", "2", err, sizeof(err)));
	assert_int_equal(c.workers, 2);
	assert_true(config_set(&c, "workers", "3", err, sizeof(err)));
	assert_int_equal(c.workers, 3);
	assert_false(config_set(&c, "workers", "0", err, sizeof(err)));
	assert_string_equal(err, "workers: not an integer from 1 to 256");
	assert_int_equal(c.workers, 3);
	assert_false(config_set(&c, "nope", "1", err, sizeof(err)));
	assert_string_equal(err, "unknown key \"nope\"");
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_whitespace_comments_and_crlf),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_rejects_unknown_key),
		cmocka_unit_test(test_rejects_duplicate_key),
		cmocka_unit_test(test_rejects_missing_equals),
		cmocka_unit_test(test_rejects_empty_value),
		cmocka_unit_test(test_rejects_integer_out_of_range),
		cmocka_unit_test(test_rejects_non_integer),
		cmocka_unit_test(test_rejects_bad_log_level),
		cmocka_unit_test(test_rejects_non_http_url),
		cmocka_unit_test(test_rejects_url_with_query_or_fragment),
		cmocka_unit_test(test_rejects_control_characters),
		cmocka_unit_test(test_rejects_overlong_line),
		cmocka_unit_test(test_error_names_its_line),
		cmocka_unit_test(test_base_url_trailing_slashes),
		cmocka_unit_test(test_base_path_derived),
		cmocka_unit_test(test_check_requires_database),
		cmocka_unit_test(test_check_requires_base_url),
		cmocka_unit_test(test_check_location_header),
		cmocka_unit_test(test_check_rfc2136_solver),
		cmocka_unit_test(test_check_passes),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_set_override),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}

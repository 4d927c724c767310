#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define LINE_MAX_LEN	4096

enum ctype {
	C_STRING,	/* any printable text */
	C_URL,		/* http:// or https:// URL without query or fragment */
	C_UINT,		/* unsigned integer in [min, max] */
	C_SIZE,		/* as C_UINT, into a size_t */
	C_LOGLEVEL,
	C_LOGDEST
};

static const struct ckey {
	const char	*name;
	enum ctype	 type;
	size_t		 off;
	unsigned long	 min, max;
} keys[] = {
	{ "database", C_STRING, offsetof(struct config, database), 0, 0 },
	{ "base_url", C_URL, offsetof(struct config, base_url), 0, 0 },
	{ "terms_of_service", C_URL, offsetof(struct config, terms_of_service), 0, 0 },
	{ "website", C_URL, offsetof(struct config, website), 0, 0 },
	{ "listen", C_STRING, offsetof(struct config, listen), 0, 0 },
	{ "location_header", C_STRING, offsetof(struct config, location_header), 0, 0 },
	{ "rfc2136_solver", C_STRING, offsetof(struct config, rfc2136_solver), 0, 0 },
	{ "workers", C_UINT, offsetof(struct config, workers), 1, 256 },
	{ "nonce_lifetime", C_UINT, offsetof(struct config, nonce_lifetime), 60, 86400 },
	{ "max_body", C_SIZE, offsetof(struct config, max_body), 4096, 16u << 20 },
	{ "max_json_depth", C_UINT, offsetof(struct config, max_json_depth), 4, 64 },
	{ "max_contacts", C_UINT, offsetof(struct config, max_contacts), 0, 32 },
	{ "max_identifiers", C_UINT, offsetof(struct config, max_identifiers), 1, 100 },
	{ "order_lifetime", C_UINT, offsetof(struct config, order_lifetime), 300, 2592000 },
	{ "orders_per_page", C_UINT, offsetof(struct config, orders_per_page), 1, 1000 },
	{ "max_pending_orders", C_UINT, offsetof(struct config, max_pending_orders), 1, 10000 },
	{ "upstream_timeout", C_UINT, offsetof(struct config, upstream_timeout), 30, 604800 },
	{ "job_processes", C_UINT, offsetof(struct config, job_processes), 1, 64 },
	{ "busy_timeout", C_UINT, offsetof(struct config, busy_timeout), 100, 600000 },
	{ "log_level", C_LOGLEVEL, offsetof(struct config, log_level), 0, 0 },
	{ "log", C_LOGDEST, offsetof(struct config, log_syslog), 0, 0 },
};

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->workers = 4;
	c->nonce_lifetime = 3600;
	c->max_body = 65536;
	c->max_json_depth = 10;
	c->max_contacts = 4;
	c->max_identifiers = 100;
	c->order_lifetime = 604800;
	c->orders_per_page = 100;
	/* Let's Encrypt allows 300 pending authorizations per account. */
	c->max_pending_orders = 300;
	c->upstream_timeout = 1800;
	c->job_processes = 4;
	c->busy_timeout = 5000;
	c->log_level = LOG_LVL_INFO;
	c->log_syslog = 0;
}

static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * An absolute http(s) URL with a host, no query, no fragment, no whitespace.
 * For base_url the path part is returned through *path (may be "").
 */
static int
url_ok(const char *v, const char **path)
{
	const char *host;

	if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else
		return 0;
	if (*host == '\0' || *host == '/' || strpbrk(v, "?# \t\"<>\\") != NULL)
		return 0;
	if (path != NULL)
		*path = host + strcspn(host, "/");
	return 1;
}

int
config_set(struct config *c, const char *key, const char *value, char *err,
    size_t errlen)
{
	const struct ckey	*k = NULL;
	char			**sp, *end;
	unsigned long		 n;
	const char		*path;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, key) == 0)
			k = &keys[i];
	if (k == NULL) {
		snprintf(err, errlen, "unknown key \"%s\"", key);
		return 0;
	}
	if (!printable(value) || *value == '\0') {
		snprintf(err, errlen, "%s: empty value or control characters", key);
		return 0;
	}
	switch (k->type) {
	case C_URL:
		if (!url_ok(value, NULL)) {
			snprintf(err, errlen,
			    "%s: not an http(s) URL without query or fragment", key);
			return 0;
		}
		/* FALLTHROUGH */
	case C_STRING:
		sp = (char **)((char *)c + k->off);
		free(*sp);
		if ((*sp = strdup(value)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return 0;
		}
		if (strcmp(key, "base_url") == 0) {
			size_t len = strlen(*sp);

			while (len > 0 && (*sp)[len - 1] == '/')
				(*sp)[--len] = '\0';
			url_ok(*sp, &path);
			free(c->base_path);
			if ((c->base_path = strdup(path)) == NULL) {
				snprintf(err, errlen, "out of memory");
				return 0;
			}
		}
		return 1;
	case C_UINT:
	case C_SIZE:
		errno = 0;
		n = strtoul(value, &end, 10);
		if (!isdigit((unsigned char)*value) || *end != '\0' || errno != 0 ||
		    n < k->min || n > k->max) {
			snprintf(err, errlen, "%s: not an integer from %lu to %lu",
			    key, k->min, k->max);
			return 0;
		}
		if (k->type == C_SIZE)
			*(size_t *)((char *)c + k->off) = n;
		else
			*(unsigned *)((char *)c + k->off) = (unsigned)n;
		return 1;
	case C_LOGLEVEL:
		if ((c->log_level = log_level_parse(value)) == LOG_LVL__MAX) {
			snprintf(err, errlen,
			    "%s: not one of error, warning, info, debug", key);
			c->log_level = LOG_LVL_INFO;
			return 0;
		}
		return 1;
	case C_LOGDEST:
		if (strcmp(value, "stderr") == 0)
			c->log_syslog = 0;
		else if (strcmp(value, "syslog") == 0)
			c->log_syslog = 1;
		else {
			snprintf(err, errlen, "%s: not one of stderr, syslog", key);
			return 0;
		}
		return 1;
	}
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE		*f;
	char		 line[LINE_MAX_LEN], msg[256], *k, *v, *eq;
	unsigned	 lineno = 0;
	/* One bit per key: each may appear once. */
	unsigned long	 seen = 0;
	int		 ok = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path, lineno);
			goto out;
		}
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			snprintf(err, errlen, "%s:%u: expected \"key = value\"", path, lineno);
			goto out;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(keys[i].name, k) == 0) {
				if (seen & (1ul << i)) {
					snprintf(err, errlen, "%s:%u: \"%s\" set twice",
					    path, lineno, k);
					goto out;
				}
				seen |= 1ul << i;
			}
		if (!config_set(c, k, v, msg, sizeof(msg))) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	ok = 1;
out:
	fclose(f);
	return ok;
}

int
config_check(const struct config *c, char *err, size_t errlen)
{
	if (c->database == NULL) {
		snprintf(err, errlen, "\"database\" is not set");
		return 0;
	}
	if (c->base_url == NULL) {
		snprintf(err, errlen, "\"base_url\" is not set");
		return 0;
	}
	if (c->location_header != NULL && (c->location_header[0] == '\0' ||
	    strspn(c->location_header, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(c->location_header) ||
	    strlen(c->location_header) > 64)) {
		snprintf(err, errlen, "\"location_header\" is not a header name");
		return 0;
	}
	if (c->rfc2136_solver != NULL && c->rfc2136_solver[0] != '/') {
		snprintf(err, errlen, "\"rfc2136_solver\" is not an absolute file name");
		return 0;
	}
	return 1;
}

void
config_free(struct config *c)
{
	free(c->database);
	free(c->base_url);
	free(c->base_path);
	free(c->terms_of_service);
	free(c->website);
	free(c->listen);
	free(c->location_header);
	free(c->rfc2136_solver);
	memset(c, 0, sizeof(*c));
}

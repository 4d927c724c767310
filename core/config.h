/*
 * config.h - the acme-fcgi configuration file, acme-fcgi.conf(5).
 *
 * "key = value" lines; blank lines and lines starting with '#' are ignored.
 * Unknown keys, repeated keys and out-of-range values are errors, so that a
 * typo never silently falls back to a default.
 */
#ifndef ACME_CONFIG_H
#define ACME_CONFIG_H

#include <stddef.h>

#include "log.h"

struct config {
	char		*database;		/* required */
	char		*base_url;		/* required; no trailing slash */
	char		*base_path;		/* path part of base_url ("" or "/x") */
	char		*terms_of_service;
	char		*website;
	char		*listen;
	char		*location_header;	/* Location of a 200 response, or NULL */
	char		*rfc2136_solver;	/* the rfc2136 solver program, or NULL */
	unsigned	 workers;
	unsigned	 nonce_lifetime;	/* seconds */
	size_t		 max_body;		/* bytes */
	unsigned	 max_json_depth;
	unsigned	 max_contacts;
	unsigned	 max_identifiers;	/* per order */
	unsigned	 order_lifetime;	/* seconds */
	unsigned	 orders_per_page;	/* account orders list */
	unsigned	 max_pending_orders;	/* unfinished orders per account */
	unsigned	 upstream_timeout;	/* seconds an upstream order may take */
	unsigned	 job_processes;		/* jobs one runner runs at once */
	unsigned	 busy_timeout;		/* milliseconds */
	enum log_level	 log_level;
	int		 log_syslog;
};

/* Fills in the defaults; every char * member NULL. */
void	 config_defaults(struct config *c);
/*
 * Reads path over the defaults.  Returns 1, or 0 with a message of at most
 * errlen bytes in err ("file:line: reason").
 */
int	 config_load(struct config *c, const char *path, char *err, size_t errlen);
/* Sets one key from text (also used for command-line overrides). */
int	 config_set(struct config *c, const char *key, const char *value,
	    char *err, size_t errlen);
/* Checks that the required keys are set.  Returns 1, or 0 with err. */
int	 config_check(const struct config *c, char *err, size_t errlen);
void	 config_free(struct config *c);

#endif

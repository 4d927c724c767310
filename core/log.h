/*
 * log.h - one-line diagnostics.
 *
 * Lines go to stderr (which web servers capture into their error log) or to
 * syslog.  Callers log once, where a failure happened, as
 * "func: callee: reason".  Secrets (HMAC keys, private keys) are never passed
 * to these functions.
 */
#ifndef ACME_LOG_H
#define ACME_LOG_H

enum log_level {
	LOG_LVL_ERR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
	LOG_LVL__MAX
};

void	log_init(const char *ident, int use_syslog, enum log_level max);
void	log_set_level(enum log_level max);
int	log_enabled(enum log_level lvl);
/* Parses "error", "warning", "info" or "debug"; LOG_LVL__MAX if unknown. */
enum log_level log_level_parse(const char *s);
void	log_msg(enum log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif

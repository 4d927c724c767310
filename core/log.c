#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_ident = "acme-fcgi";
static int		 log_syslog;
static enum log_level	 log_max = LOG_LVL_INFO;

static const char *const level_names[LOG_LVL__MAX] = {
	"error", "warning", "info", "debug"
};
static const int level_prio[LOG_LVL__MAX] = {
	LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG
};

void
log_init(const char *ident, int use_syslog, enum log_level max)
{
	log_ident = ident;
	log_syslog = use_syslog;
	log_max = max < LOG_LVL__MAX ? max : LOG_LVL_INFO;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level max)
{
	if (max < LOG_LVL__MAX)
		log_max = max;
}

int
log_enabled(enum log_level lvl)
{
	return lvl <= log_max;
}

enum log_level
log_level_parse(const char *s)
{
	for (int i = 0; i < LOG_LVL__MAX; i++)
		if (strcmp(s, level_names[i]) == 0)
			return (enum log_level)i;
	return LOG_LVL__MAX;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;

	if (lvl >= LOG_LVL__MAX || lvl > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One line per message: a newline in a message would forge a log line. */
	for (char *p = line; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (log_syslog) {
		syslog(level_prio[lvl], "%s", line);
		return;
	}
	fprintf(stderr, "%s[%ld]: %s: %s\n", log_ident, (long)getpid(),
	    level_names[lvl], line);
}

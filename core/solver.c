#include "autoconfig.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "acme_resp.h"
#include "buf.h"
#include "log.h"
#include "problem.h"
#include "solver.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR	"/usr/local/libexec/acme-fcgi"
#endif

#define RFC2136_PROG	LIBEXECDIR "/rfc2136-solver"
#define ACME_LABEL	"_acme-challenge."
/* base64url of a SHA-256 digest, unpadded (RFC 8555 §8.1, §8.4). */
#define DIGEST_B64_LEN	43
#define DNS_NAME_MAX	253
#define DNS_LABEL_MAX	63
/* Longest a single DNS query may take during propagation checks (ms). */
#define DNS_QUERY_MS	5000
/* Most NS names of a zone whose addresses are looked up. */
#define NS_NAMES_MAX	8
/* Longest TXT record (its strings joined) that is compared with a value. */
#define RDATA_TEXT_MAX	1024

static const char *const op_names[] = {
	[SOLVER_DEPLOY] = "deploy",
	[SOLVER_CLEAN] = "clean",
};

static const char *const kind_names[] = {
	[SOLVER_RFC2136] = "rfc2136",
	[SOLVER_HOOK] = "hook",
	[SOLVER_WEBROOT] = "webroot",
};

static const char *
mc_name(const struct solver *s)
{
	return s->name != NULL ? s->name : "?";
}

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- checks ------------------------------------------------------------------- */

/* 1 if s is min..max characters of the base64url alphabet (RFC 4648 §5). */
static int
is_b64url(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++) {
		if (n >= max)
			return 0;
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	}
	return n >= min;
}

/*
 * 1 if s is a lower-case DNS name of letters, digits and hyphens (RFC 1123
 * §2.1): labels of 1..63 characters that neither start nor end with a
 * hyphen, at most 253 in all, no trailing dot.  Such a name can reach an
 * argument vector or a file name without meaning anything but itself.
 */
static int
is_ldh_name(const char *s)
{
	size_t	n = 0, label = 0;
	char	prev = '.';

	for (; *s != '\0'; prev = *s++) {
		if (++n > DNS_NAME_MAX)
			return 0;
		if (*s == '.') {
			if (label == 0 || prev == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return 0;
		if (*s == '-' && label == 0)
			return 0;
		if (++label > DNS_LABEL_MAX)
			return 0;
	}
	return n > 0 && label > 0 && prev != '-';
}

/* 1 if s is a host name (as is_ldh_name(), any case) or an IP address. */
static int
is_server(const char *s)
{
	size_t n = strlen(s);

	/* A leading '-' would read as an option to the program. */
	if (n == 0 || n > DNS_NAME_MAX || *s == '-')
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789.:-") == n;
}

static int
is_abs_path(const char *s)
{
	return s != NULL && s[0] == '/';
}

/*
 * Checks the settings of s and the values of one challenge before anything
 * uses them.  value may be NULL (its check is skipped).  Returns 1, or 0
 * with p set.
 */
static int
solver_check(const struct solver *s, const char *domain, const char *token,
    const char *value, struct problem *p)
{
	const char	*name = mc_name(s), *dot;
	int		 dns;

	if (s->type == NULL || (strcmp(s->type, "dns-01") != 0 &&
	    strcmp(s->type, "http-01") != 0))
		return problem_set(p, PROB_SERVER_INTERNAL,
		    "managed challenge \"%s\": unknown challenge type", name);
	dns = strcmp(s->type, "dns-01") == 0;
	switch (s->kind) {
	case SOLVER_HOOK:
		if (!is_abs_path(s->hook))
			return problem_set(p, PROB_SERVER_INTERNAL,
			    "managed challenge \"%s\": the hook is not an "
			    "absolute file name", name);
		break;
	case SOLVER_RFC2136:
		if (!dns)
			return problem_set(p, PROB_SERVER_INTERNAL,
			    "managed challenge \"%s\": the rfc2136 solver "
			    "answers dns-01 only, not %s", name, s->type);
		if (s->server == NULL || !is_server(s->server) ||
		    s->port == 0 || s->port > 65535 ||
		    !is_abs_path(s->tsig_key) ||
		    (s->zone != NULL && !is_ldh_name(s->zone)) ||
		    (s->rfc2136_prog != NULL && !is_abs_path(s->rfc2136_prog)))
			return problem_set(p, PROB_SERVER_INTERNAL,
			    "managed challenge \"%s\": invalid rfc2136 settings",
			    name);
		break;
	case SOLVER_WEBROOT:
		if (dns)
			return problem_set(p, PROB_SERVER_INTERNAL,
			    "managed challenge \"%s\": the webroot solver "
			    "answers http-01 only, not %s", name, s->type);
		if (!is_abs_path(s->webroot))
			return problem_set(p, PROB_SERVER_INTERNAL,
			    "managed challenge \"%s\": the webroot is not an "
			    "absolute directory name", name);
		break;
	default:
		return problem_set(p, PROB_SERVER_INTERNAL,
		    "managed challenge \"%s\": unknown solver", name);
	}

	/* The record name "_acme-challenge.<domain>" must fit in DNS too. */
	if (domain == NULL || !is_ldh_name(domain) ||
	    (dns && strlen(ACME_LABEL) + strlen(domain) > DNS_NAME_MAX))
		return problem_set(p, PROB_SERVER_INTERNAL,
		    "managed challenge \"%s\": refused domain: not a lower-case "
		    "DNS name of letters, digits and hyphens", name);
	if (token == NULL || !is_b64url(token, 1, SOLVER_TOKEN_MAX))
		return problem_set(p, PROB_SERVER_INTERNAL,
		    "managed challenge \"%s\": refused token: not 1 to %d "
		    "base64url characters", name, SOLVER_TOKEN_MAX);
	if (value == NULL)
		return 1;
	if (dns) {
		if (!is_b64url(value, DIGEST_B64_LEN, DIGEST_B64_LEN))
			return problem_set(p, PROB_SERVER_INTERNAL,
			    "managed challenge \"%s\": refused TXT value: not "
			    "%d base64url characters", name, DIGEST_B64_LEN);
		return 1;
	}
	/* RFC 8555 §8.1: keyAuthorization = token || '.' || thumbprint. */
	if ((dot = strchr(value, '.')) == NULL ||
	    (size_t)(dot - value) != strlen(token) ||
	    strncmp(value, token, strlen(token)) != 0 ||
	    !is_b64url(dot + 1, DIGEST_B64_LEN, DIGEST_B64_LEN))
		return problem_set(p, PROB_SERVER_INTERNAL,
		    "managed challenge \"%s\": refused key authorization: not "
		    "\"token.thumbprint\" for this token", name);
	return 1;
}

/* --- argument vectors ------------------------------------------------------- */

const char *
solver_program(const struct solver *s)
{
	switch (s->kind) {
	case SOLVER_HOOK:
		return s->hook;
	case SOLVER_RFC2136:
		return s->rfc2136_prog != NULL ? s->rfc2136_prog : RFC2136_PROG;
	default:
		return NULL;
	}
}

void
solver_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (size_t i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

char **
solver_argv(const struct solver *s, enum solver_op op, const char *domain,
    const char *token, const char *value, struct problem *p)
{
	const char	*v[16];
	char		 port[8], **argv = NULL;
	size_t		 n = 0, i;

	if (op != SOLVER_DEPLOY && op != SOLVER_CLEAN) {
		problem_set(p, PROB_SERVER_INTERNAL,
		    "managed challenge \"%s\": unknown operation", mc_name(s));
		return NULL;
	}
	if (value == NULL) {
		problem_set(p, PROB_SERVER_INTERNAL,
		    "managed challenge \"%s\": no value", mc_name(s));
		return NULL;
	}
	if (!solver_check(s, domain, token, value, p))
		return NULL;
	switch (s->kind) {
	case SOLVER_HOOK:
		v[n++] = s->hook;
		v[n++] = op_names[op];
		v[n++] = s->type;
		break;
	case SOLVER_RFC2136:
		snprintf(port, sizeof(port), "%u", s->port);
		v[n++] = "rfc2136-solver";
		v[n++] = "--server";
		v[n++] = s->server;
		v[n++] = "--port";
		v[n++] = port;
		v[n++] = "--tsig-key";
		v[n++] = s->tsig_key;
		if (s->zone != NULL) {
			v[n++] = "--zone";
			v[n++] = s->zone;
		}
		v[n++] = op_names[op];
		v[n++] = "dns-01";
		break;
	default:
		problem_set(p, PROB_SERVER_INTERNAL, "managed challenge \"%s\": "
		    "the %s solver runs no program", mc_name(s),
		    kind_names[s->kind]);
		return NULL;
	}
	v[n++] = domain;
	v[n++] = token;
	v[n++] = value;

	if ((argv = calloc(n + 1, sizeof(*argv))) == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		if ((argv[i] = strdup(v[i])) == NULL)
			goto oom;
	return argv;
oom:
	solver_argv_free(argv);
	problem_set(p, PROB_SERVER_INTERNAL, "managed challenge \"%s\": out of "
	    "memory", mc_name(s));
	return NULL;
}

/* --- running a program ----------------------------------------------------- */

/* Closes every descriptor from lo up, except keep. */
static void
close_from(int lo, int keep)
{
	long	max, fd;

#ifdef HAVE_CLOSE_RANGE
	if ((keep <= lo || close_range((unsigned)lo, (unsigned)keep - 1, 0) == 0) &&
	    close_range((unsigned)(keep < lo ? lo : keep + 1), ~0U, 0) == 0)
		return;
#endif
	/* No close_range(2) (old kernel): one by one, up to a sane bound. */
	if ((max = sysconf(_SC_OPEN_MAX)) < 0 || max > 65536)
		max = 65536;
	for (fd = lo; fd < max; fd++)
		if (fd != keep)
			close((int)fd);
}

/*
 * The child: its own process group, /dev/null in, out to both outputs,
 * nothing else open but errfd (close-on-exec), which gets errno if execve()
 * fails.  Signal handling is reset: the FastCGI process ignores SIGPIPE and
 * may block SIGCHLD, and both would be inherited across execve().
 */
static void __attribute__((noreturn))
child_exec(const char *path, char *const argv[], char *const envp[],
    int devnull, int outfd, int errfd)
{
	struct sigaction	sa;
	sigset_t		none;
	int			nul, o, e, err;

	(void)setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);	/* SIGKILL, SIGSTOP: EINVAL */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);

	/* Above 2 first, so that the dup2()s below overwrite none of them. */
	if ((nul = fcntl(devnull, F_DUPFD, 3)) < 0 ||
	    (o = fcntl(outfd, F_DUPFD, 3)) < 0 ||
	    (e = fcntl(errfd, F_DUPFD_CLOEXEC, 3)) < 0)
		_exit(127);
	if (dup2(nul, STDIN_FILENO) < 0 || dup2(o, STDOUT_FILENO) < 0 ||
	    dup2(o, STDERR_FILENO) < 0)
		_exit(127);
	close_from(STDERR_FILENO + 1, e);
	execve(path, argv, envp);
	err = errno;
	(void)!write(e, &err, sizeof(err));
	_exit(127);
}

/* Appends what fd has now to b, up to SOLVER_OUTPUT_MAX.  0 at end of file. */
static int
drain(int fd, struct buf *b, size_t *dropped)
{
	char	chunk[4096];

	for (;;) {
		ssize_t	n;
		size_t	keep;

		if ((n = read(fd, chunk, sizeof(chunk))) == 0)
			return 0;
		if (n < 0)
			return errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK ? 1 : 0;
		/* Reading on keeps a chatty program from blocking on a full pipe. */
		keep = b->len < SOLVER_OUTPUT_MAX ? SOLVER_OUTPUT_MAX - b->len : 0;
		if (keep > (size_t)n)
			keep = (size_t)n;
		buf_append(b, chunk, keep);
		*dropped += (size_t)n - keep;
	}
}

/* Controls other than newline and tab become '?': the output goes to logs. */
static void
sanitize(struct buf *b)
{
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->p[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			b->p[i] = '?';
	}
}

/*
 * The first non-blank line of b, trimmed, into line (size bytes) as valid
 * UTF-8: it goes into a problem document.
 */
static void
first_line(const struct buf *b, char *line, size_t size)
{
	const char	*s = b->p != NULL ? b->p : "", *e;
	char		 raw[256];

	while (*s == '\n' || *s == ' ' || *s == '\t')
		s++;
	e = s + strcspn(s, "\n");
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if ((size_t)(e - s) >= sizeof(raw))
		e = s + sizeof(raw) - 1;
	memcpy(raw, s, (size_t)(e - s));
	raw[e - s] = '\0';
	acme_text_copy(line, size, raw);
}

/*
 * Waits for pid, reading its output from fd into b, killing its process
 * group if it runs past timeout_s.  Returns with pid reaped, its status in
 * *status; *timedout if it had to be killed.
 */
static void
collect(pid_t pid, int fd, unsigned timeout_s, struct buf *b, size_t *dropped,
    int *status, int *timedout)
{
	struct pollfd	pfd;
	int64_t		deadline;
	int		reading = 1, stage = 0;
	pid_t		r;

	*timedout = 0;
	deadline = now_ms() + (int64_t)timeout_s * 1000;
	for (;;) {
		int64_t	now, left;

		if ((r = waitpid(pid, status, WNOHANG)) == pid)
			break;
		if (r < 0 && errno != EINTR) {
			/* Reaped behind our back (SIGCHLD ignored): no status. */
			*status = -1;
			break;
		}
		now = now_ms();
		if (stage < 2 && now >= deadline) {
			/* The group: a hook's own children go too. */
			if (stage++ == 0) {
				*timedout = 1;
				kill(-pid, SIGTERM);
				kill(pid, SIGTERM);
				deadline = now + SOLVER_KILL_GRACE * 1000;
			} else {
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
			}
		}
		/*
		 * The pipe is watched while it is open, but child exit is
		 * polled for: a program's own children may keep the pipe
		 * open after it exited.
		 */
		left = stage < 2 ? deadline - now : 10;
		if (left > (reading ? 200 : 10))
			left = reading ? 200 : 10;
		if (left < 1)
			left = 1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, reading ? 1 : 0, (int)left) > 0 && reading)
			reading = drain(fd, b, dropped);
	}
	if (reading)
		(void)drain(fd, b, dropped);
}

/*
 * Runs path with argv for s, its output into out.  Returns 1 if it exited 0,
 * or 0 with p set.  what names the program in the detail.
 */
static int
run_program(const struct solver *s, const char *what, const char *path,
    char *const argv[], struct buf *out, struct problem *p)
{
	static char	 path_env[] = "PATH=/usr/local/bin:/usr/bin:/bin";
	struct buf	 b = { 0 };
	char		 mcenv[128], line[256];
	char		*envp[] = { path_env, mcenv, NULL };
	unsigned	 timeout = s->timeout != 0 ? s->timeout : SOLVER_TIMEOUT;
	size_t		 dropped = 0;
	ssize_t		 n;
	pid_t		 pid;
	int		 outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int		 devnull = -1, err = 0, status = 0, timedout = 0, ok = 0;

	snprintf(mcenv, sizeof(mcenv), "ACME_MANAGED_CHALLENGE=%s", mc_name(s));
	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
	    pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		problem_set(p, PROB_SERVER_INTERNAL, "managed challenge \"%s\": "
		    "cannot run %s: %s", mc_name(s), what, strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		problem_set(p, PROB_SERVER_INTERNAL, "managed challenge \"%s\": "
		    "cannot run %s: fork: %s", mc_name(s), what, strerror(errno));
		goto out;
	}
	if (pid == 0)
		child_exec(path, argv, envp, devnull, outp[1], errp[1]);
	/* Both sides set the group, so that kill(-pid) finds it at once. */
	(void)setpgid(pid, pid);
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;

	/* errp closes on a successful execve(), or brings its errno. */
	while ((n = read(errp[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(err)) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		problem_set(p, PROB_SERVER_INTERNAL, "managed challenge \"%s\": "
		    "cannot execute %s %s: %s", mc_name(s), what, path,
		    strerror(err));
		goto out;
	}
	(void)fcntl(outp[0], F_SETFL, fcntl(outp[0], F_GETFL) | O_NONBLOCK);
	collect(pid, outp[0], timeout, &b, &dropped, &status, &timedout);

	if (b.oom)
		log_warn("solver: managed challenge \"%s\": output lost: out of "
		    "memory", mc_name(s));
	if (dropped > 0)
		log_warn("solver: managed challenge \"%s\": %s wrote %zu bytes "
		    "more than the %d kept", mc_name(s), what, dropped,
		    SOLVER_OUTPUT_MAX);
	sanitize(&b);
	first_line(&b, line, sizeof(line));
	if (timedout)
		problem_set(p, PROB_SERVER_INTERNAL, "managed challenge \"%s\": "
		    "%s timed out after %u seconds and was killed%s%s",
		    mc_name(s), what, timeout, *line ? ": " : "", line);
	else if (status == -1)
		problem_set(p, PROB_SERVER_INTERNAL, "managed challenge \"%s\": "
		    "%s: exit status lost%s%s", mc_name(s), what,
		    *line ? ": " : "", line);
	else if (WIFSIGNALED(status))
		problem_set(p, PROB_SERVER_INTERNAL, "managed challenge \"%s\": "
		    "%s was killed by signal %d%s%s", mc_name(s), what,
		    WTERMSIG(status), *line ? ": " : "", line);
	else if (WEXITSTATUS(status) != 0)
		problem_set(p, PROB_SERVER_INTERNAL, "managed challenge \"%s\": "
		    "%s exited with status %d%s%s", mc_name(s), what,
		    WEXITSTATUS(status), *line ? ": " : "", line);
	else
		ok = 1;
	if (out != NULL && b.len > 0)
		buf_append(out, b.p, b.len);
out:
	buf_free(&b);
	if (devnull >= 0)
		close(devnull);
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return ok;
}

/* --- webroot ------------------------------------------------------------------ */

/*
 * Opens directory name below dir fd, making it (0755) first if create.
 * Returns the descriptor, or -1 with errno.
 */
static int
open_subdir(int fd, const char *name, int create)
{
	int	sub, made = 0;

	if (create) {
		if (mkdirat(fd, name, 0755) == 0)
			made = 1;
		else if (errno != EEXIST)
			return -1;
	}
	if ((sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	/* The umask must not hide it from the web server. */
	if (made)
		(void)fchmod(sub, 0755);
	return sub;
}

/* Writes all of s (len bytes) to fd.  1, or 0 with errno. */
static int
write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n;

		if ((n = write(fd, s, len)) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		s += n;
		len -= (size_t)n;
	}
	return 1;
}

/*
 * Writes value to a new temporary file in dir fd and renames it to token:
 * the web server sees the whole file or none.  1, or 0 with errno.
 */
static int
write_rename(int dir, const char *token, const char *value)
{
	char	tmp[64];
	int	fd = -1, e;

	for (unsigned i = 0; fd < 0 && i < 100; i++) {
		/* A dot and no token has: never a challenge file's name. */
		snprintf(tmp, sizeof(tmp), ".acme-fcgi.%ld.%u.tmp",
		    (long)getpid(), i);
		fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			return 0;
	}
	if (fd < 0)
		return 0;
	if (!write_all(fd, value, strlen(value)) || fchmod(fd, 0644) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	/* rename() replaces a name, never what a link there points to. */
	if (renameat(dir, tmp, dir, token) != 0)
		goto fail;
	return 1;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	(void)unlinkat(dir, tmp, 0);
	errno = e;
	return 0;
}

static int
webroot_run(const struct solver *s, enum solver_op op, const char *token,
    const char *value, struct problem *p)
{
	struct stat	 sb;
	char		 file[SOLVER_TOKEN_MAX + 32];
	const char	*what = NULL;
	int		 root = -1, wk = -1, ac = -1, ok = 0;
	int		 create = op == SOLVER_DEPLOY;

	/* The webroot itself must exist: a typo must not make a new tree. */
	if ((root = open(s->webroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto fail;
	what = ".well-known";
	if ((wk = open_subdir(root, ".well-known", create)) < 0)
		goto fail;
	what = ".well-known/acme-challenge";
	if ((ac = open_subdir(wk, "acme-challenge", create)) < 0)
		goto fail;
	snprintf(file, sizeof(file), ".well-known/acme-challenge/%s", token);
	what = file;
	if (fstatat(ac, token, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISREG(sb.st_mode)) {
			problem_set(p, PROB_SERVER_INTERNAL, "managed challenge "
			    "\"%s\": webroot %s/.well-known/acme-challenge/%s is "
			    "%s, not a file: refused", mc_name(s), s->webroot,
			    token, S_ISLNK(sb.st_mode) ? "a symbolic link" :
			    "something else");
			goto out;
		}
	} else if (errno != ENOENT)
		goto fail;
	else if (op == SOLVER_CLEAN) {
		ok = 1;
		goto out;
	}
	if (op == SOLVER_DEPLOY ? !write_rename(ac, token, value) :
	    unlinkat(ac, token, 0) != 0 && errno != ENOENT)
		goto fail;
	ok = 1;
	goto out;
fail:
	/* Nothing to clean where the directories are missing. */
	if (op == SOLVER_CLEAN && errno == ENOENT && root >= 0) {
		ok = 1;
		goto out;
	}
	problem_set(p, PROB_SERVER_INTERNAL, "managed challenge \"%s\": webroot "
	    "%s%s%s: %s", mc_name(s), s->webroot, what != NULL ? "/" : "",
	    what != NULL ? what : "", strerror(errno));
out:
	if (ac >= 0)
		close(ac);
	if (wk >= 0)
		close(wk);
	if (root >= 0)
		close(root);
	return ok;
}

/* --- solver_run ------------------------------------------------------------- */

int
solver_run(const struct solver *s, enum solver_op op, const char *domain,
    const char *token, const char *value, struct buf *out, struct problem *p)
{
	char	**argv = NULL;
	int	  ok = 0;

	if (op != SOLVER_DEPLOY && op != SOLVER_CLEAN)
		return problem_set(p, PROB_SERVER_INTERNAL, "managed challenge "
		    "\"%s\": unknown operation", mc_name(s));
	if (value == NULL || !solver_check(s, domain, token, value, p)) {
		if (value == NULL)
			problem_set(p, PROB_SERVER_INTERNAL, "managed challenge "
			    "\"%s\": no value", mc_name(s));
		log_warn("solver_run: %s", p->detail);
		return 0;
	}
	/* Neither the TSIG key nor the value: what and where only. */
	log_info("solver: managed challenge \"%s\": %s %s %s for %s",
	    mc_name(s), kind_names[s->kind], op_names[op], s->type, domain);
	if (s->kind == SOLVER_WEBROOT)
		ok = webroot_run(s, op, token, value, p);
	else if ((argv = solver_argv(s, op, domain, token, value, p)) != NULL)
		ok = run_program(s, s->kind == SOLVER_HOOK ? "hook" :
		    "rfc2136-solver", solver_program(s), argv, out, p);
	solver_argv_free(argv);
	if (!ok)
		log_warn("solver_run: %s", p->detail);
	return ok;
}

/* --- propagation ------------------------------------------------------------ */

#define RR_A		1
#define RR_NS		2
#define RR_SOA		6
#define RR_TXT		16
#define RR_AAAA		28
#define CLASS_IN	1

/* A server to ask: an address (as inet_ntop() writes it) and a port. */
struct dns_server {
	char		addr[INET6_ADDRSTRLEN];
	unsigned	port;
	int		done;		/* it answered with the value */
	char		why[64];	/* why not, after the last round */
};

struct dns_servers {
	struct dns_server	s[SOLVER_SERVERS_MAX];
	size_t			n;
};

struct dns_q {
	int			 done;
	int			 err;
	struct ub_result	*res;
};

/*
 * unbound answers these names itself (RFC 6761, RFC 8375); a test zone
 * such as "example.test" must be asked of its servers all the same.
 */
static const char *const ub_builtin_zones[] = {
	"test.", "invalid.", "localhost.", "onion.", "home.arpa.",
	"resolver.arpa.", "service.arpa.",
};

static void
dns_done(void *arg, int err, struct ub_result *res)
{
	struct dns_q *q = arg;

	q->done = 1;
	q->err = err;
	q->res = res;
}

/*
 * Asks fwd ("address@port"; NULL: the servers of /etc/resolv.conf) for
 * name's rrtype records, with a context of its own so that nothing comes
 * from a cache, until deadline (now_ms()).  Returns the result for
 * ub_resolve_free(), or NULL with *why set.
 */
static struct ub_result *
dns_query(const char *fwd, const char *name, int rrtype, int64_t deadline,
    const char **why)
{
	struct ub_ctx	*ctx;
	struct dns_q	 q = { 0, 0, NULL };
	struct pollfd	 pfd;
	int64_t		 left;
	int		 rc, id = 0;

	if ((ctx = ub_ctx_create()) == NULL) {
		*why = "cannot create a resolver";
		return NULL;
	}
	/* Authoritative servers under test often listen on loopback. */
	if ((rc = ub_ctx_set_option(ctx, "do-not-query-localhost:", "no")) != 0 ||
	    (rc = fwd != NULL ? ub_ctx_set_fwd(ctx, fwd) :
	    ub_ctx_resolvconf(ctx, NULL)) != 0 ||
	    (rc = ub_ctx_async(ctx, 1)) != 0)
		goto fail;
	/* This finalizes the context: no settings after it. */
	for (size_t i = 0; i < sizeof(ub_builtin_zones) /
	    sizeof(ub_builtin_zones[0]); i++)
		(void)ub_ctx_zone_remove(ctx, ub_builtin_zones[i]);
	/* Asynchronous, so that a silent server cannot hold us past deadline. */
	if ((rc = ub_resolve_async(ctx, name, rrtype, CLASS_IN, &q, dns_done,
	    &id)) != 0)
		goto fail;
	while (!q.done) {
		if ((left = deadline - now_ms()) <= 0) {
			(void)ub_cancel(ctx, id);
			ub_ctx_delete(ctx);
			*why = "timed out";
			return NULL;
		}
		pfd.fd = ub_fd(ctx);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left) > 0 &&
		    (rc = ub_process(ctx)) != 0)
			goto fail;
	}
	if ((rc = q.err) != 0 || q.res == NULL) {
		ub_resolve_free(q.res);
		goto fail;
	}
	ub_ctx_delete(ctx);
	return q.res;
fail:
	ub_ctx_delete(ctx);
	*why = rc != 0 ? ub_strerror(rc) : "no result";
	return NULL;
}

/* The number of records in res. */
static size_t
dns_count(const struct ub_result *res)
{
	size_t n = 0;

	if (res->havedata && res->data != NULL && res->len != NULL)
		while (res->data[n] != NULL)
			n++;
	return n;
}

/* 1 if the answer is about qname itself, not the end of a CNAME chain. */
static int
dns_same_name(const struct ub_result *res, const char *qname)
{
	size_t n;

	if (res->canonname == NULL)
		return 1;
	n = strlen(qname);
	return strncasecmp(res->canonname, qname, n) == 0 &&
	    (res->canonname[n] == '\0' ||
	    (res->canonname[n] == '.' && res->canonname[n + 1] == '\0'));
}

/*
 * The domain name in wire form at d (len bytes; unbound hands rdata
 * uncompressed) as lower-case text without the final dot, into out.
 * Returns 1, or 0 if it is not a name we use.
 */
static int
dns_wire_name(const unsigned char *d, size_t len, char *out, size_t size)
{
	size_t	i = 0, o = 0, n;

	while (i < len && (n = d[i++]) != 0) {
		if (n > DNS_LABEL_MAX || i + n > len || o + n + 2 > size)
			return 0;
		if (o > 0)
			out[o++] = '.';
		for (; n > 0; n--) {
			unsigned char c = d[i++];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-'))
				return 0;
			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
	}
	if (o == 0)
		return 0;
	out[o] = '\0';
	return 1;
}

/* 1 if one TXT record of res, its strings joined, is value. */
static int
dns_txt_has(const struct ub_result *res, const char *value)
{
	char	text[RDATA_TEXT_MAX];
	size_t	n = dns_count(res), vlen = strlen(value);

	for (size_t r = 0; r < n; r++) {
		const unsigned char	*d = (const unsigned char *)res->data[r];
		size_t			 len = (size_t)res->len[r], i = 0, o = 0;
		int			 fits = 1;

		while (i < len) {
			size_t sl = d[i++];

			if (i + sl > len || o + sl >= sizeof(text)) {
				fits = 0;
				break;
			}
			memcpy(text + o, d + i, sl);
			o += sl;
			i += sl;
		}
		if (fits && o == vlen && memcmp(text, value, vlen) == 0)
			return 1;
	}
	return 0;
}

/* Adds addr (text) at port unless it is there already.  1 if added. */
static int
servers_add(struct dns_servers *l, const char *addr, unsigned port)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->s[i].addr, addr) == 0)
			return 0;
	if (l->n >= SOLVER_SERVERS_MAX)
		return 0;
	snprintf(l->s[l->n].addr, sizeof(l->s[l->n].addr), "%s", addr);
	l->s[l->n].port = port;
	l->s[l->n].done = 0;
	l->s[l->n].why[0] = '\0';
	l->n++;
	return 1;
}

/* Adds the addresses of the A or AAAA records of res at port. */
static size_t
servers_add_rrs(struct dns_servers *l, const struct ub_result *res, int rrtype,
    unsigned port)
{
	char	text[INET6_ADDRSTRLEN];
	size_t	n = dns_count(res), added = 0;
	int	af = rrtype == RR_A ? AF_INET : AF_INET6;
	int	want = rrtype == RR_A ? 4 : 16;

	for (size_t i = 0; i < n; i++)
		if (res->len[i] == want &&
		    inet_ntop(af, res->data[i], text, sizeof(text)) != NULL)
			added += (size_t)servers_add(l, text, port);
	return added;
}

/* The addresses of the update server at its port.  1, or 0 with p set. */
static int
servers_update(const struct solver *s, struct dns_servers *l,
    struct problem *p)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 text[INET6_ADDRSTRLEN];
	unsigned char	 bin[16];
	int		 rc, af;

	af = inet_pton(AF_INET, s->server, bin) == 1 ? AF_INET :
	    inet_pton(AF_INET6, s->server, bin) == 1 ? AF_INET6 : AF_UNSPEC;
	/* The normal form, so that an NS address compares equal to it. */
	if (af != AF_UNSPEC) {
		if (inet_ntop(af, bin, text, sizeof(text)) == NULL)
			return problem_set(p, PROB_SERVER_INTERNAL, "managed "
			    "challenge \"%s\": server %s: %s", mc_name(s),
			    s->server, strerror(errno));
		servers_add(l, text, s->port);
		return 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if ((rc = getaddrinfo(s->server, NULL, &hints, &res)) != 0)
		return problem_set(p, PROB_DNS, "managed challenge \"%s\": "
		    "server %s: %s", mc_name(s), s->server, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		const void *a = ai->ai_family == AF_INET ?
		    (const void *)&((const struct sockaddr_in *)
		    (const void *)ai->ai_addr)->sin_addr :
		    ai->ai_family == AF_INET6 ?
		    (const void *)&((const struct sockaddr_in6 *)
		    (const void *)ai->ai_addr)->sin6_addr : NULL;

		if (a != NULL && inet_ntop(ai->ai_family, a, text,
		    sizeof(text)) != NULL)
			servers_add(l, text, s->port);
	}
	freeaddrinfo(res);
	if (l->n == 0)
		return problem_set(p, PROB_DNS, "managed challenge \"%s\": "
		    "server %s has no address", mc_name(s), s->server);
	return 1;
}

/* The per-query deadline: DNS_QUERY_MS, but not past the whole check's. */
static int64_t
query_deadline(int64_t deadline)
{
	int64_t d = now_ms() + DNS_QUERY_MS;

	return d < deadline ? d : deadline;
}

/*
 * The zone of "_acme-challenge.<domain>" as fwd has it (NULL: the system
 * resolver): the closest enclosing name with an SOA record, into zone.
 * Returns 1, or 0 (*why set) if none was found or the server failed.
 */
static int
find_zone(const char *fwd, const char *domain, int64_t deadline, char *zone,
    size_t size, const char **why)
{
	struct ub_result	*res;
	char			 name[DNS_NAME_MAX + 1];
	const char		*n;

	snprintf(name, sizeof(name), "%s%s", ACME_LABEL, domain);
	*why = "no SOA record above the name";
	for (n = name; n != NULL; n = strchr(n, '.') != NULL ?
	    strchr(n, '.') + 1 : NULL) {
		if ((res = dns_query(fwd, n, RR_SOA, query_deadline(deadline),
		    why)) == NULL)
			return 0;
		int found = dns_count(res) > 0 && dns_same_name(res, n);
		int rcode = res->rcode;

		ub_resolve_free(res);
		if (found) {
			snprintf(zone, size, "%s", n);
			return 1;
		}
		/* Below the zone: no such name, or no data.  Else it failed. */
		if (rcode != 0 && rcode != 3) {
			*why = "the server failed or refused";
			return 0;
		}
	}
	return 0;
}

/*
 * Adds the A and AAAA records of name as fwd has them (NULL: the system
 * resolver) at port 53.  Returns how many records there were.
 */
static size_t
servers_addr(struct dns_servers *l, const char *fwd, const char *name,
    int64_t deadline, const char **why)
{
	static const int	 types[] = { RR_A, RR_AAAA };
	size_t			 got = 0;

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		struct ub_result *res;

		if ((res = dns_query(fwd, name, types[t],
		    query_deadline(deadline), why)) == NULL)
			continue;
		got += dns_count(res);
		(void)servers_add_rrs(l, res, types[t], 53);
		ub_resolve_free(res);
	}
	return got;
}

/*
 * Adds the addresses of zone's NS records as fwd has them (NULL: the
 * system resolver) at port 53, leaving out those already listed (the update
 * server's).  Returns the number added.
 */
static size_t
servers_ns(struct dns_servers *l, const char *fwd, const char *zone,
    int64_t deadline, const char **why)
{
	struct ub_result	*res;
	char			 ns[NS_NAMES_MAX][DNS_NAME_MAX + 1];
	size_t			 nns = 0, count, added = 0;

	if ((res = dns_query(fwd, zone, RR_NS, query_deadline(deadline),
	    why)) == NULL)
		return 0;
	count = dns_count(res);
	for (size_t i = 0; i < count && nns < NS_NAMES_MAX; i++)
		if (dns_wire_name((const unsigned char *)res->data[i],
		    (size_t)res->len[i], ns[nns], sizeof(ns[nns])))
			nns++;
	ub_resolve_free(res);
	if (nns == 0)
		*why = "no NS records";

	for (size_t i = 0; i < nns; i++) {
		size_t before = l->n;

		if (!servers_addr(l, fwd, ns[i], deadline, why) &&
		    /* An out-of-zone NS name: the system resolver knows it. */
		    (fwd == NULL || !servers_addr(l, NULL, ns[i], deadline, why)))
			log_warn("solver: NS %s of %s has no address: not asked",
			    ns[i], zone);
		added += l->n - before;
	}
	return added;
}

/*
 * Fills l with the servers to ask (see solver.h).  Returns 1, or 0 with p
 * set.
 */
static int
servers_find(const struct solver *s, const char *domain, struct dns_servers *l,
    int64_t deadline, struct problem *p)
{
	char		 zone[DNS_NAME_MAX + 1];
	const char	*why = "";

	if (s->kind == SOLVER_RFC2136) {
		char fwd[INET6_ADDRSTRLEN + 8];

		if (!servers_update(s, l, p))
			return 0;
		/* libunbound's notation; the log's is the same with '#'. */
		snprintf(fwd, sizeof(fwd), "%s@%u", l->s[0].addr, l->s[0].port);
		if (s->zone != NULL)
			snprintf(zone, sizeof(zone), "%s", s->zone);
		else if (!find_zone(fwd, domain, deadline, zone, sizeof(zone),
		    &why)) {
			log_warn("solver: managed challenge \"%s\": zone of %s%s "
			    "not found at %s#%u (%s): asking that server alone",
			    mc_name(s), ACME_LABEL, domain, l->s[0].addr,
			    l->s[0].port, why);
			return 1;
		}
		if (servers_ns(l, fwd, zone, deadline, &why) == 0)
			log_debug("solver: managed challenge \"%s\": no other "
			    "servers of %s than %s#%u (%s)", mc_name(s), zone,
			    l->s[0].addr, l->s[0].port, why);
		return 1;
	}
	if (!find_zone(NULL, domain, deadline, zone, sizeof(zone), &why))
		return problem_set(p, PROB_DNS, "managed challenge \"%s\": zone "
		    "of %s%s not found: %s", mc_name(s), ACME_LABEL, domain, why);
	if (servers_ns(l, NULL, zone, deadline, &why) == 0 || l->n == 0)
		return problem_set(p, PROB_DNS, "managed challenge \"%s\": no "
		    "authoritative server of %s found: %s", mc_name(s), zone,
		    why);
	return 1;
}

/*
 * Sleeps seconds, through sleep_fn in steps of SOLVER_SLEEP_STEP at most.
 * Returns 1, or 0 as soon as sleep_fn says to stop.
 */
static int
wait_for(unsigned seconds, int (*sleep_fn)(void *, unsigned), void *ctx)
{
	while (seconds > 0) {
		unsigned step = seconds < SOLVER_SLEEP_STEP ? seconds : SOLVER_SLEEP_STEP;
		if (sleep_fn != NULL) {
			if (!sleep_fn(ctx, step))
				return 0;
		} else
			for (unsigned left = step; left > 0; )
				left = sleep(left);
		seconds -= step;
	}
	return 1;
}

/* One question to one server: sets sv->done or sv->why. */
static void
ask(struct dns_server *sv, const char *name, const char *value,
    int64_t deadline)
{
	struct ub_result	*res;
	char			 fwd[INET6_ADDRSTRLEN + 8];
	const char		*why;

	snprintf(fwd, sizeof(fwd), "%s@%u", sv->addr, sv->port);
	if ((res = dns_query(fwd, name, RR_TXT, deadline, &why)) == NULL) {
		snprintf(sv->why, sizeof(sv->why), "%s", why);
		return;
	}
	if (dns_txt_has(res, value))
		sv->done = 1;
	else if (res->rcode == 0)
		snprintf(sv->why, sizeof(sv->why), "%s",
		    dns_count(res) > 0 ? "other values only" : "no TXT record");
	else if (res->rcode == 3)
		snprintf(sv->why, sizeof(sv->why), "no such name");
	else if (res->rcode == 2)
		snprintf(sv->why, sizeof(sv->why), "server failure or no answer");
	else if (res->rcode == 5)
		snprintf(sv->why, sizeof(sv->why), "refused");
	else
		snprintf(sv->why, sizeof(sv->why), "rcode %d", res->rcode);
	ub_resolve_free(res);
}

int
solver_propagated(const struct solver *s, const char *domain,
    const char *value, unsigned limit,
    int (*sleep_fn)(void *ctx, unsigned seconds), void *ctx,
    struct problem *p)
{
	struct dns_servers	 l;
	struct dns_server	*miss;
	char			 name[DNS_NAME_MAX + 1];
	int64_t			 start, deadline, qd, rest;
	size_t			 left;

	if (s->type == NULL || strcmp(s->type, "dns-01") != 0)
		return 1;
	if (value == NULL)
		return problem_set(p, PROB_SERVER_INTERNAL, "managed challenge "
		    "\"%s\": no value", mc_name(s));
	/* The token is not used here: any valid one passes the check. */
	if (!solver_check(s, domain, "x", value, p))
		return 0;
	if (s->propagation_wait > 0) {
		log_info("solver: managed challenge \"%s\": waiting %u seconds "
		    "for %s%s to propagate", mc_name(s), s->propagation_wait,
		    ACME_LABEL, domain);
		if (!wait_for(s->propagation_wait, sleep_fn, ctx))
			goto stopped;
	}
	if (!s->propagation_check)
		return 1;

	memset(&l, 0, sizeof(l));
	snprintf(name, sizeof(name), "%s%s", ACME_LABEL, domain);
	start = now_ms();
	deadline = start + (int64_t)limit * 1000;
	if (!servers_find(s, domain, &l, deadline, p)) {
		log_warn("solver_propagated: %s", p->detail);
		return 0;
	}
	for (size_t i = 0; i < l.n; i++)
		log_info("solver: managed challenge \"%s\": checking %s TXT at "
		    "%s#%u", mc_name(s), name, l.s[i].addr, l.s[i].port);
	for (;;) {
		left = 0;
		miss = NULL;
		for (size_t i = 0; i < l.n; i++) {
			if (l.s[i].done)
				continue;
			/* Each round gives every server a chance, even the last. */
			qd = query_deadline(deadline);
			if (qd < now_ms() + 1000)
				qd = now_ms() + 1000;
			ask(&l.s[i], name, value, qd);
			if (!l.s[i].done) {
				left++;
				if (miss == NULL)
					miss = &l.s[i];
			}
		}
		if (miss == NULL)
			return 1;
		/* A last round at the limit, so that limit 2 asks twice. */
		if ((rest = deadline - now_ms()) <= 0)
			break;
		rest = (rest + 999) / 1000;
		if (!wait_for(rest < SOLVER_POLL_INTERVAL ? (unsigned)rest :
		    SOLVER_POLL_INTERVAL, sleep_fn, ctx))
			goto stopped;
	}
	problem_set(p, PROB_DNS, "managed challenge \"%s\": %s TXT not "
	    "propagated after %u seconds: %s#%u: %s%s", mc_name(s), name,
	    (unsigned)((now_ms() - start) / 1000), miss->addr, miss->port,
	    miss->why, left > 1 ? " (and other servers)" : "");
	log_warn("solver_propagated: %s", p->detail);
	return 0;
stopped:
	return problem_set(p, PROB_SERVER_INTERNAL, "managed challenge \"%s\": "
	    "the wait for %s%s was interrupted", mc_name(s), ACME_LABEL, domain);
}

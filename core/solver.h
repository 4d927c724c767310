/*
 * solver.h - the managed challenges' solvers (sql/schema.sql,
 * acme-managed-challenge(8)): publish and remove the response to an
 * upstream CA's dns-01 or http-01 challenge (RFC 8555 §8.3, §8.4), and wait
 * until the zone's authoritative servers answer with a published TXT record.
 *
 * Every value is checked before anything runs or is written; a program is
 * executed directly, never through a shell.
 */
#ifndef ACME_SOLVER_H
#define ACME_SOLVER_H

#include "buf.h"
#include "problem.h"

/* Most bytes of a program's output kept for the job log; more is dropped. */
#define SOLVER_OUTPUT_MAX	8192
/* Seconds a program may run when struct solver says 0. */
#define SOLVER_TIMEOUT		60
/* Seconds between SIGTERM to a program's process group and SIGKILL. */
#define SOLVER_KILL_GRACE	2
/* Seconds between two rounds of propagation queries. */
#define SOLVER_POLL_INTERVAL	2
/* Longest sleep_fn() call: the caller renews its lease in between. */
#define SOLVER_SLEEP_STEP	10
/* Most authoritative servers a propagation check asks. */
#define SOLVER_SERVERS_MAX	16
/* Longest challenge token accepted. */
#define SOLVER_TOKEN_MAX	256

enum solver_kind {
	SOLVER_RFC2136,		/* rfc2136-solver: a TSIG-signed dynamic update */
	SOLVER_HOOK,		/* an administrator's program */
	SOLVER_WEBROOT		/* a file below a web server's document root */
};

enum solver_op {
	SOLVER_DEPLOY,		/* put the response in place */
	SOLVER_CLEAN		/* remove it afterwards */
};

/* Borrowed strings, from a managed_challenges row. */
struct solver {
	const char	*name;		/* the managed challenge's name, for log lines */
	enum solver_kind kind;
	const char	*type;		/* "dns-01" or "http-01" */
	const char	*hook;		/* SOLVER_HOOK: absolute program */
	const char	*server;	/* SOLVER_RFC2136: host name or address */
	unsigned	 port;		/* SOLVER_RFC2136 */
	const char	*tsig_key;	/* SOLVER_RFC2136: absolute key file */
	const char	*zone;		/* SOLVER_RFC2136: or NULL */
	const char	*webroot;	/* SOLVER_WEBROOT: absolute directory */
	unsigned	 propagation_wait;  /* seconds, dns-01 only */
	int		 propagation_check; /* dns-01 only */
	const char	*rfc2136_prog;	/* NULL: LIBEXECDIR "/rfc2136-solver" */
	unsigned	 timeout;	/* seconds a program may run; 0: SOLVER_TIMEOUT */
};

/*
 * Deploys or cleans the response of one challenge.  domain is the
 * identifier without "*.", a lower-case name of letters, digits and
 * hyphens; token the challenge's token (1..SOLVER_TOKEN_MAX base64url);
 * value for dns-01 the TXT value (43 base64url characters: the SHA-256
 * digest of the key authorization), for http-01 the key authorization
 * "token.thumbprint".  The solver's type must fit: rfc2136 does dns-01,
 * webroot http-01, a hook either.
 *
 * hook:    execv(hook, {hook, op, type, domain, token, value})
 * rfc2136: execv(rfc2136_prog, {"rfc2136-solver", "--server", server,
 *          "--port", port, "--tsig-key", tsig_key, ["--zone", zone,]
 *          op, "dns-01", domain, token, value})
 *          (op is "deploy" or "clean").  The program runs in its own process
 *          group with /dev/null as standard input, standard output and error
 *          into one pipe, no other descriptor, default signal handling, and
 *          the environment PATH=/usr/local/bin:/usr/bin:/bin and
 *          ACME_MANAGED_CHALLENGE=<name>.  It fails if it exits non-zero, is
 *          killed by a signal, or runs past the timeout: then its process
 *          group gets SIGTERM and, SOLVER_KILL_GRACE seconds later, SIGKILL.
 *          It is always reaped.
 * webroot: deploy writes value (no newline) to
 *          <webroot>/.well-known/acme-challenge/<token>, mode 0644, making
 *          the two directories (0755) if they are missing, through a
 *          temporary file in that directory renamed over the name; clean
 *          removes the file, and succeeds if it is not there.  A symbolic
 *          link or anything but a regular file at the name is refused, not
 *          followed; the two directories may be symbolic links.
 *
 * Returns 1, or 0 with p set: PROB_SERVER_INTERNAL, a detail such as
 * 'managed challenge "x": hook exited with status 3: <first line of its
 * output>'.  The failure is logged.  If out is not NULL, the program's
 * output (at most SOLVER_OUTPUT_MAX bytes; controls other than newline and
 * tab made '?') is appended to it, for the job log.
 */
int	 solver_run(const struct solver *s, enum solver_op op,
	    const char *domain, const char *token, const char *value,
	    struct buf *out, struct problem *p);

/*
 * After a dns-01 deploy: waits propagation_wait seconds (through sleep_fn,
 * SOLVER_SLEEP_STEP seconds at most a call, or sleep(3) if it is NULL; a
 * sleep_fn that returns 0 ends the wait and the check: 0 with p
 * "interrupted"), then,
 * if propagation_check, asks every server below for the TXT records of
 * "_acme-challenge.<domain>" every SOLVER_POLL_INTERVAL seconds until each
 * has answered once with one whose strings, joined, equal value.  That takes
 * at most limit seconds, finding the servers included, and a last round at
 * the limit whose queries get a second each.  Nothing is cached between
 * queries: each goes straight to its server with a libunbound context of its
 * own (RD set, no DNSSEC validation, unbound's built-in local zones such as
 * "test." removed).
 *
 * The servers asked, at most SOLVER_SERVERS_MAX:
 * rfc2136: each address of server (an address, or a name looked up with
 *   getaddrinfo) at port; then, asking the first of them: the zone (zone,
 *   or the closest name to the record, walking up label by label to the last,
 *   that has an SOA record of its own), the zone's NS names, and their A and
 *   AAAA records (if it has none for a name, the system resolver's).  Each
 *   such address is asked at 53, unless it is an address of server: that one
 *   is asked already, at port.  If the zone or its NS records cannot be had,
 *   the server alone is asked (logged as a warning).
 * hook: the zone, its NS names and their addresses as the system resolver
 *   (/etc/resolv.conf) has them, each address asked at 53; none found fails.
 * An http-01 solver and a solver with neither setting return 1 at once.
 *
 * Returns 1, or 0 with p set: PROB_DNS naming the first server that did not
 * have the record, as "address#port", and why (or the server or zone that
 * could not be found); PROB_SERVER_INTERNAL for a refused domain or value.
 */
int	 solver_propagated(const struct solver *s, const char *domain,
	    const char *value, unsigned limit,
	    int (*sleep_fn)(void *ctx, unsigned seconds), void *ctx,
	    struct problem *p);

/*
 * The argument vector solver_run() would execute, argv[0] first (the
 * program itself is s->hook or the rfc2136 program), after the same checks.
 * Returns a NULL-terminated malloc'd vector for solver_argv_free(), or NULL
 * with p set: a refused value, no memory, or a webroot solver, which runs
 * no program.
 */
char	**solver_argv(const struct solver *s, enum solver_op op,
	    const char *domain, const char *token, const char *value,
	    struct problem *p);
void	 solver_argv_free(char **argv);

/* The file solver_run() executes for s: the hook, rfc2136 program, or NULL. */
const char *solver_program(const struct solver *s);

#endif

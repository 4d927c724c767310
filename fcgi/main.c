/*
 * main.c - the acme-fcgi process.
 *
 * Three ways to run:
 *  - spawned by a web server (mod_fcgid, lighttpd bin-path, spawn-fcgi) with
 *    the FastCGI listening socket on fd 0: one worker on it;
 *  - standalone with --listen: a supervisor preforks --workers workers on one
 *    socket and restarts any that dies;
 *  - as a plain CGI program: one request from the environment and stdin.
 *
 * Background jobs (core/runner.h) run in a job runner process: the
 * supervisor keeps one; a spawned worker keeps its own (it dies with the
 * worker); a CGI request after which a job is due starts a detached one
 * that exits when the queue is empty.  --run-jobs runs one in the
 * foreground.
 *
 * Workers block SIGTERM except while waiting for a connection or the next
 * request on a kept connection (ppoll), so a signal never interrupts a
 * request: in-flight work finishes, then the worker exits.
 */
#include "autoconfig.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "config.h"
#include "db.h"
#include "fcgi.h"
#include "key.h"
#include "log.h"
#include "runner.h"
#include "signer.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG	SYSCONFDIR "/acme-fcgi.conf"
#define LISTEN_BACKLOG	1024
/* A worker that dies this soon after start is restarted only after a pause. */
#define RESPAWN_FAST	2
/* Workers get this long to finish in-flight requests on shutdown. */
#define DRAIN_SECONDS	30

static volatile sig_atomic_t	 got_stop;
static volatile sig_atomic_t	 got_hup;
static volatile sig_atomic_t	 got_chld;
/* The configuration file read at start, for the job runners we start. */
static const char		*config_path;

static void
on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_chld = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: acme-fcgi [-c config] [-l address] [-w workers]\n"
	    "       acme-fcgi [-c config] --init-db | --check | --run-jobs | --version\n"
	    "  -c, --config PATH    configuration file (default $ACME_FCGI_CONFIG or %s)\n"
	    "  -l, --listen ADDR    standalone: HOST:PORT, [IPv6]:PORT or unix:/path\n"
	    "  -w, --workers N      standalone: worker processes\n"
	    "      --init-db        create or migrate the database, then exit\n"
	    "      --run-jobs       run background jobs in the foreground until stopped\n"
	    "  -t, --check          check the configuration and database, then exit\n"
	    "  -V, --version        print the version\n", DEFAULT_CONFIG);
}

/* Installs handlers for the signals we act on; blocks them (see ppoll). */
static void
signals_setup(sigset_t *waitmask)
{
	struct sigaction	sa;
	sigset_t		block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGHUP);
	sigdelset(waitmask, SIGCHLD);
}

static struct db *
open_db(const struct config *cfg)
{
	struct db	*db;
	char		 err[512];

	if ((db = db_open(cfg->database, cfg->busy_timeout, 1, err, sizeof(err))) == NULL)
		log_err("database %s: %s", cfg->database, err);
	return db;
}

/*
 * Logs each private key file of an active CA or upstream that key_load()
 * refuses (readable or writable by others, not a regular file, missing);
 * returns how many, or -1 if the database cannot say.  Requests that need
 * no such key are served all the same: finalize and upstream orders fail.
 */
static int
key_files_report(struct db *db)
{
	char	**owners, **files, err[PATH_MAX + 64];
	int	  bad = 0;

	if (db_key_files(db, &owners, &files) != DB_OK)
		return -1;
	for (size_t i = 0; files[i] != NULL; i++)
		if (key_file_safe(files[i], err, sizeof(err)) != 1) {
			log_err("%s: unsafe key file: %s", owners[i], err);
			bad++;
		}
	db_strv_free(owners);
	db_strv_free(files);
	return bad;
}

/*
 * A job runner process: runs due jobs until told to stop, or with drain
 * until none is due or runs; each in a process of this program run with
 * --run-one-job.  Signals are not blocked here: a job is written to be
 * interrupted at any point, and a stop ends its waits at once.
 */
static int
run_jobs(const struct config *cfg, const sigset_t *waitmask, int drain)
{
	char		 a0[] = "/proc/self/exe", a1[] = "-c", a3[] = "--run-one-job";
	char		*argv[] = { a0, a1, NULL, a3, NULL };
	struct db	*db;

	/* What ps(1) and pgrep(1) show: told apart from the workers. */
	prctl(PR_SET_NAME, "acme-fcgi-jobs");
	sigprocmask(SIG_SETMASK, waitmask, NULL);
	if ((argv[2] = strdup(config_path)) == NULL || (db = open_db(cfg)) == NULL) {
		free(argv[2]);
		return 1;
	}
	runner_loop(db, cfg, argv, &got_stop, drain);
	db_close(db);
	free(argv[2]);
	return 0;
}

/* --run-one-job: a job process of a runner; runs one due job, if any. */
static int
run_one_job(const struct config *cfg, const sigset_t *waitmask)
{
	struct db	*db;
	int		 rc;

	prctl(PR_SET_NAME, "acme-fcgi-job");
	sigprocmask(SIG_SETMASK, waitmask, NULL);
	if ((db = open_db(cfg)) == NULL)
		return 1;
	rc = runner_once(db, cfg, &got_stop);
	db_close(db);
	return rc < 0;
}

/*
 * Starts a job runner that stops with its parent: this program again, with
 * --run-jobs, so that it holds nothing of ours (a worker's SQLite
 * connection, its signer's socket, the FastCGI socket on fd 0 or kept
 * connections: the web server would never see those closed).
 */
static pid_t
spawn_runner(const sigset_t *waitmask)
{
	char		a0[] = "acme-fcgi", a1[] = "-c", a3[] = "--run-jobs";
	char		*argv[] = { a0, a1, NULL, a3, NULL };
	pid_t		parent = getpid(), pid = fork();
	int		fd;

	if (pid != 0) {
		if (pid < 0)
			log_err("runner: fork: %s", strerror(errno));
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(0);
	if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	/* Nothing else of ours crosses execve(2); the death signal does. */
#ifdef HAVE_CLOSE_RANGE
	if (close_range(3, ~0U, 0) != 0)
#endif
		for (fd = 3; fd < 4096; fd++)
			close(fd);
	sigprocmask(SIG_SETMASK, waitmask, NULL);
	if ((argv[2] = strdup(config_path)) != NULL)
		execv("/proc/self/exe", argv);
	log_err("runner: exec /proc/self/exe: %s", strerror(errno));
	_exit(1);
}

/* Answers one request from io with srv. */
static void
serve_one(struct acme_server *srv, struct io *io)
{
	struct req	r;
	struct resp	rs;

	resp_init(&rs);
	if (!req_read(io, srv->cfg, &r)) {
		log_err("serve_one: request could not be read");
		rs.status = 500;
		memset(&r, 0, sizeof(r));
		resp_write(io, &r, &rs);
		resp_free(&rs);
		return;
	}
	dispatch(srv, &r, &rs);
	if (!resp_write(io, &r, &rs))
		log_warn("serve_one: response could not be written (client gone)");
	req_free(&r);
	resp_free(&rs);
}

/* Idle kept connections (FCGI_KEEP_CONN) one worker watches at most. */
#define KEPT_MAX	16

/*
 * Serves the next request on fr's connection (fresh or kept).  A connection
 * that is not kept is closed by FCGX_Finish_r; one the web server closed is
 * dropped by FCGX_Accept_r.
 */
static void
serve_conn(struct acme_server *srv, FCGX_Request *fr)
{
	struct io	io = { fr, 0 };

	if (FCGX_Accept_r(fr) < 0)
		return;		/* connection closed or broken: dropped */
	serve_one(srv, &io);
	req_drain(&io);
	FCGX_Finish_r(fr);
}

/*
 * Closes a connection libfcgi holds.  Not FCGX_Free(fr, 1): that shuts the
 * socket down and waits up to 2 s for the peer's EOF, which an idle pooled
 * connection of a web server never sends.
 */
static void
drop_conn(FCGX_Request *fr)
{
	if (fr->ipcFd >= 0)
		close(fr->ipcFd);
	fr->ipcFd = -1;
	FCGX_Free(fr, 0);
}

/*
 * libfcgi's FCGI_WEB_SERVER_ADDRS: when set, TCP connections are taken only
 * from the listed addresses (comma-separated), as libfcgi's own accept
 * would; we accept connections ourselves, so we check.
 */
static int
peer_allowed(int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	char			 addr[INET6_ADDRSTRLEN], list[1024], *tok, *save;
	const char		*env = getenv("FCGI_WEB_SERVER_ADDRS");

	if (env == NULL || *env == '\0' ||
	    getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return 1;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof(addr));
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof(addr));
	else
		return 1;	/* a UNIX socket: file permissions decide */
	snprintf(list, sizeof(list), "%s", env);
	for (tok = strtok_r(list, ", \t", &save); tok != NULL; tok = strtok_r(NULL, ", \t", &save))
		if (strcmp(tok, addr) == 0)
			return 1;
	log_warn("refused a FastCGI connection from %s (not in FCGI_WEB_SERVER_ADDRS)", addr);
	return 0;
}

/*
 * A worker: serves FastCGI requests on listen_fd until told to stop.  We
 * accept connections ourselves (the listening socket is non-blocking and
 * shared by all workers) and hand each to libfcgi, which reads the
 * request from it.  Connections the web server keeps open between requests
 * (FCGI_KEEP_CONN, e.g. Apache's enablereuse pools) are watched together
 * with the listening socket, one FCGX_Request each, so that an idle kept
 * connection never stops this worker from taking new ones; with KEPT_MAX
 * of them open, the least recently used is closed to make room.
 */
static int
worker(const struct config *cfg, int listen_fd, const sigset_t *waitmask,
    int own_runner)
{
	struct acme_server	 srv;
	struct db		*db;
	pid_t			 runner = 0;
	FCGX_Request		 fr[KEPT_MAX];
	struct pollfd		 pfd[KEPT_MAX + 1];
	unsigned		 idx[KEPT_MAX], i, k, n, slot;
	uint64_t		 used[KEPT_MAX] = { 0 }, tick = 0;
	int			 fd, status;

	/* First, so that it holds nothing of ours. */
	if (own_runner)
		runner = spawn_runner(waitmask);
	if ((db = open_db(cfg)) == NULL)
		return 1;
	/* Spawned: once per process (standalone: the supervisor did). */
	if (own_runner)
		(void)key_files_report(db);
	if (!acme_server_init(&srv, cfg, db)) {
		db_close(db);
		return 1;
	}
	if (FCGX_Init() != 0) {
		log_err("worker: libfcgi initialisation failed");
		db_close(db);
		return 1;
	}
	for (i = 0; i < KEPT_MAX; i++)
		if (FCGX_InitRequest(&fr[i], listen_fd, 0) != 0) {
			log_err("worker: libfcgi initialisation failed");
			db_close(db);
			return 1;
		}
	/* The signer is ready before the first finalize; it stops with us. */
	if ((srv.signer = signer_new(cfg->database, cfg->busy_timeout)) == NULL) {
		db_close(db);
		return 1;
	}
	if (!signer_start(srv.signer))
		log_err("worker: the signer could not be started; finalize retries");
	fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
	while (!got_stop) {
		/* A runner that died is replaced (the signer has its own way). */
		if (got_chld) {
			got_chld = 0;
			if (runner > 0 && waitpid(runner, &status, WNOHANG) == runner) {
				log_err("job runner %ld died; starting another", (long)runner);
				sleep(1);
				runner = spawn_runner(waitmask);
			}
		}
		n = 0;
		for (i = 0; i < KEPT_MAX; i++)
			if (fr[i].ipcFd >= 0) {
				pfd[n] = (struct pollfd){ .fd = fr[i].ipcFd, .events = POLLIN };
				idx[n++] = i;
			}
		pfd[n] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
		/* Signals are blocked except here: a request is never interrupted. */
		if (got_stop || ppoll(pfd, n + 1, NULL, waitmask) <= 0)
			continue;
		for (k = 0; k < n && !got_stop; k++)
			if (pfd[k].revents != 0) {
				used[idx[k]] = ++tick;
				serve_conn(&srv, &fr[idx[k]]);
			}
		if (got_stop || !(pfd[n].revents & POLLIN))
			continue;
		if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;	/* another worker won, or the client left */
		if (!peer_allowed(fd)) {
			close(fd);
			continue;
		}
		/* A free slot, else the least recently used connection's. */
		for (slot = 0; slot < KEPT_MAX && fr[slot].ipcFd >= 0; slot++)
			;
		if (slot == KEPT_MAX) {
			for (slot = 0, i = 1; i < KEPT_MAX; i++)
				if (used[i] < used[slot])
					slot = i;
			drop_conn(&fr[slot]);
		}
		used[slot] = ++tick;
		/*
		 * FCGX_Accept_r first finishes the previous request and closes
		 * its connection unless it was kept; mark the fresh one kept
		 * so that it is not closed.
		 */
		fr[slot].ipcFd = fd;
		fr[slot].keepConnection = 1;
		serve_conn(&srv, &fr[slot]);
	}
	for (i = 0; i < KEPT_MAX; i++)
		drop_conn(&fr[i]);
	/*
	 * Before db_close(), as the signer: a runner started again above
	 * shares this process's SQLite lock state (and holds a copy of the
	 * signer's socket, whose end signer_free() waits for).
	 */
	if (runner > 0) {
		kill(runner, SIGTERM);
		waitpid(runner, &status, 0);
	}
	signer_free(srv.signer);
	db_close(db);
	return 0;
}

/* Opens a listening socket for "HOST:PORT", "[V6]:PORT" or "unix:/path". */
static int
listen_on(const char *addr)
{
	struct addrinfo		 hints, *res = NULL;
	struct sockaddr_un	 sun;
	char			 host[256], *port;
	int			 fd = -1, one = 1, rc;

	if (strncmp(addr, "unix:", 5) == 0) {
		if (strlen(addr + 5) >= sizeof(sun.sun_path)) {
			log_err("listen: %s: path too long", addr);
			return -1;
		}
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		strcpy(sun.sun_path, addr + 5);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			goto syserr;
		unlink(sun.sun_path);	/* a stale socket from a previous run */
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
		    chmod(sun.sun_path, 0660) < 0)
			goto syserr;
	} else {
		snprintf(host, sizeof(host), "%s", addr);
		if ((port = strrchr(host, ':')) == NULL) {
			log_err("listen: %s: expected HOST:PORT or unix:/path", addr);
			return -1;
		}
		*port++ = '\0';
		if (host[0] == '[' && port - host >= 3 && port[-2] == ']') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
		if ((rc = getaddrinfo(host[0] != '\0' ? host : NULL, port, &hints, &res)) != 0) {
			log_err("listen: %s: %s", addr, gai_strerror(rc));
			return -1;
		}
		if ((fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0)) < 0)
			goto syserr;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, res->ai_addr, res->ai_addrlen) < 0)
			goto syserr;
		freeaddrinfo(res);
		res = NULL;
	}
	if (listen(fd, LISTEN_BACKLOG) < 0)
		goto syserr;
	return fd;
syserr:
	log_err("listen: %s: %s", addr, strerror(errno));
	if (res != NULL)
		freeaddrinfo(res);
	if (fd >= 0)
		close(fd);
	return -1;
}

struct slot {
	pid_t	pid;
	time_t	started;
};

static pid_t
spawn(const struct config *cfg, int fd, const sigset_t *waitmask)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(worker(cfg, fd, waitmask, 0));
	if (pid < 0)
		log_err("spawn: fork: %s", strerror(errno));
	return pid;
}

/*
 * Standalone: prefork workers on one socket and one job runner, restart the
 * dead, drain on stop.
 */
static int
supervise(struct config *cfg, const char *cfgpath, int fd, const sigset_t *waitmask)
{
	struct slot	*slots, runner = { 0, 0 };
	unsigned	 n = cfg->workers, alive;
	pid_t		 pid;
	int		 status;
	time_t		 deadline = 0;

	if ((slots = calloc(n, sizeof(*slots))) == NULL)
		return 1;
	for (;;) {
		if (got_hup && !got_stop) {
			struct config	fresh;
			char		err[512];

			got_hup = 0;
			config_defaults(&fresh);
			if (config_load(&fresh, cfgpath, err, sizeof(err)) &&
			    config_check(&fresh, err, sizeof(err))) {
				/* Workers pick the new configuration up as they restart. */
				free(fresh.listen);
				fresh.listen = cfg->listen;
				cfg->listen = NULL;
				fresh.workers = n;
				config_free(cfg);
				*cfg = fresh;
				log_set_level(cfg->log_level);
				log_info("configuration reloaded; restarting workers");
				for (unsigned i = 0; i < n; i++)
					if (slots[i].pid > 0)
						kill(slots[i].pid, SIGTERM);
				if (runner.pid > 0)
					kill(runner.pid, SIGTERM);
			} else {
				log_err("reload: %s; keeping the running configuration", err);
				config_free(&fresh);
			}
		}
		got_chld = 0;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid == runner.pid) {
				if (!got_stop && (!WIFEXITED(status) ||
				    WEXITSTATUS(status) != 0))
					log_err("job runner %ld died", (long)pid);
				runner.pid = 0;
			}
			for (unsigned i = 0; i < n; i++)
				if (slots[i].pid == pid) {
					if (!got_stop && (!WIFEXITED(status) ||
					    WEXITSTATUS(status) != 0))
						log_err("worker %ld died (%s %d)", (long)pid,
						    WIFSIGNALED(status) ? "signal" : "exit",
						    WIFSIGNALED(status) ? WTERMSIG(status) :
						    WEXITSTATUS(status));
					slots[i].pid = 0;
				}
		}
		if (got_stop && deadline == 0) {
			deadline = time(NULL) + DRAIN_SECONDS;
			for (unsigned i = 0; i < n; i++)
				if (slots[i].pid > 0)
					kill(slots[i].pid, SIGTERM);
			if (runner.pid > 0)
				kill(runner.pid, SIGTERM);
		}
		alive = 0;
		for (unsigned i = 0; i < n; i++) {
			if (slots[i].pid == 0 && !got_stop) {
				/* A crash loop must not spin the CPU. */
				if (time(NULL) - slots[i].started < RESPAWN_FAST)
					sleep(1);
				slots[i].started = time(NULL);
				slots[i].pid = spawn(cfg, fd, waitmask);
			}
			alive += slots[i].pid > 0;
		}
		/* Also after a failed fork (-1): without a runner no job ends. */
		if (runner.pid <= 0 && !got_stop) {
			if (time(NULL) - runner.started < RESPAWN_FAST)
				sleep(1);
			runner.started = time(NULL);
			runner.pid = spawn_runner(waitmask);
		}
		alive += runner.pid > 0;
		if (got_stop && alive == 0)
			break;
		if (got_stop && time(NULL) >= deadline) {
			log_warn("workers did not finish in %d s; killing them", DRAIN_SECONDS);
			for (unsigned i = 0; i < n; i++)
				if (slots[i].pid > 0)
					kill(slots[i].pid, SIGKILL);
			if (runner.pid > 0)
				kill(runner.pid, SIGKILL);
		}
		if (!got_chld && !got_hup) {
			struct timespec ts = { 1, 0 };
			sigset_t m = *waitmask;

			pselect(0, NULL, NULL, NULL, &ts, &m);
		}
	}
	free(slots);
	log_info("stopped");
	return 0;
}

/*
 * Starts a job runner that outlives this CGI request and ends when no job
 * is due: detached (its own session, orphaned at once), with none of the
 * descriptors the web server waits on.
 */
static void
cgi_runner(const struct config *cfg)
{
	sigset_t	none;
	pid_t		pid;
	int		fd, status;

	fflush(stdout);
	if ((pid = fork()) < 0) {
		log_err("runner: fork: %s", strerror(errno));
		return;
	}
	if (pid > 0) {
		waitpid(pid, &status, 0);
		return;
	}
	setsid();
	if (fork() != 0)
		_exit(0);
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	sigemptyset(&none);
	_exit(run_jobs(cfg, &none, 1));
}

/* Plain CGI: one request from the environment and stdin. */
static int
cgi(const struct config *cfg)
{
	struct acme_server	 srv;
	struct db		*db;
	struct io		 io = { NULL, 0 };
	int			 due;

	/* The signer starts only if the request needs it. */
	if ((db = open_db(cfg)) == NULL || !acme_server_init(&srv, cfg, db) ||
	    (srv.signer = signer_new(cfg->database, cfg->busy_timeout)) == NULL) {
		fputs("Status: 500 Internal Server Error\r\n\r\n", stdout);
		db_close(db);
		return 1;
	}
	serve_one(&srv, &io);
	req_drain(&io);
	signer_free(srv.signer);
	/* Work this or an earlier request left: a runner that drains it. */
	due = srv.jobs_queued || db_job_due(db, time(NULL)) == DB_OK;
	/*
	 * Closed before the fork: the runner outlives this process, and a
	 * connection it opened would join the SQLite state fork() copied
	 * from this one, whose locks go when this process exits.
	 */
	db_close(db);
	if (due)
		cgi_runner(cfg);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "init-db", no_argument, NULL, 'I' },
		{ "run-jobs", no_argument, NULL, 'R' },
		{ "run-one-job", no_argument, NULL, 'O' },
		{ "check", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config	 cfg;
	const char	*cfgpath = getenv("ACME_FCGI_CONFIG");
	/* Set by the Apache snippets for mod_fcgid and mod_cgid. */
	const char	*location_env = getenv("ACME_FCGI_LOCATION_HEADER");
	const char	*listen_arg = NULL, *workers_arg = NULL;
	char		 err[512];
	int		 ch, init_only = 0, check_only = 0, jobs_only = 0, one_job = 0;
	int		 fd, rc;
	sigset_t	 waitmask;
	struct db	*db;

	while ((ch = getopt_long(argc, argv, "c:l:w:tVh", longopts, NULL)) != -1)
		switch (ch) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'l':
			listen_arg = optarg;
			break;
		case 'w':
			workers_arg = optarg;
			break;
		case 'I':
			init_only = 1;
			break;
		case 't':
			check_only = 1;
			break;
		case 'R':
			jobs_only = 1;
			break;
		case 'O':
			one_job = 1;
			break;
		case 'V':
			puts(PACKAGE_STRING);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (cfgpath == NULL || *cfgpath == '\0')
		cfgpath = DEFAULT_CONFIG;
	config_path = cfgpath;

	log_init("acme-fcgi", 0, LOG_LVL_INFO);
	config_defaults(&cfg);
	if (!config_load(&cfg, cfgpath, err, sizeof(err)) ||
	    (listen_arg != NULL && !config_set(&cfg, "listen", listen_arg, err, sizeof(err))) ||
	    (workers_arg != NULL && !config_set(&cfg, "workers", workers_arg, err, sizeof(err))) ||
	    (cfg.location_header == NULL && location_env != NULL &&
	    !config_set(&cfg, "location_header", location_env, err, sizeof(err))) ||
	    !config_check(&cfg, err, sizeof(err))) {
		log_err("configuration: %s", err);
		config_free(&cfg);
		return 1;
	}
	log_init("acme-fcgi", cfg.log_syslog, cfg.log_level);

	if (init_only || check_only || jobs_only || cfg.listen != NULL) {
		/* Create or migrate once, before any worker exists. */
		if ((db = open_db(&cfg)) == NULL) {
			config_free(&cfg);
			return 1;
		}
		/* --check fails on an unsafe key file; starting only logs it. */
		if (!init_only && key_files_report(db) != 0 && check_only) {
			log_err("%s: private key files are unsafe or unreadable", cfgpath);
			db_close(db);
			config_free(&cfg);
			return 1;
		}
		db_close(db);
		if (init_only || check_only) {
			if (check_only)
				printf("%s: configuration and database are usable\n", cfgpath);
			config_free(&cfg);
			return 0;
		}
	}

	signals_setup(&waitmask);
	if (one_job)
		rc = run_one_job(&cfg, &waitmask);
	else if (jobs_only) {
		log_info("running background jobs until stopped");
		rc = run_jobs(&cfg, &waitmask, 0);
	} else if (cfg.listen != NULL) {
		if ((fd = listen_on(cfg.listen)) < 0) {
			config_free(&cfg);
			return 1;
		}
		log_info("listening on %s with %u workers", cfg.listen, cfg.workers);
		rc = supervise(&cfg, cfgpath, fd, &waitmask);
		if (strncmp(cfg.listen, "unix:", 5) == 0)
			unlink(cfg.listen + 5);
	} else if (!FCGX_IsCGI())
		rc = worker(&cfg, 0, &waitmask, 1);	/* spawned: socket on fd 0 */
	else if (getenv("GATEWAY_INTERFACE") != NULL)
		rc = cgi(&cfg);
	else {
		log_err("not started by a web server (no FastCGI socket on fd 0, "
		    "no CGI environment); use --listen to run standalone");
		rc = 1;
	}
	config_free(&cfg);
	return rc;
}

/*
 * tmcred-fcgi: the prefork master. Opens the FastCGI socket, forks the workers, respawns
 * any that die (with back-off), and on SIGHUP re-executes itself (new binary, config and
 * templates) keeping the socket, then retires the old workers gracefully. SIGTERM stops
 * everything after in-flight requests finish.
 */
#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <limits.h>
#include <mysql.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../certs/fetch.h"
#include "../db/config.h"
#include "epoch.h"
#include "limits.h"
#include "session.h"
#include "worker.h"

struct slot {
	pid_t pid;
	struct timespec started;
	struct timespec next_start;   /* respawn not before this (back-off) */
	unsigned backoff_ms;
};

static struct tm_config cfg;
static struct slot slots[TM_MAX_WORKERS];
static unsigned nslots;
static pid_t retiring[TM_MAX_WORKERS * 4];   /* old generation, finishing in-flight requests */
static unsigned nretiring;
static int listen_fd = -1;
static char self_exe[PATH_MAX];
static const char *conf_path;

static double
now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
ts_s(struct timespec t)
{
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
logmsg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "tmcred-fcgi[%d]: %s\n", (int)getpid(), buf);
}

static void
spawn(struct slot *s)
{
	pid_t ppid = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		logmsg("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		/* A worker whose master is gone (SIGKILL) must not linger holding the socket. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != ppid)
			_exit(0);
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, &none, NULL);
		_exit(worker_main(&cfg, listen_fd));
	}
	s->pid = pid;
	clock_gettime(CLOCK_MONOTONIC, &s->started);
}

static void
retire(pid_t pid)
{
	if (pid > 0 && nretiring < sizeof(retiring) / sizeof(retiring[0])) {
		retiring[nretiring++] = pid;
		kill(pid, SIGTERM);
	}
}

static void
reap(void)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned i = 0; i < nretiring; i++)
			if (retiring[i] == pid) {
				retiring[i] = retiring[--nretiring];
				pid = 0;
				break;
			}
		for (unsigned i = 0; pid != 0 && i < nslots; i++) {
			struct slot *s = &slots[i];
			if (s->pid != pid)
				continue;
			double lived = now_s() - ts_s(s->started);
			/* A worker that dies young is likely to die again: back off, up to 5 s. */
			s->backoff_ms = lived < 1.0 ? (s->backoff_ms ? s->backoff_ms * 2 : 100) : 0;
			if (s->backoff_ms > TM_RESPAWN_BACKOFF_MAX_MS)
				s->backoff_ms = TM_RESPAWN_BACKOFF_MAX_MS;
			clock_gettime(CLOCK_MONOTONIC, &s->next_start);
			s->next_start.tv_sec += s->backoff_ms / 1000;
			s->next_start.tv_nsec += (long)(s->backoff_ms % 1000) * 1000000L;
			if (s->next_start.tv_nsec >= 1000000000L) {
				s->next_start.tv_sec++;
				s->next_start.tv_nsec -= 1000000000L;
			}
			if (WIFSIGNALED(status))
				logmsg("worker %d killed by signal %d; respawning in %u ms", (int)pid,
				    WTERMSIG(status), s->backoff_ms);
			else
				logmsg("worker %d exited with %d; respawning in %u ms", (int)pid,
				    WEXITSTATUS(status), s->backoff_ms);
			s->pid = 0;
		}
	}
}

static void
fill_slots(void)
{
	double t = now_s();
	for (unsigned i = 0; i < nslots; i++)
		if (slots[i].pid == 0 && t >= ts_s(slots[i].next_start))
			spawn(&slots[i]);
}

/* Re-executes the (possibly rebuilt) binary with the socket and the workers to retire. */
static void
reexec(char **argv)
{
	char fdbuf[16], pids[TM_MAX_WORKERS * 5 * 12] = "";
	size_t w = 0;
	for (unsigned i = 0; i < nslots; i++)
		if (slots[i].pid > 0)
			w += (size_t)snprintf(pids + w, sizeof(pids) - w, "%d,", (int)slots[i].pid);
	for (unsigned i = 0; i < nretiring && w < sizeof(pids); i++)
		w += (size_t)snprintf(pids + w, sizeof(pids) - w, "%d,", (int)retiring[i]);
	snprintf(fdbuf, sizeof(fdbuf), "%d", listen_fd);
	setenv("TMCRED_LISTEN_FD", fdbuf, 1);
	setenv("TMCRED_RETIRE_PIDS", pids, 1);
	fcntl(listen_fd, F_SETFD, 0);
	host_epochs_pass_on_exec();
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(self_exe, argv);
	logmsg("re-exec of %s failed (%s); reloading in place", self_exe, strerror(errno));
	unsetenv("TMCRED_LISTEN_FD");
	unsetenv("TMCRED_RETIRE_PIDS");
}

static void
block_signals(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	sigaddset(&s, SIGHUP);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGINT);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static int
open_socket(void)
{
	const char *inherited = getenv("TMCRED_LISTEN_FD");
	if (inherited != NULL) {
		int fd = atoi(inherited);
		unsetenv("TMCRED_LISTEN_FD");
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		return fd;
	}
	if (cfg.server_listen[0] != '\0') {
		int fd = FCGX_OpenSocket(cfg.server_listen, 1024);
		if (fd < 0) {
			logmsg("cannot listen on %s", cfg.server_listen);
			return -1;
		}
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		return fd;
	}
	mode_t old = umask(0);
	int fd = FCGX_OpenSocket(cfg.server_socket, 1024);
	umask(old);
	if (fd < 0) {
		logmsg("cannot open socket %s", cfg.server_socket);
		return -1;
	}
	/* nginx workers run as another user; the socket's directory is the access control. */
	chmod(cfg.server_socket, 0666);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

static void
adopt_retiring(void)
{
	const char *s = getenv("TMCRED_RETIRE_PIDS");
	if (s == NULL)
		return;
	char *copy = strdup(s), *save = NULL;
	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
		if (nretiring < sizeof(retiring) / sizeof(retiring[0]))
			retiring[nretiring++] = (pid_t)atoi(t);
	free(copy);
	unsetenv("TMCRED_RETIRE_PIDS");
}

int
main(int argc, char **argv)
{
	char err[512];
	int opt;

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt == 'c')
			conf_path = optarg;
		else {
			fprintf(stderr, "usage: tmcred-fcgi [-c tmcred.conf]\n");
			return 2;
		}
	}
	if (config_load(conf_path, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "tmcred-fcgi: %s\n", err);
		return 2;
	}
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n > 0) {
		self_exe[n] = '\0';
		/* After a rebuild the kernel shows "<path> (deleted)"; the path is what we want. */
		char *del = strstr(self_exe, " (deleted)");
		if (del != NULL)
			*del = '\0';
	}
	nslots = cfg.workers ? cfg.workers : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (nslots == 0)
		nslots = 1;
	if (nslots > TM_MAX_WORKERS)
		nslots = TM_MAX_WORKERS;

	/*
	 * libfcgi reads the allowed TCP peers from the environment in FCGX_Init and refuses
	 * anyone else; unix sockets ignore it (their directory is the access control).
	 */
	if (cfg.server_listen[0] != '\0')
		setenv("FCGI_WEB_SERVER_ADDRS", cfg.web_server_addrs, 1);
	/* Library init before fork: sodium and Connector/C use pthread_once internally. */
	if (sodium_init() < 0 || mysql_library_init(0, NULL, NULL) != 0 || FCGX_Init() != 0 ||
	    fetch_global_init() < 0) {
		fprintf(stderr, "tmcred-fcgi: library init failed\n");
		return 2;
	}
	block_signals();
	signal(SIGPIPE, SIG_IGN);
	if ((listen_fd = open_socket()) < 0)
		return 1;
	adopt_retiring();
	/* Without the shared epoch a logout could not reach the other workers: no caching then. */
	if (host_epochs_init() != 0)
		logmsg("no shared memory for the host epochs (%s); sessions and registry snapshots are not cached",
		    strerror(errno));

	fill_slots();
	/* The new generation is up: the previous one (if re-executed) finishes and exits. */
	for (unsigned i = 0; i < nretiring; i++)
		kill(retiring[i], SIGTERM);
	logmsg("listening on %s with %u workers",
	    cfg.server_listen[0] ? cfg.server_listen : cfg.server_socket, nslots);

	sigset_t wait_set;
	sigemptyset(&wait_set);
	sigaddset(&wait_set, SIGCHLD);
	sigaddset(&wait_set, SIGHUP);
	sigaddset(&wait_set, SIGTERM);
	sigaddset(&wait_set, SIGINT);
	double stop_deadline = 0, last_resend = 0;
	bool stopping = false;

	for (;;) {
		struct timespec tick = { 0, 100 * 1000000L };
		int sig = sigtimedwait(&wait_set, NULL, &tick);
		if (sig == SIGCHLD || sig < 0)
			reap();
		if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
			stopping = true;
			stop_deadline = now_s() + TM_GRACEFUL_STOP_SECONDS;
			for (unsigned i = 0; i < nslots; i++) {
				retire(slots[i].pid);
				slots[i].pid = 0;
			}
			logmsg("stopping");
		}
		if (sig == SIGHUP && !stopping) {
			logmsg("reload");
			reexec(argv);
			/* exec failed: reload in place with a fresh config and new workers. */
			struct tm_config fresh;
			if (config_load(conf_path, &fresh, err, sizeof(err)) == 0)
				cfg = fresh;
			else
				logmsg("config: %s (keeping the old one)", err);
			pid_t old[TM_MAX_WORKERS];
			for (unsigned i = 0; i < nslots; i++) {
				old[i] = slots[i].pid;
				slots[i].pid = 0;
				slots[i].next_start = (struct timespec){ 0, 0 };
			}
			fill_slots();
			for (unsigned i = 0; i < nslots; i++)
				retire(old[i]);
		}
		reap();
		if (!stopping)
			fill_slots();
		/*
		 * Retiring workers get SIGTERM again each second: one that was between its
		 * stop check and accept() when the first arrived is woken by the next.
		 */
		if (nretiring > 0 && now_s() - last_resend >= 1.0) {
			last_resend = now_s();
			for (unsigned i = 0; i < nretiring; i++)
				kill(retiring[i], SIGTERM);
		}
		if (stopping && (nretiring == 0 || now_s() > stop_deadline)) {
			for (unsigned i = 0; i < nretiring; i++)
				kill(retiring[i], SIGKILL);
			while (nretiring > 0 && waitpid(-1, NULL, 0) > 0)
				nretiring--;
			if (cfg.server_listen[0] == '\0')
				unlink(cfg.server_socket);
			logmsg("stopped");
			return 0;
		}
	}
}

#include "epoch.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define EPOCH_FD_ENV "TMCRED_EPOCH_FD"

struct host_epochs {
	_Atomic uint64_t v[EPOCH_COUNT];
};

static struct host_epochs *shared;
static int shared_fd = -1;

int
host_epochs_init(void)
{
	const char *inherited = getenv(EPOCH_FD_ENV);
	int fd = -1;

	if (inherited != NULL) {
		fd = atoi(inherited);
		unsetenv(EPOCH_FD_ENV);
		/* Only what a previous image handed over: an open file of exactly our size. */
		struct stat st;
		if (fd <= 2 || fstat(fd, &st) != 0 || st.st_size != sizeof(struct host_epochs) ||
		    fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
			fd = -1;
	}
	if (fd < 0) {
		fd = memfd_create("tmcred-host-epochs", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, sizeof(struct host_epochs)) != 0) {
			if (fd >= 0)
				close(fd);
			return -1;
		}
	}
	void *p = mmap(NULL, sizeof(struct host_epochs), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -1;
	}
	shared = p;
	shared_fd = fd;
	return 0;
}

void
host_epochs_pass_on_exec(void)
{
	char buf[16];
	if (shared_fd < 0)
		return;
	snprintf(buf, sizeof(buf), "%d", shared_fd);
	setenv(EPOCH_FD_ENV, buf, 1);
	fcntl(shared_fd, F_SETFD, 0);
}

bool
host_epochs_mapped(void)
{
	return shared != NULL;
}

uint64_t
host_epoch(enum host_epoch e)
{
	return shared != NULL ? atomic_load_explicit(&shared->v[e], memory_order_seq_cst) : 0;
}

void
host_epoch_bump(enum host_epoch e)
{
	if (shared != NULL)
		atomic_fetch_add_explicit(&shared->v[e], 1, memory_order_seq_cst);
}

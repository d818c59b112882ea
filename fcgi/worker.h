#ifndef TM_WORKER_H
#define TM_WORKER_H
#include "../db/config.h"

/*
 * A worker process: loads keys and templates, opens its own database connection (after
 * fork), then answers requests on listen_fd until SIGTERM. Returns the exit status.
 */
int	 worker_main(const struct tm_config *, int listen_fd);

#endif

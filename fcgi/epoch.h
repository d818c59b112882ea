#ifndef TM_EPOCH_H
#define TM_EPOCH_H
#include <stdbool.h>
#include <stdint.h>

/*
 * Host epochs: counters in one shared memory file (memfd) that the master maps before
 * forking, so every worker of the host sees the same ones, and that a re-executed master
 * inherits (TMCRED_EPOCH_FD), so workers of the old and new generation share them too. A
 * worker that caches something compares the counter with the value it cached under and
 * drops its copy when the counter moved: exact on one host, for changes made through it.
 */
enum host_epoch {
	EPOCH_SESSIONS,         /* a session ended early, a password/role/status changed */
	EPOCH_CERTS,            /* a certificate was issued, renewed or changed status */
	EPOCH_WRITES,           /* a request that may have written (not GET or HEAD) was served */
	EPOCH_COUNT,
};

/* Master, before forking workers: maps the epochs (new, or inherited over a re-exec). */
int	 host_epochs_init(void);
/* Master, just before re-executing itself: hands the epochs to the new image. */
void	 host_epochs_pass_on_exec(void);
/* false in processes that never mapped them (tools, tests): callers then do not cache. */
bool	 host_epochs_mapped(void);
uint64_t host_epoch(enum host_epoch);
void	 host_epoch_bump(enum host_epoch);

#endif

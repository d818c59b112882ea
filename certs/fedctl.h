#ifndef TM_FEDCTL_H
#define TM_FEDCTL_H

#include "../db/config.h"

/*
 * tmcred-ctl's federation commands (certs/README.md "Federation"):
 *   node-fingerprint             print this node's key set fingerprint (give it to peers)
 *   peer-add URL FINGERPRINT     trust the node at URL when its key set has that fingerprint
 *   peer-remove CODE             stop trusting a peer (audited)
 *   peer-list                    the trust list, one peer a line
 *   federation-pull              refetch every peer's key set and summary (cron/systemd timer)
 *   trust-export                 the trust list file for tmcred-verify --trust (stdout)
 *   regional-key FILE            write a new 32-byte regional key (0600) to share with peers
 * Returns the exit status, or -1 when cmd is not one of them.
 */
int	 fed_ctl(const struct tm_config *, const char *cmd, int argc, char **argv);

#endif

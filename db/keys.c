#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *names[] = { "id.key", "blind.key", "csrf.key" };

static int
load_one(const char *dir, const char *name, unsigned char *out, char *err, size_t errlen)
{
	char path[1200];
	struct stat sb;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0 || (sb.st_mode & 077) != 0 || sb.st_size != TM_KEY_BYTES) {
		snprintf(err, errlen, "%s: must be %d bytes with mode 0600", path, TM_KEY_BYTES);
		close(fd);
		return -1;
	}
	n = read(fd, out, TM_KEY_BYTES);
	close(fd);
	if (n != TM_KEY_BYTES) {
		snprintf(err, errlen, "%s: short read", path);
		return -1;
	}
	return 0;
}

int
keys_load(const char *dir, struct tm_keys *k, char *err, size_t errlen)
{
	unsigned char *dst[] = { k->id_enc, k->blind, k->csrf };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (load_one(dir, names[i], dst[i], err, errlen) < 0) {
			keys_wipe(k);
			return -1;
		}
	return 0;
}

int
keys_generate(const char *dir, char *err, size_t errlen)
{
	int created = 0;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[1200];
		unsigned char key[TM_KEY_BYTES];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		randombytes_buf(key, sizeof(key));
		ssize_t w = write(fd, key, sizeof(key));
		sodium_memzero(key, sizeof(key));
		if (w != (ssize_t)sizeof(key) || fsync(fd) < 0 || close(fd) < 0) {
			snprintf(err, errlen, "%s: write failed", path);
			unlink(path);
			return -1;
		}
		created++;
	}
	return created;
}

void
keys_wipe(struct tm_keys *k)
{
	sodium_memzero(k, sizeof(*k));
}

/* fsutil.h — files as the lab's state store needs them.
 *
 * State files are replaced atomically (write a temporary file in the same
 * directory, fsync, rename) so a reader never sees half a file and a process
 * killed mid-write leaves the old version in place.
 */
#ifndef CLIENTIP_FSUTIL_H
#define CLIENTIP_FSUTIL_H

#include <stddef.h>

/* Writes data to path atomically with the given mode. 0 or -errno. */
int fs_write_atomic(const char *path, const void *data, size_t len, unsigned mode);
/* Reads a whole file into a NUL-terminated malloc'd buffer. 0 or -errno. */
int fs_read_all(const char *path, char **data, size_t *len);
/* mkdir -p. 0 or -errno. */
int fs_mkdir_p(const char *path, unsigned mode);
/* rm -rf of a directory tree (does not follow symlinks). 0 or -errno. */
int fs_remove_tree(const char *path);

#endif

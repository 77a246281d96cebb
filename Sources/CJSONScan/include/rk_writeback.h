// Starting the disk write of an output file's written range without waiting for it.
#ifndef RK_WRITEBACK_H
#define RK_WRITEBACK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Starts write-back of bytes [offset, offset + length) of `fd` and returns at once (Linux:
/// sync_file_range with SYNC_FILE_RANGE_WRITE; elsewhere posix_fadvise DONTNEED, a hint).
/// Returns 0, or -1 with errno set; a failure only means the final fsync has more to do.
int rk_start_writeback(int fd, int64_t offset, int64_t length);

#ifdef __cplusplus
}
#endif
#endif

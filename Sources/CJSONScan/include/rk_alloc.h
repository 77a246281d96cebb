// Allocator settings for RewardKit's streaming commands (score, verify math).
#ifndef RK_ALLOC_H
#define RK_ALLOC_H

#ifdef __cplusplus
extern "C" {
#endif

/// Makes glibc malloc keep freed memory mapped and serve buffers of up to 32 MB from its heaps,
/// so a batch reuses the previous batch's pages. Once per process; no effect without glibc.
void rk_keep_freed_memory(void);

#ifdef __cplusplus
}
#endif
#endif

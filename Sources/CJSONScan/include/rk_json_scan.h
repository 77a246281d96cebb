// Byte scanning for RewardKit's JSON reader: finding the bytes a JSON string scanner must look at
// (quote, backslash, control characters, and optionally non-ASCII) 16 bytes at a time with SSE2,
// which every x86-64 has, so no run-time dispatch is needed; portable C elsewhere.
#ifndef RK_JSON_SCAN_H
#define RK_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>
// Also part of this module (included here so a module cache built before it existed is rebuilt).
#include "rk_alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Offset in p[0..<n] of the first byte that is '"', '\\' or below 0x20; n if there is none.
size_t rk_json_find_special(const uint8_t *p, size_t n);

/// As rk_json_find_special, also stopping at any byte >= 0x80 (the start of a non-ASCII character,
/// which a validating scanner checks itself).
size_t rk_json_find_special_or_utf8(const uint8_t *p, size_t n);

/// Offset in p[0..<n] of the first byte >= 0x80; n if there is none (the bytes are ASCII).
size_t rk_find_non_ascii(const uint8_t *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif

/*
 * crc32c.h — CRC-32C (Castagnoli), the checksum of Kafka RecordBatch v2.
 * Uses the SSE4.2 crc32 instruction when the CPU has it, a slicing-by-8 table otherwise.
 * @locality any thread (tables are built once, thread-safely, on first use).
 */
#ifndef SL_CRC32C_H
#define SL_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/* Continue a CRC: pass 0 for a fresh one. */
uint32_t sl_crc32c(uint32_t crc, const void *data, size_t len);
/* The portable path alone, so tests can check the two paths agree. */
uint32_t sl_crc32c_sw(uint32_t crc, const void *data, size_t len);

#endif

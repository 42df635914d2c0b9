/* time.h — clocks. Wall-clock milliseconds for Kafka timestamps, monotonic for timeouts. */
#ifndef SL_TIME_H
#define SL_TIME_H
#include <stdint.h>

int64_t sl_wallclock_ms(void); /* milliseconds since the Unix epoch */
int64_t sl_monotonic_ms(void);
int64_t sl_monotonic_us(void);

#endif

/*
 * log.h — the server's diagnostic log (stderr), not to be confused with the partition log.
 * Lines look like: "2026-11-21T10:00:00.123Z INFO  broker: listening on [::]:9092".
 * @locality any thread (one write(2) per line).
 */
#ifndef SL_LOG_H
#define SL_LOG_H

enum sl_loglevel { SL_LOG_DEBUG, SL_LOG_INFO, SL_LOG_WARN, SL_LOG_ERROR };

void sl_log_set_level(enum sl_loglevel lvl);
void sl_logf(enum sl_loglevel lvl, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define SL_DEBUG(comp, ...) sl_logf(SL_LOG_DEBUG, comp, __VA_ARGS__)
#define SL_INFO(comp, ...)  sl_logf(SL_LOG_INFO, comp, __VA_ARGS__)
#define SL_WARN(comp, ...)  sl_logf(SL_LOG_WARN, comp, __VA_ARGS__)
#define SL_ERROR(comp, ...) sl_logf(SL_LOG_ERROR, comp, __VA_ARGS__)

#endif

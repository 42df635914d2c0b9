/*
 * err.h — Sluice's internal status codes.
 *
 * Every function that can fail returns an int: 0 (SL_OK) on success, a negative code from the
 * table below otherwise. SL_AGAIN ("would block / not yet") is a status of its own, not an
 * error. Kafka wire error codes are a separate enum (broker/kerr.h) so an internal failure
 * never reaches the wire by accident.
 */
#ifndef SL_ERR_H
#define SL_ERR_H

/* X(name, value, message) */
#define SL_ERRNO_MAP(X)                                                                            \
    X(OK, 0, "success")                                                                            \
    X(AGAIN, -1, "not ready yet, try again later")                                                 \
    X(NOMEM, -2, "out of memory")                                                                  \
    X(INVAL, -3, "invalid argument")                                                               \
    X(IO, -4, "I/O error")                                                                         \
    X(TRUNC, -5, "input ends too early")                                                           \
    X(CORRUPT, -6, "corrupt data")                                                                 \
    X(CRC, -7, "checksum mismatch")                                                                \
    X(RANGE, -8, "value out of range")                                                             \
    X(NOENT, -9, "no such entry")                                                                  \
    X(EXIST, -10, "already exists")                                                                \
    X(TOOBIG, -11, "too large")                                                                    \
    X(UNSUPP, -12, "not supported yet")                                                            \
    X(PROTO, -13, "protocol violation")                                                            \
    X(EOF, -14, "end of data")                                                                     \
    X(CLOSED, -15, "closed")                                                                       \
    X(NOTFOUND, -16, "not found")

enum {
#define SL_ERR_ENUM_(name, val, msg) SL_##name = (val),
    SL_ERRNO_MAP(SL_ERR_ENUM_)
#undef SL_ERR_ENUM_
};

/* Name of a status ("SL_CRC"), for logs. Never NULL. */
const char *sl_err_name(int status);
/* Human message of a status. Never NULL. */
const char *sl_err_msg(int status);

/* SQLite-style defensive checks: true in release builds, assert in debug builds. */
#ifdef NDEBUG
#define SL_ALWAYS(x) (x)
#define SL_NEVER(x)  (x)
#else
#include <assert.h>
#define SL_ALWAYS(x) ((x) ? 1 : (assert(0), 0))
#define SL_NEVER(x)  ((x) ? (assert(0), 1) : 0)
#endif

#endif

/*
 * proto.h — the Kafka wire protocol: typed readers and writers, in-flight requests, and the
 * handler contract shared by every API implementation (proto_*.c).
 *
 * Frame:    int32 size | request header | body
 * Header:   v1: api_key i16, api_version i16, correlation_id i32, client_id nullable string
 *           v2: v1 + tagged fields (used by flexible versions, KIP-482)
 * Response: int32 size | correlation_id i32 | (v1: tagged fields) | body
 *
 * In flexible versions strings, bytes and arrays are "compact" (uvarint length + 1, 0 = null)
 * and structs end with tagged fields. sl_kr_* / sl_kw_* pick the right encoding from `flex`, so
 * a handler reads like the message definition:
 *
 *     SL_KR(sl_kr_str(r, &name));
 *     SL_KR(sl_kr_i32(r, &partitions));
 *     SL_KR(sl_kr_tags(r));
 *     ...
 *   err_parse:
 *     return SL_PROTO;
 *
 * Readers never read past the frame; array counts are checked against the bytes left, so a
 * huge count cannot make a handler allocate wildly.
 */
#ifndef SL_BROKER_PROTO_H
#define SL_BROKER_PROTO_H

#include "common/buf.h"
#include "broker/log.h"
#include <stdint.h>

typedef struct sl_broker_s sl_broker_t;
typedef struct sl_conn_s sl_conn_t;
typedef struct sl_req_s sl_req_t;

/* Kafka ApiKeys used by Sluice. */
enum sl_apikey {
    SL_API_Produce = 0,
    SL_API_Fetch = 1,
    SL_API_ListOffsets = 2,
    SL_API_Metadata = 3,
    SL_API_OffsetCommit = 8,
    SL_API_OffsetFetch = 9,
    SL_API_FindCoordinator = 10,
    SL_API_JoinGroup = 11,
    SL_API_Heartbeat = 12,
    SL_API_LeaveGroup = 13,
    SL_API_SyncGroup = 14,
    SL_API_DescribeGroups = 15,
    SL_API_ListGroups = 16,
    SL_API_SaslHandshake = 17,
    SL_API_ApiVersions = 18,
    SL_API_CreateTopics = 19,
    SL_API_DeleteTopics = 20,
    SL_API_DeleteRecords = 21,
    SL_API_InitProducerId = 22,
    SL_API_DescribeConfigs = 32,
    SL_API_AlterConfigs = 33,
    SL_API_CreatePartitions = 37,
    SL_API_DeleteGroups = 42,
    SL_API_IncrementalAlterConfigs = 44,
    SL_API_OffsetDelete = 47,
    SL_API_DescribeCluster = 60,
    SL_API__COUNT = 68, /* table size: one past the largest key Sluice knows */
};

/* A borrowed string from the request (not NUL-terminated). len == -1 means null. */
typedef struct sl_kstr_s {
    const char *p;
    int32_t len;
} sl_kstr_t;

typedef struct sl_kr_s {
    sl_rd_t rd; /* over the request frame */
    int flex;   /* 1 when the request version is flexible */
} sl_kr_t;

#define SL_KR(call)                                                                                \
    do {                                                                                           \
        if ((call) != 0) goto err_parse;                                                           \
    } while (0)

int sl_kr_i8(sl_kr_t *r, int8_t *v);
int sl_kr_i16(sl_kr_t *r, int16_t *v);
int sl_kr_i32(sl_kr_t *r, int32_t *v);
int sl_kr_i64(sl_kr_t *r, int64_t *v);
int sl_kr_bool(sl_kr_t *r, int *v);
int sl_kr_uuid(sl_kr_t *r, uint8_t uuid[16]);
int sl_kr_str(sl_kr_t *r, sl_kstr_t *s);  /* non-nullable: null is SL_PROTO */
int sl_kr_nstr(sl_kr_t *r, sl_kstr_t *s); /* nullable */
/* Nullable bytes (e.g. a Produce records field); *len == -1 for null. */
int sl_kr_nbytes(sl_kr_t *r, const uint8_t **p, int32_t *len);
/* Array length; -1 for null. Rejects counts larger than the bytes left. */
int sl_kr_array(sl_kr_t *r, int32_t *n);
/* Skip a tagged-field section (no-op unless flex). */
int sl_kr_tags(sl_kr_t *r);

/* NUL-terminated malloc'd copy (NULL for a null string). */
char *sl_kstr_dup(sl_kstr_t s);
int sl_kstr_eq(sl_kstr_t s, const char *c);

typedef struct sl_kw_s {
    sl_buf_t *b; /* borrowed output buffer */
    int flex;    /* 1 when the response version is flexible */
} sl_kw_t;

void sl_kw_i8(sl_kw_t *w, int8_t v);
void sl_kw_i16(sl_kw_t *w, int16_t v);
void sl_kw_i32(sl_kw_t *w, int32_t v);
void sl_kw_i64(sl_kw_t *w, int64_t v);
void sl_kw_bool(sl_kw_t *w, int v);
void sl_kw_uuid(sl_kw_t *w, const uint8_t uuid[16]);
void sl_kw_str(sl_kw_t *w, const char *p, int32_t len);   /* len -1 = null */
void sl_kw_cstr(sl_kw_t *w, const char *s);               /* NULL = null */
void sl_kw_kstr(sl_kw_t *w, sl_kstr_t s);                 /* echo a request string */
void sl_kw_bytes(sl_kw_t *w, const void *p, int32_t len); /* len -1 = null */
void sl_kw_array(sl_kw_t *w, int32_t n);                  /* -1 = null */
/* Length prefix of a records/bytes field whose bytes follow as a file slice (Fetch). */
void sl_kw_bytes_len(sl_kw_t *w, int32_t len);
void sl_kw_tags(sl_kw_t *w); /* empty tagged-field section (no-op unless flex) */

/* A piece of a response: bytes of req->out, or a range of a segment file (sendfile). */
typedef struct sl_chunk_s {
    size_t mem_end;     /* the chunk's memory part is out[prev mem_end .. mem_end) */
    sl_logslice_t file; /* then this file range, when file.seg != NULL */
} sl_chunk_t;

struct sl_req_s {
    sl_broker_t *broker;    /* borrowed */
    sl_conn_t *conn;        /* borrowed; NULL if the connection closed while deferred */
    int16_t api_key;        /* ApiKey */
    int16_t api_version;    /* request version */
    int32_t correlation_id; /* echoed in the response */
    char *client_id;        /* owned; NULL if the client sent none */
    sl_kr_t r;              /* body reader (after the header) */
    uint8_t *frame;         /* owned: the request bytes that r points into */
    sl_buf_t out;           /* owned: response size prefix + header + body */
    sl_kw_t w;              /* writer over out, flex per the response version */
    sl_chunk_t *chunks;     /* owned: file slices interleaved with out (Fetch) */
    int nchunks;            /* chunks in use */
    int cap_chunks;         /* chunks allocated */
    int no_response;        /* set by a handler that must not answer (acks=0) */
    int done;               /* response complete, may be sent when first in line */
    sl_req_t *next;         /* next request on the same connection, in arrival order */
    void *deferred;         /* handler state while the response waits (owned by handler) */
    int64_t received_us;    /* monotonic arrival time */
    int send_part;          /* sending: part index (2i = memory part i, 2i+1 = file part i) */
    size_t send_off;        /* sending: bytes of that part already written */
};

/* Append a file slice after what has been written to req->out so far; the request takes over
 * the slice's segment reference. */
void sl_req_add_file(sl_req_t *req, const sl_logslice_t *slice);
/* For a handler that returned SL_AGAIN: the response in req->out is complete now. If the
 * connection has gone (req->conn == NULL) the request is freed instead. */
void sl_req_complete(sl_req_t *req);

/*
 * A handler reads req->r and writes the response body through req->w (the header is already
 * written). Returns:
 *   SL_OK     the response is complete
 *   SL_AGAIN  deferred: the handler keeps req and calls sl_req_complete() later
 *   SL_PROTO  malformed request: the connection is closed (Kafka does the same)
 * A handler that sets req->no_response returns SL_OK and nothing is sent.
 */
typedef int (*sl_kapi_handler_t)(sl_req_t *req);

typedef struct sl_kapi_s {
    int16_t min_version;       /* lowest version served */
    int16_t max_version;       /* highest version served */
    int16_t first_flexible;    /* first flexible version, or -1 if none */
    sl_kapi_handler_t handler; /* NULL = not served (not advertised) */
} sl_kapi_t;

#endif

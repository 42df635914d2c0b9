/*
 * fuzz_request.c — fuzz target for the broker's request path: framing, request headers and
 * every API decoder, through a real broker over a socketpair.
 *
 * Each input is written to the client end of a socketpair whose other end the broker serves as
 * a connection; the loop runs until the broker has answered or closed. The broker is created
 * once (topic "t" with 2 partitions, auto-create off). Inputs that would create topics or
 * partitions (CreateTopics, CreatePartitions) are skipped to keep the data directory bounded.
 */
#include "broker/broker_int.h"
#include "common/log.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uv_loop_t loop;
static sl_broker_t *broker;

static void setup(void)
{
    char dir[] = "/tmp/sluice-fuzz-XXXXXX";
    if (!mkdtemp(dir)) abort();
    sl_log_set_level(SL_LOG_ERROR);
    uv_loop_init(&loop);
    sl_props_t p;
    sl_props_init(&p);
    sl_props_set(&p, "log.dirs", dir);
    sl_props_set(&p, "auto.create.topics.enable", "false");
    sl_props_set(&p, "log.flush.interval.messages", "1000000");
    char err[256];
    if (sl_broker_create(&loop, &p, &broker, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz setup: %s\n", err);
        abort();
    }
    sl_props_free(&p);
    if (sl_catalog_create(broker->catalog, "t", 2, -1, NULL, 0, NULL, err, sizeof err) != 0)
        abort();
    broker->adv_host = strdup("localhost");
    broker->adv_port = 9092;
}

/* Does any frame in the input carry an ApiKey that creates things on disk? */
static int creates_things(const uint8_t *d, size_t n)
{
    size_t off = 0;
    while (off + 6 <= n) {
        uint32_t sz = sl_be32(d + off);
        int16_t key = (int16_t)sl_be16(d + off + 4);
        if (key == SL_API_CreateTopics || key == SL_API_CreatePartitions) return 1;
        if (sz > n - off - 4) break;
        off += 4 + sz;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!broker) setup();
    if (creates_things(data, size)) return 0;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) abort();
    int bufsz = 4 << 20;
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
    setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz);
    sl_net_adopt_fd(broker, sv[0], "fuzz");
    size_t off = 0;
    uint8_t sink[65536];
    for (int round = 0; round < 200; round++) {
        if (off < size) {
            ssize_t w = write(sv[1], data + off, size - off);
            if (w > 0) off += (size_t)w;
            if (off == size) shutdown(sv[1], SHUT_WR);
        } else if (size == 0 && round == 0) {
            shutdown(sv[1], SHUT_WR);
        }
        uv_run(&loop, UV_RUN_NOWAIT);
        ssize_t r;
        int closed = 0;
        while ((r = read(sv[1], sink, sizeof sink)) > 0) {
        }
        if (r == 0) closed = 1;
        if (closed && off == size) break;
    }
    close(sv[1]);
    /* Let the broker notice the close and release the connection. */
    for (int i = 0; i < 4; i++)
        uv_run(&loop, UV_RUN_NOWAIT);
    return 0;
}

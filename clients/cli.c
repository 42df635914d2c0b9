/*
 * cli.c — `sluice`, the command-line tool: global options, the subcommand table, dispatch.
 *
 *   sluice [global options] <command> [command options]
 *
 * The global options (--bootstrap-server, --request-timeout-ms, --verbose) may also be given
 * after the command name, like Kafka's tools take --bootstrap-server on every command. Parsing
 * of the global part stops at the first word that is not an option ("+" in the getopt string),
 * so the command's own options never reach this parser.
 */
#include "clients/cli_int.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* The subcommand table: one row per command, in the order --help lists them. */
static const struct {
    const char *name; /* word on the command line */
    const char *help; /* one line for `sluice --help` */
    sl_cli_cmd_fn fn; /* entry point */
} commands[] = {
    {"topics", "create, list, describe, alter and delete topics", sl_cli_topics},
    {"produce", "write stdin lines to a topic, one record per line", sl_cli_produce},
    {"consume", "print records of a topic to stdout (text or JSON)", sl_cli_consume},
    {"groups", "list, describe, delete consumer groups; reset their offsets", sl_cli_groups},
    {"schema", "register, get, list, check, delete schemas; compatibility levels", sl_cli_schema},
    {"dump-log", "print the batches and records of a segment file (no server)", sl_cli_dumplog},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: sluice [--bootstrap-server HOST:PORT] <command> [options]\n"
               "       sluice --version | --help\n"
               "       sluice <command> --help\n"
               "\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n" SL_CLI_COMMON_USAGE "  --version                     print the version\n"
               "\nExit status: 0 success, 1 the operation failed, 2 usage error.\n");
}

int main(int argc, char **argv)
{
    enum { OPT_VERSION = SL_CLI_OPT_FIRST_LOCAL };
    static const struct option opts[] = {
        SL_CLI_COMMON_LONGOPTS,
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    sl_cli_global_t g = {
        .bootstrap = "localhost:9092",
        .request_timeout_ms = 30000,
        .verbose = 0,
    };
    int c, exit_code;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
        if (c == OPT_VERSION || c == 'V') {
            printf("sluice %s (librdkafka %s)\n", SL_CLI_VERSION, rd_kafka_version_str());
            return SL_CLI_EXIT_OK;
        }
        switch (sl_cli_common_opt(&g, "", c, argv, usage, &exit_code)) {
        case SL_CLI_OPT_TAKEN:
            continue;
        case SL_CLI_OPT_EXIT:
            return exit_code;
        default:
            fprintf(stderr, "sluice: unexpected option\n");
            return SL_CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "sluice: missing command\n");
        usage(stderr);
        return SL_CLI_EXIT_USAGE;
    }
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        /* `sluice help [command]` as a synonym of --help */
        if (optind + 1 >= argc) {
            usage(stdout);
            return SL_CLI_EXIT_OK;
        }
        char *sub[] = {argv[optind + 1], "--help", NULL};
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(commands[i].name, sub[0]) == 0) {
                optind = 0; /* glibc: full re-initialisation for the next getopt_long run */
                return commands[i].fn(&g, 2, sub);
            }
        fprintf(stderr, "sluice: unknown command '%s'\n", sub[0]);
        return SL_CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            int sub_argc = argc - optind;
            char **sub_argv = argv + optind;
            optind = 0; /* glibc: full re-initialisation for the next getopt_long run */
            return commands[i].fn(&g, sub_argc, sub_argv);
        }
    }
    fprintf(stderr, "sluice: unknown command '%s'\n", name);
    usage(stderr);
    return SL_CLI_EXIT_USAGE;
}

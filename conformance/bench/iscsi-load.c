/*
 * A load for the iSCSI benchmarks: READ(16) or WRITE(16) of one size at a fixed queue depth, random or sequential,
 * over one libiscsi session, for a given time. The host has no kernel initiator and libiscsi's iscsi-perf only reads.
 *   iscsi-load URL read|write random|sequential BYTES DEPTH SECONDS
 * Prints one line: "ops N seconds S iops I mibs M errors E". Exits non-zero if any command failed or the session
 * could not be made. Built by the bench scripts with: cc -O2 -o iscsi-load iscsi-load.c -liscsi
 */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

struct load {
    struct iscsi_context *iscsi;
    int lun;
    int write;
    int random;
    uint32_t bytes;
    uint32_t block_length;
    uint64_t span;      /* I/Os of `bytes` that fit on the LU */
    uint64_t next;      /* the next sequential I/O */
    unsigned char *data;
    double deadline;
    int in_flight;
    uint64_t ops;
    uint64_t errors;
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void submit(struct load *l);

static void done(struct iscsi_context *iscsi, int status, void *command_data, void *private_data) {
    struct load *l = private_data;
    struct scsi_task *task = command_data;
    l->in_flight--;
    if (status == SCSI_STATUS_GOOD) {
        l->ops++;
    } else {
        if (l->errors++ == 0) {
            fprintf(stderr, "iscsi-load: command failed: %s\n", iscsi_get_error(iscsi));
        }
    }
    scsi_free_scsi_task(task);
    if (now() < l->deadline && l->errors == 0) {
        submit(l);
    }
}

static void submit(struct load *l) {
    uint64_t index = l->random ? ((uint64_t) random() << 31 ^ (uint64_t) random()) % l->span : l->next++ % l->span;
    uint64_t lba = index * (l->bytes / l->block_length);
    struct scsi_task *task = l->write
        ? iscsi_write16_task(l->iscsi, l->lun, lba, l->data, l->bytes, l->block_length, 0, 0, 0, 0, 0, done, l)
        : iscsi_read16_task(l->iscsi, l->lun, lba, l->bytes, l->block_length, 0, 0, 0, 0, 0, done, l);
    if (task == NULL) {
        fprintf(stderr, "iscsi-load: cannot queue a command: %s\n", iscsi_get_error(l->iscsi));
        l->errors++;
        return;
    }
    l->in_flight++;
}

int main(int argc, char **argv) {
    if (argc != 7 || (strcmp(argv[2], "read") != 0 && strcmp(argv[2], "write") != 0) ||
            (strcmp(argv[3], "random") != 0 && strcmp(argv[3], "sequential") != 0)) {
        fprintf(stderr, "usage: iscsi-load URL read|write random|sequential BYTES DEPTH SECONDS\n");
        return 2;
    }
    struct load l = { .write = strcmp(argv[2], "write") == 0, .random = strcmp(argv[3], "random") == 0 };
    l.bytes = (uint32_t) strtoul(argv[4], NULL, 10);
    int depth = atoi(argv[5]);
    double seconds = atof(argv[6]);
    if (l.bytes == 0 || l.bytes > 16u << 20 || depth < 1 || depth > 1024 || seconds <= 0) {
        fprintf(stderr, "iscsi-load: BYTES 1..16 MiB, DEPTH 1..1024, SECONDS > 0\n");
        return 2;
    }
    l.iscsi = iscsi_create_context("iqn.2026-12.org.lunforge:bench-load");
    struct iscsi_url *url = l.iscsi ? iscsi_parse_full_url(l.iscsi, argv[1]) : NULL;
    if (url == NULL) {
        fprintf(stderr, "iscsi-load: bad URL %s\n", argv[1]);
        return 1;
    }
    iscsi_set_targetname(l.iscsi, url->target);
    iscsi_set_session_type(l.iscsi, ISCSI_SESSION_NORMAL);
    iscsi_set_header_digest(l.iscsi, ISCSI_HEADER_DIGEST_NONE);
    l.lun = url->lun;
    if (iscsi_full_connect_sync(l.iscsi, url->portal, url->lun) != 0) {
        fprintf(stderr, "iscsi-load: login to %s failed: %s\n", argv[1], iscsi_get_error(l.iscsi));
        return 1;
    }
    struct scsi_task *task = iscsi_readcapacity16_sync(l.iscsi, l.lun);
    struct scsi_readcapacity16 *rc16 = task && task->status == SCSI_STATUS_GOOD ? scsi_datain_unmarshall(task) : NULL;
    if (rc16 == NULL || rc16->block_length == 0 || l.bytes % rc16->block_length != 0) {
        fprintf(stderr, "iscsi-load: READ CAPACITY (16) failed, or BYTES is not a multiple of the block length\n");
        return 1;
    }
    l.block_length = rc16->block_length;
    l.span = (rc16->returned_lba + 1) * rc16->block_length / l.bytes;
    scsi_free_scsi_task(task);
    l.data = malloc(l.bytes);
    for (uint32_t i = 0; i < l.bytes; i++) {
        l.data[i] = (unsigned char) random();
    }
    double start = now();
    l.deadline = start + seconds;
    for (int i = 0; i < depth; i++) {
        submit(&l);
    }
    while (l.in_flight > 0) {
        struct pollfd pfd = { .fd = iscsi_get_fd(l.iscsi), .events = iscsi_which_events(l.iscsi) };
        if (poll(&pfd, 1, 1000) < 0 || iscsi_service(l.iscsi, pfd.revents) < 0) {
            fprintf(stderr, "iscsi-load: session failed: %s\n", iscsi_get_error(l.iscsi));
            return 1;
        }
    }
    double elapsed = now() - start;
    printf("ops %" PRIu64 " seconds %.2f iops %.0f mibs %.1f errors %" PRIu64 "\n", l.ops, elapsed,
           l.ops / elapsed, l.ops * (double) l.bytes / elapsed / 1048576, l.errors);
    iscsi_logout_sync(l.iscsi);
    iscsi_destroy_context(l.iscsi);
    iscsi_destroy_url(url);
    return l.errors == 0 ? 0 : 1;
}

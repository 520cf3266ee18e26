/*
 * Known I/O for conformance/metrics/run, through libiscsi: after one login to PORTAL's TARGET, LUN 0,
 *   WRITES  WRITE(10)s of 4 KiB (8 blocks of 512 bytes) at LBA 8*i,
 *   READS   READ(10)s of 4 KiB at the same LBAs, each checked against what was written,
 *   1       READ(10) past the last LBA (ILLEGAL REQUEST, LBA OUT OF RANGE),
 * then logs out. Unless told not to, it first sends TEST UNIT READY until no unit attention is left (libiscsi's full
 * connect does this itself). Exit status 0 only if every command ended as expected.
 *   known-io PORTAL TARGET WRITES READS BLOCKS_ON_LUN
 *   known-io --login PORTAL TARGET [USER PASSWORD]   one login; exit 0 if it succeeded, 1 if it was refused
 */
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 512
#define BLOCKS_PER_IO 8
#define IO (BLOCK * BLOCKS_PER_IO)

static struct iscsi_context *login(const char *portal, const char *target, const char *user, const char *password) {
    struct iscsi_context *iscsi = iscsi_create_context("iqn.2026-11.org.lunforge:metrics-check");
    if (iscsi == NULL) {
        fprintf(stderr, "known-io: no context\n");
        exit(2);
    }
    iscsi_set_targetname(iscsi, target);
    iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL);
    iscsi_set_header_digest(iscsi, ISCSI_HEADER_DIGEST_NONE);
    if (user != NULL) {
        iscsi_set_initiator_username_pwd(iscsi, user, password);
    }
    if (iscsi_full_connect_sync(iscsi, portal, 0) != 0) {
        fprintf(stderr, "known-io: login to %s %s refused: %s\n", portal, target, iscsi_get_error(iscsi));
        iscsi_destroy_context(iscsi);
        return NULL;
    }
    return iscsi;
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "--login") == 0) {
        struct iscsi_context *iscsi = login(argv[2], argv[3], argc >= 6 ? argv[4] : NULL, argc >= 6 ? argv[5] : NULL);
        if (iscsi == NULL) {
            return 1;
        }
        iscsi_logout_sync(iscsi);
        iscsi_destroy_context(iscsi);
        return 0;
    }
    if (argc != 6) {
        fprintf(stderr, "usage: known-io PORTAL TARGET WRITES READS BLOCKS_ON_LUN | --login PORTAL TARGET [USER PW]\n");
        return 2;
    }
    long writes = atol(argv[3]), reads = atol(argv[4]), blocks = atol(argv[5]);
    if (writes < reads || writes * BLOCKS_PER_IO > blocks) {
        fprintf(stderr, "known-io: reads must not exceed writes, and the writes must fit the LUN\n");
        return 2;
    }
    struct iscsi_context *iscsi = login(argv[1], argv[2], NULL, NULL);
    if (iscsi == NULL) {
        return 1;
    }
    unsigned char out[IO], expected[IO];
    for (long i = 0; i < writes; i++) {
        memset(out, (int) (i & 0xFF), IO);
        memcpy(out, &i, sizeof i);
        struct scsi_task *t = iscsi_write10_sync(iscsi, 0, (uint32_t) (i * BLOCKS_PER_IO), out, IO, BLOCK,
                                                 0, 0, 0, 0, 0);
        if (t == NULL || t->status != SCSI_STATUS_GOOD) {
            fprintf(stderr, "known-io: WRITE(10) %ld failed: %s\n", i, iscsi_get_error(iscsi));
            return 1;
        }
        scsi_free_scsi_task(t);
    }
    for (long i = 0; i < reads; i++) {
        memset(expected, (int) (i & 0xFF), IO);
        memcpy(expected, &i, sizeof i);
        struct scsi_task *t = iscsi_read10_sync(iscsi, 0, (uint32_t) (i * BLOCKS_PER_IO), IO, BLOCK, 0, 0, 0, 0, 0);
        if (t == NULL || t->status != SCSI_STATUS_GOOD || t->datain.size != IO
                || memcmp(t->datain.data, expected, IO) != 0) {
            fprintf(stderr, "known-io: READ(10) %ld failed or read other data: %s\n", i, iscsi_get_error(iscsi));
            return 1;
        }
        scsi_free_scsi_task(t);
    }
    struct scsi_task *t = iscsi_read10_sync(iscsi, 0, (uint32_t) blocks, BLOCK, BLOCK, 0, 0, 0, 0, 0);
    if (t == NULL || t->status != SCSI_STATUS_CHECK_CONDITION || t->sense.key != SCSI_SENSE_ILLEGAL_REQUEST) {
        fprintf(stderr, "known-io: READ(10) past the end did not end in ILLEGAL REQUEST\n");
        return 1;
    }
    scsi_free_scsi_task(t);
    iscsi_logout_sync(iscsi);
    iscsi_destroy_context(iscsi);
    return 0;
}

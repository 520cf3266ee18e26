/*
 * read-element-status: a medium changer's inventory as an initiator sees it, through libiscsi.
 *   read-element-status iscsi://HOST[:PORT]/IQN/LUN
 * Sends SMC-3 READ ELEMENT STATUS (B8h) with VOLTAG=1 for every element and prints one line per element:
 *   TYPE ADDRESS BARCODE      (TYPE: transport, storage, import_export, drive; BARCODE "-" when empty)
 * Exit status 0 when the command completed with GOOD status, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

static const char *type_name(int code) {
    switch (code) {
    case 1: return "transport";
    case 2: return "storage";
    case 3: return "import_export";
    case 4: return "drive";
    default: return "unknown";
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s iscsi://HOST[:PORT]/IQN/LUN\n", argv[0]);
        return 2;
    }
    struct iscsi_context *iscsi = iscsi_create_context("iqn.2026-11.org.lunforge:shell-session");
    struct iscsi_url *url = iscsi_parse_full_url(iscsi, argv[1]);
    if (url == NULL) {
        fprintf(stderr, "bad URL %s: %s\n", argv[1], iscsi_get_error(iscsi));
        return 1;
    }
    iscsi_set_targetname(iscsi, url->target);
    iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL);
    iscsi_set_header_digest(iscsi, ISCSI_HEADER_DIGEST_NONE);
    if (iscsi_full_connect_sync(iscsi, url->portal, url->lun) != 0) {
        fprintf(stderr, "login to %s failed: %s\n", argv[1], iscsi_get_error(iscsi));
        return 1;
    }
    const int alloc = 65535;
    /* B8h, VOLTAG (byte 1 bit 4), all element types, from address 0, 65535 elements, allocation length 65535. */
    unsigned char cdb[12] = {0xB8, 0x10, 0x00, 0x00, 0xFF, 0xFF, 0x00,
                             (alloc >> 16) & 0xFF, (alloc >> 8) & 0xFF, alloc & 0xFF, 0x00, 0x00};
    struct scsi_task *task = scsi_create_task(sizeof cdb, cdb, SCSI_XFER_READ, alloc);
    struct scsi_task *done = iscsi_scsi_command_sync(iscsi, url->lun, task, NULL);
    if (done == NULL || done->status != SCSI_STATUS_GOOD) {
        fprintf(stderr, "READ ELEMENT STATUS failed: %s\n",
                done == NULL ? iscsi_get_error(iscsi) : scsi_sense_key_str(done->sense.key));
        return 1;
    }
    unsigned char *d = done->datain.data;
    int size = done->datain.size;
    int report = size < 8 ? 0 : (d[5] << 16 | d[6] << 8 | d[7]);
    int end = 8 + report < size ? 8 + report : size;
    for (int p = 8; p + 8 <= end;) {
        int type = d[p] & 0x0F;
        int pvoltag = d[p + 1] & 0x80;
        int length = d[p + 2] << 8 | d[p + 3];
        int bytes = d[p + 5] << 16 | d[p + 6] << 8 | d[p + 7];
        int q = p + 8;
        int page_end = q + bytes < end ? q + bytes : end;
        for (; length > 0 && q + length <= page_end; q += length) {
            int address = d[q] << 8 | d[q + 1];
            int full = d[q + 2] & 0x01;
            char tag[33] = "-";
            if (full && pvoltag && length >= 48) {
                memcpy(tag, d + q + 12, 32);
                tag[32] = 0;
                for (int i = 31; i >= 0 && tag[i] == ' '; i--) {
                    tag[i] = 0;
                }
            }
            printf("%s 0x%04x %s\n", type_name(type), address, full ? tag : "-");
        }
        p = page_end;
    }
    scsi_free_scsi_task(done);
    iscsi_logout_sync(iscsi);
    iscsi_destroy_url(url);
    iscsi_destroy_context(iscsi);
    return 0;
}

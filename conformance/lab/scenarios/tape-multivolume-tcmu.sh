#!/bin/bash
# lab-timeout: 660
# lab-all: no (to keep CI's lab within its time: tape-multivolume runs this body over iSCSI, and over TCMU backup-software's spanning full backup and amtapetype reach early warning and the end of the medium)
# tape-multivolume-tcmu: tape-multivolume's body (tar -M over three 8 MiB cartridges swapped
# by mtx, restored identical; early warning, filemarks after it, VOLUME OVERFLOW at the end)
# with the library served as three TCMU devices behind one tcm_loop target.
TAPE_TRANSPORT=tcmu
. "$LAB_DIR/scenarios/tape-multivolume.sh"

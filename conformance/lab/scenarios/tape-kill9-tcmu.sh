#!/bin/bash
# lab-timeout: 840
# tape-kill9-tcmu: tape-kill9's body with the library served as three TCMU devices behind
# one tcm_loop target and persist_kernel_exports: kill -9 while dd writes, the kernel fails
# the dead daemon's commands after cmd_time_out, the restarted daemon adopts the devices and
# the target as they are; every acknowledged file and filemark survives and the inventory
# comes back.
TAPE_TRANSPORT=tcmu
. "$LAB_DIR/scenarios/tape-kill9.sh"

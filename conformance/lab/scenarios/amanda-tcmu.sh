#!/bin/bash
# lab-timeout: 900
# lab-all: no   (runs only when named: backup-software runs the same body over both transports in `all`)
# amanda-tcmu: amanda-iscsi's body (amtapetype; amlabel through chg-robot; amdump; amfetchdump
# and amrecover, identical) with the library served as three TCMU devices behind one tcm_loop
# target.
TAPE_TRANSPORT=tcmu
. "$LAB_DIR/scenarios/amanda-iscsi.sh"

package org.lunforge.scsi;

/**
 * A decoded CDB. Each command set declares a sealed sub-interface of records (SPC in {@code scsi.spc}, SBC, SSC and
 * SMC in devices), so an exhaustive switch over it breaks compilation wherever a new command is not handled. The
 * variants of one command (READ 6/10/12/16) decode to one record.
 */
public interface Command {
}

package org.lunforge.scsi;

/** SAM-5 8.6: the task attribute a command arrives with. */
public enum TaskAttribute {
    SIMPLE,
    ORDERED,
    HEAD_OF_QUEUE,
    ACA
}

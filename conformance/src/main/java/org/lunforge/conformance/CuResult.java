package org.lunforge.conformance;

/**
 * One test's result.
 *
 * @param name FAMILY.Suite.Test, as {@code iscsi-test-cu --list} names it (SCSI.Read10.Simple)
 * @param detail the first [SKIPPED] or [FAILED] note, or ""
 */
public record CuResult(String name, CuOutcome outcome, String detail) {
}

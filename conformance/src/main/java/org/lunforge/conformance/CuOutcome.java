package org.lunforge.conformance;

/** What one iscsi-test-cu test did. CUnit counts a skip as a pass; we never do. */
public enum CuOutcome {
    PASS,
    FAIL,
    SKIP
}

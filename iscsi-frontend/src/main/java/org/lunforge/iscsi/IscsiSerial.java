package org.lunforge.iscsi;

/**
 * RFC 1982 serial number arithmetic on 32 bits, as RFC 7143 4.2.2.1 prescribes for CmdSN, StatSN and their kin:
 * {@code a < b} when {@code b - a}, taken modulo 2^32, is between 1 and 2^31 - 1.
 */
final class IscsiSerial {
    private IscsiSerial() {
    }

    static boolean lessThan(int a, int b) {
        return a != b && b - a > 0;
    }

    static boolean greaterThan(int a, int b) {
        return lessThan(b, a);
    }

    static boolean atMost(int a, int b) {
        return a == b || lessThan(a, b);
    }

    /** The later of two serial numbers. */
    static int max(int a, int b) {
        return lessThan(a, b) ? b : a;
    }
}

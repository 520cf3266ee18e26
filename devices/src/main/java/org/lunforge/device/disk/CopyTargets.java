package org.lunforge.device.disk;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where EXTENDED COPY finds the logical units its identification descriptors (CSCD type E4h) name: the disks of this
 * target, looked up by their NAA designator (SPC-4 7.8.6.6). The daemon implements it over its configuration; a disk
 * always finds itself even when the directory does not list it.
 */
@FunctionalInterface
public interface CopyTargets {
    /** The disk whose logical unit reports this 8- or 16-byte NAA designator in VPD page 83h, or null. */
    SbcDisk findByNaa(byte[] naa);

    /** No other disks: a copy may only name the logical unit it was sent to. */
    static CopyTargets none() {
        return naa -> null;
    }

    /** The disks a supplier lists at the time of the copy (the set of logical units may change). */
    static CopyTargets of(Supplier<? extends Collection<SbcDisk>> disks) {
        return naa -> {
            for (SbcDisk disk : disks.get()) {
                if (disk.naa() != null && Arrays.equals(disk.naa(), naa)) {
                    return disk;
                }
            }
            return null;
        };
    }

    static CopyTargets of(SbcDisk... disks) {
        List<SbcDisk> list = List.of(disks);
        return of(() -> list);
    }
}

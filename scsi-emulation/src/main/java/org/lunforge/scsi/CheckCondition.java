package org.lunforge.scsi;

/**
 * CHECK CONDITION with one sense. {@code transferLength} is what the command did move before it stopped (a tape
 * READ that met a filemark returns the data it read along with the sense); zero for commands rejected outright.
 */
public final class CheckCondition extends ScsiException {
    private final Sense sense;
    private final long transferLength;

    public CheckCondition(Sense sense, long transferLength) {
        super(sense.toString());
        this.sense = sense;
        this.transferLength = transferLength;
    }

    public CheckCondition(Sense sense) {
        this(sense, 0);
    }

    public CheckCondition(SenseCode code) {
        this(Sense.of(code), 0);
    }

    /** INVALID FIELD IN CDB at the most significant bit of the field (bitIndex -1: the whole byte). */
    public static CheckCondition invalidFieldInCdb(int byteIndex, int bitIndex) {
        return new CheckCondition(Sense.invalidFieldInCdb(byteIndex, bitIndex));
    }

    /** INVALID FIELD IN PARAMETER LIST at the most significant bit of the field in the data-out buffer. */
    public static CheckCondition invalidFieldInParameterList(int byteIndex, int bitIndex) {
        return new CheckCondition(Sense.invalidFieldInParameterList(byteIndex, bitIndex));
    }

    public Sense sense() {
        return sense;
    }

    public long transferLength() {
        return transferLength;
    }

    @Override
    public ScsiStatus status() {
        return ScsiStatus.CHECK_CONDITION;
    }
}

package org.lunforge.scsi.fault;

/**
 * An armed fault as the operator and the metrics see it.
 *
 * @param id its number on its logical unit (1, 2, ...), what disarm names
 * @param fired how many commands it acted on since it was armed
 * @param held how many commands it holds now (a {@link FaultEffect.Hold})
 * @param spent true once it acted {@link Fault#limit()} times: it stays listed but acts no more
 */
public record ArmedFault(int id, Fault fault, long fired, int held, boolean spent) {
}

package org.lunforge.iscsi;

/**
 * The operational parameters of a session and its connection once login is over (RFC 7143 13).
 *
 * @param initiatorMaxRecvDataSegmentLength what the initiator declared: the largest data segment we may send it
 * @param targetMaxRecvDataSegmentLength what we declared: the largest data segment it may send us
 * @param firstBurstLength the negotiated FirstBurstLength, already no larger than MaxBurstLength
 */
public record IscsiSessionParameters(String initiatorName, String initiatorAlias, String targetName,
                                     boolean discovery, boolean headerDigest, boolean dataDigest, boolean initialR2t,
                                     boolean immediateData, int initiatorMaxRecvDataSegmentLength,
                                     int targetMaxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength,
                                     int defaultTime2Wait, int defaultTime2Retain, int maxOutstandingR2t,
                                     int errorRecoveryLevel) {

    public IscsiSessionParameters withInitiatorMaxRecvDataSegmentLength(int length) {
        return new IscsiSessionParameters(initiatorName, initiatorAlias, targetName, discovery, headerDigest,
                dataDigest, initialR2t, immediateData, length, targetMaxRecvDataSegmentLength, maxBurstLength,
                firstBurstLength, defaultTime2Wait, defaultTime2Retain, maxOutstandingR2t, errorRecoveryLevel);
    }

    public IscsiSessionParameters withInitiatorAlias(String alias) {
        return new IscsiSessionParameters(initiatorName, alias, targetName, discovery, headerDigest, dataDigest,
                initialR2t, immediateData, initiatorMaxRecvDataSegmentLength, targetMaxRecvDataSegmentLength,
                maxBurstLength, firstBurstLength, defaultTime2Wait, defaultTime2Retain, maxOutstandingR2t,
                errorRecoveryLevel);
    }
}

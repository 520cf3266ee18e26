/**
 * lunforge's iSCSI target (RFC 7143) on Netty: the logical units of scsi-emulation served over TCP.
 *
 * <h2>What the daemon uses</h2>
 * {@link org.lunforge.iscsi.IscsiServer} (start, add/remove targets, close), {@link org.lunforge.iscsi.IscsiTarget}
 * (name, alias, portal groups), {@link org.lunforge.iscsi.IscsiPortalGroup} (one target port, as in LIO and
 * targetcli: its portals, LUNs, ACLs, demo mode, CHAP), {@link org.lunforge.iscsi.IscsiPortal},
 * {@link org.lunforge.iscsi.IscsiAcl}, {@link org.lunforge.iscsi.IscsiChapCredentials},
 * {@link org.lunforge.iscsi.IscsiServerOptions} and {@link org.lunforge.iscsi.IscsiSessionInfo}. Everything may be
 * changed while the server runs:
 * <pre>{@code
 * IscsiServer server = new IscsiServer(IscsiServerOptions.defaults()).start();
 * IscsiPortalGroup tpg1 = new IscsiPortalGroup(1, 1, List.of(IscsiPortal.parse("0.0.0.0:3260")))
 *         .lun(0, logicalUnit)
 *         .acl(new IscsiAcl("iqn.1993-08.org.debian:01:host", null, chap, mutualChap));
 * IscsiTarget target = new IscsiTarget("iqn.2026-11.org.lunforge:disk1").alias("disk one").portalGroup(tpg1);
 * server.addTarget(target);            // binds the portals; IscsiPortalException if one is in use
 * tpg1.lun(1, another);                // the group's sessions see REPORTED LUNS DATA HAS CHANGED
 * target.portalGroup(tpg2);            // a second target port, with LUNs and ACLs of its own
 * server.removeTarget(target.name());  // initiators are asked to log out, then dropped
 * server.close();                      // logout requests to everyone, then the event loops stop
 * }</pre>
 * A session's LUNs are its portal group's, seen through the initiator's ACL; discovery lists, per target, the
 * portals of the groups that would let the initiator in.
 *
 * <h2>How it is built</h2>
 * <ul>
 *   <li>Codec: one record per opcode ({@link org.lunforge.iscsi.IscsiPdu} and its permitted types), a frame reader
 *       ({@link org.lunforge.iscsi.IscsiDecoder}) and writer ({@link org.lunforge.iscsi.IscsiEncoder}); digests are
 *       CRC32C. Data segments are slices of the received buffers and are never copied on their way to the logical
 *       unit; Data-In payloads are slices of the buffer the device server filled.</li>
 *   <li>Login: {@code IscsiLoginHandler} (stages, text continuation, status classes), {@code IscsiNegotiation}
 *       and {@code IscsiKey} (RFC 7143 13), {@code IscsiChap} (12.1.3).</li>
 *   <li>Full feature phase: {@code IscsiSessionHandler} (dispatch, CmdSN order, task life),
 *       {@code IscsiCommandWindow}, {@code IscsiDataOutFlow} (first burst, R2T, sequence checks),
 *       {@code IscsiResponses} (Data-In, status, residuals), {@code IscsiTaskManagement} (11.5 with the ordering of
 *       4.2.3.3), {@code IscsiTextExchange} (SendTargets).</li>
 * </ul>
 * Two error levels never mix: a PDU that breaks the protocol gets a Reject (or, when framing is lost, the
 * connection is dropped); a command that cannot be carried out ends with CHECK CONDITION once the data the
 * initiator owes for it has arrived. ErrorRecoveryLevel is 0 and a session has one connection.
 *
 * <h2>Threads</h2>
 * A connection and its session live on one event loop; the logical unit is called from it and may complete from
 * any thread ({@link org.lunforge.scsi.ScsiTask#complete}). A device server must write every byte of Data-In it
 * reports in its transfer length: the buffer is not cleared beforehand.
 */
package org.lunforge.iscsi;

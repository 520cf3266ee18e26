package org.lunforge.iscsi;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static org.lunforge.iscsi.IscsiConstants.STAGE_FULL_FEATURE;
import static org.lunforge.iscsi.IscsiConstants.STAGE_OPERATIONAL;
import static org.lunforge.iscsi.IscsiConstants.STAGE_SECURITY;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.lunforge.scsi.InitiatorPort;
import org.lunforge.scsi.Nexus;

/**
 * The login phase of one connection (RFC 7143 6): the security stage (AuthMethod None or CHAP), the operational
 * stage (13's keys through {@link IscsiNegotiation}), stage transitions, text spread over several PDUs (C bit) both
 * ways, and the end of login: a new session (with a TSIH), a reinstated one (same I_T nexus: initiator name, ISID,
 * target and portal group; the old session is closed first, and only once this login has authenticated), or a
 * Login Response with the status class and detail of 11.13.5, after which the
 * connection is closed.
 *
 * <p>On success the handler hands the channel to an {@link IscsiSessionHandler} and removes itself; digests and the
 * declared MaxRecvDataSegmentLength take effect from the first PDU after the final Login Response.
 *
 * <p>Reference counting: each Login Request is released here; anything else received during login is a protocol
 * error that closes the connection.
 */
final class IscsiLoginHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(IscsiLoginHandler.class.getName());
    /** During login each side receives at most the default MaxRecvDataSegmentLength (13.12). */
    private static final int LOGIN_SEGMENT = IscsiDecoder.DEFAULT_MAX_DATA_SEGMENT_LENGTH;
    private static final int MAX_TEXT = 64 * 1024;

    /** Ends the login with this status (11.13.5). */
    static final class LoginFailure extends Exception {
        final int statusClass;
        final int statusDetail;

        LoginFailure(int statusClass, int statusDetail, String message) {
            super(message, null, false, false);
            this.statusClass = statusClass;
            this.statusDetail = statusDetail;
        }
    }

    /** 11.13.5 status classes and details. */
    static final int INITIATOR_ERROR = 0x02;
    static final int TARGET_ERROR = 0x03;
    static final int DETAIL_MISC = 0x00;
    static final int DETAIL_AUTHENTICATION_FAILURE = 0x01;
    static final int DETAIL_AUTHORIZATION_FAILURE = 0x02;
    static final int DETAIL_NOT_FOUND = 0x03;
    static final int DETAIL_UNSUPPORTED_VERSION = 0x05;
    static final int DETAIL_TOO_MANY_CONNECTIONS = 0x06;
    static final int DETAIL_MISSING_PARAMETER = 0x07;
    static final int DETAIL_SESSION_TYPE_NOT_SUPPORTED = 0x09;
    static final int DETAIL_SESSION_DOES_NOT_EXIST = 0x0A;
    static final int DETAIL_INVALID_DURING_LOGIN = 0x0B;
    static final int DETAIL_SERVICE_UNAVAILABLE = 0x01;

    private final IscsiServer server;
    private final IscsiServerOptions options;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timeout;
    private boolean first = true;
    private boolean over;
    private int stage;
    private long isid;
    private int tsih;
    private int cid;
    private int cmdSN;
    private int statSN = ThreadLocalRandom.current().nextInt();
    private String initiatorName;
    private String targetName;
    private boolean discovery;
    private IscsiTarget target;
    private IscsiPortalGroup portalGroup;
    private IscsiNegotiation negotiation;
    private boolean authRequired;
    private IscsiChapCredentials chapCredentials;
    private IscsiChapCredentials mutualCredentials;
    private String authMethod;
    private IscsiChap chap;
    private boolean declared;
    private ByteArrayOutputStream incoming;
    private byte[] outgoing;
    private int outgoingOffset;
    private int outgoingNextStage = -1;

    IscsiLoginHandler(IscsiServer server, IscsiServerOptions options) {
        this.server = server;
        this.options = options;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        timeout = ctx.executor().schedule(() -> {
            server.initiatorLog().log(LOG, INFO, "login timed out",
                    () -> "login from " + ctx.channel().remoteAddress() + " timed out");
            ctx.close();
        }, options.loginTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timeout.cancel(false);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof IscsiLoginRequest request) {
            try {
                if (!over) {
                    login(request);
                }
            } catch (LoginFailure f) {
                fail(request, f);
            } finally {
                request.release();
            }
            return;
        }
        if (msg instanceof IscsiPdu pdu) {
            pdu.release();
        }
        // Only Login Requests may come before the login ends (6.1): anything else breaks the protocol.
        server.initiatorLog().log(LOG, INFO, "not a Login Request during login",
                () -> "not a Login Request during login from " + ctx.channel().remoteAddress() + ": " + msg);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        server.initiatorLog().log(LOG, INFO, "login failed: " + cause.getClass().getName(),
                () -> "login from " + ctx.channel().remoteAddress() + " failed: " + cause);
        ctx.close();
    }

    private void login(IscsiLoginRequest r) throws LoginFailure {
        if (first) {
            if (r.versionMin() > IscsiConstants.VERSION) {
                throw new LoginFailure(INITIATOR_ERROR, DETAIL_UNSUPPORTED_VERSION, "Version-min " + r.versionMin());
            }
            isid = r.isid();
            tsih = r.tsih();
            cid = r.cid();
            cmdSN = r.cmdSN();
        } else if (r.isid() != isid || r.tsih() != tsih || r.cid() != cid) {
            throw new LoginFailure(INITIATOR_ERROR, DETAIL_MISC, "ISID, TSIH or CID changed during login");
        }
        int csg = r.currentStage();
        if (csg != STAGE_SECURITY && csg != STAGE_OPERATIONAL || !first && csg != stage) {
            throw new LoginFailure(INITIATOR_ERROR, DETAIL_INVALID_DURING_LOGIN, "CSG " + csg + " in stage " + stage);
        }
        if (r.transit() && (r.continueFlag() || r.nextStage() <= csg || r.nextStage() == 2)) {
            throw new LoginFailure(INITIATOR_ERROR, DETAIL_INVALID_DURING_LOGIN,
                    "T with C or NSG " + r.nextStage() + " after CSG " + csg);
        }
        stage = csg;
        if (outgoing != null) {
            // The initiator fetches the rest of our text with empty requests (6.1, 11.13.3).
            if (r.data().isReadable()) {
                throw new LoginFailure(INITIATOR_ERROR, DETAIL_MISC, "text while ours continues");
            }
            sendChunk(r);
            return;
        }
        ByteBuf data = r.data();
        if (incoming == null) {
            incoming = new ByteArrayOutputStream();
        }
        if (incoming.size() + data.readableBytes() > MAX_TEXT) {
            throw new LoginFailure(INITIATOR_ERROR, DETAIL_MISC, "login text longer than " + MAX_TEXT);
        }
        byte[] bytes = new byte[data.readableBytes()];
        data.getBytes(data.readerIndex(), bytes);
        incoming.writeBytes(bytes);
        if (r.continueFlag()) {
            respond(r, new byte[0], false, 0, 0);
            return;
        }
        Map<String, String> keys;
        try {
            keys = IscsiText.parse(incoming.toByteArray());
        } catch (IscsiText.MalformedTextException e) {
            throw new LoginFailure(INITIATOR_ERROR, DETAIL_MISC, e.getMessage());
        }
        incoming = null;
        Map<String, String> answers = new LinkedHashMap<>();
        if (first) {
            identify(keys, answers);
            first = false;
        } else {
            checkIdentity(keys);
        }
        Map<String, String> security = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, String>> it = keys.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, String> e = it.next();
            IscsiKey key = IscsiKey.of(e.getKey());
            if (key != null && key.use() == IscsiKey.Use.SECURITY) {
                security.put(e.getKey(), e.getValue());
                it.remove();
            }
        }
        if (!security.isEmpty()) {
            if (stage != STAGE_SECURITY) {
                throw new LoginFailure(INITIATOR_ERROR, DETAIL_MISC, "security keys in the operational stage");
            }
            authenticate(security, answers);
        }
        for (Map.Entry<String, String> e : keys.entrySet()) {
            if (IscsiNegotiation.operational(e.getKey())) {
                try {
                    negotiation.login(e.getKey(), e.getValue(), answers);
                } catch (IscsiNegotiation.RenegotiationException ex) {
                    throw new LoginFailure(INITIATOR_ERROR, DETAIL_MISC, ex.getMessage());
                }
            }
        }
        boolean transit = false;
        if (r.transit()) {
            if (stage == STAGE_SECURITY) {
                transit = securityDone();
                if (!transit && chap == null) {
                    throw new LoginFailure(INITIATOR_ERROR, DETAIL_AUTHENTICATION_FAILURE,
                            "leaving the security stage without authenticating");
                }
            } else {
                transit = true;
            }
        }
        int nextStage = transit ? r.nextStage() : 0;
        if (!declared && (stage == STAGE_OPERATIONAL || nextStage == STAGE_FULL_FEATURE)) {
            declared = true;
            answers.put(IscsiKey.MAX_RECV_DATA_SEGMENT_LENGTH.wireName(),
                    Integer.toString(options.maxRecvDataSegmentLength()));
            if (target != null && target.alias() != null) {
                answers.put(IscsiKey.TARGET_ALIAS.wireName(), target.alias());
            }
        }
        outgoing = IscsiText.encode(answers);
        outgoingOffset = 0;
        outgoingNextStage = transit ? nextStage : -1;
        sendChunk(r);
    }

    /** The names and the session type of the first request (13.4-13.6, 13.21), and who may log in (6.3). */
    private void identify(Map<String, String> keys, Map<String, String> answers) throws LoginFailure {
        initiatorName = keys.remove(IscsiKey.INITIATOR_NAME.wireName());
        if (initiatorName == null || initiatorName.isEmpty()) {
            throw new LoginFailure(INITIATOR_ERROR, DETAIL_MISSING_PARAMETER, "no InitiatorName");
        }
        String sessionType = keys.getOrDefault(IscsiKey.SESSION_TYPE.wireName(), "Normal");
        keys.remove(IscsiKey.SESSION_TYPE.wireName());
        if (!sessionType.equals("Normal") && !sessionType.equals("Discovery")) {
            throw new LoginFailure(INITIATOR_ERROR, DETAIL_SESSION_TYPE_NOT_SUPPORTED, "SessionType " + sessionType);
        }
        discovery = sessionType.equals("Discovery");
        targetName = keys.remove(IscsiKey.TARGET_NAME.wireName());
        negotiation = new IscsiNegotiation(options);
        if (discovery) {
            targetName = null;
            authRequired = server.discoveryAuthenticationRequired();
            chapCredentials = server.discoveryChap();
            mutualCredentials = server.discoveryMutualChap();
        } else {
            if (targetName == null || targetName.isEmpty()) {
                throw new LoginFailure(INITIATOR_ERROR, DETAIL_MISSING_PARAMETER, "no TargetName");
            }
            target = server.target(targetName);
            InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
            portalGroup = target == null ? null : target.portalGroupFor(local);
            if (portalGroup == null) {
                throw new LoginFailure(INITIATOR_ERROR, DETAIL_NOT_FOUND, targetName + " not served at " + local);
            }
            if (portalGroup.down()) {
                portalGroup.loginRefusedWhileDown();
                throw new LoginFailure(TARGET_ERROR, DETAIL_SERVICE_UNAVAILABLE, portalGroup + " is down (fault"
                        + " injection)");
            }
            // Who may log in, and how, is the portal group's: one target port can admit an initiator another refuses.
            IscsiAcl acl = portalGroup.aclFor(initiatorName);
            if (acl == null) {
                throw new LoginFailure(INITIATOR_ERROR, DETAIL_AUTHORIZATION_FAILURE,
                        initiatorName + " may not log in to " + targetName + " through portal group "
                                + portalGroup.tag());
            }
            IscsiPortalGroup.ChapPair credentials = portalGroup.chapFor(acl);
            chapCredentials = credentials.chap();
            mutualCredentials = credentials.mutual();
            authRequired = portalGroup.authenticationRequired() || acl.chap() != null;
            answers.put(IscsiKey.TARGET_PORTAL_GROUP_TAG.wireName(), Integer.toString(portalGroup.tag()));
        }
        if (authRequired && chapCredentials == null) {
            throw new LoginFailure(TARGET_ERROR, DETAIL_MISC, "authentication required but no CHAP credentials set");
        }
        if (tsih != 0) {
            // Adding a connection to a session (or reinstating one): we run one connection per session.
            IscsiSession existing = server.session(tsih);
            boolean same = existing != null && existing.isid == isid
                    && existing.initiatorName.equalsIgnoreCase(initiatorName) && existing.target == target
                    && existing.portalGroup == portalGroup;
            throw new LoginFailure(INITIATOR_ERROR, same ? DETAIL_TOO_MANY_CONNECTIONS : DETAIL_SESSION_DOES_NOT_EXIST,
                    "TSIH " + tsih);
        }
        if (stage == STAGE_OPERATIONAL && authRequired) {
            throw new LoginFailure(INITIATOR_ERROR, DETAIL_AUTHENTICATION_FAILURE, "login without security stage");
        }
    }

    private void checkIdentity(Map<String, String> keys) throws LoginFailure {
        String name = keys.remove(IscsiKey.INITIATOR_NAME.wireName());
        String type = keys.remove(IscsiKey.SESSION_TYPE.wireName());
        String tname = keys.remove(IscsiKey.TARGET_NAME.wireName());
        if (name != null && !name.equalsIgnoreCase(initiatorName)
                || type != null && type.equals("Discovery") != discovery
                || tname != null && !tname.equalsIgnoreCase(String.valueOf(targetName))) {
            throw new LoginFailure(INITIATOR_ERROR, DETAIL_MISC, "InitiatorName, TargetName or SessionType changed");
        }
    }

    /** AuthMethod (12.1) and the CHAP exchange (12.1.3). */
    private void authenticate(Map<String, String> security, Map<String, String> answers) throws LoginFailure {
        String offered = security.remove(IscsiKey.AUTH_METHOD.wireName());
        if (offered != null) {
            if (authMethod != null) {
                throw new LoginFailure(INITIATOR_ERROR, DETAIL_MISC, "AuthMethod offered twice");
            }
            String chosen = null;
            for (String m : offered.split(",")) {
                if (m.equals("CHAP") && chapCredentials != null || m.equals("None") && !authRequired) {
                    chosen = m;
                    break;
                }
            }
            if (chosen == null) {
                throw new LoginFailure(INITIATOR_ERROR, DETAIL_AUTHENTICATION_FAILURE, "no acceptable AuthMethod in "
                        + offered);
            }
            authMethod = chosen;
            answers.put(IscsiKey.AUTH_METHOD.wireName(), chosen);
            if (chosen.equals("CHAP")) {
                chap = new IscsiChap(server.random(), chapCredentials, mutualCredentials);
            }
        }
        if (security.isEmpty()) {
            return;
        }
        if (chap == null) {
            throw new LoginFailure(INITIATOR_ERROR, DETAIL_MISC, "CHAP keys without AuthMethod=CHAP");
        }
        try {
            answers.putAll(chap.onKeys(security));
        } catch (IscsiChap.ChapException e) {
            if (!e.malformed()) {
                server.meters().chapFailed();
            }
            throw new LoginFailure(INITIATOR_ERROR, e.malformed() ? DETAIL_MISC : DETAIL_AUTHENTICATION_FAILURE,
                    e.getMessage());
        }
    }

    private boolean securityDone() {
        if (authMethod == null) {
            return !authRequired;
        }
        return authMethod.equals("None") || chap != null && chap.done();
    }

    /** Sends the next piece of our text: C set while more follows, T only on the last piece (11.13.2). */
    private void sendChunk(IscsiLoginRequest r) {
        byte[] text = outgoing;
        int length = Math.min(LOGIN_SEGMENT, text.length - outgoingOffset);
        boolean last = outgoingOffset + length == text.length;
        int offset = outgoingOffset;
        outgoingOffset += length;
        if (!last) {
            respond(r, text, false, offset, length, true);
            return;
        }
        outgoing = null;
        int nextStage = outgoingNextStage;
        if (nextStage == STAGE_FULL_FEATURE) {
            finish(r, text, offset, length);
            return;
        }
        respond(r, text, nextStage >= 0, offset, length);
        if (nextStage >= 0) {
            stage = nextStage;
        }
    }

    private void respond(IscsiLoginRequest r, byte[] text, boolean transit, int offset, int length) {
        respond(r, text, transit, offset, length, false);
    }

    private void respond(IscsiLoginRequest r, byte[] text, boolean transit, int offset, int length, boolean more) {
        ctx.writeAndFlush(new IscsiLoginResponse(transit, more, stage, transit ? outgoingNextStage : 0,
                IscsiConstants.VERSION, IscsiConstants.VERSION, isid, 0, r.initiatorTaskTag(), statSN++, cmdSN,
                cmdSN + options.commandWindow() - 1, 0, 0, IscsiText.toBuffer(ctx.alloc(), text, offset, length)));
    }

    /** The initiator and we agreed to enter full feature phase: reinstate if needed, then start the session. */
    private void finish(IscsiLoginRequest r, byte[] text, int offset, int length) {
        over = true;
        IscsiSessionParameters params = negotiation.result(initiatorName, targetName, discovery);
        // Security is done: a login that failed authentication never got here, so never touched the old session.
        IscsiSession old = server.session(IscsiSession.Key.of(initiatorName, isid, target, portalGroup));
        byte[] last = java.util.Arrays.copyOfRange(text, offset, offset + length);
        int itt = r.initiatorTaskTag();
        if (old == null) {
            start(params, itt, last);
            return;
        }
        // 6.3.5 session reinstatement: the old session ends (its tasks, its nexus) before the new one starts.
        LOG.log(INFO, () -> "reinstating " + old);
        old.close().addListener(f -> ctx.executor().execute(() -> {
            if (ctx.channel().isActive()) {
                start(params, itt, last);
            }
        }));
    }

    private void start(IscsiSessionParameters params, int itt, byte[] text) {
        Nexus nexus = target == null ? null
                : new Nexus(InitiatorPort.iscsi(initiatorName, isid), target.targetPort(portalGroup));
        IscsiSession session;
        try {
            session = server.openSession(ctx.channel(), initiatorName, isid, cid, target, portalGroup, nexus, params,
                    authMethod == null ? "None" : authMethod, chap != null && chap.mutualDone());
        } catch (IllegalStateException e) {
            fail(itt, new LoginFailure(TARGET_ERROR, DETAIL_SERVICE_UNAVAILABLE, e.getMessage()));
            return;
        }
        server.meters().loginSucceeded();
        int finalStatSN = statSN++;
        ctx.writeAndFlush(new IscsiLoginResponse(true, false, stage, STAGE_FULL_FEATURE, IscsiConstants.VERSION,
                IscsiConstants.VERSION, isid, session.tsih, itt, finalStatSN, cmdSN,
                cmdSN + options.commandWindow() - 1, 0, 0, IscsiText.toBuffer(ctx.alloc(), text, 0, text.length)));
        IscsiDecoder decoder = ctx.pipeline().get(IscsiDecoder.class);
        IscsiEncoder encoder = ctx.pipeline().get(IscsiEncoder.class);
        decoder.digests(params.headerDigest(), params.dataDigest());
        decoder.maxDataSegmentLength(params.targetMaxRecvDataSegmentLength());
        encoder.digests(params.headerDigest(), params.dataDigest());
        LOG.log(DEBUG, () -> "logged in: " + session + " " + params);
        ctx.pipeline().replace(this, "session", new IscsiSessionHandler(session, params, options, cmdSN, statSN));
    }

    private void fail(IscsiLoginRequest r, LoginFailure f) {
        fail(r.initiatorTaskTag(), f);
    }

    private void fail(int itt, LoginFailure f) {
        over = true;
        server.meters().loginFailed(f.statusClass, f.statusDetail);
        server.initiatorLog().log(LOG, INFO, "login refused", () -> "login from " + ctx.channel().remoteAddress()
                + " (" + (initiatorName == null ? "?" : initiatorName) + ") refused, status %02x%02x: %s"
                .formatted(f.statusClass, f.statusDetail, f.getMessage()));
        ctx.writeAndFlush(new IscsiLoginResponse(false, false, stage, 0, IscsiConstants.VERSION,
                IscsiConstants.VERSION, isid, tsih, itt, statSN, cmdSN, cmdSN, f.statusClass, f.statusDetail,
                Unpooled.EMPTY_BUFFER)).addListener(ChannelFutureListener.CLOSE);
    }
}

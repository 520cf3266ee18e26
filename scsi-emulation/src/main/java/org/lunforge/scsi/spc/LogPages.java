package org.lunforge.scsi.spc;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lunforge.scsi.BigEndian;
import org.lunforge.scsi.CheckCondition;
import org.lunforge.scsi.LogPage;
import org.lunforge.scsi.LogParameter;
import org.lunforge.scsi.SenseCode;

/**
 * LOG SENSE and LOG SELECT (SPC-4 6.7, 6.8, 7.3): the supported pages pages (00h/00h and 00h/FFh), the shared
 * informational exceptions page (2Fh) and the device's pages. No log parameter is saved (DS is set in every page
 * header), so SP is refused by the decoders.
 */
final class LogPages {
    static final int SUPPORTED_PAGES = 0x00;
    static final int INFORMATIONAL_EXCEPTIONS = 0x2F;

    /** Sorted by page code, then subpage code. */
    private final List<LogPage> pages;

    LogPages(List<LogPage> devicePages) {
        Map<Integer, LogPage> byKey = new LinkedHashMap<>();
        byKey.put(INFORMATIONAL_EXCEPTIONS << 8, new InformationalExceptionsLogPage());
        for (LogPage p : devicePages) {
            if (p.pageCode() != SUPPORTED_PAGES) {
                byKey.put(p.pageCode() << 8 | p.subpageCode(), p);
            }
        }
        List<LogPage> sorted = new ArrayList<>(byKey.values());
        sorted.sort(Comparator.comparingInt(LogPage::pageCode).thenComparingInt(LogPage::subpageCode));
        this.pages = List.copyOf(sorted);
    }

    /** LOG SENSE parameter data. */
    byte[] sense(SpcCommand.LogSense ls) {
        if (ls.pageCode() == SUPPORTED_PAGES && ls.subpageCode() == 0x00) {
            return supportedPages();
        }
        if (ls.pageCode() == SUPPORTED_PAGES && ls.subpageCode() == 0xFF) {
            return supportedPagesAndSubpages();
        }
        LogPage page = find(ls.pageCode(), ls.subpageCode());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<LogParameter> parameters = page.parameters(ls.pageControl());
        int highest = -1;
        for (LogParameter p : parameters) {
            highest = Math.max(highest, p.code());
            if (p.code() >= ls.parameterPointer()) {
                body.writeBytes(p.encode());
            }
        }
        if (ls.parameterPointer() > highest && ls.parameterPointer() != 0) {
            throw CheckCondition.invalidFieldInCdb(5, 7); // SPC-4 6.8: pointer beyond the largest parameter code
        }
        return page(page.pageCode(), page.subpageCode(), body.toByteArray());
    }

    private LogPage find(int pageCode, int subpageCode) {
        boolean codeKnown = false;
        for (LogPage p : pages) {
            if (p.pageCode() == pageCode) {
                codeKnown = true;
                if (p.subpageCode() == subpageCode) {
                    return p;
                }
            }
        }
        throw codeKnown ? CheckCondition.invalidFieldInCdb(3, 7) : CheckCondition.invalidFieldInCdb(2, 5);
    }

    /** SPC-4 7.3.18: page 00h lists page codes (each once, ascending), itself included. */
    private byte[] supportedPages() {
        ByteArrayOutputStream codes = new ByteArrayOutputStream();
        codes.write(SUPPORTED_PAGES);
        int last = SUPPORTED_PAGES;
        for (LogPage p : pages) {
            if (p.pageCode() != last) {
                codes.write(p.pageCode());
                last = p.pageCode();
            }
        }
        return page(SUPPORTED_PAGES, 0, codes.toByteArray());
    }

    /** SPC-4 7.3.19: page 00h subpage FFh lists (page, subpage) pairs, both supported pages pages included. */
    private byte[] supportedPagesAndSubpages() {
        ByteArrayOutputStream pairs = new ByteArrayOutputStream();
        pairs.write(SUPPORTED_PAGES);
        pairs.write(0x00);
        pairs.write(SUPPORTED_PAGES);
        pairs.write(0xFF);
        for (LogPage p : pages) {
            pairs.write(p.pageCode());
            pairs.write(p.subpageCode());
        }
        return page(SUPPORTED_PAGES, 0xFF, pairs.toByteArray());
    }

    /** The 4-byte log page header (SPC-4 7.3.2.1): DS set (not savable), SPF set for a subpage. */
    private static byte[] page(int pageCode, int subpageCode, byte[] body) {
        byte[] d = new byte[4 + body.length];
        d[0] = (byte) (0x80 | (subpageCode != 0 ? 0x40 : 0) | pageCode);
        d[1] = (byte) subpageCode;
        BigEndian.put16(d, 2, body.length);
        System.arraycopy(body, 0, d, 4, body.length);
        return d;
    }

    /**
     * LOG SELECT (SPC-4 6.7). PCR resets the parameters of page control PC on the page named (page code 0: every
     * page). An empty list with PCR clear is taken the same way (SPC-4 has both set values to their defaults). A
     * parameter list holds log pages whose parameters the pages themselves accept or refuse.
     */
    void select(SpcCommand.LogSelect s, byte[] data) {
        if (s.parameterListLength() == 0) {
            if (s.pageCode() == SUPPORTED_PAGES && s.subpageCode() == 0) {
                pages.forEach(p -> p.reset(s.pageControl()));
            } else {
                find(s.pageCode(), s.subpageCode()).reset(s.pageControl());
            }
            return;
        }
        int offset = 0;
        while (offset < data.length) {
            if (data.length - offset < 4) {
                throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            int code = data[offset] & 0x3F;
            int sub = (data[offset] & 0x40) != 0 ? BigEndian.u8(data, offset + 1) : 0;
            int length = BigEndian.u16(data, offset + 2);
            if (offset + 4 + length > data.length) {
                throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
            }
            LogPage page = null;
            for (LogPage p : pages) {
                if (p.pageCode() == code && p.subpageCode() == sub) {
                    page = p;
                }
            }
            if (page == null) {
                throw CheckCondition.invalidFieldInParameterList(offset, 5);
            }
            int end = offset + 4 + length;
            int at = offset + 4;
            while (at < end) {
                if (end - at < 4 || at + 4 + BigEndian.u8(data, at + 3) > end) {
                    throw new CheckCondition(SenseCode.PARAMETER_LIST_LENGTH_ERROR);
                }
                int valueLength = BigEndian.u8(data, at + 3);
                LogParameter parameter = new LogParameter(BigEndian.u16(data, at), BigEndian.u8(data, at + 2),
                        java.util.Arrays.copyOfRange(data, at + 4, at + 4 + valueLength));
                if (!page.select(s.pageControl(), parameter)) {
                    throw CheckCondition.invalidFieldInParameterList(at, -1);
                }
                at += 4 + valueLength;
            }
            offset = end;
        }
    }

    /**
     * SPC-4 7.3.8 informational exceptions log page: one parameter (0000h) with the INFORMATIONAL EXCEPTION ADDITIONAL
     * SENSE CODE and QUALIFIER (0: nothing to report) and MOST RECENT TEMPERATURE READING (FFh: none).
     */
    private static final class InformationalExceptionsLogPage implements LogPage {
        @Override
        public int pageCode() {
            return INFORMATIONAL_EXCEPTIONS;
        }

        @Override
        public List<LogParameter> parameters(int pageControl) {
            return List.of(new LogParameter(0x0000, LogParameter.BINARY, new byte[] {0x00, 0x00, (byte) 0xFF}));
        }
    }
}

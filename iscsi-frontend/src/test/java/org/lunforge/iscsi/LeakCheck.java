package org.lunforge.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaked a ByteBuf. The paranoid leak detector only reports a leak when it notices a collected
 * buffer that was never released, and it reports through Netty's (here: java.util.logging) logger. This extension
 * captures those reports; after each test it collects garbage and allocates until the detector has looked, then
 * fails on any report.
 */
public final class LeakCheck implements AfterEachCallback {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static final Logger DETECTOR_LOG;

    static {
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        DETECTOR_LOG = Logger.getLogger(ResourceLeakDetector.class.getName());
        DETECTOR_LOG.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()
                        && String.valueOf(record.getMessage()).contains("LEAK")) {
                    LEAKS.add(String.valueOf(record.getMessage()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(5);
            for (int j = 0; j < 32; j++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(64);
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(64);
                a.release();
                b.release();
            }
        }
        if (!LEAKS.isEmpty()) {
            String report = String.join("\n", LEAKS);
            LEAKS.clear();
            throw new AssertionError("ByteBuf leak in " + context.getDisplayName() + ":\n" + report);
        }
    }
}

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one JUnit method (a Jazzer @FuzzTest) in this JVM: what a surefire fork would do, without Maven's start and
 * reactor walk for every target. conformance/fuzz/run starts it with the module's test class path, in the module's
 * folder, as a source-file program: java -cp CLASSPATH FuzzLauncher.java Class#method. Exit status 0 if the method
 * passed, 1 if it failed (a finding) or did not run.
 */
public class FuzzLauncher {
    public static void main(String[] args) throws ClassNotFoundException {
        String className = args[0].substring(0, args[0].indexOf('#'));
        String methodName = args[0].substring(args[0].indexOf('#') + 1);
        Class<?> testClass = Class.forName(className);
        java.lang.reflect.Method method = java.util.Arrays.stream(testClass.getDeclaredMethods())
                .filter(m -> m.getName().equals(methodName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no method " + args[0]));
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(testClass, method)).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        summary.printFailuresTo(new java.io.PrintWriter(System.err, true), 30);
        boolean ran = summary.getTestsStartedCount() > 0;
        System.err.printf("%s: %d started, %d failed%n", args[0], summary.getTestsStartedCount(),
                summary.getTotalFailureCount());
        System.exit(ran && summary.getTotalFailureCount() == 0 ? 0 : 1);
    }
}

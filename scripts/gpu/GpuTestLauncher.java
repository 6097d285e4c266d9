import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the named test classes through the JUnit Platform without Maven, for the device machine
 * (no Maven, no network there; scripts/gpu-checks.sh). Prints one line per test (PASS, FAIL with
 * the message, SKIP with the reason) and the totals; exits 1 when a test failed, a class is
 * missing or nothing ran. Not a Maven module: scripts/gpu-bundle.sh compiles it.
 *
 * <p>Usage: {@code GpuTestLauncher [--skip-fails TEXT]... CLASS...}. A skip whose reason contains
 * TEXT counts as a failure: on the GPU machine "needs an NVIDIA GPU" must not pass quietly.
 */
public final class GpuTestLauncher {
  private GpuTestLauncher() {}

  public static void main(String[] args) {
    List<String> classes = new ArrayList<>();
    List<String> skipFails = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--skip-fails") && i + 1 < args.length) {
        skipFails.add(args[++i]);
      } else {
        classes.add(args[i]);
      }
    }
    if (classes.isEmpty()) {
      System.err.println("usage: GpuTestLauncher [--skip-fails TEXT]... CLASS...");
      System.exit(2);
    }
    Tally tally = new Tally(skipFails);
    LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
    for (String name : classes) {
      try {
        request.selectors(selectClass(Class.forName(name)));
      } catch (ClassNotFoundException | LinkageError e) {
        // a missing class is a failure of the bundle, not a reason to skip the others
        System.out.printf("FAIL  %s: cannot load the class: %s%n", name, e);
        tally.failed.incrementAndGet();
      }
    }
    LauncherDiscoveryRequest discovery = request.build();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(discovery, tally);
    System.out.printf("tests: %d passed, %d failed, %d skipped%n",
        tally.passed.get(), tally.failed.get(), tally.skipped.get());
    boolean nothingRan = tally.passed.get() + tally.failed.get() + tally.skipped.get() == 0;
    if (nothingRan) {
      System.out.println("FAIL  no tests found in " + classes);
    }
    System.exit(tally.failed.get() > 0 || nothingRan ? 1 : 0);
  }

  /** Prints each test's outcome as it ends and counts them. */
  private static final class Tally implements TestExecutionListener {
    final AtomicInteger passed = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger skipped = new AtomicInteger();
    private final List<String> skipFails;
    private TestPlan plan;

    Tally(List<String> skipFails) {
      this.skipFails = skipFails;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
      plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
      skip(id, reason);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
      String message = result.getThrowable().map(GpuTestLauncher::describe).orElse("");
      switch (result.getStatus()) {
        case SUCCESSFUL -> {
          if (id.isTest()) {
            passed.incrementAndGet();
            System.out.println("PASS  " + name(id));
          }
        }
        // an assumption that did not hold: JUnit's "aborted" is a skip, its message the reason
        case ABORTED -> skip(id, result.getThrowable().map(t -> String.valueOf(t.getMessage())).orElse(""));
        // a container's failure (a @BeforeAll, a class that cannot start) counts too
        case FAILED -> {
          failed.incrementAndGet();
          System.out.println("FAIL  " + name(id) + ": " + message);
          result.getThrowable().ifPresent(t -> t.printStackTrace(System.out));
        }
      }
    }

    private void skip(TestIdentifier id, String reason) {
      if (skipFails.stream().anyMatch(reason::contains)) {
        failed.incrementAndGet();
        System.out.println("FAIL  " + name(id) + ": skipped, and this skip counts as a failure here: " + reason);
      } else {
        skipped.incrementAndGet();
        System.out.println("SKIP  " + name(id) + ": " + reason);
      }
    }

    private String name(TestIdentifier id) {
      // a test method is named with its class; a class (whose parent is the engine) alone
      Optional<TestIdentifier> parent = plan == null ? Optional.empty() : plan.getParent(id);
      boolean underClass = parent.flatMap(plan::getParent).isPresent();
      return underClass ? parent.get().getLegacyReportingName() + "." + id.getLegacyReportingName()
          : id.getLegacyReportingName();
    }
  }

  private static String describe(Throwable t) {
    return t.getMessage() == null ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}

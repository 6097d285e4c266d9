package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.StageChain;
import io.edgepipe.planner.control.LiveProfile;
import io.edgepipe.planner.control.Replanner;
import io.edgepipe.planner.predict.Objective;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A stage's CPU readings taken while its JVM compiles are its JIT's, not its frames': the
 * controller leaves them out (maxpool on the edge read 2.2 ms per frame for 20 s of compiling under
 * half a core in E7 s8 run 1, 1.1 ms once done), and counts them where nothing says it compiled.
 */
class CompilingReadingsTest {
  private static final List<String> STAGES = List.of("producer", "conv", "relu", "maxpool");
  private static final FrameSize SIZE = FrameSize.of(256, 256);

  private static Profile profile() {
    ProfileBuilder b = new ProfileBuilder("thesis", STAGES);
    List<String> hops = new StageChain(STAGES).hopNames();
    for (int i = 0; i < STAGES.size(); i++) {
      b.addCompute(STAGES.get(i), Tier.SERVER, SIZE, 1, 1);
      b.addCompute(STAGES.get(i), Tier.EDGE, SIZE, 2, 2);
      b.addHop(hops.get(i), SIZE, 65_536);
    }
    b.addLink(LinkClass.EDGE_SERVER, 1e7, 0);
    return b.build();
  }

  /** Maxpool's CPU per frame on the edge after 20 warm readings (1 ms per frame) and 20 while compiling (3 ms). */
  private static double maxpoolMsPerFrame(boolean sensorsSeeTheJit) {
    double[] compiled = {0};
    TestbedController.Sensors sensors = new TestbedController.Sensors() {
      @Override
      public double linkBitsPerSec() {
        return 1e7;
      }

      @Override
      public double edgeCores() {
        return 0.5;
      }

      @Override
      public double compileSeconds(String stage, Tier tier) {
        return sensorsSeeTheJit ? compiled[0] : Double.NaN;
      }
    };
    LiveProfile live = new LiveProfile(profile(), SIZE, 0.3, 0.5, 2).linkFromFrames(false);
    PlannerOptions options = PlannerOptions.defaults().withFrameSize(SIZE).withCores(0.5, 2).withHostCores(2);
    Replanner replanner = new Replanner(live, options, new Placement("EEEE"),
        new Replanner.Settings(Objective.THROUGHPUT, 0.2, Duration.ofSeconds(1), Duration.ofSeconds(3), false));
    TestbedController controller = new TestbedController(replanner, sensors, 2, Duration.ofMillis(100), Duration.ZERO,
        line -> { }, false);
    controller.onMain(null); // watch only: no loop, no moves
    for (int i = 0; i < 40; i++) {
      boolean compiling = i >= 20;
      if (compiling) {
        compiled[0] += 0.04; // 40 ms of 75 in the report: the compiler threads' share of the reading
      }
      // 25 frames in 250 ms: 1 ms of CPU each when warm, 3 ms while the JIT works beside them
      long cpuUs = compiling ? 75_000 : 25_000;
      controller.onTiming(new TimingWindow.Report(i * 250L, 25L * i, List.of(), new long[0],
          List.of(new TimingWindow.ProcessCpu("maxpool", "edge", 25, 250_000, cpuUs)), 0));
    }
    return live.cpu("maxpool", Tier.EDGE).cpuMsPerFrame();
  }

  @Test
  void readingsWhileTheJvmCompilesAreLeftOut() {
    assertEquals(1.0, maxpoolMsPerFrame(true), 0.05);
  }

  @Test
  void withoutWordOfTheJitEveryReadingCounts() {
    double all = maxpoolMsPerFrame(false);
    assertEquals(true, all > 1.5, "the compiling readings raise the figure: " + all);
  }
}

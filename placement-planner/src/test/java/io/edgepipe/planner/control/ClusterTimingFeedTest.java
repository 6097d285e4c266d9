package io.edgepipe.planner.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.manifest.ManifestOptions;
import io.edgepipe.planner.manifest.SpecFile;
import io.edgepipe.planner.manifest.Workload;
import io.edgepipe.planner.predict.PlannerOptions;
import io.edgepipe.planner.profile.FrameSize;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * `autoplace`'s feed against fabric8's mock server: the stage pods' /metrics through the API
 * server's pod proxy give, between two reads, the phase means and each stage process's CPU on
 * its tier, which the live profile then prices the node with (no wall x quota fallback).
 */
@EnableKubernetesMockClient(crud = true)
class ClusterTimingFeedTest {
  static final SpecFile THESIS = SpecFile.load(Path.of("../pipelines/thesis.yaml"));
  static final List<String> STAGES = List.of("producer", "conv", "relu", "maxpool");

  KubernetesMockServer server;
  KubernetesClient client;

  /** The pods of the thesis chain deployed as {@code placement}, one per stage. */
  private void runPods(String placement) {
    for (Workload w : THESIS.manifests(THESIS.placement(placement), ManifestOptions.builder().build()).workloads()) {
      PodTemplateSpec t = w.deployment().getSpec().getTemplate();
      client.pods().inNamespace("edgepipe").resource(new PodBuilder().withNewMetadata().withName(w.name() + "-x1")
          .withNamespace("edgepipe").withLabels(t.getMetadata().getLabels()).endMetadata().withSpec(t.getSpec()).build())
          .create();
    }
  }

  /** A stage's /metrics after {@code frames} frames of {@code processMs} each and {@code cpuS} of process CPU. */
  static String metrics(String stage, long frames, double processMs, double cpuS) {
    return String.format(Locale.ROOT, "# TYPE edgepipe_phase_seconds histogram\n"
        + "edgepipe_phase_seconds_count{phase=\"process\",stage=\"%1$s\"} %2$d\n"
        + "edgepipe_phase_seconds_sum{phase=\"process\",stage=\"%1$s\"} %3$f\n"
        + "edgepipe_phase_seconds_count{phase=\"receive\",stage=\"%1$s\"} %2$d\n"
        + "edgepipe_phase_seconds_sum{phase=\"receive\",stage=\"%1$s\"} %4$f\n"
        + "# TYPE edgepipe_process_cpu_seconds_total counter\n"
        + "edgepipe_process_cpu_seconds_total{stage=\"%1$s\"} %5$f\n", stage, frames, frames * processMs / 1000,
        frames * 0.0005, cpuS);
  }

  /** The two reads each pod's proxy answers: at first, and 10 s (and {@code frames} frames) later. */
  private void answer(String stage, long frames, double processMs, double cpuBefore, double cpuAfter) {
    String path = "/api/v1/namespaces/edgepipe/pods/" + stage + "-x1:9090/proxy/metrics";
    server.expect().get().withPath(path).andReturn(200, metrics(stage, 1000, processMs, cpuBefore)).once();
    server.expect().get().withPath(path).andReturn(200, metrics(stage, 1000 + frames, processMs, cpuAfter)).once();
  }

  @Test
  void twoReadsGiveEachStagesCpuOnItsTierAndTheLiveProfilePricesTheNodeWithIt() {
    runPods("EEEE");
    // 10 s at 20 fps on a 0.1-core edge: each stage's wall time is mostly waiting for its quota (40 ms),
    // while its process used 0.01 cores of background + 1 ms per frame
    for (String stage : STAGES) {
      answer(stage, 200, 40, 5.0, 5.0 + 0.1 + 200 * 0.001);
    }
    long[] clock = {0};
    ClusterTimingFeed feed = new ClusterTimingFeed(client, "edgepipe", () -> clock[0]);
    ClusterTimingFeed.Sample first = feed.sample(STAGES);
    assertTrue(first.cpu().isEmpty(), "a first read only starts the counts: " + first.cpu());
    clock[0] += 10_000_000_000L;
    ClusterTimingFeed.Sample second = feed.sample(STAGES);

    assertEquals(4, second.timings().size());
    assertEquals(40_000, second.timings().get(1).getProcessedUs() - second.timings().get(1).getReceivedUs());
    assertEquals(4, second.cpu().size(), second.cpu().toString());
    ClusterTimingFeed.StageCpu conv = second.cpu().stream().filter(c -> c.stage().equals("conv")).findFirst()
        .orElseThrow();
    assertEquals(new ClusterTimingFeed.StageCpu("conv", Tier.EDGE, 200, 10_000_000, 300_000), conv);

    // fed to a replanner, the edge is priced from that CPU, not from the 40 ms waits (wall x quota:
    // 4 x 40 ms x 0.1 = 16 ms of CPU per frame, under 7 fps)
    FrameSize size = FrameSize.of(256, 256);
    LiveProfile live = new LiveProfile(QuotaReplannerTest.profile(), size, 0.3, 0.1, 0);
    Replanner replanner = new Replanner(live, PlannerOptions.defaults().withFrameSize(size).withCores(0.1, 0),
        new Placement("EEEE"), E7Replay.e7Settings());
    for (int i = 0; i < 3; i++) {
      second.feed(replanner); // the same readings again: enough seconds for the fit
    }
    assertNotNull(live.cpu("conv", Tier.EDGE));
    assertEquals(0.03, live.cpu("conv", Tier.EDGE).coresAt(20), 1e-6, "the cores seen at 20 fps: " + live.describeCpu());
    // one rate only: no background is told apart, so the 0.01 cores are shared out over the frames
    // (1.5 ms each): 0.1 / 6 ms = 16.7 fps where the chain does 15
    double fps = replanner.evaluate(java.time.Instant.EPOCH).current().fps();
    assertEquals(16.7, fps, 0.1, "EEEE priced from the processes' CPU: " + live.describeCpu());
  }

  @Test
  void aPodSeenForTheFirstTimeOrRestartedOnlyStartsItsCount() {
    runPods("EESS");
    String conv = "/api/v1/namespaces/edgepipe/pods/conv-x1:9090/proxy/metrics";
    server.expect().get().withPath(conv).andReturn(200, metrics("conv", 500, 2, 8.0)).once();
    server.expect().get().withPath(conv).andReturn(200, metrics("conv", 20, 2, 0.5)).once(); // restarted
    server.expect().get().withPath(conv).andReturn(200, metrics("conv", 120, 2, 0.8)).once();
    long[] clock = {0};
    ClusterTimingFeed feed = new ClusterTimingFeed(client, "edgepipe", () -> clock[0]);
    assertTrue(feed.sample(List.of("conv")).cpu().isEmpty());
    clock[0] += 1_000_000_000L;
    assertTrue(feed.sample(List.of("conv")).cpu().isEmpty(), "a counter that went back gives no reading");
    clock[0] += 2_000_000_000L;
    assertEquals(List.of(new ClusterTimingFeed.StageCpu("conv", Tier.EDGE, 100, 2_000_000, 300_000)),
        feed.sample(List.of("conv")).cpu());
  }
}

package io.edgepipe.planner.control;

import io.edgepipe.api.Tier;
import io.edgepipe.api.proto.StageTiming;
import io.edgepipe.planner.deploy.StagePods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What a deployed chain's frames carry, read where a cluster exposes it: each stage pod's
 * {@code edgepipe_phase_seconds} histogram (process = compute; receive = the hop from the
 * upstream's send to received here) and its process's CPU ({@code edgepipe_process_cpu_seconds_total}),
 * scraped through the API server's pod proxy. Between two reads, the mean of each phase over the
 * frames that passed becomes one synthetic {@link StageTiming} chain, which {@link LiveProfile#observe}
 * takes like a frame's own, and each stage's CPU on its tier over that time becomes a reading for
 * {@link LiveProfile#observeCpu}. The last hop (to the sink in the producer pod) is not seen here.
 */
public final class ClusterTimingFeed {
  static final String METRIC = "edgepipe_phase_seconds";

  /**
   * What one stage's pods on a tier used between two reads: {@code cpuUs} of CPU over
   * {@code spanUs} while {@code frames} frames passed (replicas added up).
   */
  public record StageCpu(String stage, Tier tier, long frames, long spanUs, long cpuUs) {}

  /** One read: the synthetic frame (empty when some stage passed no frame) and the stages' CPU. */
  public record Sample(List<StageTiming> timings, List<StageCpu> cpu) {
    /** Both, to a replanner. */
    public void feed(Replanner replanner) {
      if (!timings.isEmpty()) {
        replanner.observe(timings, 0);
      }
      for (StageCpu c : cpu) {
        // the frames since the last read went through the deployed placement (a read spanning a move mixes both)
        replanner.live().observeCpu(replanner.current(), c.stage(), c.tier(), c.frames(), c.spanUs(), c.cpuUs());
      }
    }
  }

  /** A pod's last reading: its process's CPU seconds, its frames processed, when (ns). */
  private record PodReading(double cpuSeconds, double frames, long atNanos) {}

  private final KubernetesClient client;
  private final String namespace;
  private final LongSupplier nanos;
  private final Map<String, double[]> last = new HashMap<>(); // "stage|phase" -> {sum s, count}
  private final Map<String, PodReading> lastCpu = new HashMap<>(); // "pod|container" -> its last reading

  public ClusterTimingFeed(KubernetesClient client, String namespace) {
    this(client, namespace, System::nanoTime);
  }

  /** With the clock that times the spans between reads (tests). */
  ClusterTimingFeed(KubernetesClient client, String namespace, LongSupplier nanos) {
    this.client = client;
    this.namespace = namespace;
    this.nanos = nanos;
  }

  /** What the stages' pods say since the last call. */
  public Sample sample(List<String> stages) {
    double[] process = new double[stages.size()];
    double[] receive = new double[stages.size()];
    Map<String, long[]> cpu = new LinkedHashMap<>(); // "stage|tier" -> {frames, span us (sum over pods), cpu us, pods}
    for (int i = 0; i < stages.size(); i++) {
      Map<String, double[]> phases = new HashMap<>();
      for (Pod pod : StagePods.of(client, namespace, stages.get(i))) {
        String text = scrape(pod, StagePods.metricsPort(pod, stages.get(i)));
        PhaseHistograms.addTo(phases, text);
        cpuSince(pod, stages.get(i), text, cpu);
      }
      process[i] = delta(stages.get(i), "process", phases);
      receive[i] = delta(stages.get(i), "receive", phases);
    }
    List<StageCpu> readings = new ArrayList<>();
    cpu.forEach((key, v) -> {
      String[] k = key.split("\\|");
      readings.add(new StageCpu(k[0], Tier.parse(k[1]), v[0], v[1] / v[3], v[2]));
    });
    return new Sample(PhaseHistograms.timings(stages, process, receive), readings);
  }

  /**
   * Adds what one pod's stage process used since its last read to its stage and tier. A pod read
   * for the first time (new, or just rolled out) only starts its count; one whose counter went
   * back (a restarted container) starts afresh; a pod whose tier or CPU is unknown is left out.
   */
  private void cpuSince(Pod pod, String stage, String text, Map<String, long[]> cpu) {
    double cpuSeconds = PhaseHistograms.processCpuSeconds(text);
    Tier tier = tierOf(pod);
    if (Double.isNaN(cpuSeconds) || tier == null) {
      return;
    }
    Map<String, double[]> phases = new HashMap<>();
    PhaseHistograms.addTo(phases, text);
    double frames = phases.getOrDefault("process", new double[2])[1];
    long now = nanos.getAsLong();
    PodReading before = lastCpu.put(pod.getMetadata().getName() + "|" + stage, new PodReading(cpuSeconds, frames, now));
    if (before == null || cpuSeconds < before.cpuSeconds() || frames < before.frames() || now <= before.atNanos()) {
      return;
    }
    long[] sum = cpu.computeIfAbsent(stage + "|" + tier.label(), k -> new long[4]);
    sum[0] += Math.round(frames - before.frames());
    sum[1] += (now - before.atNanos()) / 1000;
    sum[2] += Math.round((cpuSeconds - before.cpuSeconds()) * 1e6);
    sum[3]++;
  }

  private static Tier tierOf(Pod pod) {
    Map<String, String> selector = pod.getSpec() == null ? null : pod.getSpec().getNodeSelector();
    String tier = selector == null ? null : selector.get(Tier.NODE_LABEL);
    try {
      return tier == null ? null : Tier.parse(tier);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Mean ms of a phase over the frames since the last read; NaN when none passed. */
  private double delta(String stage, String phase, Map<String, double[]> now) {
    double[] current = now.getOrDefault(phase, new double[2]);
    double[] before = last.put(stage + "|" + phase, current);
    double count = current[1] - (before == null ? 0 : before[1]);
    return count > 0 ? (current[0] - (before == null ? 0 : before[0])) / count * 1000 : Double.NaN;
  }

  private String scrape(Pod pod, int port) {
    String path = StagePods.metricsPath(pod, port);
    try {
      return client.raw(client.getMasterUrl().toURI().resolve(path).toString());
    } catch (Exception e) {
      return null; // pod not running or proxy refused: its frames are simply not seen this round
    }
  }
}

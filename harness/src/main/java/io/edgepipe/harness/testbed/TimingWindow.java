package io.edgepipe.harness.testbed;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.StageTiming;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the frames delivered since the last report carried, for an adaptive run's controller:
 * per path (the nodes the frame went through, e.g. {@code EESS}), the mean of each stage's
 * receive hop, process and send times, as one synthetic chain of {@link StageTiming}s; plus the
 * delivered count. Means per path, so that frames of a placement being left and of the one being
 * entered are never mixed. Fed by the sink's thread, read by the reporter's.
 */
public final class TimingWindow {
  /** One path's sums since the last report. */
  private static final class Sums {
    final List<String> stages = new ArrayList<>();
    final List<String> nodes = new ArrayList<>();
    double[] hopIn;
    double[] process;
    double[] send;
    double sinkHop;
    long frames;
    long firstCaptureUs = Long.MAX_VALUE;
  }

  /**
   * One report: per path, the mean chain; {@code delivered} counts every frame delivered so far;
   * {@code latencyUs} the end-to-end latency of the frames since the last report (at most
   * {@value #MAX_LATENCIES}, evenly sampled); {@code cpu} what each stage process that passed
   * frames used since its previous reading.
   *
   * @param atMs wall clock of the report
   * @param lastDeliveredUs wall clock (epoch us) of the last delivery so far, 0 before any: a rate
   *                        measured between two deliveries does not depend on where reports fall
   */
  public record Report(long atMs, long delivered, List<PathMeans> paths, long[] latencyUs, List<ProcessCpu> cpu,
      long lastDeliveredUs) {}

  /**
   * The CPU one stage process (a stage on a node) used between two of its readings (the
   * {@code process_cpu_us} its frames carry): {@code cpuUs} over {@code spanUs} of its own clock,
   * while {@code frames} frames passed it. cpuUs / spanUs is its cores, frames / spanUs its rate.
   */
  public record ProcessCpu(String stage, String node, long frames, long spanUs, long cpuUs) {}

  /** One process's latest reading, and the frames that passed it since the one before. */
  private static final class CpuReadings {
    long lastProcessedUs = -1;
    long lastCpuUs;
    long newestProcessedUs = -1;
    long newestCpuUs;
    long frames;
  }

  /**
   * The mean timings of one path's frames, in microseconds from the producer's receive.
   *
   * @param path       one letter per service (E/S), producer first
   * @param receivedUs per stage, when it received (mean)
   * @param processedUs per stage
   * @param sentUs     per stage
   * @param sinkUs     when the sink received
   * @param firstCaptureUs the earliest capture time of these frames (epoch us, the producer's clock):
   *                   none of them was processed before it
   */
  public record PathMeans(String path, long frames, List<String> stages, List<String> nodes, long[] receivedUs,
      long[] processedUs, long[] sentUs, long sinkUs, long firstCaptureUs) {
    /** As the frames' own timing records. */
    @JsonIgnore
    public List<StageTiming> timings() {
      List<StageTiming> out = new ArrayList<>();
      for (int i = 0; i < stages.size(); i++) {
        out.add(StageTiming.newBuilder().setStage(stages.get(i)).setNode(nodes.get(i)).setReceivedUs(receivedUs[i])
            .setProcessedUs(processedUs[i]).setSentUs(sentUs[i]).build());
      }
      return out;
    }
  }

  static final int MAX_LATENCIES = 256;

  private final Map<String, Sums> sums = new LinkedHashMap<>();
  private final Map<String, CpuReadings> cpu = new LinkedHashMap<>(); // "stage|node", kept across reports
  private final List<Long> latencies = new ArrayList<>();
  private long delivered;
  private long lastDeliveredUs;

  synchronized void add(Frame frame, long arrivalUs) {
    delivered++;
    lastDeliveredUs = arrivalUs;
    latencies.add(arrivalUs - frame.getCaptureTimeUs());
    List<StageTiming> t = frame.getTimingsList();
    if (t.isEmpty()) {
      return;
    }
    StringBuilder path = new StringBuilder();
    for (StageTiming s : t) {
      path.append(letter(s.getNode()));
    }
    Sums s = sums.computeIfAbsent(path.toString(), k -> {
      Sums n = new Sums();
      t.forEach(x -> {
        n.stages.add(x.getStage());
        n.nodes.add(x.getNode());
      });
      n.hopIn = new double[t.size()];
      n.process = new double[t.size()];
      n.send = new double[t.size()];
      return n;
    });
    if (s.stages.size() != t.size()) {
      return; // a frame through another chain shape (cannot happen within one run)
    }
    for (int i = 0; i < t.size(); i++) {
      if (i > 0) {
        s.hopIn[i] += t.get(i).getReceivedUs() - t.get(i - 1).getSentUs();
      }
      s.process[i] += t.get(i).getProcessedUs() - t.get(i).getReceivedUs();
      s.send[i] += t.get(i).getSentUs() - t.get(i).getProcessedUs();
    }
    s.sinkHop += arrivalUs - t.get(t.size() - 1).getSentUs();
    for (StageTiming x : t) {
      addCpu(x);
    }
    s.frames++;
    s.firstCaptureUs = Math.min(s.firstCaptureUs, frame.getCaptureTimeUs());
  }

  /** The means since the last call, and starts afresh. */
  synchronized Report drain() {
    List<PathMeans> paths = new ArrayList<>();
    for (Map.Entry<String, Sums> e : sums.entrySet()) {
      Sums s = e.getValue();
      int n = s.stages.size();
      long[] received = new long[n];
      long[] processed = new long[n];
      long[] sent = new long[n];
      double at = 0;
      for (int i = 0; i < n; i++) {
        at += s.hopIn[i] / s.frames;
        received[i] = Math.round(at);
        at += s.process[i] / s.frames;
        processed[i] = Math.round(at);
        at += s.send[i] / s.frames;
        sent[i] = Math.round(at);
      }
      long sink = Math.round(at + s.sinkHop / s.frames);
      paths.add(new PathMeans(e.getKey(), s.frames, List.copyOf(s.stages), List.copyOf(s.nodes), received, processed,
          sent, sink, s.firstCaptureUs));
    }
    sums.clear();
    long[] lat = new long[Math.min(latencies.size(), MAX_LATENCIES)];
    for (int i = 0; i < lat.length; i++) {
      lat[i] = latencies.get((int) ((long) i * latencies.size() / lat.length));
    }
    latencies.clear();
    return new Report(System.currentTimeMillis(), delivered, paths, lat, drainCpu(), lastDeliveredUs);
  }

  private void addCpu(StageTiming x) {
    if (x.getProcessCpuUs() <= 0) {
      return; // a stage that does not report its CPU
    }
    CpuReadings r = cpu.computeIfAbsent(x.getStage() + "|" + x.getNode(), k -> new CpuReadings());
    r.frames++;
    if (x.getProcessedUs() > r.newestProcessedUs) {
      r.newestProcessedUs = x.getProcessedUs();
      r.newestCpuUs = x.getProcessCpuUs();
    }
  }

  /**
   * Per process with frames since the last report, its CPU from its previous reading to its
   * newest. The previous reading may be reports ago (the process passed no frames meanwhile):
   * the span then covers its idle time too, which is what shows its background. A counter that
   * went backwards (a restarted process) starts afresh.
   */
  private List<ProcessCpu> drainCpu() {
    List<ProcessCpu> out = new ArrayList<>();
    for (Map.Entry<String, CpuReadings> e : cpu.entrySet()) {
      CpuReadings r = e.getValue();
      if (r.frames == 0) {
        continue;
      }
      long span = r.newestProcessedUs - r.lastProcessedUs;
      long used = r.newestCpuUs - r.lastCpuUs;
      if (r.lastProcessedUs >= 0 && span > 0 && used >= 0) {
        String[] key = e.getKey().split("\\|", 2);
        out.add(new ProcessCpu(key[0], key[1], r.frames, span, used));
      }
      r.lastProcessedUs = r.newestProcessedUs;
      r.lastCpuUs = r.newestCpuUs;
      r.frames = 0;
    }
    return out;
  }

  /** E for the edge node, S for the server (the node names the testbed gives its processes). */
  static char letter(String node) {
    return node.equalsIgnoreCase("edge") || node.equalsIgnoreCase("e") ? 'E' : 'S';
  }
}

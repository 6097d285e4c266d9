package io.edgepipe.planner.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code pipeline measure} found: compute time per stage, tier and frame size; bytes per
 * hop and frame size; and how long a hop takes on each link class, either measured directly
 * ({@link Transfer}) or from link parameters ({@link Link}). The JSON form is documented in the
 * module README; build one with {@link ProfileBuilder}.
 *
 * @param schema     format version, {@link #SCHEMA}
 * @param pipeline   name of the pipeline spec it was measured with
 * @param stages     chain order, producer first (hop names derive from it)
 * @param layers     what the times depend on besides the frame size ({@link LayerSignature}): the
 *                   input's channels and type, each layer's kind and parameters; null in profiles
 *                   written before it was recorded
 * @param frameSizes frame sizes measured, smallest first
 * @param linkHops   a hop timed over the real edge-server link at a few rates and sizes, with its
 *                   sender's and receiver's process CPU ({@link LinkHop}); empty where not measured.
 *                   Recorded only: the cut planner's option that charged them was removed in session 11
 * @param wholeModel a model's whole partition timed on each tier ({@link Whole}); empty for other pipelines and
 *                   profiles written before it was recorded
 */
@JsonPropertyOrder({"schema", "pipeline", "stages", "layers", "frameSizes", "compute", "hops", "links", "transfers",
    "linkHops", "wholeModel"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Profile(
    int schema,
    String pipeline,
    List<String> stages,
    List<String> layers,
    List<FrameSize> frameSizes,
    List<Compute> compute,
    List<Hop> hops,
    List<Link> links,
    List<Transfer> transfers,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<LinkHop> linkHops,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Whole> wholeModel) {

  public static final int SCHEMA = 1;

  /** A profile without whole-model times (every profile written before they were recorded). */
  public Profile(int schema, String pipeline, List<String> stages, List<String> layers, List<FrameSize> frameSizes,
      List<Compute> compute, List<Hop> hops, List<Link> links, List<Transfer> transfers, List<LinkHop> linkHops) {
    this(schema, pipeline, stages, layers, frameSizes, compute, hops, links, transfers, linkHops, null);
  }

  /** A profile without link hops (every profile written before they were measured). */
  public Profile(int schema, String pipeline, List<String> stages, List<String> layers, List<FrameSize> frameSizes,
      List<Compute> compute, List<Hop> hops, List<Link> links, List<Transfer> transfers) {
    this(schema, pipeline, stages, layers, frameSizes, compute, hops, links, transfers, null, null);
  }

  public Profile {
    stages = stages == null ? List.of() : List.copyOf(stages);
    layers = layers == null ? null : List.copyOf(layers);
    frameSizes = frameSizes == null ? List.of() : List.copyOf(frameSizes);
    compute = compute == null ? List.of() : List.copyOf(compute);
    hops = hops == null ? List.of() : List.copyOf(hops);
    links = links == null ? List.of() : List.copyOf(links);
    transfers = transfers == null ? List.of() : List.copyOf(transfers);
    linkHops = linkHops == null ? List.of() : List.copyOf(linkHops);
    wholeModel = wholeModel == null ? List.of() : List.copyOf(wholeModel);
  }

  /**
   * Compute time of one stage on one tier for one frame size, in milliseconds per frame; and,
   * optionally, what the stage's whole service process costs in CPU when it runs in a chain on
   * that tier: {@code cpuMsPerFrame} (compute, its ends of the gRPC hops, everything per frame;
   * for the producer, the sink's too) and {@code backgroundCores} (what the JVM uses whatever the
   * rate: event loops, timers, GC). Null when not measured; the planner then estimates the CPU
   * from the compute time and the hops' {@code cpuMs}.
   */
  @JsonPropertyOrder({"stage", "tier", "frameSize", "medianMs", "p95Ms", "cpuMsPerFrame", "backgroundCores"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Compute(String stage, Tier tier, FrameSize frameSize, double medianMs, double p95Ms,
      Double cpuMsPerFrame, Double backgroundCores) {
    public Compute(String stage, Tier tier, FrameSize frameSize, double medianMs, double p95Ms) {
      this(stage, tier, frameSize, medianMs, p95Ms, null, null);
    }

    /** Whether the service's CPU in a running chain was measured. */
    public boolean hasServiceCpu() {
      return cpuMsPerFrame != null && backgroundCores != null;
    }
  }

  /**
   * Payload bytes one frame carries on a hop ("conv->relu") at one frame size, and optionally
   * the CPU time (milliseconds of one core, both ends together) that moving one frame over a
   * gRPC hop costs: serialising, framing, parsing and acking. Null when not measured; the
   * planner then charges no CPU for the hop.
   */
  @JsonPropertyOrder({"hop", "frameSize", "bytes", "cpuMs"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Hop(String hop, FrameSize frameSize, long bytes, Double cpuMs) {
    public Hop(String hop, FrameSize frameSize, long bytes) {
      this(hop, frameSize, bytes, null);
    }
  }

  /**
   * Parameters of a link class; a hop's transfer time over it is latencyMs + bytes * 8 /
   * bandwidthBitsPerSec (in ms), used when no {@link Transfer} was measured.
   */
  @JsonPropertyOrder({"linkClass", "bandwidthBitsPerSec", "latencyMs"})
  public record Link(LinkClass linkClass, double bandwidthBitsPerSec, double latencyMs) {}

  /** A measured transfer time of one frame on a hop over a link class (serialization included). */
  @JsonPropertyOrder({"hop", "linkClass", "frameSize", "ms"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Transfer(String hop, LinkClass linkClass, FrameSize frameSize, double ms) {}

  /**
   * One frame of {@code bytes} streamed back to back from the edge to the server over the real
   * edge-server link shaped at {@code bandwidthBitsPerSec}, the sender on the edge node under its
   * CPU cap: wall time per frame and each end's process CPU per frame (ms of one core). The
   * in-node hop figures ({@link Hop#cpuMs}, in-node {@link Transfer}s) are loopback inside one
   * process; a socket over a shaped link costs its sender more per byte, the slower the link
   * (smaller TCP bursts, more wake-ups and acks per byte).
   */
  @JsonPropertyOrder({"bandwidthBitsPerSec", "bytes", "ms", "senderCpuMs", "receiverCpuMs"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LinkHop(double bandwidthBitsPerSec, long bytes, double ms, double senderCpuMs, Double receiverCpuMs) {}

  /**
   * A model's whole partition (every layer as one service) timed on one tier, as {@code pipeline
   * measure --spec MODEL} times it beside its layers: the median and the 10th percentile of its
   * frames, ms per frame (the layers' compute is scaled to the median; the 10th percentile is
   * recorded beside it, and no planner scales to it: the cut planner's option that did made its
   * picks worse and was removed in session 11).
   *
   * <p>{@code cpuMs}: the CPU (ms of one core, every thread of the process) a frame cost while the
   * whole model ran back to back after the JIT settled. The kernels run on several threads, so on a
   * node with idle cores it is more than the wall time per frame: the wall time is what a service
   * takes per frame, the CPU what its node (or its CPU quota) pays. Null in profiles measured
   * before it was recorded.
   */
  @JsonPropertyOrder({"tier", "frameSize", "medianMs", "p10Ms", "cpuMs"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Whole(Tier tier, FrameSize frameSize, double medianMs, double p10Ms, Double cpuMs) {
    /** Without the CPU figure. */
    public Whole(Tier tier, FrameSize frameSize, double medianMs, double p10Ms) {
      this(tier, frameSize, medianMs, p10Ms, null);
    }

    /** CPU per frame over wall time per frame; 1 without a CPU figure. */
    public double cpuPerWall() {
      return cpuMs != null && cpuMs > 0 && medianMs > 0 ? cpuMs / medianMs : 1;
    }
  }

  public StageChain chain() {
    return new StageChain(stages);
  }

  public static Profile read(Path file) {
    return ProfileJson.read(file);
  }

  public void write(Path file) {
    ProfileJson.write(this, file);
  }
}

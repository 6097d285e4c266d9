package io.edgepipe.planner.profile;

import io.edgepipe.api.ElementType;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.planner.StageChain;
import io.edgepipe.api.Tier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Collects measurements into a {@link Profile}. Adding the same key twice keeps the last value,
 * so a measurement can be repeated and refined. Frame sizes are gathered from what was added.
 *
 * <pre>
 * ProfileBuilder b = ProfileBuilder.forSpec(spec);
 * b.addCompute("conv", Tier.EDGE, FrameSize.of(1280, 720), 21.0, 25.3);
 * b.addHop("conv->relu", FrameSize.of(1280, 720), 3_686_400);
 * b.addLink(LinkClass.EDGE_SERVER, 100e6, 1.5);          // or, measured:
 * b.addTransfer("conv->relu", LinkClass.EDGE_SERVER, FrameSize.of(1280, 720), 301.2);
 * b.write(Path.of("results/profile-thesis.json"));
 * </pre>
 */
public final class ProfileBuilder {
  private final String pipeline;
  private final StageChain chain;
  private final List<String> layers;
  private final Map<String, Profile.Compute> compute = new LinkedHashMap<>();
  private final Map<String, Profile.Hop> hops = new LinkedHashMap<>();
  private final Map<LinkClass, Profile.Link> links = new LinkedHashMap<>();
  private final Map<String, Profile.Transfer> transfers = new LinkedHashMap<>();
  private final Map<String, Profile.LinkHop> linkHops = new LinkedHashMap<>();
  private final Map<String, Profile.Whole> wholeModel = new LinkedHashMap<>();

  /** A profile that does not record its layers (hand-made ones, tests); the planner warns when it reads one. */
  public ProfileBuilder(String pipeline, List<String> stages) {
    this(pipeline, stages, null);
  }

  private ProfileBuilder(String pipeline, List<String> stages, List<String> layers) {
    this.pipeline = pipeline;
    this.chain = new StageChain(stages);
    this.layers = layers;
  }

  /** A builder that starts as a copy of {@code profile}: same pipeline, stages, layers and entries. */
  public static ProfileBuilder copyOf(Profile profile) {
    return new ProfileBuilder(profile.pipeline(), profile.stages(), profile.layers()).merge(profile, "copy");
  }

  /** A builder for the spec's chain (producer followed by its layers) that records the spec's {@link LayerSignature}. */
  public static ProfileBuilder forSpec(PipelineSpec spec) {
    return new ProfileBuilder(spec.name(), StageChain.of(spec).stages(), LayerSignature.of(spec));
  }

  public ProfileBuilder addCompute(String stage, Tier tier, FrameSize frameSize, double medianMs, double p95Ms) {
    requireStage(stage);
    if (medianMs < 0 || p95Ms < 0) {
      throw new IllegalArgumentException("compute time of " + stage + " must be >= 0, got " + medianMs + "/" + p95Ms);
    }
    compute.put(stage + "|" + tier + "|" + frameSize, new Profile.Compute(stage, tier, frameSize, medianMs, p95Ms));
    return this;
  }

  public ProfileBuilder addHop(String hop, FrameSize frameSize, long bytes) {
    requireHop(hop);
    hops.put(hop + "|" + frameSize, new Profile.Hop(hop, frameSize, bytes));
    return this;
  }

  /**
   * What the stage's service process costs in CPU in a running chain on {@code tier}: ms per
   * frame and cores whatever the rate. Its compute time there must be added first.
   */
  public ProfileBuilder addServiceCpu(String stage, Tier tier, FrameSize frameSize, double cpuMsPerFrame,
      double backgroundCores) {
    Profile.Compute known = compute.get(stage + "|" + tier + "|" + frameSize);
    if (known == null) {
      throw new IllegalArgumentException("add the compute time of " + stage + " on " + tier + " at " + frameSize
          + " before its service CPU");
    }
    if (!(cpuMsPerFrame >= 0) || !(backgroundCores >= 0)) {
      throw new IllegalArgumentException("service CPU of " + stage + " must be >= 0, got " + cpuMsPerFrame + " ms/frame, "
          + backgroundCores + " cores");
    }
    compute.put(stage + "|" + tier + "|" + frameSize, new Profile.Compute(stage, tier, frameSize, known.medianMs(),
        known.p95Ms(), cpuMsPerFrame, backgroundCores));
    return this;
  }

  /** The CPU time (ms of one core, both ends) one frame costs on a gRPC hop; the hop's bytes must be known. */
  public ProfileBuilder addHopCpu(String hop, FrameSize frameSize, double cpuMs) {
    Profile.Hop known = hops.get(hop + "|" + frameSize);
    if (known == null) {
      throw new IllegalArgumentException("add the bytes of hop " + hop + " at " + frameSize + " before its CPU time");
    }
    if (!(cpuMs >= 0)) {
      throw new IllegalArgumentException("CPU time of hop " + hop + " must be >= 0, got " + cpuMs);
    }
    hops.put(hop + "|" + frameSize, new Profile.Hop(hop, frameSize, known.bytes(), cpuMs));
    return this;
  }

  /**
   * Payload bytes of every hop at the spec's input size, from its shapes and element types (the
   * frame header and protobuf framing are not counted; they are small next to the payload).
   */
  public ProfileBuilder addHopsFromSpec(PipelineSpec spec) {
    List<TensorShape> shapes = spec.shapes();
    List<DType> types = spec.hopTypes();
    FrameSize size = FrameSize.of(spec.input().w(), spec.input().h());
    List<String> hopNames = chain.hopNames();
    for (int i = 0; i < hopNames.size() && i < shapes.size(); i++) {
      // hop i carries the output of stage i: the producer's frame, then each layer's output
      addHop(hopNames.get(i), size, shapes.get(i).elements() * ElementType.sizeOf(types.get(i)));
    }
    return this;
  }

  public ProfileBuilder addLink(LinkClass linkClass, double bandwidthBitsPerSec, double latencyMs) {
    if (bandwidthBitsPerSec <= 0 || latencyMs < 0) {
      throw new IllegalArgumentException(linkClass + ": bandwidth must be > 0 and latency >= 0");
    }
    links.put(linkClass, new Profile.Link(linkClass, bandwidthBitsPerSec, latencyMs));
    return this;
  }

  public ProfileBuilder addTransfer(String hop, LinkClass linkClass, FrameSize frameSize, double ms) {
    requireHop(hop);
    if (ms < 0) {
      throw new IllegalArgumentException("transfer time of " + hop + " must be >= 0, got " + ms);
    }
    transfers.put(hop + "|" + linkClass + "|" + frameSize, new Profile.Transfer(hop, linkClass, frameSize, ms));
    return this;
  }

  /**
   * Adds every entry of {@code other} (e.g. the other tier's measurements); entries added later
   * replace them. A profile of another pipeline, chain or layer set is refused: merged, its times
   * would pass for this pipeline's.
   */
  public ProfileBuilder merge(Profile other, String name) {
    if (!other.pipeline().equals(pipeline) || !other.stages().equals(chain.stages())
        || (other.layers() != null && layers != null && !other.layers().equals(layers))) {
      throw new ProfileException("profile " + name + " was measured for pipeline '" + other.pipeline() + "' "
          + other.stages() + (other.layers() != null ? " " + other.layers() : "") + ", not '" + pipeline + "' "
          + chain.stages() + (layers != null ? " " + layers : "") + "; merge only measurements of the same spec");
    }
    other.compute().forEach(c -> {
      addCompute(c.stage(), c.tier(), c.frameSize(), c.medianMs(), c.p95Ms());
      if (c.hasServiceCpu()) {
        addServiceCpu(c.stage(), c.tier(), c.frameSize(), c.cpuMsPerFrame(), c.backgroundCores());
      }
    });
    other.hops().forEach(h -> {
      addHop(h.hop(), h.frameSize(), h.bytes());
      if (h.cpuMs() != null) {
        addHopCpu(h.hop(), h.frameSize(), h.cpuMs());
      }
    });
    other.links().forEach(l -> addLink(l.linkClass(), l.bandwidthBitsPerSec(), l.latencyMs()));
    other.transfers().forEach(t -> addTransfer(t.hop(), t.linkClass(), t.frameSize(), t.ms()));
    other.linkHops().forEach(this::addLinkHop);
    other.wholeModel().forEach(this::addWhole);
    return this;
  }

  /** The whole model timed on one tier ({@link Profile.Whole}); one per tier and size, the last kept. */
  public ProfileBuilder addWhole(Profile.Whole whole) {
    if (!(whole.medianMs() > 0) || !(whole.p10Ms() > 0) || whole.p10Ms() > whole.medianMs()) {
      throw new IllegalArgumentException("whole model needs 0 < p10 <= median: " + whole);
    }
    if (whole.cpuMs() != null && !(whole.cpuMs() > 0)) {
      throw new IllegalArgumentException("whole model's CPU per frame must be > 0 where given: " + whole);
    }
    wholeModel.put(whole.tier() + "|" + whole.frameSize(), whole);
    return this;
  }

  /** A hop timed over the real edge-server link ({@link Profile.LinkHop}); one per rate and size, the last kept. */
  public ProfileBuilder addLinkHop(Profile.LinkHop hop) {
    if (!(hop.bandwidthBitsPerSec() > 0) || hop.bytes() < 0 || !(hop.senderCpuMs() >= 0)) {
      throw new IllegalArgumentException("link hop needs a rate > 0, bytes >= 0 and a sender CPU >= 0: " + hop);
    }
    linkHops.put(hop.bandwidthBitsPerSec() + "|" + hop.bytes(), hop);
    return this;
  }

  public Profile build() {
    TreeSet<FrameSize> sizes = new TreeSet<>();
    compute.values().forEach(c -> sizes.add(c.frameSize()));
    hops.values().forEach(h -> sizes.add(h.frameSize()));
    transfers.values().forEach(t -> sizes.add(t.frameSize()));
    return new Profile(Profile.SCHEMA, pipeline, chain.stages(), layers, new ArrayList<>(sizes),
        new ArrayList<>(compute.values()), new ArrayList<>(hops.values()),
        new ArrayList<>(links.values()), new ArrayList<>(transfers.values()), new ArrayList<>(linkHops.values()),
        new ArrayList<>(wholeModel.values()));
  }

  /** Builds the profile, writes it as JSON and returns it. */
  public Profile write(Path file) {
    Profile profile = build();
    profile.write(file);
    return profile;
  }

  /** Reads and checks a profile (same as {@link Profile#read}). */
  public static Profile read(Path file) {
    return Profile.read(file);
  }

  private void requireStage(String stage) {
    if (chain.indexOf(stage) < 0) {
      throw new IllegalArgumentException("stage '" + stage + "' is not in the chain " + chain.stages());
    }
  }

  private void requireHop(String hop) {
    if (chain.senderOfHop(hop) < 0) {
      throw new IllegalArgumentException("hop '" + hop + "' is not one of " + chain.hopNames());
    }
  }
}

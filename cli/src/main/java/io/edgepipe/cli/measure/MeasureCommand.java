package io.edgepipe.cli.measure;

import io.edgepipe.harness.measure.BitRate;
import io.edgepipe.harness.measure.ComputeTimer;
import io.edgepipe.harness.measure.HopTimer;

import io.edgepipe.launcher.options.DeviceOption;
import io.edgepipe.cli.options.OutputFolder;
import io.edgepipe.launcher.options.SpecOption;
import picocli.CommandLine.Mixin;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.harness.report.Table;
import io.edgepipe.cli.run.Progress;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.profile.FrameSize;
import io.edgepipe.planner.profile.LinkClass;
import io.edgepipe.planner.profile.Profile;
import io.edgepipe.planner.profile.ProfileBuilder;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipeline measure}: writes the profile the planner reads. Compute is measured on this
 * machine for the tier(s) it stands for; in-node hops (edge-edge, server-server) are measured
 * over a loopback gRPC hop; the edge-server link comes from --link, or is measured against a
 * sink running on the other host (--peer).
 */
@Command(name = "measure", mixinStandardHelpOptions = true,
    description = {"Measure compute and transfer times and write them as a profile for `pipeline plan`.",
        "Compute time is measured per stage and frame size, transfer time per hop and link class; the profile is JSON."})
public final class MeasureCommand implements Callable<Integer> {
  @Mixin
  SpecOption specOption;

  @Mixin
  DeviceOption deviceOption;

  @Mixin
  OutputFolder out;

  @Option(names = "--sizes", defaultValue = "128x128,256x256,512x512,1024x1024,1280x720", split = ",",
      description = "Frame sizes WIDTHxHEIGHT (default: ${DEFAULT-VALUE}).")
  List<String> sizes;

  @Option(names = "--frames", defaultValue = "30", description = "Timed frames per measurement (default: ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--warmup", defaultValue = "10", description = "Untimed frames first (default: ${DEFAULT-VALUE}); a model's "
      + "profile then warms on until the JIT has settled (at most 60 s).")
  int warmup;

  @Option(names = "--tier", defaultValue = "both",
      description = "Which tier this machine stands for: edge, server, or both (default: ${DEFAULT-VALUE}).")
  String tier;

  @Option(names = "--edge-slowdown", defaultValue = "1",
      description = "With --tier both: edge compute = measured x this factor (a model of a weaker edge; default 1).")
  double edgeSlowdown;

  @Option(names = "--link", defaultValue = "1gbit,0.5",
      description = "Edge-server link as BANDWIDTH[,LATENCY_MS] (default: ${DEFAULT-VALUE}).")
  String link;

  @Option(names = "--peer", paramLabel = "HOST:PORT",
      description = "Measure edge-server transfers against a sink running on the other host (`pipeline stage sink`).")
  String peer;

  @Option(names = "--merge", paramLabel = "PROFILE", description = "Start from this profile (e.g. the other tier's) and add to it.")
  Path merge;

  @Option(names = "--profile", paramLabel = "FILE",
      description = "Profile file to write (default: <out>/profiles/<pipeline>.json).")
  Path profileFile;

  @Option(names = "--picture", paramLabel = "FILE",
      description = "Model specs: the picture whose tensors feed each layer (default: seeded noise at the input size).")
  Path picture;

  @Override
  public Integer call() {
    PipelineSpec base = specOption.load();
    String device = deviceOption.checked();
    List<Tier> tiers = switch (tier) {
      case "both" -> List.of(Tier.EDGE, Tier.SERVER);
      case "edge" -> List.of(Tier.EDGE);
      case "server" -> List.of(Tier.SERVER);
      default -> throw new IllegalArgumentException("--tier must be edge, server or both, not '" + tier + "'");
    };
    if (specOption.isModel()) { // per layer and cut, for the cut planner
      return ModelMeasure.run(specOption.file(), device, tiers, edgeSlowdown, link, warmup, frames, merge, picture,
          profileFile != null ? profileFile : out.folder("profiles").resolve(base.name() + ".json"));
    }
    ProfileBuilder profile = ProfileBuilder.forSpec(base);
    if (merge != null) {
      profile.merge(Profile.read(merge), merge.toString());
    }
    String[] linkParts = link.split(",");
    profile.addLink(LinkClass.EDGE_SERVER, BitRate.parse(linkParts[0]),
        linkParts.length > 1 ? Double.parseDouble(linkParts[1]) : 0);
    ComputeTimer timer = new ComputeTimer(warmup, frames);
    Table table = new Table("size", "stage", "compute_median_ms", "compute_p95_ms", "out_hop", "bytes", "in_node_ms",
        "hop_cpu_ms", peer != null ? "edge_server_ms" : "edge_server_model_ms");
    int layers = base.layers().size();
    try (Gpu gpu = Devices.open(device);
        HopTimer inNodeHop = HopTimer.loopback(base.maxFrameBytes());
        HopTimer edgeServerHop = peer == null ? null : HopTimer.toSink(peer, base.maxFrameBytes());
        ProgressBar bar = Progress.bar("measure", (long) sizes.size() * (layers + 1) * 2, false)) {
      for (String sizeText : sizes) {
        FrameSize size = FrameSize.parse(sizeText);
        PipelineSpec spec = base.withInput(size.height(), size.width());
        profile.addHopsFromSpec(spec);
        List<String> stages = new ArrayList<>(List.of("producer"));
        base.layers().forEach(l -> stages.add(l.name()));
        for (int i = 0; i <= layers; i++) {
          ComputeTimer.Stat stat = i == 0 ? timer.producer(spec) : timer.layer(spec, i - 1, gpu);
          for (Tier t : tiers) {
            double factor = tiers.size() == 2 && t == Tier.EDGE ? edgeSlowdown : 1;
            profile.addCompute(stages.get(i), t, size, stat.medianMs() * factor, stat.p95Ms() * factor);
          }
          bar.step();
          String hop = stages.get(i) + "->" + (i < layers ? stages.get(i + 1) : "sink");
          Frame frame = HopTimer.sampleFrame(spec, i, "measure");
          HopTimer.Measurement hopTime = inNodeHop.measure(frame, warmup, frames);
          double inNode = hopTime.ms();
          if (Double.isFinite(hopTime.cpuMs())) {
            profile.addHopCpu(hop, size, hopTime.cpuMs()); // what the planner charges the nodes for this hop
          }
          profile.addTransfer(hop, LinkClass.EDGE_EDGE, size, inNode);
          profile.addTransfer(hop, LinkClass.SERVER_SERVER, size, inNode);
          double edgeServer;
          if (peer != null) {
            edgeServer = edgeServerHop.msPerFrame(frame, warmup, frames);
            profile.addTransfer(hop, LinkClass.EDGE_SERVER, size, edgeServer);
          } else {
            double bits = frame.getData().size() * 8.0;
            edgeServer = bits / BitRate.parse(linkParts[0]) * 1e3 + (linkParts.length > 1 ? Double.parseDouble(linkParts[1]) : 0);
          }
          bar.step();
          table.row(size.toString(), stages.get(i), stat.medianMs(), stat.p95Ms(), hop, frame.getData().size(), inNode,
              hopTime.cpuMs(), edgeServer);
        }
      }
    }
    Path file = profileFile != null ? profileFile : out.folder("profiles").resolve(base.name() + ".json");
    profile.write(file);
    System.out.println();
    table.print(System.out);
    System.out.println("\ncompute measured on " + device + " for tier(s) " + tiers
        + (tiers.size() == 2 && edgeSlowdown != 1 ? " (edge = measured x " + edgeSlowdown + ")" : "")
        + "; in-node hops over loopback gRPC; edge-server "
        + (peer != null ? "measured against " + peer : "from --link " + link + " (bandwidth + latency model)"));
    System.out.println("wrote " + file);
    return 0;
  }
}

package io.edgepipe.planner.profile;

import io.edgepipe.planner.StageChain;
import java.util.List;

/** Refuses profiles whose entries name unknown stages or hops, or carry impossible numbers. */
final class ProfileValidator {
  private ProfileValidator() {}

  static void check(Profile profile, String where) {
    if (profile.schema() != Profile.SCHEMA) {
      throw new ProfileException(where + ": schema " + profile.schema() + " is not supported (expected "
          + Profile.SCHEMA + ")");
    }
    if (profile.stages().isEmpty() || !StageChain.PRODUCER.equals(profile.stages().get(0))) {
      throw new ProfileException(where + ": stages must list the chain, producer first, e.g. "
          + "[producer, conv, relu, maxpool]");
    }
    StageChain chain = profile.chain();
    List<String> hops = chain.hopNames();
    for (int i = 0; i < profile.compute().size(); i++) {
      Profile.Compute c = profile.compute().get(i);
      String at = where + ": compute[" + i + "]";
      require(c.stage() != null && chain.indexOf(c.stage()) >= 0, at + ".stage '" + c.stage() + "' is not one of " + chain.stages());
      require(c.tier() != null && c.frameSize() != null, at + " needs tier and frameSize");
      require(c.medianMs() >= 0 && c.p95Ms() >= 0, at + " has a negative time");
      require((c.cpuMsPerFrame() == null || c.cpuMsPerFrame() >= 0)
          && (c.backgroundCores() == null || c.backgroundCores() >= 0), at + " has a negative service CPU");
    }
    for (int i = 0; i < profile.hops().size(); i++) {
      Profile.Hop h = profile.hops().get(i);
      String at = where + ": hops[" + i + "]";
      require(h.hop() != null && hops.contains(h.hop()), at + ".hop '" + h.hop() + "' is not one of " + hops);
      require(h.frameSize() != null, at + " needs frameSize");
      require(h.bytes() >= 0, at + ".bytes is negative");
      require(h.cpuMs() == null || h.cpuMs() >= 0, at + ".cpuMs is negative");
    }
    for (int i = 0; i < profile.links().size(); i++) {
      Profile.Link l = profile.links().get(i);
      String at = where + ": links[" + i + "]";
      require(l.linkClass() != null, at + " needs linkClass");
      require(l.bandwidthBitsPerSec() > 0, at + ".bandwidthBitsPerSec must be > 0");
      require(l.latencyMs() >= 0, at + ".latencyMs is negative");
    }
    for (int i = 0; i < profile.transfers().size(); i++) {
      Profile.Transfer t = profile.transfers().get(i);
      String at = where + ": transfers[" + i + "]";
      require(t.hop() != null && hops.contains(t.hop()), at + ".hop '" + t.hop() + "' is not one of " + hops);
      require(t.linkClass() != null && t.frameSize() != null, at + " needs linkClass and frameSize");
      require(t.ms() >= 0, at + ".ms is negative");
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new ProfileException(message);
    }
  }
}

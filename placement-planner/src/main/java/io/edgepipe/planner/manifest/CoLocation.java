package io.edgepipe.planner.manifest;

import io.edgepipe.api.HopBudget;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.Placement;
import io.edgepipe.api.Tier;
import io.edgepipe.planner.StageChain;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

/**
 * {@code --colocate}: the stages a placement puts on one tier run as containers of one Pod, the
 * tier's co-location group ({@code edge-group}, {@code server-group}). Hops between them go to
 * {@code 127.0.0.1} and move their payloads through shared-memory rings in a memory-backed
 * emptyDir that every container of the Pod mounts at {@value #SHM_DIR} and names with
 * {@value #SHM_ENV}; hops between groups go through the stages' Services, inline.
 *
 * <p>Containers of a Pod share its ports, so each service listens on its own: compute stage i on
 * {@code Ports.COLOCATED_STAGE_BASE + i}, the producer's sink on {@code Ports.SINK}, and service i's
 * metrics on {@code Ports.METRICS + i}. Each stage keeps a Service of its own name that selects the
 * Pod running it by the label {@code edgepipe.io/runs-<stage>}, so a stage that moves to the other
 * tier changes only the two groups' pod templates, never a Service or NetworkPolicy.
 *
 * <p>Nothing leaves the restricted Pod Security profile: an emptyDir is an allowed volume, and
 * sharing the Pod's process namespace (which keeps the writers' pids, and so the rings' names,
 * unique in the volume) is not restricted by it.
 */
public final class CoLocation {
  public static final String SHM_VOLUME = "shm";
  public static final String SHM_DIR = "/var/run/edgepipe/shm";
  /** What the stage launcher reads the ring directory from (--shm-dir). */
  public static final String SHM_ENV = "EDGEPIPE_SHM_DIR";
  private static final long MIB = 1L << 20;

  private CoLocation() {}

  /** The emptyDir of a group's rings and where each of its containers mounts it. */
  record RingVolume(Volume volume, VolumeMount mount, EnvVar env) {}

  /** {@code edge-group}, {@code server-group}. */
  public static String groupName(Tier tier) {
    return tier.label() + "-group";
  }

  /** gRPC port of service {@code index} of the chain (0 = the producer, whose sink listens). */
  static int grpcPort(int index) {
    return index == 0 ? Ports.SINK : Ports.COLOCATED_STAGE_BASE + index;
  }

  static int metricsPort(int index) {
    return Ports.METRICS + index;
  }

  /** The service that receives hop {@code hop}: the next stage, or the producer's sink after the last. */
  static int receiver(StageChain chain, int hop) {
    return hop + 1 < chain.size() ? hop + 1 : 0;
  }

  /** Whether hop {@code hop} (sent by service {@code hop}) stays inside one Pod. */
  static boolean insidePod(StageChain chain, Placement placement, int hop) {
    return placement.tier(hop) == placement.tier(receiver(chain, hop));
  }

  /**
   * The ring volume of {@code tier}'s group, or null when no hop stays inside it. Its size limit
   * is twice the rings of its inside hops (a ring has one slot per frame of its hop's window): a
   * reconnecting stream makes a new ring while the old one may still be mapped. The pages are
   * charged to the writing container's memory as they are written.
   */
  static RingVolume ringVolume(PipelineSpec spec, StageChain chain, Placement placement, Tier tier) {
    long bytes = 0;
    for (int hop = 0; hop < chain.size(); hop++) {
      if (placement.tier(hop) == tier && insidePod(chain, placement, hop)) {
        bytes += HopBudget.ringBytes(spec, hop, HopBudget.FRAMES_IN_TRANSIT_ACROSS_HOSTS); // pods run as across hosts
      }
    }
    if (bytes == 0) {
      return null;
    }
    long mib = Math.max(1, (2 * bytes + MIB - 1) / MIB);
    Volume volume = new VolumeBuilder().withName(SHM_VOLUME).withNewEmptyDir().withMedium("Memory")
        .withSizeLimit(new Quantity(mib + "Mi")).endEmptyDir().build();
    VolumeMount mount = new VolumeMountBuilder().withName(SHM_VOLUME).withMountPath(SHM_DIR).build();
    return new RingVolume(volume, mount, new EnvVarBuilder().withName(SHM_ENV).withValue(SHM_DIR).build());
  }
}

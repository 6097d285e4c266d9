package io.edgepipe.planner.manifest;

/** Ports every stage container uses; fixed so that Services and --next addresses agree. */
public final class Ports {
  /** gRPC stage service and its health service. */
  public static final int STAGE = 50051;
  /** gRPC sink inside the producer pod, where the last stage delivers. */
  public static final int SINK = 50060;
  /** gRPC vgpu-backend. */
  public static final int VGPU = 50070;
  /** Prometheus /metrics. */
  public static final int METRICS = 9090;
  /**
   * Containers of one Pod share its ports (--colocate): compute stage i of the chain serves gRPC
   * on {@code COLOCATED_STAGE_BASE + i}, and service i (the producer is 0) metrics on {@code METRICS + i}.
   */
  public static final int COLOCATED_STAGE_BASE = 50100;

  private Ports() {}
}

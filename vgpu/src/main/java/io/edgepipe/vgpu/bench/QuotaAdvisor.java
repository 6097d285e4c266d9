package io.edgepipe.vgpu.bench;

import io.edgepipe.vgpu.remote.Wire;

/**
 * Profile-guided quota sizing, as gEdge proposes: run the workload once with the device to itself,
 * record its device time per frame and its peak device memory, and derive the smallest fGPU and
 * vMemory that sustain a target frame rate, with some headroom for jitter.
 */
public final class QuotaAdvisor {
  private QuotaAdvisor() {}

  /** A recommendation: fGPU in (0, 1] (1 also when even the whole device is too slow) and vMemory units. */
  public record Quota(double fgpu, int vmemUnits, boolean deviceFastEnough) {}

  /**
   * @param deviceNanosPerFrame measured device time per frame (e.g. from
   *     {@code RemoteGpu.deviceBusyNanos()} over a run with fGPU 1 on an idle backend)
   * @param fps                 frame rate the tenant must sustain
   * @param peakBytes           peak device memory of the workload
   * @param headroom            multiplier for both, e.g. 1.2
   */
  public static Quota recommend(double deviceNanosPerFrame, double fps, long peakBytes, double headroom) {
    if (!(deviceNanosPerFrame >= 0) || !(fps > 0) || peakBytes < 0 || !(headroom >= 1)) {
      throw new IllegalArgumentException("need device time >= 0, fps > 0, peak bytes >= 0 and headroom >= 1");
    }
    double share = deviceNanosPerFrame * fps / 1e9 * headroom;
    // round up to whole percent: quotas are written by people
    double fgpu = Math.max(0.01, Math.ceil(share * 100) / 100);
    int vmem = (int) Math.max(1, Math.ceil(peakBytes * headroom / Wire.VMEM_UNIT_BYTES));
    return new Quota(Math.min(1.0, fgpu), vmem, share <= 1.0);
  }
}

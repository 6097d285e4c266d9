package io.edgepipe.vgpu.bench;

import io.edgepipe.vgpu.remote.Wire;
import java.util.Locale;

/**
 * Profile-guided quota sizing, as gEdge proposes (its "Profile Guided Parameter Selection"): run
 * the workload once with the device to itself (fGPU 1 on an idle backend), let the backend record
 * its device busy time and its peak device memory, and derive the smallest fGPU and vMemory that
 * sustain a frame rate (the rate measured in that run, or a target), with some headroom for
 * jitter. fGPU is the share of device time: a stage that keeps the device busy {@code b} seconds
 * per frame needs {@code b * fps} of it; vMemory is counted in 256 MiB units.
 */
public final class QuotaAdvisor {
  private QuotaAdvisor() {}

  /** The headroom gEdge's "minimum" leaves implicit; ours is explicit and printed. */
  public static final double DEFAULT_HEADROOM = 1.2;

  /** A recommendation: fGPU in (0, 1] (1 also when even the whole device is too slow) and vMemory units. */
  public record Quota(double fgpu, int vmemUnits, boolean deviceFastEnough) {}

  /**
   * What one exclusive run measured: frames, their wall-clock time as the stage saw it, the
   * device busy time the backend charged to the session for them, and the session's peak memory.
   */
  public record Profile(long frames, long wallNanos, long busyNanos, long peakBytes) {
    public Profile {
      if (frames < 1 || wallNanos <= 0 || busyNanos < 0 || peakBytes < 0) {
        throw new IllegalArgumentException("a profile needs frames >= 1, wall time > 0, busy >= 0 and peak >= 0");
      }
    }

    /** The frame rate the stage reached with the device to itself. */
    public double fps() {
      return frames * 1e9 / wallNanos;
    }

    public double wallMsPerFrame() {
      return wallNanos / 1e6 / frames;
    }

    public double busyMsPerFrame() {
      return busyNanos / 1e6 / frames;
    }

    /** Share of the device the stage used at its own pace: busy / wall. */
    public double deviceShare() {
      return (double) busyNanos / wallNanos;
    }
  }

  /**
   * The quota of a profiled stage, with the frame rate it is sized for.
   *
   * @param targetFps   the rate the quota keeps
   * @param measuredFps the rate the exclusive run reached
   * @param share       device share needed at {@code targetFps} before headroom
   * @param peakBytes   the run's peak device memory
   * @param headroom    the multiplier applied to both
   */
  public record Recommendation(Quota quota, double targetFps, double measuredFps, double share, long peakBytes,
      double headroom) {
    /** One line for people. */
    public String summary() {
      String rate = String.format(Locale.ROOT, "%.1f fps", targetFps);
      if (!quota.deviceFastEnough()) {
        return String.format(Locale.ROOT, "even the whole device is too slow for %s (needs %.2f of it): fgpu=1 vmem=%d",
            rate, share * headroom, quota.vmemUnits());
      }
      return String.format(Locale.ROOT, "fgpu=%.2f vmem=%d (%d MiB) keep %s (device share %.3f x headroom %.2f; "
          + "peak %.1f MiB)", quota.fgpu(), quota.vmemUnits(), quota.vmemUnits() * (Wire.VMEM_UNIT_BYTES >> 20), rate,
          share, headroom, peakBytes / 1048576.0);
    }
  }

  /**
   * Sizes a profiled stage for {@code targetFps}, or for the rate it reached in the profile when
   * {@code targetFps} is NaN or not positive.
   */
  public static Recommendation recommend(Profile p, double targetFps, double headroom) {
    double fps = targetFps > 0 ? targetFps : p.fps();
    double busyPerFrame = (double) p.busyNanos() / p.frames();
    Quota q = recommend(busyPerFrame, fps, p.peakBytes(), headroom);
    return new Recommendation(q, fps, p.fps(), busyPerFrame * fps / 1e9, p.peakBytes(), headroom);
  }

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
    // round up to whole percent (quotas are written by people); the epsilon keeps 0.18 at 0.18
    double fgpu = Math.max(0.01, Math.ceil(share * 100 - 1e-9) / 100);
    int vmem = (int) Math.max(1, Math.ceil(peakBytes * headroom / Wire.VMEM_UNIT_BYTES));
    return new Quota(Math.min(1.0, fgpu), vmem, share <= 1.0);
  }
}

package io.edgepipe.vgpu.cuda;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Whether the CUDA driver API can be used here: loads JCuda's native library (which needs the
 * driver's {@code libcuda.so.1}), initialises the driver and counts devices. Done once per
 * process; every failure (missing natives for this platform, no driver, no device) becomes a
 * reason string instead of an error, so that code on a machine without a GPU can ask safely.
 */
public final class CudaProbe {
  private CudaProbe() {}

  /** The outcome: {@code devices > 0} exactly when available. */
  public record Result(boolean available, int devices, String reason) {}

  private static volatile Result cached;

  public static Result probe() {
    Result r = cached;
    if (r == null) {
      synchronized (CudaProbe.class) {
        if (cached == null) {
          cached = run();
        }
        r = cached;
      }
    }
    return r;
  }

  private static Result run() {
    try {
      JCudaDriver.setExceptionsEnabled(false);
      int rc = JCudaDriver.cuInit(0);
      if (rc != CUresult.CUDA_SUCCESS) {
        return new Result(false, 0, "cuInit failed: " + CUresult.stringFor(rc));
      }
      int[] count = {0};
      rc = JCudaDriver.cuDeviceGetCount(count);
      if (rc != CUresult.CUDA_SUCCESS) {
        return new Result(false, 0, "cuDeviceGetCount failed: " + CUresult.stringFor(rc));
      }
      if (count[0] < 1) {
        return new Result(false, 0, "the CUDA driver reports no device");
      }
      return new Result(true, count[0], "");
    } catch (LinkageError | RuntimeException e) {
      // UnsatisfiedLinkError (no libcuda.so.1, or no JCuda natives for this OS/arch),
      // NoClassDefFoundError after a failed static init, CudaException from JCuda's loader
      return new Result(false, 0, shorten(e));
    }
  }

  /** JCuda's load error is a page of nested stack traces; keep the line that says why. */
  static String shorten(Throwable e) {
    String msg = String.valueOf(e.getMessage());
    for (String line : msg.split("\\R")) {
      int at = line.indexOf("libcuda.so");
      if (at >= 0) {
        return "cannot load the NVIDIA driver library: " + line.substring(at).strip();
      }
    }
    String first = msg.lines().findFirst().orElse("").strip();
    return e.getClass().getSimpleName() + ": " + first;
  }
}

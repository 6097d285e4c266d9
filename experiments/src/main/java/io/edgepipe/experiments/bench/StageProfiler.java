package io.edgepipe.experiments.bench;

import com.google.protobuf.ByteString;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.runtime.GpuLayer;
import io.edgepipe.runtime.Layers;
import io.edgepipe.vgpu.bench.QuotaAdvisor;
import io.edgepipe.vgpu.proto.SessionStatus;
import io.edgepipe.vgpu.remote.RemoteGpu;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * gEdge's profile-guided quota sizing for one stage: its real layer ({@link Layers#create}) runs
 * through a vGPU session that has the device to itself (fGPU 1 on a loopback backend of its own),
 * and the backend measures the session's device busy time and peak memory. From them
 * {@link QuotaAdvisor} derives the smallest fGPU and vMemory that keep the stage's frame rate.
 * {@link #verify} then runs the stage at that fGPU against a competitor that saturates the device.
 */
public final class StageProfiler {
  /** The exclusive run: what the stage saw and what the backend measured. */
  public record Result(String stage, String kind, TensorShape input, DType inType, String device, QuotaAdvisor.Profile profile,
      double batchDeviceMsPerFrame, long buffers, double tripsPerFrame) {}

  /** A run under contention at a given fGPU. */
  public record Contended(double fgpu, double competitorFgpu, long frames, double fps, double busyShare, double entitledShare) {}

  private final LoopbackVgpu backend;
  private final PipelineSpec spec;
  private final int index;
  private final int warmup;
  private final int frames;

  public StageProfiler(LoopbackVgpu backend, PipelineSpec spec, String stage, int warmup, int frames) {
    if (warmup < 0 || frames < 1) {
      throw new IllegalArgumentException("need --warmup >= 0 and --frames >= 1");
    }
    this.backend = backend;
    this.spec = spec;
    this.index = spec.indexOf(stage);
    this.warmup = warmup;
    this.frames = frames;
  }

  LayerSpec layer() {
    return spec.layers().get(index);
  }

  TensorShape input() {
    return spec.shapes().get(index);
  }

  DType inType() {
    return spec.hopTypes().get(index);
  }

  private ByteString payload() {
    return ByteString.copyFrom(StageVgpuBench.payload(input(), inType(), 17));
  }

  /** Runs the stage alone on the device (fGPU 1) and returns what the backend measured. */
  public Result profile(int vmemUnits) {
    ByteString frame = payload();
    try (RemoteGpu gpu = backend.open(1.0, vmemUnits, "profile " + layer().name())) {
      GpuLayer layer = Layers.create(layer(), input(), gpu);
      try {
        for (int i = 0; i < warmup; i++) {
          layer.run(frame.asReadOnlyByteBuffer(), inType(), input());
        }
        SessionStatus s0 = status(gpu);
        long trips0 = gpu.roundTrips();
        long batchBusy0 = gpu.deviceBusyNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < frames; i++) {
          layer.run(frame.asReadOnlyByteBuffer(), inType(), input());
        }
        long wall = System.nanoTime() - t0;
        SessionStatus s1 = status(gpu);
        QuotaAdvisor.Profile p = new QuotaAdvisor.Profile(frames, wall, s1.getBusyNanos() - s0.getBusyNanos(),
            s1.getPeakBytesInUse());
        return new Result(layer().name(), layer().kind(), input(), inType(), backend.deviceName(), p,
            (gpu.deviceBusyNanos() - batchBusy0) / 1e6 / frames, s1.getBuffers(),
            (double) (gpu.roundTrips() - trips0) / frames);
      } finally {
        layer.close();
      }
    }
  }

  /**
   * Runs the stage at {@code fgpu} while a competitor with the rest of the device ({@code 1 - fgpu})
   * runs the same layer as fast as it can; returns the stage's rate and its busy share.
   */
  public Contended verify(double fgpu, int vmemUnits) throws InterruptedException {
    double other = Math.max(0.01, Math.round((1 - fgpu) * 100) / 100.0);
    ByteString frame = payload();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong hogFrames = new AtomicLong();
    try (RemoteGpu gpu = backend.open(fgpu, vmemUnits, "verify " + layer().name());
        RemoteGpu hog = backend.open(other, vmemUnits, "competitor")) {
      Thread t = new Thread(() -> {
        GpuLayer l = Layers.create(layer(), input(), hog);
        try {
          while (!stop.get()) {
            l.run(frame.asReadOnlyByteBuffer(), inType(), input());
            hogFrames.incrementAndGet();
          }
        } finally {
          l.close();
        }
      }, "vgpu-profile-competitor");
      t.setDaemon(true);
      t.start();
      GpuLayer layer = Layers.create(layer(), input(), gpu);
      try {
        for (int i = 0; i < warmup; i++) {
          layer.run(frame.asReadOnlyByteBuffer(), inType(), input());
        }
        SessionStatus s0 = status(gpu);
        long t0 = System.nanoTime();
        for (int i = 0; i < frames; i++) {
          layer.run(frame.asReadOnlyByteBuffer(), inType(), input());
        }
        long wall = System.nanoTime() - t0;
        SessionStatus s1 = status(gpu);
        long busy = s1.getBusyNanos() - s0.getBusyNanos();
        long entitled = s1.getEntitledNanos() - s0.getEntitledNanos();
        return new Contended(fgpu, other, frames, frames * 1e9 / wall, (double) busy / wall, (double) entitled / wall);
      } finally {
        stop.set(true);
        t.join(30_000);
        layer.close();
      }
    }
  }

  private SessionStatus status(RemoteGpu gpu) {
    try {
      Thread.sleep(20); // the device thread books a batch's time just after sending its reply
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SessionStatus s : backend.backend().status().getSessionsList()) {
      if (s.getSessionId().equals(gpu.sessionId())) {
        return s;
      }
    }
    throw new IllegalStateException("the backend does not list session " + gpu.sessionId());
  }
}

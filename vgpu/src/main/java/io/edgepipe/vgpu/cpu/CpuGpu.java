package io.edgepipe.vgpu.cpu;

import io.edgepipe.vgpu.CopyCheck;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;
import io.edgepipe.vgpu.LaunchCheck;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The emulated device ({@code cpu}): launches run the Java twins of the kernels
 * ({@code io.edgepipe.kernels}), memory is a table of {@link CpuBuffer}s. It is the default where
 * no GPU is present and the correctness reference for the other devices.
 *
 * <p>Every call executes at once, so the async forms are the blocking ones and
 * {@link #synchronize()} has nothing to wait for. Copies read/write {@code remaining()} bytes and
 * leave the host buffer's position unchanged. Handles are unique across all emulated devices of
 * the process, so a pointer of another device (or a freed one) is refused with NOT_FOUND instead
 * of aliasing a live buffer.
 */
public final class CpuGpu implements Gpu {
  /** Largest single allocation: the twins index with int and byte[] is the widest view. */
  public static final long MAX_ALLOCATION = Integer.MAX_VALUE - 8;

  private static final AtomicLong NEXT_HANDLE = new AtomicLong(1);
  private static final long MODULE_HANDLE = 1;

  private final Map<Long, CpuBuffer> buffers = new HashMap<>();
  private final long capacity;
  /** Read by status threads while the owner allocates, hence atomic. */
  private final AtomicLong bytesInUse = new AtomicLong();
  private boolean closed;

  /** An emulated device whose memory is bounded by the JVM's maximum heap. */
  public CpuGpu() {
    this(Runtime.getRuntime().maxMemory());
  }

  /** An emulated device with {@code capacityBytes} of device memory (malloc beyond it fails). */
  public CpuGpu(long capacityBytes) {
    if (capacityBytes < 1) {
      throw new IllegalArgumentException("capacity must be >= 1 byte, got " + capacityBytes);
    }
    this.capacity = capacityBytes;
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public long memoryCapacity() {
    return capacity;
  }

  @Override
  public io.edgepipe.vgpu.MemoryBandwidth memoryBandwidth() {
    return io.edgepipe.vgpu.MemoryBandwidth.unknown(
        "cpu: the emulated device computes in host memory, whose peak bandwidth the JVM cannot read");
  }

  /** Bytes currently allocated (safe to read from any thread). */
  public long bytesInUse() {
    return bytesInUse.get();
  }

  /** Number of live allocations. */
  public int allocations() {
    return buffers.size();
  }

  @Override
  public GpuModule loadModule(String moduleName) {
    open();
    if (!KernelCatalog.MODULE.equals(moduleName)) {
      throw new GpuException("NOT_FOUND", "no kernel module named '" + moduleName + "' (the cpu device has '"
          + KernelCatalog.MODULE + "')");
    }
    return new GpuModule(moduleName, MODULE_HANDLE);
  }

  @Override
  public GpuFunction function(GpuModule module, String kernelName) {
    open();
    if (module == null || !KernelCatalog.MODULE.equals(module.name()) || module.handle() != MODULE_HANDLE) {
      throw new GpuException("NOT_FOUND", "module " + module + " was not loaded by this device");
    }
    if (!LaunchCheck.isKnown(kernelName)) {
      throw new GpuException("NOT_FOUND", "module '" + module.name() + "' has no kernel named '" + kernelName + "'");
    }
    return new GpuFunction(module, kernelName, 0);
  }

  @Override
  public DevicePtr malloc(long bytes) {
    open();
    if (bytes < 1) {
      throw new GpuException("INVALID_ARGUMENT", "malloc of " + bytes + " bytes: size must be >= 1");
    }
    if (bytes > MAX_ALLOCATION) {
      throw new GpuException("RESOURCE_EXHAUSTED", "malloc of " + bytes + " bytes: the cpu device allocates at most "
          + MAX_ALLOCATION + " bytes at once");
    }
    long used = bytesInUse.get();
    if (used + bytes > capacity) {
      throw new GpuException("RESOURCE_EXHAUSTED", "malloc of " + bytes + " bytes: " + used + " of "
          + capacity + " bytes of the cpu device are in use");
    }
    long handle = NEXT_HANDLE.getAndIncrement();
    CpuBuffer b;
    try {
      b = new CpuBuffer((int) bytes);
    } catch (OutOfMemoryError e) {
      // the Java heap is smaller than the capacity this device was given
      throw new GpuException("RESOURCE_EXHAUSTED", "malloc of " + bytes + " bytes: the host has no room for it");
    }
    buffers.put(handle, b);
    bytesInUse.addAndGet(bytes);
    return new DevicePtr(handle, bytes);
  }

  @Override
  public void copyHtoD(DevicePtr dst, ByteBuffer src) {
    CpuBuffer b = buffer(dst);
    CopyCheck.htoD(src.remaining(), b.bytes());
    b.write(src);
  }

  @Override
  public void copyHtoDAsync(DevicePtr dst, ByteBuffer src) {
    copyHtoD(dst, src);
  }

  @Override
  public void copyDtoH(ByteBuffer dst, DevicePtr src) {
    CpuBuffer b = buffer(src);
    CopyCheck.dtoH(dst, b.bytes());
    b.read(dst);
  }

  @Override
  public void copyDtoHAsync(ByteBuffer dst, DevicePtr src) {
    copyDtoH(dst, src);
  }

  @Override
  public void launch(GpuFunction function, Dim3 grid, Dim3 block, KernelArgs args) {
    open();
    if (function == null) {
      throw new GpuException("INVALID_ARGUMENT", "launch of a null function");
    }
    LaunchCheck.Checked checked = LaunchCheck.check(function.name(), grid, block, args, p -> buffer(p).bytes());
    CpuKernels.run(checked, args, i -> buffers.get(args.ptrAt(i).handle()));
  }

  @Override
  public void synchronize() {
    open();
  }

  @Override
  public void free(DevicePtr ptr) {
    open();
    CpuBuffer b = ptr == null ? null : buffers.remove(ptr.handle());
    if (b == null) {
      throw new GpuException("NOT_FOUND", "free of " + ptr + ": not a live allocation of this cpu device"
          + " (freed twice, or from another device)");
    }
    bytesInUse.addAndGet(-b.bytes());
  }

  @Override
  public void close() {
    buffers.clear();
    bytesInUse.set(0);
    closed = true;
  }

  private CpuBuffer buffer(DevicePtr p) {
    open();
    CpuBuffer b = p == null ? null : buffers.get(p.handle());
    if (b == null) {
      throw new GpuException("NOT_FOUND", "pointer " + p + " is not a live allocation of this cpu device"
          + " (freed, or from another device)");
    }
    return b;
  }

  private void open() {
    if (closed) {
      throw new GpuException("UNAVAILABLE", "the cpu device is closed");
    }
  }
}

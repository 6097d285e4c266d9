package io.edgepipe.vgpu;

import java.nio.ByteBuffer;

/**
 * A CUDA-driver-like device. Stage code is written once against this interface and runs on a
 * local GPU ({@code cuda}), the emulated device ({@code cpu}) or a remote GPU through the vGPU
 * shim ({@code vgpu://host:port}).
 *
 * <p>Ordering is that of a single CUDA stream: every call takes effect in program order.
 * Calls named {@code ...Async} and {@link #launch} may return before the work is done; the
 * host buffer of an async copy must not be touched until {@link #synchronize()} returns.
 * A remote device queues them and sends the whole batch at the sync point, so one frame through
 * one stage costs one round trip.
 *
 * <p>Implementations are not thread-safe; a stage owns its device.
 */
public interface Gpu extends AutoCloseable {

  /** Human-readable description, e.g. "cpu", "cuda:0 NVIDIA H100", "vgpu://gpu-server:50100". */
  String name();

  /** Loads a kernel module by name (the project ships one: {@link KernelCatalog#MODULE}). */
  GpuModule loadModule(String moduleName);

  /** Looks up a kernel of a loaded module, e.g. {@link KernelCatalog#CONV2D_F32}. */
  GpuFunction function(GpuModule module, String kernelName);

  /** Allocates {@code bytes} of device memory (contents undefined). */
  DevicePtr malloc(long bytes);

  /**
   * Copies src.remaining() bytes from the host to dst (at its offset 0); blocking. As in CUDA, a
   * blocking copy is the queued one followed by {@link #synchronize()}, so it also waits for (and
   * reports) what was queued before it; a device overrides it only to do more (e.g. keep the bytes).
   */
  default void copyHtoD(DevicePtr dst, ByteBuffer src) {
    copyHtoDAsync(dst, src);
    synchronize();
  }

  /** Queued form of {@link #copyHtoD}; src must stay unchanged until synchronize. */
  void copyHtoDAsync(DevicePtr dst, ByteBuffer src);

  /** Copies dst.remaining() bytes from src (offset 0) into dst; blocking: the queued copy, then {@link #synchronize()}. */
  default void copyDtoH(ByteBuffer dst, DevicePtr src) {
    copyDtoHAsync(dst, src);
    synchronize();
  }

  /** Queued form of {@link #copyDtoH}; dst holds the data after synchronize. */
  void copyDtoHAsync(ByteBuffer dst, DevicePtr src);

  /** Queues a kernel launch. Argument order and meaning are listed in {@link KernelCatalog}. */
  void launch(GpuFunction function, Dim3 grid, Dim3 block, KernelArgs args);

  /** Waits until every queued call has completed; reports the first failure among them. */
  void synchronize();

  /** Frees device memory. Freeing twice or freeing a foreign pointer is an error. */
  void free(DevicePtr ptr);

  /**
   * Host memory of {@code bytes} (little-endian, position 0, limit {@code bytes}) that this device
   * moves fastest, as CUDA's {@code cuMemAllocHost}: a stage that receives its payload into such a
   * buffer, or has a copy write its result into one, spares the device a staging copy. On a vGPU
   * whose backend shares this host it is a region of the session's shared-memory segment, which the
   * backend reads and writes in place (no client copy either way); elsewhere plain direct memory.
   * Valid until {@link #freeHost}, which must come only when nothing reads or writes the buffer any
   * more. One still held when the device closes stays readable (nothing writes it) until it is
   * collected, so a stage may hand its output on in one (read in place) and give it back only when
   * the frame's custody ends.
   */
  default ByteBuffer hostBuffer(int bytes) {
    if (bytes < 0) {
      throw new GpuException("INVALID_ARGUMENT", "host buffer of " + bytes + " bytes");
    }
    return ByteBuffer.allocateDirect(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
  }

  /** Gives back a buffer {@link #hostBuffer} returned (a duplicate of it will do); it must not be used afterwards. */
  default void freeHost(ByteBuffer buffer) {}

  /**
   * Whether a {@link #hostBuffer} of {@code bytes} asked for now would spare the copy that any other
   * buffer costs: on a vGPU whose backend mapped the session's shared memory, while the buffer
   * fits the room there, the backend reads and writes it in place. A stage then receives its
   * payload straight into one (the copy it would otherwise pay at the device). Elsewhere a host
   * buffer is plain memory, and a payload already in one flat buffer is best copied from where it is.
   */
  default boolean hostBufferInPlace(int bytes) {
    return false;
  }

  /**
   * Device memory in bytes that allocations may use, or -1 if the device does not say (a vgpu
   * backend then needs it configured).
   */
  default long memoryCapacity() {
    return -1;
  }

  /**
   * The device's peak memory bandwidth as its driver reports it, or unknown with the reason (an
   * emulated or remote device cannot say).
   */
  default MemoryBandwidth memoryBandwidth() {
    return MemoryBandwidth.unknown(name() + " does not report its memory bandwidth");
  }

  /** Frees everything this device still holds. */
  @Override
  void close();
}

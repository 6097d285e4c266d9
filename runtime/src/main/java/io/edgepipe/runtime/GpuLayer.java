package io.edgepipe.runtime;

import io.edgepipe.api.ElementType;
import io.edgepipe.api.LayerSpec;
import io.edgepipe.api.TensorShape;
import io.edgepipe.api.proto.DType;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One CNN layer computed through the {@link Gpu} API, whatever the device. For each frame:
 * copy the wire payload to the device, convert it to f32 there if it travelled as u8 or f16,
 * launch the layer, convert to the output hop's type, copy back, synchronize once. On a remote
 * vGPU that whole sequence is one round trip. Device buffers are kept between frames and
 * re-allocated only when the shape changes.
 *
 * <p>Subclasses (one per stage module) say only what differs: the output shape, and the launch.
 */
public abstract class GpuLayer implements AutoCloseable {
  protected final LayerSpec spec;
  protected final Gpu gpu;
  private final GpuModule module;
  private final Map<String, GpuFunction> functions = new HashMap<>();
  private final Map<String, DevicePtr> buffers = new HashMap<>();
  /** Names of the buffers holding uploaded constants, of {@link #buffers}. */
  private final Set<String> constants = new HashSet<>();

  protected GpuLayer(LayerSpec spec, Gpu gpu) {
    this.spec = spec;
    this.gpu = gpu;
    this.module = gpu.loadModule(KernelCatalog.MODULE);
  }

  public LayerSpec spec() {
    return spec;
  }

  /** The device this layer runs on. */
  public Gpu device() {
    return gpu;
  }

  /** The output shape for {@code in}; IllegalArgumentException when the layer cannot take it. */
  public TensorShape outputShape(TensorShape in) {
    return spec.outputShape(in, spec.name());
  }

  /** Launches the layer from {@code in} (f32, shape inShape) into {@code out} (f32, outShape). */
  protected abstract void launchLayer(DevicePtr in, DevicePtr out, TensorShape inShape, TensorShape outShape);

  /**
   * Runs the layer on one payload.
   *
   * @param input   the payload as it came off the wire (little-endian, CHW), position to limit
   * @param inType  its element type
   * @param inShape its shape
   * @return the output payload in {@code spec.outputType()}, a fresh buffer owned by the caller
   */
  public ByteBuffer run(ByteBuffer input, DType inType, TensorShape inShape) {
    return run(input, inType, inShape, null);
  }

  /**
   * As {@link #run(ByteBuffer, DType, TensorShape)}, copying the output back into {@code into}
   * (little-endian, exactly the output's size: a slot of the next hop's shared memory), or into
   * a fresh buffer when it is null.
   */
  public ByteBuffer run(ByteBuffer input, DType inType, TensorShape inShape, ByteBuffer into) {
    TensorShape outShape = outputShape(inShape);
    DType outType = spec.outputType();
    DevicePtr inF32 = buffer("in.f32", inShape.elements() * 4);
    DevicePtr outF32 = buffer("out.f32", outShape.elements() * 4);
    if (inType == DType.F32) {
      gpu.copyHtoDAsync(inF32, input);
    } else {
      DevicePtr raw = buffer("in.raw", inShape.elements() * ElementType.sizeOf(inType));
      gpu.copyHtoDAsync(raw, input);
      convert(inType == DType.U8 ? KernelCatalog.U8_TO_F32 : KernelCatalog.F16_TO_F32, raw, inF32, inShape.elements());
    }
    launchLayer(inF32, outF32, inShape, outShape);
    int outBytes = outputBytes(outShape);
    if (into != null && into.remaining() != outBytes) {
      throw new IllegalArgumentException("output buffer of " + into.remaining() + " bytes for " + outBytes);
    }
    ByteBuffer output = into != null ? into : ByteBuffer.allocate(outBytes).order(ByteOrder.LITTLE_ENDIAN);
    if (outType == DType.F32) {
      gpu.copyDtoHAsync(output, outF32);
    } else {
      DevicePtr raw = buffer("out.raw", outShape.elements() * ElementType.sizeOf(outType));
      convert(outType == DType.U8 ? KernelCatalog.F32_TO_U8 : KernelCatalog.F32_TO_F16, outF32, raw, outShape.elements());
      gpu.copyDtoHAsync(output, raw);
    }
    gpu.synchronize();
    return output;
  }

  /**
   * Queues only the layer's own kernel launch(es), from {@code in} (f32, {@code inShape}, on this
   * layer's device) into {@code out} (f32, the output shape): no copies, no element-type
   * conversion, no synchronize. For timing the kernel alone on device-resident buffers
   * ({@code bench gpu-kernels}); a stage calls {@link #run}.
   */
  public final void launchOn(DevicePtr in, DevicePtr out, TensorShape inShape) {
    launchLayer(in, out, inShape, outputShape(inShape));
  }

  /**
   * Bytes of the constant data {@link #upload} put on the device (weights, biases): what every
   * launch reads besides its input.
   */
  public long constantBytes() {
    long sum = 0;
    for (String name : constants) {
      sum += buffers.get(name).bytes();
    }
    return sum;
  }

  /** Bytes of an output of {@code outShape} in {@code spec.outputType()}. */
  public int outputBytes(TensorShape outShape) {
    return Math.toIntExact(outShape.elements() * ElementType.sizeOf(spec.outputType()));
  }

  private void convert(String kernel, DevicePtr from, DevicePtr to, long n) {
    launch(kernel, n, KernelArgs.of().ptr(from).ptr(to).i32((int) n));
  }

  /** Launches a catalog kernel over {@code threads} outputs with the project's block size. */
  protected final void launch(String kernel, long threads, KernelArgs args) {
    GpuFunction fn = functions.computeIfAbsent(kernel, k -> gpu.function(module, k));
    gpu.launch(fn, KernelCatalog.gridFor(threads), Dim3.of(KernelCatalog.BLOCK), args);
  }

  /** A named device buffer of exactly {@code bytes}, kept until the size changes. */
  protected final DevicePtr buffer(String name, long bytes) {
    DevicePtr ptr = buffers.get(name);
    if (ptr != null && ptr.bytes() == bytes) {
      return ptr;
    }
    if (ptr != null) {
      gpu.free(ptr);
      buffers.remove(name);
    }
    ptr = gpu.malloc(bytes);
    buffers.put(name, ptr);
    return ptr;
  }

  /** Uploads constant data (weights) once; the buffer is owned by this layer. */
  protected final DevicePtr upload(String name, float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    DevicePtr ptr = buffer(name, bytes.capacity());
    constants.add(name);
    gpu.copyHtoD(ptr, bytes);
    return ptr;
  }

  @Override
  public void close() {
    for (DevicePtr ptr : buffers.values()) {
      gpu.free(ptr);
    }
    buffers.clear();
    constants.clear();
  }
}

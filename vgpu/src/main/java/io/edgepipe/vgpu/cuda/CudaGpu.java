package io.edgepipe.vgpu.cuda;

import static jcuda.driver.JCudaDriver.cuCtxCreate;
import static jcuda.driver.JCudaDriver.cuCtxDestroy;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

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
import io.edgepipe.vgpu.MemoryBandwidth;
import io.edgepipe.vgpu.RegisteredKernel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;

/**
 * A local NVIDIA GPU through the CUDA driver API (JCuda 12.6, which needs only the driver's
 * {@code libcuda.so.1}). The catalog's kernels come from the PTX the kernels module ships
 * ({@code /io/edgepipe/kernels/edgepipe.ptx}); a registered kernel (a layer kind's, see
 * {@link io.edgepipe.vgpu.KernelRegistry}) from the PTX resource its registration names. The driver JIT-compiles
 * PTX for the device.
 *
 * <p>Everything runs in program order on one stream of an own context (made current on each
 * call, because a backend calls from its device thread, not the creating one). Async copies of
 * direct buffers go straight to the driver (the buffer is kept reachable until synchronize);
 * heap and read-only buffers are staged through pinned memory, since the GC may move a heap array
 * once the JNI call returns. Blocking copies are the async ones plus {@link #synchronize()} (the
 * {@link Gpu} defaults).
 * Copies leave the host buffer's position unchanged. Handles are indexes into this device's own
 * tables, so freed or foreign pointers are refused with NOT_FOUND instead of faulting.
 */
public final class CudaGpu implements Gpu {
  /** PTX of the project's one module, a classpath resource of the kernels jar. */
  public static final String PTX_RESOURCE = "/io/edgepipe/kernels/edgepipe.ptx";

  private record Alloc(CUdeviceptr ptr, long bytes) {}

  private record Fn(CUfunction f, String name) {}

  private final String name;
  private final CUcontext ctx = new CUcontext();
  private final CUstream stream = new CUstream();
  private final Map<Long, Alloc> allocs = new HashMap<>();
  private final Map<Long, CUmodule> modules = new HashMap<>();
  /** Modules of registered kernels (the layer kinds' own PTX), by resource name. */
  private final Map<String, CUmodule> kernelModules = new HashMap<>();
  private final Map<String, GpuModule> modulesByName = new HashMap<>();
  private final Map<Long, Fn> functions = new HashMap<>();
  private final PinnedStaging staging = new PinnedStaging();
  /** Copies from staging into heap destinations, done once the stream has drained. */
  private final List<Runnable> afterSync = new ArrayList<>();
  /** Direct buffers in use by queued copies: kept reachable until synchronize. */
  private final List<ByteBuffer> inFlight = new ArrayList<>();
  private long nextHandle = 1;
  private long bytesInUse;
  private boolean closed;

  /** True when a CUDA device can be opened here (see {@link CudaProbe}). */
  public static boolean isAvailable() {
    return CudaProbe.probe().available();
  }

  /** Why {@link #isAvailable()} is false; empty when it is true. */
  public static String unavailableReason() {
    return CudaProbe.probe().reason();
  }

  private final long totalMemory;
  private final MemoryBandwidth bandwidth;

  /** Opens device {@code ordinal} (0 = first GPU). */
  public CudaGpu(int ordinal) {
    CudaProbe.Result p = CudaProbe.probe();
    if (!p.available()) {
      throw new GpuException("UNAVAILABLE", "no CUDA device: " + p.reason());
    }
    if (ordinal < 0 || ordinal >= p.devices()) {
      throw new GpuException("NOT_FOUND", "no CUDA device " + ordinal + " (this host has " + p.devices() + ")");
    }
    CUdevice dev = new CUdevice();
    check(cuDeviceGet(dev, ordinal), "cuDeviceGet");
    byte[] nb = new byte[256];
    check(cuDeviceGetName(nb, nb.length, dev), "cuDeviceGetName");
    int len = 0;
    while (len < nb.length && nb[len] != 0) {
      len++;
    }
    this.name = "cuda:" + ordinal + " " + new String(nb, 0, len, StandardCharsets.US_ASCII);
    long[] total = new long[1];
    check(jcuda.driver.JCudaDriver.cuDeviceTotalMem(total, dev), "cuDeviceTotalMem");
    this.totalMemory = total[0];
    this.bandwidth = bandwidth(dev);
    check(cuCtxCreate(ctx, 0, dev), "cuCtxCreate");
    check(cuStreamCreate(stream, 0), "cuStreamCreate");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long memoryCapacity() {
    return totalMemory;
  }

  /** From the driver's memory clock and bus width, read when the device was opened. */
  @Override
  public MemoryBandwidth memoryBandwidth() {
    return bandwidth;
  }

  /** Bytes allocated through this device and not yet freed. */
  public long bytesInUse() {
    return bytesInUse;
  }

  @Override
  public GpuModule loadModule(String moduleName) {
    bind();
    GpuModule known = modulesByName.get(moduleName);
    if (known != null) {
      return known;
    }
    if (!KernelCatalog.MODULE.equals(moduleName)) {
      throw new GpuException("NOT_FOUND", "no kernel module named '" + moduleName + "' (this device has '"
          + KernelCatalog.MODULE + "')");
    }
    CUmodule m = new CUmodule();
    check(cuModuleLoadData(m, ptx()), "cuModuleLoadData(" + PTX_RESOURCE + ")");
    long h = nextHandle++;
    modules.put(h, m);
    GpuModule gm = new GpuModule(moduleName, h);
    modulesByName.put(moduleName, gm);
    return gm;
  }

  @Override
  public GpuFunction function(GpuModule module, String kernelName) {
    bind();
    CUmodule m = module == null ? null : modules.get(module.handle());
    if (m == null) {
      throw new GpuException("NOT_FOUND", "module " + module + " was not loaded by this device");
    }
    if (!LaunchCheck.isKnown(kernelName)) {
      throw new GpuException("NOT_FOUND", "module '" + module.name() + "' has no kernel named '" + kernelName + "'");
    }
    RegisteredKernel registered = LaunchCheck.registered(kernelName);
    if (registered != null) {
      m = registeredModule(registered);
    }
    CUfunction f = new CUfunction();
    check(cuModuleGetFunction(f, m, kernelName), "cuModuleGetFunction(" + kernelName + ")");
    long h = nextHandle++;
    functions.put(h, new Fn(f, kernelName));
    return new GpuFunction(module, kernelName, h);
  }

  @Override
  public DevicePtr malloc(long bytes) {
    bind();
    if (bytes < 1) {
      throw new GpuException("INVALID_ARGUMENT", "malloc of " + bytes + " bytes: size must be >= 1");
    }
    CUdeviceptr p = new CUdeviceptr();
    check(cuMemAlloc(p, bytes), "cuMemAlloc(" + bytes + ")");
    long h = nextHandle++;
    allocs.put(h, new Alloc(p, bytes));
    bytesInUse += bytes;
    return new DevicePtr(h, bytes);
  }

  @Override
  public void copyHtoDAsync(DevicePtr dst, ByteBuffer src) {
    bind();
    Alloc a = alloc(dst);
    int n = src.remaining();
    CopyCheck.htoD(n, a.bytes);
    if (n == 0) {
      return;
    }
    Pointer host;
    if (src.isDirect()) {
      ByteBuffer s = src.slice(); // its address starts at src's position
      inFlight.add(s);
      host = Pointer.to(s);
    } else {
      PinnedStaging.Region r = staging.take(n);
      r.view().put(src.duplicate());
      host = r.pointer();
    }
    check(cuMemcpyHtoDAsync(a.ptr, host, n, stream), "cuMemcpyHtoDAsync");
  }

  @Override
  public void copyDtoHAsync(ByteBuffer dst, DevicePtr src) {
    bind();
    Alloc a = alloc(src);
    int n = dst.remaining();
    CopyCheck.dtoH(dst, a.bytes);
    if (n == 0) {
      return;
    }
    if (dst.isDirect()) {
      ByteBuffer d = dst.slice();
      inFlight.add(d);
      check(cuMemcpyDtoHAsync(Pointer.to(d), a.ptr, n, stream), "cuMemcpyDtoHAsync");
    } else {
      PinnedStaging.Region r = staging.take(n);
      check(cuMemcpyDtoHAsync(r.pointer(), a.ptr, n, stream), "cuMemcpyDtoHAsync");
      ByteBuffer target = dst.duplicate();
      afterSync.add(() -> target.put(r.view().duplicate()));
    }
  }

  @Override
  public void launch(GpuFunction function, Dim3 grid, Dim3 block, KernelArgs args) {
    bind();
    Fn fn = function == null ? null : functions.get(function.handle());
    if (fn == null) {
      throw new GpuException("NOT_FOUND", "function " + function + " was not looked up on this device");
    }
    if (!fn.name.equals(function.name())) {
      throw new GpuException("INVALID_ARGUMENT", "function handle " + function.handle() + " is '" + fn.name
          + "', not '" + function.name() + "'");
    }
    LaunchCheck.check(fn.name, grid, block, args, p -> alloc(p).bytes);
    NativePointerObject[] params = new NativePointerObject[args.size()];
    for (int i = 0; i < params.length; i++) {
      KernelArgs.Arg arg = args.list().get(i);
      params[i] = arg.isPointer() ? Pointer.to(alloc(arg.ptr()).ptr) : Pointer.to(new int[] {arg.value()});
    }
    // the driver copies the parameter values during the call, so the arrays may die afterwards
    check(cuLaunchKernel(fn.f, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
        0, stream, Pointer.to(params), null), "cuLaunchKernel(" + fn.name + ")");
  }

  @Override
  public void synchronize() {
    bind();
    int rc = cuStreamSynchronize(stream);
    try {
      if (rc == CUresult.CUDA_SUCCESS) {
        for (Runnable r : afterSync) {
          r.run();
        }
      }
    } finally {
      afterSync.clear();
      inFlight.clear();
      staging.reset();
    }
    check(rc, "cuStreamSynchronize");
  }

  @Override
  public void free(DevicePtr ptr) {
    bind();
    Alloc a = ptr == null ? null : allocs.remove(ptr.handle());
    if (a == null) {
      throw new GpuException("NOT_FOUND", "free of " + ptr + ": not a live allocation of this device"
          + " (freed twice, or from another device)");
    }
    bytesInUse -= a.bytes;
    check(cuMemFree(a.ptr), "cuMemFree");
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    cuCtxSetCurrent(ctx);
    cuStreamSynchronize(stream); // errors are moot now; everything is released below
    for (Alloc a : allocs.values()) {
      cuMemFree(a.ptr);
    }
    allocs.clear();
    bytesInUse = 0;
    for (CUmodule m : modules.values()) {
      cuModuleUnload(m);
    }
    modules.clear();
    for (CUmodule m : kernelModules.values()) {
      cuModuleUnload(m);
    }
    kernelModules.clear();
    staging.free();
    cuStreamDestroy(stream);
    cuCtxDestroy(ctx);
  }

  private Alloc alloc(DevicePtr p) {
    Alloc a = p == null ? null : allocs.get(p.handle());
    if (a == null) {
      throw new GpuException("NOT_FOUND", "pointer " + p + " is not a live allocation of this device"
          + " (freed, or from another device)");
    }
    return a;
  }

  /** Makes this device's context current on the calling thread (cheap: a thread-local store). */
  private void bind() {
    if (closed) {
      throw new GpuException("UNAVAILABLE", name + " is closed");
    }
    check(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
  }

  /**
   * The module holding a registered kernel (a layer kind's): its own PTX resource, loaded once
   * per device and shared by the kernels that name the same resource.
   */
  private CUmodule registeredModule(RegisteredKernel k) {
    String resource = k.ptxResource();
    if (resource == null) {
      throw new GpuException("NOT_FOUND", "kernel '" + k.name() + "' has no CUDA build (its registration names no PTX)");
    }
    CUmodule m = kernelModules.get(resource);
    if (m == null) {
      m = new CUmodule();
      check(cuModuleLoadData(m, ptx(k.getClass(), resource)), "cuModuleLoadData(" + resource + ")");
      kernelModules.put(resource, m);
    }
    return m;
  }

  /** The project module's PTX text, NUL-terminated as cuModuleLoadData requires. */
  private static byte[] ptx() {
    return ptx(CudaGpu.class, PTX_RESOURCE);
  }

  private static byte[] ptx(Class<?> owner, String resource) {
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new GpuException("NOT_FOUND", "PTX resource " + resource + " is not on the classpath of "
            + owner.getName() + " (was scripts/build-ptx.sh run and its output committed?)");
      }
      byte[] text = in.readAllBytes();
      return Arrays.copyOf(text, text.length + 1);
    } catch (IOException e) {
      throw new GpuException("INTERNAL", "cannot read " + resource + ": " + e.getMessage(), e);
    }
  }

  /**
   * The peak memory bandwidth from the driver's attributes; unknown (not an error) where the driver
   * will not say: only a benchmark reads it, so it must never keep a stage from opening its GPU.
   */
  private static MemoryBandwidth bandwidth(CUdevice dev) {
    try {
      return MemoryBandwidth.ofMemoryClock(
          attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, "MEMORY_CLOCK_RATE"),
          attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, "GLOBAL_MEMORY_BUS_WIDTH"));
    } catch (GpuException e) {
      return MemoryBandwidth.unknown(e.getMessage());
    }
  }

  private static int attribute(CUdevice dev, int attribute, String name) {
    int[] value = {0};
    check(cuDeviceGetAttribute(value, attribute, dev), "cuDeviceGetAttribute(" + name + ")");
    return value[0];
  }

  static void check(int rc, String call) {
    if (rc != CUresult.CUDA_SUCCESS) {
      throw new GpuException(codeFor(rc), call + " failed: " + CUresult.stringFor(rc));
    }
  }

  private static String codeFor(int rc) {
    return switch (rc) {
      case CUresult.CUDA_ERROR_OUT_OF_MEMORY, CUresult.CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES -> "RESOURCE_EXHAUSTED";
      case CUresult.CUDA_ERROR_INVALID_VALUE -> "INVALID_ARGUMENT";
      case CUresult.CUDA_ERROR_NOT_FOUND -> "NOT_FOUND";
      default -> "INTERNAL";
    };
  }
}

package io.edgepipe.vgpu.backend;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.shm.SharedSegment;
import io.edgepipe.vgpu.CopyCheck;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.proto.Arg;
import io.edgepipe.vgpu.proto.Batch;
import io.edgepipe.vgpu.proto.BatchResult;
import io.edgepipe.vgpu.proto.CopyHtoD;
import io.edgepipe.vgpu.proto.ShmRange;
import io.edgepipe.vgpu.proto.Error;
import io.edgepipe.vgpu.proto.Launch;
import io.edgepipe.vgpu.proto.Op;
import io.edgepipe.vgpu.remote.Wire;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One vGPU on the backend: a tenant's session with its quotas and its own handle table. Handles
 * are numbers mapped to the device's pointers per session, so a session can name only what it
 * allocated; they are random 63-bit numbers, so they tell nothing about other sessions (no
 * backend-wide counter to read others' activity from), and another session's handle is NOT_FOUND
 * here rather than a silent mix-up. A batch runs in slices ({@link #runSlice}) so the scheduler
 * can put other tenants' work between them. {@link #runSlice} and {@link #release} run on the
 * device thread only; the counters may be read from any thread.
 */
final class Session {
  /** One vMemory unit: 256 MiB, as in gEdge. */
  static final long VMEM_UNIT = Wire.VMEM_UNIT_BYTES;
  /** Most live buffers a session may hold (each costs table space whatever its size). */
  static final int MAX_BUFFERS = 1 << 16;
  /** Longest module or kernel name accepted (real ones are short; messages quote them). */
  static final int MAX_NAME_CHARS = 128;

  final String id;
  final String tenant;
  final String client;
  final double fgpu;
  final int vmemUnits;
  final long bytesAllowed;
  final FairScheduler.Lane lane;
  /**
   * Set when the stream has ended: the session no longer counts against its tenant's caps, though
   * its memory (and device reservation) stays until {@link #release} has run on the device thread.
   */
  volatile boolean ended;
  /**
   * The segment this session's payloads may go through (mapped at open, same host only), or null;
   * its size is charged to the host budget. Set before the first batch, closed by {@link #release}.
   */
  SharedSegment segment;
  /** How inline payloads are encoded (the client's choice at open). */
  PayloadCodec codec = PayloadCodec.NONE;

  private final Gpu device;
  private final SharedModules modules;
  private final AtomicLong backendBytes;
  private final Map<Long, DevicePtr> ptrs = new HashMap<>();
  private final Map<Long, GpuModule> moduleHandles = new HashMap<>();
  private final Map<Long, GpuFunction> functionHandles = new HashMap<>();
  /** Handles already given for a module name / (module handle, kernel): asking again reuses them. */
  private final Map<String, Long> moduleByName = new HashMap<>();
  private final Map<String, Long> functionByName = new HashMap<>();
  private final java.util.Random handles;
  private final long maxPayload;
  private final AtomicLong bytesInUse = new AtomicLong();
  private final AtomicLong peakBytes = new AtomicLong();
  private final AtomicLong buffers = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong largestMessage = new AtomicLong();

  Session(String id, String tenant, String client, double fgpu, int vmemUnits, FairScheduler.Lane lane,
      Gpu device, SharedModules modules, AtomicLong backendBytes, java.util.Random handles, long maxPayload) {
    this.id = id;
    this.tenant = tenant;
    this.client = client;
    this.fgpu = fgpu;
    this.vmemUnits = vmemUnits;
    this.bytesAllowed = vmemUnits * VMEM_UNIT;
    this.lane = lane;
    this.device = device;
    this.modules = modules;
    this.backendBytes = backendBytes;
    this.handles = handles;
    this.maxPayload = maxPayload;
  }

  long bytesInUse() {
    return bytesInUse.get();
  }

  /** Most device memory the session has held at once. */
  long peakBytesInUse() {
    return peakBytes.get();
  }

  long buffers() {
    return buffers.get();
  }

  long batches() {
    return batches.get();
  }

  /** Notes a message of {@code bytes} received or sent for this session. */
  void noteMessage(long bytes) {
    largestMessage.accumulateAndGet(bytes, Math::max);
  }

  /** Most host and device memory the session made the backend hold at one time, roughly. */
  long largestFootprint() {
    return Math.max(largestMessage.get(), peakBytes.get());
  }

  /** A batch under way: the ops run so far and what they produced. */
  static final class Run {
    final Batch batch;
    final BatchResult.Builder out;
    final List<byte[]> dtoh = new ArrayList<>();
    long replyBytes;
    long busyNanos;
    int next;
    Error error;
    int slices;

    Run(Batch batch) {
      this.batch = batch;
      this.out = BatchResult.newBuilder().setSeq(batch.getSeq());
    }

    boolean done() {
      return error != null || next >= batch.getOpsCount();
    }
  }

  /** Starts {@code batch} (nothing runs yet). */
  Run start(Batch batch) {
    batches.incrementAndGet();
    return new Run(batch);
  }

  /**
   * Runs the batch's next ops in order until they are all done, one fails, or {@code sliceNanos}
   * have passed, then synchronizes the device (so the slice's device time is spent within it).
   * Stops at the first failing op and records it with its index. Returns true when the batch is
   * finished ({@link #finish}).
   */
  boolean runSlice(Run r, long sliceNanos) {
    long t0 = System.nanoTime();
    r.slices++;
    int i = r.next;
    try {
      while (i < r.batch.getOpsCount()) {
        run(r.batch.getOps(i), r);
        i++;
        if (System.nanoTime() - t0 >= sliceNanos) {
          break;
        }
      }
    } catch (GpuException e) {
      r.error = error(e, i);
    } catch (RuntimeException e) {
      r.error = Error.newBuilder().setCode("INTERNAL").setMessage(String.valueOf(e)).setOpIndex(i).build();
    }
    r.next = i;
    try {
      device.synchronize();
    } catch (GpuException e) {
      if (r.error == null) {
        r.error = error(e, -1);
      }
    } catch (RuntimeException e) {
      if (r.error == null) {
        r.error = Error.newBuilder().setCode("INTERNAL").setMessage(String.valueOf(e)).setOpIndex(-1).build();
      }
    }
    r.busyNanos += System.nanoTime() - t0;
    return r.done();
  }

  /** The finished batch's result. */
  BatchResult finish(Run r) {
    r.out.setBusyNanos(r.busyNanos);
    for (byte[] d : r.dtoh) {
      // the array is ours and no longer written: hand it to protobuf without a copy
      r.out.addDtoh(d == null ? ByteString.EMPTY : codec == PayloadCodec.NONE ? UnsafeByteOperations.unsafeWrap(d)
          : codec.encode(d));
    }
    if (r.error != null) {
      r.out.setError(r.error);
    }
    return r.out.build();
  }

  private void run(Op op, Run r) {
    BatchResult.Builder out = r.out;
    switch (op.getKindCase()) {
      case LOAD_MODULE -> {
        String name = name(op.getLoadModule().getName(), "module");
        Long known = moduleByName.get(name);
        if (known == null) {
          GpuModule m = modules.load(name);
          known = newHandle();
          moduleHandles.put(known, m);
          moduleByName.put(name, known);
        }
        out.addHandles(known);
      }
      case GET_FUNCTION -> {
        long mh = op.getGetFunction().getModule();
        GpuModule m = moduleHandles.get(mh);
        if (m == null) {
          throw unknown("module", mh);
        }
        String name = name(op.getGetFunction().getName(), "kernel");
        String key = mh + "/" + name;
        Long known = functionByName.get(key);
        if (known == null) {
          GpuFunction f = modules.function(m, name);
          known = newHandle();
          functionHandles.put(known, f);
          functionByName.put(key, known);
        }
        out.addHandles(known);
      }
      case MALLOC -> out.addHandles(malloc(op.getMalloc().getBytes()));
      case FREE -> free(op.getFree().getPtr());
      case HTOD -> {
        CopyHtoD h = op.getHtod();
        DevicePtr p = ptr(h.getDst());
        long n = h.hasShared() ? h.getShared().getLength() : h.getRawBytes() > 0 ? h.getRawBytes() : h.getData().size();
        CopyCheck.htoD(n, p.bytes());
        // a view of the segment or of the request's bytes: no copy here (the cpu device decodes
        // from it, the cuda device stages it in pinned memory); both outlive the batch
        device.copyHtoDAsync(p, h.hasShared() ? shared(h.getShared(), "copyHtoD").asReadOnlyBuffer()
            : h.getRawBytes() > 0 ? ByteBuffer.wrap(decode(h.getData(), n))
            : h.getData().asReadOnlyByteBuffer());
      }
      case LAUNCH -> launch(op.getLaunch());
      case DTOH -> {
        DevicePtr p = ptr(op.getDtoh().getSrc());
        long n = op.getDtoh().getBytes();
        CopyCheck.dtoH(n, p.bytes());
        if (op.getDtoh().hasShared()) {
          if (op.getDtoh().getShared().getLength() != n) {
            throw new GpuException("INVALID_ARGUMENT", "copyDtoH of " + n + " bytes into a shared-memory place of "
                + op.getDtoh().getShared().getLength() + " bytes");
          }
          device.copyDtoHAsync(shared(op.getDtoh().getShared(), "copyDtoH"), p);
          r.dtoh.add(null); // its place in the reply stays empty
          return;
        }
        r.replyBytes += n;
        if (r.replyBytes > maxPayload) {
          throw new GpuException("INVALID_ARGUMENT", "the batch's copyDtoH data exceeds "
              + maxPayload + " bytes, more than one reply may carry; synchronize more often");
        }
        byte[] d = new byte[(int) n];
        device.copyDtoHAsync(ByteBuffer.wrap(d), p);
        r.dtoh.add(d);
      }
      default -> throw new GpuException("INVALID_ARGUMENT", "empty op");
    }
  }

  private long malloc(long bytes) {
    if (bytes == 0) {
      throw new GpuException("INVALID_ARGUMENT", "malloc of 0 bytes: size must be >= 1");
    }
    if (bytes < 0) { // a uint64 above 2^63: no device has that, and no quota allows it
      throw new GpuException("RESOURCE_EXHAUSTED", "vMemory quota of tenant '" + tenant + "': malloc of "
          + Long.toUnsignedString(bytes) + " bytes refused, " + bytesAllowed + " bytes allowed");
    }
    if (ptrs.size() >= MAX_BUFFERS) {
      throw new GpuException("RESOURCE_EXHAUSTED", "session holds " + ptrs.size() + " buffers, at most " + MAX_BUFFERS
          + " are allowed; free some first");
    }
    long used = bytesInUse.get();
    if (bytes > bytesAllowed - used) {
      throw new GpuException("RESOURCE_EXHAUSTED", "vMemory quota of tenant '" + tenant + "': malloc of "
          + bytes + " bytes refused, " + used + " bytes in use, " + bytesAllowed + " bytes allowed ("
          + vmemUnits + " x 256 MiB)");
    }
    DevicePtr p = device.malloc(bytes);
    long h = newHandle();
    ptrs.put(h, p);
    peakBytes.accumulateAndGet(bytesInUse.addAndGet(bytes), Math::max);
    backendBytes.addAndGet(bytes);
    buffers.incrementAndGet();
    return h;
  }

  private void free(long handle) {
    DevicePtr p = ptrs.remove(handle);
    if (p == null) {
      throw unknown("buffer", handle);
    }
    bytesInUse.addAndGet(-p.bytes());
    backendBytes.addAndGet(-p.bytes());
    buffers.decrementAndGet();
    device.free(p);
  }

  private void launch(Launch l) {
    GpuFunction f = functionHandles.get(l.getFunction());
    if (f == null) {
      throw unknown("function", l.getFunction());
    }
    KernelArgs args = KernelArgs.of();
    for (int i = 0; i < l.getArgsCount(); i++) {
      Arg a = l.getArgs(i);
      switch (a.getKindCase()) {
        case PTR -> {
          DevicePtr p = ptrs.get(a.getPtr());
          if (p == null) {
            throw new GpuException("NOT_FOUND", f.name() + " argument " + i + ": no buffer with handle "
                + a.getPtr() + " in this session");
          }
          args.ptr(p);
        }
        case I32 -> args.i32(a.getI32());
        default -> throw new GpuException("INVALID_ARGUMENT", f.name() + " argument " + i + " is empty");
      }
    }
    device.launch(f, dim(l.getGrid()), dim(l.getBlock()), args);
  }

  /** The segment's bytes at {@code place}, or INVALID_ARGUMENT when there is no segment or it lies outside. */
  private ByteBuffer shared(ShmRange place, String what) {
    if (segment != null && segment.shortened()) {
      throw new GpuException("INVALID_ARGUMENT", what + ": the session's shared-memory segment was shortened by its "
          + "client after the backend mapped it");
    }
    ByteBuffer view = segment == null ? null : segment.view(place.getOffset(), place.getLength());
    if (view == null) {
      throw new GpuException("INVALID_ARGUMENT", what + " names shared-memory bytes " + Long.toUnsignedString(place.getOffset())
          + "+" + Long.toUnsignedString(place.getLength()) + (segment == null ? ", but the session has no segment"
              : ", outside the session's segment of " + segment.bytes() + " bytes"));
    }
    return view;
  }

  /** An HtoD payload in the session's codec, decoded to exactly {@code raw} bytes. */
  private byte[] decode(ByteString data, long raw) {
    if (codec == PayloadCodec.NONE) {
      throw new GpuException("INVALID_ARGUMENT", "copyHtoD declares raw_bytes but the session has no codec");
    }
    if (raw > maxPayload) { // what it decodes to is held in host memory: bounded like a message
      throw new GpuException("INVALID_ARGUMENT", "copyHtoD declares " + raw + " raw bytes, more than the "
          + maxPayload + " one message may carry");
    }
    try {
      return codec.decode(data, (int) raw);
    } catch (PayloadCodec.CorruptPayloadException e) {
      throw new GpuException("INVALID_ARGUMENT", "copyHtoD: " + e.getMessage());
    }
  }

  /** Frees everything the session holds (its end: close, cancel or lost connection). */
  void release() {
    if (segment != null) {
      segment.close(); // on the device thread, after the last slice: no view of it is in use
    }
    for (DevicePtr p : ptrs.values()) {
      try {
        device.free(p);
      } catch (GpuException e) {
        // keep freeing the rest; the device is what it is
      }
      backendBytes.addAndGet(-p.bytes());
    }
    ptrs.clear();
    bytesInUse.set(0);
    buffers.set(0);
    moduleHandles.clear();
    functionHandles.clear();
    moduleByName.clear();
    functionByName.clear();
  }

  /** A handle not in use in this session: random, positive, never 0. */
  private long newHandle() {
    while (true) {
      long h = handles.nextLong() & Long.MAX_VALUE;
      if (h != 0 && !ptrs.containsKey(h) && !moduleHandles.containsKey(h) && !functionHandles.containsKey(h)) {
        return h;
      }
    }
  }

  private static String name(String n, String what) {
    if (n.isEmpty() || n.length() > MAX_NAME_CHARS) {
      throw new GpuException("INVALID_ARGUMENT", what + " name must have 1 to " + MAX_NAME_CHARS + " characters, got "
          + n.length());
    }
    return n;
  }

  private DevicePtr ptr(long handle) {
    DevicePtr p = ptrs.get(handle);
    if (p == null) {
      throw unknown("buffer", handle);
    }
    return p;
  }

  private static Dim3 dim(io.edgepipe.vgpu.proto.Dim3 d) {
    return new Dim3(d.getX(), d.getY(), d.getZ());
  }

  private static GpuException unknown(String what, long handle) {
    return new GpuException("NOT_FOUND", "no " + what + " with handle " + handle + " in this session");
  }

  private static Error error(GpuException e, int index) {
    String msg = e.getMessage();
    String prefix = e.code() + ": ";
    if (msg != null && msg.startsWith(prefix)) {
      msg = msg.substring(prefix.length());
    }
    return Error.newBuilder().setCode(e.code()).setMessage(String.valueOf(msg)).setOpIndex(index).build();
  }
}

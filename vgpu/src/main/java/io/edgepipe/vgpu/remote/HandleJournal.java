package io.edgepipe.vgpu.remote;

import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.proto.Batch;
import io.edgepipe.vgpu.proto.BatchResult;
import io.edgepipe.vgpu.proto.CopyHtoD;
import io.edgepipe.vgpu.proto.GetFunction;
import io.edgepipe.vgpu.proto.LoadModule;
import io.edgepipe.vgpu.proto.Malloc;
import io.edgepipe.vgpu.proto.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a {@link RemoteGpu} holds on the backend, by the device's own handles, and what a new
 * session needs to look like the old one: loaded modules and functions, live buffers, and the
 * contents of buffers last written by blocking copies (up to {@link RemoteGpu#JOURNAL_LIMIT}
 * bytes). It maps the device's handles to the current session's, and {@link #replay} rebuilds
 * everything on a new session.
 */
final class HandleJournal {
  private final String displayName;
  private final Map<Long, String> modules = new LinkedHashMap<>();
  private final Map<Long, FunctionRec> functions = new LinkedHashMap<>();
  private final Map<Long, Buf> buffers = new LinkedHashMap<>();
  /** This device's handles to the current session's. */
  private final Map<Long, Long> backendHandles = new HashMap<>();
  private long journalBytes;
  private long bytesInUse;
  private long peakBytesInUse;

  HandleJournal(String displayName) {
    this.displayName = displayName;
  }

  boolean hasModule(long handle) {
    return modules.containsKey(handle);
  }

  boolean hasFunction(long handle) {
    return functions.containsKey(handle);
  }

  /** Size in bytes of live buffer {@code handle}, or -1 if there is none. */
  long bufferBytes(long handle) {
    Buf b = buffers.get(handle);
    return b == null ? -1 : b.bytes;
  }

  /** Bytes kept for buffer {@code handle} (0 if none). */
  long keptBytes(long handle) {
    Buf b = buffers.get(handle);
    return b == null ? 0 : b.keptBytes();
  }

  long journalBytes() {
    return journalBytes;
  }

  long bytesInUse() {
    return bytesInUse;
  }

  long peakBytesInUse() {
    return peakBytesInUse;
  }

  /** The current session's handle for this device's {@code handle}. */
  long backend(long handle) {
    Long h = backendHandles.get(handle);
    if (h == null) {
      throw new GpuException("NOT_FOUND", "handle " + handle + " has no object in the current session of "
          + displayName);
    }
    return h;
  }

  /** Records the effect of the first {@code ran} calls, which the backend executed. */
  void record(List<Call> calls, int ran, BatchResult r) {
    int handle = 0;
    for (int i = 0; i < ran; i++) {
      Call c = calls.get(i);
      if (c instanceof Call.LoadModuleCall m) {
        modules.put(m.handle(), m.name());
        backendHandles.put(m.handle(), r.getHandles(handle++));
      } else if (c instanceof Call.FunctionCall f) {
        functions.put(f.handle(), new FunctionRec(f.module(), f.name()));
        backendHandles.put(f.handle(), r.getHandles(handle++));
      } else if (c instanceof Call.MallocCall m) {
        buffers.put(m.handle(), new Buf(m.bytes()));
        backendHandles.put(m.handle(), r.getHandles(handle++));
        bytesInUse += m.bytes();
        peakBytesInUse = Math.max(peakBytesInUse, bytesInUse);
      } else if (c instanceof Call.FreeCall f) {
        Buf b = buffers.remove(f.handle());
        backendHandles.remove(f.handle());
        if (b != null) {
          bytesInUse -= b.bytes;
          journalBytes -= b.keptBytes();
        }
      } else if (c instanceof Call.HtoDCall h) {
        written(h.dst(), h.data().size(), h.keep());
      } else if (c instanceof Call.LaunchCall l) {
        for (long p : l.written()) {
          written(p, -1, null);
        }
      }
    }
  }

  /** Journal effect of a write of {@code n} bytes (-1: by a kernel) to buffer {@code handle}. */
  private void written(long handle, int n, byte[] keep) {
    Buf b = buffers.get(handle);
    if (b == null) {
      return;
    }
    if (keep != null && (n >= b.bytes || b.state == State.UNDEFINED || b.state == State.KEPT)
        && journalBytes - b.keptBytes() + Math.max(n, b.keptBytes()) <= RemoteGpu.JOURNAL_LIMIT) {
      byte[] merged = keep;
      if (b.state == State.KEPT && b.kept.length > n) {
        merged = b.kept; // a shorter write over kept contents: the tail stays as it was
        System.arraycopy(keep, 0, merged, 0, n);
      }
      journalBytes += merged.length - b.keptBytes();
      b.kept = merged;
      b.state = State.KEPT;
      return;
    }
    journalBytes -= b.keptBytes();
    b.kept = null;
    // a kernel's output or a full overwrite makes lost contents whole again; a partial copy
    // leaves the rest of a lost buffer lost
    boolean whole = n < 0 || n >= b.bytes;
    b.state = whole || b.state != State.LOST ? State.VOLATILE : State.LOST;
  }

  /** Refuses a batch that reads a buffer whose contents were lost with an old session. */
  void checkLostReads(List<Call> calls) {
    boolean anyLost = false;
    for (Buf b : buffers.values()) {
      if (b.state == State.LOST) {
        anyLost = true;
        break;
      }
    }
    if (!anyLost) {
      return;
    }
    Set<Long> rewritten = new HashSet<>();
    for (Call c : calls) {
      for (long h : c.read()) {
        Buf b = buffers.get(h);
        if (b != null && b.state == State.LOST && !rewritten.contains(h)) {
          throw new GpuException("UNAVAILABLE", displayName + ": the vgpu backend restarted and device buffer "
              + h + " (" + b.bytes + " bytes) lost its contents with the old session; " + c.describe()
              + " reads it: write it again (copyHtoD) first. The session itself was re-established.");
        }
      }
      if (c instanceof Call.HtoDCall h) {
        Buf b = buffers.get(h.dst());
        if (b != null && h.data().size() >= b.bytes) {
          rewritten.add(h.dst());
        }
      } else if (c instanceof Call.LaunchCall l) {
        for (long h : l.written()) {
          rewritten.add(h);
        }
      }
    }
  }

  /** The session is gone: its handles are void, and contents not kept are lost. */
  void sessionLost() {
    backendHandles.clear();
    for (Buf b : buffers.values()) {
      if (b.state == State.VOLATILE) {
        b.state = State.LOST;
      }
    }
  }

  /** One line for the log: what a replay restored. */
  String summary() {
    return modules.size() + " module(s), " + functions.size() + " function(s), " + buffers.size()
        + " buffer(s) restored, " + journalBytes + " bytes of constants re-uploaded";
  }

  /**
   * Rebuilds the journal's objects on {@code link}'s new session: modules and buffers in one
   * message, then (they need the modules' new handles) functions and kept contents in a second.
   */
  void replay(SessionLink link) {
    if (modules.isEmpty() && buffers.isEmpty()) {
      return;
    }
    Batch.Builder b = Batch.newBuilder().setSeq(link.nextSeq());
    List<Long> order = new ArrayList<>();
    for (Map.Entry<Long, String> m : modules.entrySet()) {
      b.addOps(Op.newBuilder().setLoadModule(LoadModule.newBuilder().setName(m.getValue())));
      order.add(m.getKey());
    }
    for (Map.Entry<Long, Buf> e : buffers.entrySet()) {
      b.addOps(Op.newBuilder().setMalloc(Malloc.newBuilder().setBytes(e.getValue().bytes)));
      order.add(e.getKey());
    }
    sendReplay(link, b.build(), order);
    Batch.Builder second = Batch.newBuilder().setSeq(link.nextSeq());
    List<Long> fnOrder = new ArrayList<>();
    for (Map.Entry<Long, FunctionRec> f : functions.entrySet()) {
      second.addOps(Op.newBuilder().setGetFunction(GetFunction.newBuilder()
          .setModule(backend(f.getValue().module())).setName(f.getValue().name())));
      fnOrder.add(f.getKey());
    }
    for (Map.Entry<Long, Buf> e : buffers.entrySet()) {
      Buf buf = e.getValue();
      if (buf.state == State.KEPT) {
        second.addOps(Op.newBuilder().setHtod(CopyHtoD.newBuilder().setDst(backend(e.getKey()))
            .setData(UnsafeByteOperations.unsafeWrap(buf.kept))));
      }
    }
    if (second.getOpsCount() > 0) {
      sendReplay(link, second.build(), fnOrder);
    }
  }

  /** Sends one replay batch and maps {@code order}'s handles to the handles it created. */
  private void sendReplay(SessionLink link, Batch batch, List<Long> order) {
    try (SessionLink.Reply reply = link.send(batch)) {
      BatchResult r = reply.result(batch);
      if (r.hasError()) {
        throw new GpuException(r.getError().getCode(), "replaying the journal on the new session: "
            + r.getError().getMessage());
      }
      for (int i = 0; i < order.size(); i++) {
        backendHandles.put(order.get(i), r.getHandles(i));
      }
    }
  }

  private enum State {
    /** Never written: contents undefined, nothing to restore. */
    UNDEFINED,
    /** Last written by blocking copies whose bytes are kept: restored on a new session. */
    KEPT,
    /** Written by async copies or kernels: lost if the session is. */
    VOLATILE,
    /** Was VOLATILE when the session was lost: reading it before writing it is an error. */
    LOST
  }

  private static final class Buf {
    final long bytes;
    State state = State.UNDEFINED;
    byte[] kept;

    Buf(long bytes) {
      this.bytes = bytes;
    }

    long keptBytes() {
      return kept == null ? 0 : kept.length;
    }
  }

  private record FunctionRec(long module, String name) {}
}

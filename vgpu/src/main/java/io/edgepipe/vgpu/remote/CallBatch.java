package io.edgepipe.vgpu.remote;

import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.proto.Batch;
import java.util.ArrayList;
import java.util.List;

/**
 * The calls {@link RemoteGpu} has queued for its next message, with the payload bytes they carry
 * each way, so the device can send early before a batch would pass the backend's message or op
 * limit.
 */
final class CallBatch {
  /** Calls taken off the queue to be sent, with the HtoD bytes they carry. */
  record Queued(List<Call> calls, long bytesUp) {}

  private final List<Call> pending = new ArrayList<>();
  private long pendingUp;
  private long pendingDown;

  void add(Call call) {
    pending.add(call);
  }

  /** Queues a copy carrying {@code up} bytes to the device and {@code down} bytes back. */
  void add(Call call, long up, long down) {
    pending.add(call);
    pendingUp += up;
    pendingDown += down;
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  /**
   * True when one more call, a copy of up/down payload bytes, would not fit beside what is queued
   * (send the queue first): the batch would pass {@code maxPayload} bytes either way or
   * {@code maxOps} ops (0: no limit).
   *
   * @throws GpuException INVALID_ARGUMENT for a single copy larger than a message can carry
   */
  boolean full(long up, long down, long maxPayload, int maxOps) {
    if (up > maxPayload || down > maxPayload) {
      throw new GpuException("INVALID_ARGUMENT", "a single copy of " + Math.max(up, down)
          + " bytes exceeds the vGPU message limit of " + maxPayload + " bytes");
    }
    return pendingUp + up > maxPayload || pendingDown + down > maxPayload
        || (maxOps > 0 && pending.size() >= maxOps);
  }

  /** Empties the queue, handing back what was in it. */
  Queued take() {
    Queued q = new Queued(new ArrayList<>(pending), pendingUp);
    clear();
    return q;
  }

  void clear() {
    pending.clear();
    pendingUp = 0;
    pendingDown = 0;
  }

  /** The batch message for {@code calls}, in the current session's handles, payloads placed by {@code payloads}. */
  static Batch translate(List<Call> calls, long seq, HandleJournal handles, PayloadLink payloads) {
    Batch.Builder b = Batch.newBuilder().setSeq(seq);
    payloads.startBatch();
    for (Call c : calls) {
      b.addOps(c.toOp(handles, payloads));
    }
    return b.build();
  }
}

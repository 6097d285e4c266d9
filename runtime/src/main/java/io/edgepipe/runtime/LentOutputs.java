package io.edgepipe.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.vgpu.Gpu;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The outputs a processor lends ({@link FrameProcessor#processLending}): payloads that are views
 * of its device's host buffers which the device writes in place (a vGPU whose backend shares this
 * host: regions of the session's shared memory), each held until its frame's custody ends
 * ({@link FrameProcessor#outputDone}), only then given back to the device and reused.
 *
 * <p>Custody ends on whatever thread the next hop's answer arrives on, while the device is not
 * thread-safe and belongs to the stage's compute thread: a buffer given back is queued here and
 * freed by the compute thread before its next frame ({@link #buffer}).
 *
 * <p>Services of one JVM hand frames to each other by reference ({@link SameJvmHops}), so a
 * receiver that keeps its input must copy a lent payload, as it copies one that borrows the
 * transport's buffers: {@link #isLent} tells, for the lent payloads of every processor here.
 */
final class LentOutputs implements AutoCloseable {
  /** Payloads lent in this JVM and not yet done with, by identity (ByteString equality reads the bytes). */
  private static final Set<ByteString> LENT = Collections.newSetFromMap(Collections.synchronizedMap(new IdentityHashMap<>()));

  private final Gpu gpu;
  /** This processor's lent payloads, each with the host buffer it views. */
  private final Map<ByteString, ByteBuffer> held = Collections.synchronizedMap(new IdentityHashMap<>());
  /** Host buffers whose custody ended, to free on the compute thread. */
  private final Queue<ByteBuffer> returned = new ConcurrentLinkedQueue<>();

  LentOutputs(Gpu gpu) {
    this.gpu = gpu;
  }

  /**
   * A host buffer of {@code bytes} that the device writes in place, or null when it has none
   * (another device, no shared memory, or no room left: outputs still held take it). Compute thread.
   */
  ByteBuffer buffer(int bytes) {
    freeReturned();
    return gpu.hostBufferInPlace(bytes) ? gpu.hostBuffer(bytes) : null;
  }

  /** {@code buffer} (position to limit, written by the device) as a read-only payload, lent until {@link #done}. */
  ByteString lend(ByteBuffer buffer) {
    ByteString payload = UnsafeByteOperations.unsafeWrap(buffer.asReadOnlyBuffer());
    held.put(payload, buffer);
    LENT.add(payload);
    return payload;
  }

  /** A buffer of {@link #buffer} that was never lent (its computation failed): back at once. Compute thread. */
  void giveBack(ByteBuffer buffer) {
    gpu.freeHost(buffer);
  }

  /** Nobody reads {@code payload} any more; ignored unless it is lent by this processor. Any thread. */
  void done(ByteString payload) {
    ByteBuffer buffer = held.remove(payload);
    if (buffer != null) {
      LENT.remove(payload);
      returned.add(buffer);
    }
  }

  /** Frees the buffers whose custody has ended. Compute thread. */
  void freeReturned() {
    for (ByteBuffer b = returned.poll(); b != null; b = returned.poll()) {
      gpu.freeHost(b);
    }
  }

  /** Outputs lent and not yet done with. */
  int outstanding() {
    return held.size();
  }

  /** Whether {@code payload} is lent by some processor of this JVM and still in custody. */
  static boolean isLent(ByteString payload) {
    return !LENT.isEmpty() && LENT.contains(payload);
  }

  /**
   * Frees what came back. Outputs still lent (a stage stopped with frames unanswered) are not
   * freed: whoever holds one may still read it, and the device keeps the memory a held host
   * buffer views readable after it closes ({@link Gpu#hostBuffer}).
   */
  @Override
  public void close() {
    freeReturned();
    synchronized (held) {
      held.keySet().forEach(LENT::remove); // forgotten here: its memory lives as long as its last reader
      held.clear();
    }
  }
}

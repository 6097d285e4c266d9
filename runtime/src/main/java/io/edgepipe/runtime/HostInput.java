package io.edgepipe.runtime;

import com.google.protobuf.ByteString;
import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.vgpu.Gpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Where a compute service receives a frame's payload: into a host buffer of its device
 * ({@link Gpu#hostBuffer}) when that spares a copy, the input counterpart of
 * {@link Downstream#reserveOutput}.
 * <ul>
 *   <li>A device that reads its host buffers in place (a vGPU whose backend shares this host,
 *       {@link Gpu#hostBufferInPlace}): the payload is copied once, here, into a region of the
 *       session's shared memory, and the device's client copies nothing on the way in. A region
 *       per frame, given back once the frame is computed, so a backend restart's new segment is
 *       used from the next frame on.
 *   <li>A payload scattered over the transport's buffers (a gRPC hop parsed in place): it must be
 *       gathered anyway, so it is gathered straight into the device's host memory (one direct
 *       buffer kept for the next frames) instead of a fresh heap array per frame.
 *   <li>Otherwise (one flat buffer, a device that copies from any memory alike): handed to the
 *       layer where it lies, no copy; so is a compressed payload, which is decoded.
 * </ul>
 * Used by one service, one frame at a time ({@link LayerProcessor} runs under the stage's compute lock).
 */
final class HostInput implements AutoCloseable {
  private final Gpu gpu;
  private ByteBuffer kept;   // the reused buffer for scattered payloads, or null
  private ByteBuffer lent;   // this frame's in-place region, given back by release(), or null

  HostInput(Gpu gpu) {
    this.gpu = gpu;
  }

  /** The payload of a validated frame as raw CHW bytes (little-endian, position to limit). */
  ByteBuffer receive(String service, Frame in) {
    ByteString data = in.getData();
    boolean inPlace = gpu.hostBufferInPlace(data.size());
    if (PayloadCodec.of(in) != PayloadCodec.NONE || data.isEmpty() || !(inPlace || scattered(data))) {
      return PayloadCodecs.input(service, in);
    }
    ByteBuffer into;
    if (inPlace) {
      release();
      lent = gpu.hostBuffer(data.size());
      into = lent.duplicate();
    } else {
      if (kept == null || kept.capacity() < data.size()) {
        freeKept();
        kept = gpu.hostBuffer(data.size());
      }
      into = kept.duplicate();
    }
    into.clear().limit(data.size());
    data.copyTo(into); // the one copy on the way in
    return into.flip().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The frame is computed: its in-place region goes back to the device. */
  void release() {
    if (lent != null) {
      gpu.freeHost(lent);
      lent = null;
    }
  }

  /**
   * Whether the payload lies in more than one buffer (a rope over network buffers), so that reading
   * it as one buffer would copy it anyway.
   */
  private static boolean scattered(ByteString data) {
    return data.asReadOnlyByteBufferList().size() > 1;
  }

  private void freeKept() {
    if (kept != null) {
      gpu.freeHost(kept);
      kept = null;
    }
  }

  @Override
  public void close() {
    release();
    freeKept();
  }
}

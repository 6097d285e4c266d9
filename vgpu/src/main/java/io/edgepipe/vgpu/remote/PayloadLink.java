package io.edgepipe.vgpu.remote;

import com.google.protobuf.ByteString;
import io.edgepipe.api.LoopbackTarget;
import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.shm.SharedSegment;
import io.edgepipe.vgpu.GpuException;
import io.edgepipe.vgpu.proto.CopyDtoH;
import io.edgepipe.vgpu.proto.CopyHtoD;
import io.edgepipe.vgpu.proto.ShmRange;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * How the client side of a session moves one batch's payloads: through the session's
 * shared-memory segment when the backend mapped one (same host: the payload is copied once into
 * the segment, the op carries its place), else inline in the message, encoded with the session's
 * codec. The segment is laid out afresh for every batch (a session has one batch in flight), HtoD
 * payloads and DtoH places from its start; what does not fit goes inline. A copy from or into one
 * of the caller's host buffers ({@link HostArea}, at the segment's top) needs no copy at all: the
 * op names the buffer's place and the backend reads or writes it there.
 */
final class PayloadLink implements AutoCloseable {
  /** Segment kind: a backend maps only segments of this kind. */
  static final String SEGMENT_KIND = "vgpu";

  private final PayloadCodec codec;
  private SharedSegment segment;
  /** The part of the segment the backend mapped (from its start). */
  private long usable;
  private long used;
  /** The host buffers handed out of the current segment, or null without one. */
  private HostArea host;
  /**
   * Host areas of earlier sessions' segments whose buffers the caller still holds: kept mapped
   * until freed (copies from them now take the ordinary path); at close, left to the collector.
   */
  private final List<HostArea> retired = new ArrayList<>();
  /** Where each DtoH op of the batch being built puts its result, in op order; null for an inline one. */
  private final List<Place> dtohPlaces = new ArrayList<>();
  private long sharedBytes;
  private long inPlaceBytes;
  private long inlineBytes;

  PayloadLink(PayloadCodec codec) {
    this.codec = codec;
  }

  /**
   * A new segment to offer at open to a backend at {@code host}, or null: none wanted, shared
   * memory missing here, or a backend not behind this host's loopback. Segments are named by the
   * creator's pid, and pids repeat across hosts and pid namespaces, so a backend elsewhere could
   * hold a file of the same name and map the wrong one: only loopback is surely this host.
   */
  static SharedSegment offer(LinkOptions options, String host) {
    if (options.shmBytes() <= 0 || !LoopbackTarget.isLoopback(host)) {
      return null;
    }
    return SharedSegment.create(SEGMENT_KIND, options.shmBytes());
  }

  /** A DtoH result's place; {@code inPlace}: a caller's host buffer, read where the backend wrote it. */
  private record Place(ShmRange range, boolean inPlace) {}

  /** The session changed: {@code mapped} is its segment (the backend mapped its first {@code bytes}), or null. */
  void useSegment(SharedSegment mapped, long bytes) {
    if (segment != null && segment != mapped) {
      if (host != null && !host.isEmpty()) {
        retired.add(host); // the caller still holds buffers in it: keep it mapped until they are freed
      } else {
        segment.close(); // the old session is gone: nothing reads it any more
      }
    }
    segment = mapped;
    usable = mapped == null ? 0 : Math.min(bytes, mapped.bytes());
    host = mapped == null ? null : new HostArea(mapped, usable);
  }

  /** A host buffer in the segment (see {@link RemoteGpu#hostBuffer}), or null: no segment, or no room. */
  ByteBuffer hostBuffer(int bytes) {
    return host == null ? null : host.allocate(bytes);
  }

  /** Gives back a buffer {@link #hostBuffer} handed out; false if it is not one (a direct buffer, say). */
  boolean freeHost(ByteBuffer b) {
    if (host != null && host.free(b)) {
      return true;
    }
    for (HostArea old : retired) {
      if (old.free(b)) {
        if (old.isEmpty()) {
          retired.remove(old);
          old.segment().close();
        }
        return true;
      }
    }
    return false;
  }

  /** Whether {@link #hostBuffer} of {@code bytes} would now be a region of the mapped segment, read and written in place. */
  boolean hostBufferInPlace(int bytes) {
    return host != null && host.fits(bytes);
  }

  boolean shared() {
    return segment != null;
  }

  PayloadCodec codec() {
    return codec;
  }

  /** Payload bytes that went through the segment, both ways. */
  long sharedBytes() {
    return sharedBytes;
  }

  /** Of {@link #sharedBytes}, those read or written in the caller's host buffers (no client copy). */
  long inPlaceBytes() {
    return inPlaceBytes;
  }

  /** Payload bytes that went inline, both ways (before encoding). */
  long inlineBytes() {
    return inlineBytes;
  }

  /** A new batch is being built: the segment is free again (the previous reply was consumed). */
  void startBatch() {
    used = 0;
    dtohPlaces.clear();
  }

  /**
   * The HtoD op for {@code data}: in place if {@code source} (the caller's buffer, or null) is one
   * of its host buffers, else copied into the segment if it fits, else inline (encoded).
   */
  CopyHtoD.Builder htod(long dst, ByteString data, ByteBuffer source) {
    CopyHtoD.Builder b = CopyHtoD.newBuilder().setDst(dst);
    ShmRange own = host == null || source == null ? null : host.place(source);
    if (own != null) {
      sharedBytes += data.size();
      inPlaceBytes += data.size();
      return b.setShared(own); // no copy: the backend reads the caller's buffer where it is
    }
    ShmRange place = take(data.size());
    if (place != null) {
      data.copyTo(segment.view(place.getOffset(), place.getLength())); // the one copy
      sharedBytes += data.size();
      return b.setShared(place);
    }
    inlineBytes += data.size();
    if (codec == PayloadCodec.NONE || data.isEmpty()) {
      return b.setData(data);
    }
    byte[] raw = data.toByteArray();
    return b.setData(codec.encode(raw)).setRawBytes(raw.length);
  }

  /**
   * The DtoH op for {@code bytes} into {@code dst} (the caller's buffer): the backend writes it in
   * place if {@code dst} is one of its host buffers, else into a place in the segment if it fits.
   */
  CopyDtoH.Builder dtoh(long src, int bytes, ByteBuffer dst) {
    CopyDtoH.Builder b = CopyDtoH.newBuilder().setSrc(src).setBytes(bytes);
    ShmRange own = host == null || dst == null || dst.remaining() != bytes ? null : host.place(dst);
    if (own != null) {
      dtohPlaces.add(new Place(own, true));
      return b.setShared(own);
    }
    ShmRange place = take(bytes);
    dtohPlaces.add(place == null ? null : new Place(place, false));
    return place == null ? b : b.setShared(place);
  }

  /**
   * Delivers the result of the batch's {@code index}-th DtoH op into {@code dst} (a duplicate of
   * the caller's buffer): from the segment, or from the reply's data (decoded).
   */
  void deliver(int index, ByteString data, ByteBuffer dst) {
    Place place = index < dtohPlaces.size() ? dtohPlaces.get(index) : null;
    int n = dst.remaining();
    if (place != null) {
      if (!data.isEmpty() || place.range().getLength() != n) {
        throw new GpuException("INTERNAL", "backend answered a shared-memory copyDtoH with " + data.size() + " inline bytes");
      }
      if (place.inPlace()) {
        inPlaceBytes += n;
      } else {
        dst.put(segment.view(place.range().getOffset(), n)); // the one copy
      }
      sharedBytes += n;
      return;
    }
    inlineBytes += n;
    if (codec == PayloadCodec.NONE) {
      if (data.size() != n) {
        throw new GpuException("INTERNAL", "backend returned " + data.size() + " bytes for a copy of " + n);
      }
      data.copyTo(dst);
      return;
    }
    try {
      dst.put(codec.decode(data, n));
    } catch (PayloadCodec.CorruptPayloadException e) {
      throw new GpuException("INTERNAL", "backend's " + codec.label() + " copyDtoH result: " + e.getMessage());
    }
  }

  private ShmRange take(long bytes) {
    long at = (used + 63) & ~63L; // cache-line aligned places copy faster
    long end = host == null ? usable : host.floor(); // below the caller's host buffers
    if (segment == null || bytes < 1 || at > end || bytes > end - at) {
      return null;
    }
    used = at + bytes;
    return ShmRange.newBuilder().setOffset(at).setLength(bytes).build();
  }

  /**
   * Unmaps every segment in which the caller holds no host buffer. One in which it still holds some
   * (a stage's output lent down the chain whose custody has not ended, e.g. a stage killed with
   * frames unanswered) is left mapped until those buffers are collected: a holder may still read
   * one, and unmapping memory under a reader would crash the JVM; nothing writes it any more. Its
   * name is gone already (the backend unlinked it when it mapped it), so /dev/shm keeps nothing.
   */
  @Override
  public void close() {
    if (host != null && !host.isEmpty()) {
      segment = null; // left to the collector with the buffers that view it
    }
    host = null;
    useSegment(null, 0);
    retired.clear(); // each still has buffers held (an empty one is unmapped when its last is freed)
  }
}

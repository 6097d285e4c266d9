package io.edgepipe.vgpu.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PayloadCodec;
import io.edgepipe.api.shm.SharedMemory;
import io.edgepipe.api.shm.SharedSegment;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Dim3;
import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.KernelArgs;
import io.edgepipe.vgpu.KernelCatalog;
import io.edgepipe.vgpu.cpu.CpuGpu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Host buffers of a vGPU with a backend on this host ({@link RemoteGpu#hostBuffer}): regions of the
 * session's segment that copies read and write in place (no client copy), with the same results as
 * the local device and as ordinary buffers; the segment's batch area stays below them; buffers of a
 * lost session's segment stay valid and are copied like any other.
 */
class HostBufferTest extends OnLoopbackBackend {

  /** ReLU of {@code in} into {@code out} the way a stage runs a frame: upload, launch, download, one sync. */
  private static void relu(Gpu gpu, ByteBuffer in, ByteBuffer out) {
    int n = in.remaining() / 4;
    DevicePtr a = gpu.malloc(4L * n);
    DevicePtr b = gpu.malloc(4L * n);
    GpuFunction f = gpu.function(gpu.loadModule(KernelCatalog.MODULE), KernelCatalog.RELU_F32);
    gpu.copyHtoDAsync(a, in);
    gpu.launch(f, KernelCatalog.gridFor(n), Dim3.of(KernelCatalog.BLOCK), KernelArgs.of().ptr(a).ptr(b).i32(n));
    gpu.copyDtoHAsync(out, b);
    gpu.synchronize();
    gpu.free(a);
    gpu.free(b);
  }

  private static ByteBuffer floats(int n, long seed) {
    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      b.putFloat((float) r.nextDouble(-1, 1));
    }
    return b.flip();
  }

  @Test
  void copiesFromAndIntoHostBuffersRunInPlaceWithTheLocalResults() {
    int n = 300_001;
    ByteBuffer input = floats(n, 3);
    ByteBuffer expected = ByteBuffer.allocate(4 * n);
    try (CpuGpu cpu = new CpuGpu()) {
      relu(cpu, input.duplicate(), expected);
    }
    try (Gpu gpu = open("")) {
      RemoteGpu remote = (RemoteGpu) gpu;
      assertTrue(remote.sharedMemory(), remote.sharedMemoryDeclined());
      ByteBuffer in = gpu.hostBuffer(4 * n);
      ByteBuffer out = gpu.hostBuffer(4 * n);
      assertEquals(4 * n, in.remaining());
      assertEquals(ByteOrder.LITTLE_ENDIAN, in.order());
      in.duplicate().put(input.duplicate());
      long trips = remote.roundTrips();
      long inPlace = remote.bytesInPlace();
      relu(gpu, in.duplicate(), out.duplicate());
      assertEquals(expected, out, "output written in place differs from the local device's");
      assertEquals(8L * n, remote.bytesInPlace() - inPlace, "both payloads in place, no client copy");

      // a part of a host buffer (position/limit, a slice) is in place too; a heap buffer is copied
      ByteBuffer part = in.duplicate().position(4 * 1000).limit(4 * 3000).slice();
      ByteBuffer heapOut = ByteBuffer.allocate(4 * 2000);
      inPlace = remote.bytesInPlace();
      relu(gpu, part, heapOut);
      assertEquals(expected.duplicate().position(4 * 1000).limit(4 * 3000), heapOut);
      assertEquals(4L * 2000, remote.bytesInPlace() - inPlace, "the slice in place, the heap output copied");
      gpu.freeHost(in);
      gpu.freeHost(out);
    }
  }

  @Test
  void hostBuffersTakeAtMostHalfTheSegmentAndComeBackWhenFreed() {
    try (Gpu gpu = open("&shm=16")) {
      RemoteGpu remote = (RemoteGpu) gpu;
      ByteBuffer a = gpu.hostBuffer(6 << 20);
      ByteBuffer b = gpu.hostBuffer(4 << 20); // 10 MiB > half of 16: direct memory instead
      ByteBuffer in = ByteBuffer.allocateDirect(4 << 20);
      ByteBuffer out = ByteBuffer.allocateDirect(4 << 20);
      long inPlace = remote.bytesInPlace();
      relu(gpu, b.duplicate(), out);
      assertEquals(0, remote.bytesInPlace() - inPlace, "a buffer past the half is not the segment's");
      // a batch's own payloads still fit below the host buffers (6 MiB at the top, 8 MiB below)
      long shared = remote.bytesShared();
      relu(gpu, in, out);
      assertEquals(8L << 20, remote.bytesShared() - shared, "batch payloads through the segment, below the host buffers");
      gpu.freeHost(a);
      ByteBuffer c = gpu.hostBuffer(7 << 20);
      inPlace = remote.bytesInPlace();
      relu(gpu, c.duplicate().limit(4 << 20), out);
      assertEquals(4L << 20, remote.bytesInPlace() - inPlace, "the freed room is handed out again");
      gpu.freeHost(b); // a direct buffer: nothing to give back, no harm
      gpu.freeHost(c);
    }
  }

  @Test
  void withoutSharedMemoryHostBuffersAreDirectMemoryWithTheSameResults() {
    int n = 5001;
    ByteBuffer input = floats(n, 5);
    ByteBuffer expected = ByteBuffer.allocate(4 * n);
    try (CpuGpu cpu = new CpuGpu()) {
      relu(cpu, input.duplicate(), expected);
    }
    try (Gpu gpu = open("&shm=off")) {
      ByteBuffer in = gpu.hostBuffer(4 * n);
      ByteBuffer out = gpu.hostBuffer(4 * n);
      assertTrue(in.isDirect());
      in.duplicate().put(input.duplicate());
      relu(gpu, in, out);
      assertEquals(expected, out);
      assertEquals(0, ((RemoteGpu) gpu).bytesInPlace());
    }
  }

  /**
   * A new session (backend restart) brings a new segment: the old one's host buffers stay mapped
   * and usable, their payloads now copied into the new segment, and it is unmapped once they are
   * freed.
   */
  @Test
  void buffersOfALostSessionsSegmentStayValidAndAreCopied() {
    SharedSegment first = SharedSegment.create(PayloadLink.SEGMENT_KIND, 1 << 20);
    SharedSegment second = SharedSegment.create(PayloadLink.SEGMENT_KIND, 1 << 20);
    assertNotNull(first);
    assertNotNull(second);
    try (PayloadLink link = new PayloadLink(PayloadCodec.NONE)) {
      link.useSegment(first, first.bytes());
      ByteBuffer held = link.hostBuffer(4096);
      assertNotNull(held);
      held.duplicate().put(new byte[] {1, 2, 3, 4});
      link.startBatch();
      assertTrue(link.htod(7, com.google.protobuf.UnsafeByteOperations.unsafeWrap(held.duplicate()), held).hasShared());
      assertEquals(4096, link.inPlaceBytes(), "in place while its segment is the session's");

      link.useSegment(second, second.bytes()); // the session was lost and re-established
      link.startBatch();
      long inPlace = link.inPlaceBytes();
      var op = link.htod(7, com.google.protobuf.UnsafeByteOperations.unsafeWrap(held.duplicate()), held);
      assertTrue(op.hasShared(), "copied into the new segment");
      assertEquals(inPlace, link.inPlaceBytes(), "not in place: the buffer is not in the new segment");
      assertEquals(1, held.get(0), "the old segment is still mapped");
      assertEquals(4, second.view(op.getShared().getOffset(), 4).get(3));
      assertTrue(link.freeHost(held));
      assertFalse(link.freeHost(held), "freed once");
      assertNull(link.hostBuffer(1 << 20), "more than half the segment");
    }
  }

  /**
   * A host buffer still held when the link closes (a stage's output lent down the chain, its
   * custody not ended) stays mapped and readable: unmapping it under its holder would crash the
   * JVM on the read below. The segment's name is gone already, so nothing is left in /dev/shm.
   */
  @Test
  void aBufferStillHeldAtCloseStaysReadable() {
    SharedSegment first = SharedSegment.create(PayloadLink.SEGMENT_KIND, 1 << 20);
    SharedSegment second = SharedSegment.create(PayloadLink.SEGMENT_KIND, 1 << 20);
    assertNotNull(first);
    assertNotNull(second);
    for (SharedSegment s : List.of(first, second)) { // as the backend does when it maps one
      assertTrue(s.name().startsWith("edgepipe-vgpu-"));
      deleteQuietly(SharedMemory.dir().resolve(s.name()));
    }
    ByteBuffer old;
    ByteBuffer current;
    try (PayloadLink link = new PayloadLink(PayloadCodec.NONE)) {
      link.useSegment(first, first.bytes());
      old = link.hostBuffer(4096);
      old.duplicate().put(new byte[] {5, 6, 7});
      link.useSegment(second, second.bytes()); // a lost session: the first segment is retired, still held
      current = link.hostBuffer(4096);
      current.duplicate().put(new byte[] {8, 9});
    }
    assertEquals(7, old.get(2), "a retired segment's held buffer");
    assertEquals(9, current.get(1), "the last segment's held buffer");
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}

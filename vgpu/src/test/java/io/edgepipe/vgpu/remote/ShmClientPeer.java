package io.edgepipe.vgpu.remote;

import io.edgepipe.api.PayloadCodec;
import io.edgepipe.vgpu.DevicePtr;
import io.edgepipe.vgpu.Devices;
import io.edgepipe.vgpu.Gpu;
import java.nio.ByteBuffer;
import java.util.Map;

/** The other process of {@link SharedMemoryLinkTest}: a client killed mid-session, or one killed before any backend mapped its segment (or connected to its doorbell). */
public final class ShmClientPeer {
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "client" -> { // copies 1 MiB up and down through shared memory until killed
        try (Gpu gpu = Devices.open("vgpu://127.0.0.1:" + args[1] + "?token=" + args[2], Map.of())) {
          RemoteGpu remote = (RemoteGpu) gpu;
          DevicePtr p = gpu.malloc(1 << 20);
          ByteBuffer in = ByteBuffer.allocateDirect(1 << 20);
          ByteBuffer out = ByteBuffer.allocateDirect(1 << 20);
          for (long i = 0; ; i++) {
            in.putLong(0, i);
            gpu.copyHtoDAsync(p, in);
            gpu.copyDtoHAsync(out, p);
            gpu.synchronize();
            if (out.getLong(0) != i) {
              throw new IllegalStateException("frame " + i + " came back wrong");
            }
            if (i == 20) {
              System.out.println("shared " + remote.bytesShared());
              System.out.flush();
            }
          }
        }
      }
      case "orphan" -> { // creates a segment as a client does before open, and is killed
        System.out.println("segment " + PayloadLink.offer(new LinkOptions(1 << 20, PayloadCodec.NONE), "127.0.0.1").name());
        System.out.println("doorbell " + Doorbell.listen().name()); // and its doorbell, offered with it
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
  }
}

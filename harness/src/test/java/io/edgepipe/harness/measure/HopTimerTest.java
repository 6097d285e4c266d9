package io.edgepipe.harness.measure;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnsafeByteOperations;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A loopback hop timer moves and has acknowledged every frame, with the receiver on gRPC's
 * executor (as a stage) and on the transport thread (as the sink, and {@code bench transport}):
 * {@link HopTimer#measure} throws when the receiver answers fewer frames than were sent.
 */
class HopTimerTest {
  @ParameterizedTest(name = "receiver on transport thread: {0}")
  @ValueSource(booleans = {false, true})
  void everyFrameOfAMegabyteIsAcknowledged(boolean onTransportThread) {
    byte[] payload = new byte[1 << 20];
    new java.util.Random(7).nextBytes(payload);
    Frame frame = Frame.newBuilder().setFlowId("t").setDtype(DType.F32)
        .setShape(Shape.newBuilder().setC(1).setH(512).setW(512)).setData(UnsafeByteOperations.unsafeWrap(payload)).build();
    try (HopTimer hop = HopTimer.loopback(payload.length, onTransportThread)) {
      HopTimer.Measurement m = hop.measure(frame, 3, 40);
      assertTrue(m.ms() > 0, "wall time per frame: " + m.ms());
      // a second measurement on the same connection and receiver works too
      assertTrue(hop.measure(frame, 0, 10).ms() > 0);
    }
  }
}

package io.edgepipe.planner.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgepipe.api.PayloadCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

class HopCodecChoiceTest {
  // shaped like the measured thesis-chain hops: lz4 cheap with a modest ratio, zstd dearer and tighter
  private static final CodecCost LZ4 = new CodecCost(PayloadCodec.LZ4, 2.0, 0.5, 0.2);
  private static final CodecCost ZSTD = new CodecCost(PayloadCodec.ZSTD, 3.0, 2.0, 0.8);
  private static final List<CodecCost> BOTH = List.of(LZ4, ZSTD);
  private static final long FRAME = 3_686_400; // 720p f32

  @Test
  void aSlowLinkTakesTheTightestCodec() {
    // 100 Mbit: none needs 295 ms on the wire, lz4 147 ms, zstd 98 ms; CPU stays below that
    HopCodecChoice.Outcome best = HopCodecChoice.best(FRAME, 100e6, BOTH);
    assertEquals(PayloadCodec.ZSTD, best.cost().codec());
    assertEquals(98.3, best.periodMs(), 0.1);
  }

  @Test
  void aMiddleLinkTakesTheCheapCodecOnceTheTightOneIsCpuBound() {
    // 10 Gbit: none 2.9 ms on the wire; lz4 1.8 ms encode; zstd 7.4 ms encode: lz4 is fastest
    assertEquals(PayloadCodec.LZ4, HopCodecChoice.best(FRAME, 10e9, BOTH).cost().codec());
  }

  @Test
  void aFastLinkKeepsNone() {
    // 100 Gbit: 0.29 ms on the wire beats any encoder
    assertEquals(PayloadCodec.NONE, HopCodecChoice.best(FRAME, 100e9, BOTH).cost().codec());
  }

  @Test
  void aSlowReceiverCanRuleOutACodec() {
    CodecCost slowDecode = new CodecCost(PayloadCodec.ZSTD, 3.0, 0.1, 100);
    assertEquals(PayloadCodec.LZ4, HopCodecChoice.best(FRAME, 100e6, List.of(LZ4, slowDecode)).cost().codec());
  }

  @Test
  void equalPeriodsGoToTheLowerLatency() {
    // an incompressible payload: lz4 spends CPU for nothing and ties at best
    CodecCost useless = new CodecCost(PayloadCodec.LZ4, 1.0, 0.01, 0.01);
    assertEquals(PayloadCodec.NONE, HopCodecChoice.best(FRAME, 100e6, List.of(useless)).cost().codec());
  }

  @Test
  void badInputsAreNamed() {
    assertThrows(IllegalArgumentException.class, () -> new CodecCost(PayloadCodec.LZ4, 0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> HopCodecChoice.best(FRAME, 0, BOTH));
  }
}

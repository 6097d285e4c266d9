package io.edgepipe.planner.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.PayloadCodec;
import io.edgepipe.planner.profile.ProfileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodecPlanTest {
  @TempDir
  Path dir;

  @Test
  void readsTheCostsThatBenchCodecWrites() throws Exception {
    Path csv = dir.resolve("codec.csv");
    Files.writeString(csv, """
        hop,payload,codec,raw_KB,wire_KB,ratio,encode_cpu_ms,decode_cpu_ms,encode_MBps,decode_MBps
        conv->relu,f32 1x576x768,none,1769.5,1769.5,1.00,0.006,0.001,-,-
        conv->relu,f32 1x576x768,zstd,1769.5,1522.5,1.16,3.00,2.46,589,719
        """);
    Map<String, List<CodecCost>> costs = CodecPlan.readCosts(csv);
    CodecCost zstd = costs.get("conv->relu").get(1);
    assertEquals(PayloadCodec.ZSTD, zstd.codec());
    assertEquals(1.16, zstd.ratio(), 1e-9);
    assertEquals(3.00e6 / 1769.5e3, zstd.encodeNsPerByte(), 1e-9);
    // at 100 Mbit the zstd hop is link-bound and moves 1.16x the frames of none
    HopCodecChoice.Outcome best = HopCodecChoice.best(1_769_500, 100e6, costs.get("conv->relu"));
    assertEquals(PayloadCodec.ZSTD, best.cost().codec());
  }

  @Test
  void aFileOfAnotherKindIsNamed() throws Exception {
    Path csv = dir.resolve("other.csv");
    Files.writeString(csv, "kernel,ours_ms\nconv,1.0\n");
    ProfileException e = assertThrows(ProfileException.class, () -> CodecPlan.readCosts(csv));
    assertTrue(e.getMessage().contains("no column hop"), e.getMessage());
  }
}

package io.edgepipe.cli.vgpu;

import io.edgepipe.experiments.bench.LoopbackVgpu;

import io.edgepipe.cli.CliRunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import io.edgepipe.cli.CliRunner.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `pipeline bench vgpu`, `pipeline vgpu profile` and `pipeline vgpu status` as a user types them. */
class VgpuCommandsTest {
  @TempDir
  Path tmp;


  @Test
  void benchComparesEveryStageLocalAndRemoteWithOneRoundTripPerFrame() throws Exception {
    Outcome r = CliRunner.pipeline("bench", "vgpu", "--spec", "../pipelines/thesis.yaml,../pipelines/cnn.yaml", "--device", "cpu",
        "--sizes", "32x24,40x30", "--warmup", "1", "--frames", "4", "--blocks", "2", "--payload", "host",
        "--results", tmp.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("round trips: OK, exactly 1 per frame per stage"), r.out());
    assertTrue(r.out().contains("gEdge 1.70x, AvA 2.00x"), r.out());
    try (Stream<Path> files = Files.list(tmp)) {
      List<Path> csv = files.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
      assertEquals(2, csv.size(), csv.toString());
      List<String> rows = Files.readAllLines(csv.stream().filter(p -> !p.toString().endsWith("summary.csv")).findFirst()
          .orElseThrow());
      assertEquals(1 + 2 * 2 * 3 * 3, rows.size(), "a row per spec, size, stage and side (local, shm, inline)");
      assertTrue(rows.get(0).startsWith("spec,stage,size"), rows.get(0));
      assertTrue(rows.stream().skip(1).filter(l -> !l.contains(",local,")).allMatch(l -> l.endsWith(",1.00,yes")),
          String.join("\n", rows));
      // shared_KiB, in_place_KiB: with host buffers the shm side's payloads are all in place
      assertTrue(rows.stream().filter(l -> l.contains(",shm,")).allMatch(l -> {
        String[] f = l.split(",");
        return Double.parseDouble(f[13]) > 0 && f[13].equals(f[14]);
      }), "the shm side's payloads went through shared memory, in place: " + String.join("\n", rows));
      assertEquals(2 * 2 * 3, rows.stream().filter(l -> l.contains(",inline,") && l.endsWith(",0.0,0.0,1.00,yes")).count(),
          "the inline side moved nothing through shared memory");
    }
  }

  /**
   * A frame through the stage's processor, its payload in one buffer or scattered as a gRPC hop parses
   * it, is received into the device's host memory: through shm the input is read in place, and the
   * output is lent where the backend wrote it (no copy out of the segment).
   */
  @Test
  void benchWithFramesReceivesTheInputInPlaceAndRefusesAnUnknownPayload() throws Exception {
    for (String payload : List.of("frame", "wire")) {
      Path dir = tmp.resolve(payload);
      Outcome r = CliRunner.pipeline("bench", "vgpu", "--spec", "../pipelines/thesis.yaml", "--device", "cpu", "--sizes", "32x24", "--warmup", "1", "--frames", "2",
          "--blocks", "1", "--links", "shm", "--payload", payload, "--results", dir.toString());
      assertEquals(0, r.code(), r.out() + r.err());
      try (Stream<Path> files = Files.list(dir)) {
        Path csv = files.filter(p -> p.toString().endsWith(".csv") && !p.toString().endsWith("summary.csv")).findFirst()
            .orElseThrow();
        List<String> shm = Files.readAllLines(csv).stream().filter(l -> l.contains(",shm,")).toList();
        assertEquals(3, shm.size(), shm.toString());
        // in_KiB (4), out_KiB (5), shared_KiB (13), in_place_KiB (14)
        assertTrue(shm.stream().map(l -> l.split(",")).allMatch(f -> f[14].equals(f[13])
                && Math.abs(Double.parseDouble(f[14]) - Double.parseDouble(f[4]) - Double.parseDouble(f[5])) < 0.15),
            payload + ": the input read and the output written in place: " + shm);
        assertTrue(shm.stream().allMatch(l -> l.endsWith(",1.00,yes")), payload + ": one trip, same output: " + shm);
      }
    }
    Outcome bad = CliRunner.pipeline("bench", "vgpu", "--payload", "nowhere");
    assertEquals(2, bad.code(), bad.out() + bad.err());
    assertTrue(bad.err().contains("unknown --payload 'nowhere' (use frame, wire or host)"), bad.err());
  }

  /**
   * {@code --until-jit-quiet=SECONDS} warms every side in rounds of 10 frames beyond --warmup until the JIT is quiet
   * (or for SECONDS a row), and says how far it went; a negative bound is one line and exit 2.
   */
  @Test
  void benchWarmsUntilTheJitIsQuietWhenAsked() {
    Outcome r = CliRunner.pipeline("bench", "vgpu", "--spec", "../pipelines/thesis.yaml", "--device", "cpu", "--sizes", "32x24",
        "--warmup", "1", "--frames", "2", "--blocks", "1", "--links", "shm", "--until-jit-quiet=1", "--results",
        tmp.resolve("quiet").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("1 frames, then up to (\\d+) more until the JIT was quiet")
        .matcher(r.out());
    assertTrue(m.find(), r.out());
    assertTrue(Integer.parseInt(m.group(1)) >= 10, "at least one round of 10 frames: " + m.group());

    Outcome bad = CliRunner.pipeline("bench", "vgpu", "--spec", "../pipelines/thesis.yaml", "--device", "cpu", "--sizes", "32x24",
        "--until-jit-quiet=-1");
    assertEquals(2, bad.code(), bad.out() + bad.err());
    assertTrue(bad.err().contains("JIT-quiet seconds >= 0"), bad.err());
  }

  @Test
  void profileRecommendsAQuotaFromTheBackendsMeasurements() {
    Outcome r = CliRunner.pipeline("vgpu", "profile", "--stage", "conv", "--spec", "../pipelines/cnn.yaml", "--device", "cpu",
        "--size", "64x48", "--warmup", "2", "--frames", "5", "--fps", "10", "--results", tmp.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().matches("(?s).*recommendation: fgpu=0\\.\\d\\d vmem=1 \\(256 MiB\\) keep 10\\.0 fps.*"), r.out());
    assertTrue(r.out().contains("1.00 round trips/frame"), r.out());

    Outcome bad = CliRunner.pipeline("vgpu", "profile", "--stage", "nope", "--spec", "../pipelines/cnn.yaml", "--device", "cpu");
    assertTrue(bad.code() != 0);
    assertTrue(bad.err().contains("stage 'nope' is not in pipeline 'cnn'"), bad.err());
  }

  @Test
  void statusShowsTheSessionsOfABackend() throws Exception {
    try (LoopbackVgpu b = new LoopbackVgpu("cpu");
        var g = b.open(0.25, 2, "status-test")) {
      g.malloc(3 << 20);
      var spec = b.spec(0.25, 2, "x");
      Outcome r = CliRunner.pipeline("vgpu", "status", "vgpu://" + spec.host() + ":" + spec.port() + "?tenant=local&token="
          + spec.token());
      assertEquals(0, r.code(), r.out() + r.err());
      assertTrue(r.out().contains("status-test"), r.out());
      assertTrue(r.out().contains("peak_MiB"), r.out());
      assertTrue(r.out().contains(" 3.0 "), r.out());
    }
  }
}

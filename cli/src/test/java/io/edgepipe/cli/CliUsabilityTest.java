package io.edgepipe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.cli.CliRunner.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a new user meets first: help, -V, bad flags and bad files, as typed. */
class CliUsabilityTest {
  @TempDir
  Path tmp;

  /** Every command, root included, with its full name ("pipeline bench soak"). */
  private static List<CommandLine> allCommands() {
    List<CommandLine> all = new ArrayList<>();
    collect(Main.commandLine(), all);
    return all;
  }

  private static void collect(CommandLine c, List<CommandLine> into) {
    into.add(c);
    c.getSubcommands().values().forEach(s -> collect(s, into));
  }

  private static String[] words(CommandLine c, String flag) {
    List<String> w = new ArrayList<>(List.of(c.getCommandSpec().qualifiedName().split(" ")));
    w.remove(0); // "pipeline"
    w.add(flag);
    return w.toArray(String[]::new);
  }

  @Test
  void everyCommandPrintsTheVersion() {
    for (CommandLine c : allCommands()) {
      Outcome v = CliRunner.pipeline(words(c, "-V"));
      assertEquals(0, v.code(), c.getCommandSpec().qualifiedName() + ": " + v.err());
      assertTrue(v.out().matches("edgepipe \\d+\\.\\d+\\.\\d+\\S*\\s*"),
          c.getCommandSpec().qualifiedName() + " -V printed '" + v.out() + "'");
    }
  }

  @Test
  void descriptionsAreWholeSentencesAndHelpHasNoFormatWarning() {
    for (CommandLine c : allCommands()) {
      String name = c.getCommandSpec().qualifiedName();
      String[] description = c.getCommandSpec().usageMessage().description();
      assertTrue(description.length > 0, name + " has no description");
      String summary = description[0].strip();
      assertTrue(summary.endsWith("."), name + ": the one-line summary is not a complete sentence: " + summary);
      for (String paragraph : description) {
        String p = paragraph.strip();
        assertTrue(p.endsWith(".") || p.endsWith(")") && p.contains("."),
            name + ": a description line breaks mid-sentence: '" + p + "'");
      }
      Outcome help = CliRunner.pipeline(words(c, "--help"));
      assertEquals(0, help.code(), name);
      assertFalse((help.out() + help.err()).contains("WARN"), name + " --help: " + help.err());
    }
  }

  @Test
  void aBadNumberIsOneLineAndExitCodeTwo() {
    Outcome r = CliRunner.pipeline("run", "--frames", "lots");
    assertEquals(2, r.code());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), "one line, not the whole help: " + r.err());
    assertTrue(r.err().contains("--frames") && r.err().contains("lots"), r.err());

    Outcome unknown = CliRunner.pipeline("stage", "conv", "--prot", "5");
    assertEquals(2, unknown.code());
    assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
  }

  @Test
  void aBadTestbedPrefixIsOneLineBeforeAnythingRuns() {
    // the prefix names veths (15 characters): too long is refused up front, not when the testbed is taken down
    Outcome r = CliRunner.pipeline("bench", "experiments", "--only", "E1", "--prefix", "edgepipe-much-too-long",
        "--out", tmp.toString(), "--name", "x");
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains("edgepipe-much-too-long") && r.err().contains("13 characters"), r.err());
    assertFalse(r.out().contains("E1"), "nothing ran: " + r.out());
  }

  @Test
  void aMissingSpecNamesTheResolvedPathAndTheReason() {
    Outcome r = CliRunner.pipeline("run", "--spec", "nope.yaml", "--no-progress");
    assertEquals(2, r.code());
    String expected = Path.of("nope.yaml").toAbsolutePath().normalize() + ": no such file";
    assertTrue(r.err().contains("cannot read pipeline spec " + expected), r.err());
  }

  @Test
  void anUnknownStageListsTheKnownOnes() {
    Outcome r = CliRunner.pipeline("stage", "nope", "--spec", "../pipelines/thesis.yaml", "--port", "0",
        "--metrics-port", "-1");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown stage 'nope'"), r.err());
    assertTrue(r.err().contains("conv, relu, maxpool, producer, sink"), r.err());
  }

  @Test
  void aMissingVgpuBackendNamesTheAddressAndWhy() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Outcome r = CliRunner.pipeline("run", "--spec", "../pipelines/thesis.yaml", "--frames", "1", "--no-progress",
        "--device", "vgpu://127.0.0.1:" + port + "?token=secret", "--out", tmp.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("127.0.0.1:" + port) && r.err().contains("connection refused"), r.err());
    assertFalse(r.err().contains("secret"), "the token stays out of messages: " + r.err());

    Outcome status = CliRunner.pipeline("vgpu", "status", "127.0.0.1:" + port);
    assertEquals(2, status.code(), status.err());
    assertFalse(status.err().contains("bad vgpu spec"), "host:port is accepted as --device accepts it: " + status.err());
  }

  @Test
  void statisticTakesAnyCase() {
    Outcome r = CliRunner.pipeline("plan", "--profile", tmp.resolve("none.json").toString(), "--statistic", "p95");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("cannot read profile"), "the flag parsed, the file is what is missing: " + r.err());
  }

  @Test
  void runAndStageShareTheFpsDefault() {
    Object run = Main.commandLine().getSubcommands().get("run").getCommandSpec().findOption("--fps").defaultValue();
    Object stage = Main.commandLine().getSubcommands().get("stage").getCommandSpec().findOption("--fps").defaultValue();
    assertEquals(run, stage);
  }

  @Test
  void framesAllRunsUntilTheSourceEndsAndSaysSo() throws Exception {
    Outcome all = CliRunner.pipeline("run", "--spec", "../pipelines/thesis.yaml", "--source", "synthetic:7",
        "--frames", "all", "--width", "32", "--height", "24", "--device", "cpu", "--no-progress", "--out", tmp.toString());
    assertEquals(0, all.code(), all.out() + all.err());
    assertTrue(all.out().matches("(?s).*embedded/reliable\\s+7\\s+7\\s+0\\s+0\\s+0.*"), all.out());
    assertTrue(all.out().contains("source ended after 7 frame(s)"), all.out());

    Outcome early = CliRunner.pipeline("run", "--spec", "../pipelines/thesis.yaml", "--source", "synthetic:5",
        "--frames", "9", "--width", "32", "--height", "24", "--device", "cpu", "--no-progress", "--out", tmp.toString());
    assertEquals(0, early.code(), early.out() + early.err());
    assertTrue(early.out().contains("the source ended after 5 frame(s), before --frames 9"), early.out());

    Outcome endless = CliRunner.pipeline("run", "--spec", "../pipelines/thesis.yaml", "--frames", "0", "--no-progress");
    assertEquals(2, endless.code());
    assertTrue(endless.err().contains("does not end"), endless.err());
  }

  @Test
  void theCsvHoldsAFlowRowEachAndATotalWithTheSettings() throws Exception {
    Outcome r = CliRunner.pipeline("run", "--spec", "../pipelines/thesis.yaml", "--frames", "5", "--flows", "2",
        "--width", "32", "--height", "24", "--device", "auto", "--no-progress", "--out", tmp.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("unpaced run"), "an unpaced run says what its latency means: " + r.out());
    Path csv;
    try (Stream<Path> files = Files.list(tmp.resolve("run"))) {
      csv = files.filter(p -> p.toString().endsWith(".csv")).findFirst().orElseThrow();
    }
    List<String> lines = Files.readAllLines(csv);
    assertEquals(4, lines.size(), "header, cam0, cam1, total: " + lines);
    assertTrue(lines.get(0).startsWith("row,mode,spec,input_size,flows,fps_asked,delivery,tls,device,sent,"), lines.get(0));
    assertTrue(lines.get(1).startsWith("cam0,embedded/reliable,../pipelines/thesis.yaml,32x24,2,0,reliable,no,"),
        lines.get(1));
    assertTrue(lines.get(1).contains(",cpu (auto),5,5,0,0,0,") || lines.get(1).contains(",cuda (auto),5,5,0,0,0,"),
        "auto is resolved, per-flow counts: " + lines.get(1));
    assertTrue(lines.get(3).startsWith("total,") && lines.get(3).contains(",10,10,0,0,0,"), lines.get(3));
    for (String column : lines.get(0).split(",")) {
      String doc = Files.readString(Path.of("../docs/run-csv.md"));
      String generic = column.replaceFirst("^(producer|conv|relu|maxpool|sink)_", "STAGE_");
      assertTrue(doc.contains("`" + generic + "`"), "column " + column + " is documented in docs/run-csv.md");
    }
  }

  /** Two photos of 40x30 with a gradient, as an image folder source. */
  private Path photos() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("photos"));
    for (String name : new String[] {"alpha", "beta"}) {
      java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
      for (int y = 0; y < 30; y++) {
        for (int x = 0; x < 40; x++) {
          int v = x * 6;
          img.setRGB(x, y, (v << 16) | (v << 8) | v);
        }
      }
      javax.imageio.ImageIO.write(img, "png", dir.resolve(name + ".png").toFile());
    }
    return dir;
  }

  @Test
  void aSourceOfAnotherSizeIsNotStretchedSilently() throws Exception {
    Path photos = photos();
    Outcome stretched = CliRunner.pipeline("run", "--spec", "../pipelines/thesis.yaml", "--source", "images:" + photos,
        "--frames", "all", "--width", "64", "--height", "48", "--device", "cpu", "--no-progress", "--out", tmp.toString());
    assertEquals(0, stretched.code(), stretched.out() + stretched.err());
    assertTrue(stretched.out().contains("40x30 -> 64x48 (stretched)"), stretched.out());

    Outcome boxed = CliRunner.pipeline("run", "--spec", "../pipelines/thesis.yaml", "--source", "images:" + photos,
        "--frames", "all", "--width", "80", "--height", "48", "--input-size", "letterbox", "--device", "cpu",
        "--no-progress", "--out", tmp.toString());
    assertEquals(0, boxed.code(), boxed.out() + boxed.err());
    assertTrue(boxed.out().contains("40x30 -> 80x48 (letterboxed: 64x48 inside black bars)"), boxed.out());

    Outcome own = CliRunner.pipeline("run", "--spec", "../pipelines/thesis.yaml", "--source", "images:" + photos,
        "--frames", "all", "--input-size", "source", "--device", "cpu", "--no-progress", "--out", tmp.toString(),
        "--save-outputs", tmp.resolve("png").toString(), "--output-format", "png");
    assertEquals(0, own.code(), own.out() + own.err());
    assertTrue(own.out().contains("40x30 (source size)"), own.out());
    assertTrue(own.out().matches("(?s).*embedded/reliable\\s+2\\s+2\\s+0\\s+0\\s+0.*"), own.out());
    // thesis: conv 3x3 pad 1 keeps 40x30, max-pool 2x2 halves it: the shapes follow from the source's size
    java.awt.image.BufferedImage out = javax.imageio.ImageIO.read(tmp.resolve("png").resolve("cam0-000000-alpha.png").toFile());
    assertEquals(20, out.getWidth());
    assertEquals(15, out.getHeight());
    int min = 255;
    int max = 0;
    for (int x = 2; x < 18; x++) {
      int v = out.getRaster().getSample(x, 7, 0);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertTrue(max - min > 200, "the picture uses the grey range (" + min + ".." + max + "), not nearly black");
    assertTrue(Files.exists(tmp.resolve("png").resolve("cam0-000001-beta.png")), "names keep the source file's name");
  }
}

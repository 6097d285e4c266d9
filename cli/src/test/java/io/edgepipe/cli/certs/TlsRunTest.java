package io.edgepipe.cli.certs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `pipeline run --tls`: the embedded chain over mutual TLS with throwaway certificates. */
class TlsRunTest {
  @TempDir
  Path tmp;

  @Test
  void embeddedRunOverMutualTlsDeliversEveryFrame() {
    PrintStream oldOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int code;
    try {
      System.setOut(new PrintStream(out, true));
      CommandLine cmd = Main.commandLine();
      cmd.setErr(new PrintWriter(err, true));
      code = cmd.execute("run", "--tls", "--spec", "../pipelines/thesis.yaml", "--frames", "10", "--flows", "2",
          "--width", "64", "--height", "48", "--device", "cpu", "--no-progress", "--results", tmp.toString());
    } finally {
      System.setOut(oldOut);
    }
    assertEquals(0, code, out + "\n" + err);
    assertTrue(out.toString().matches("(?s).*embedded\\S*\\s+20\\s+20\\s+0\\s+0.*"), out.toString());
  }

  @Test
  void monolithHasNoHopsToSecure() {
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setErr(new PrintWriter(err, true));
    assertEquals(2, cmd.execute("run", "--tls", "--monolith", "--spec", "../pipelines/thesis.yaml", "--frames", "1",
        "--device", "cpu", "--no-progress", "--results", tmp.toString()));
    assertTrue(err.toString().contains("--tls"), err.toString());
  }
}

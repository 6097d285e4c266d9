package io.edgepipe.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.api.SpecException;
import io.edgepipe.producer.source.SourceException;
import io.edgepipe.vgpu.GpuException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** User errors are recognised by their type (io.edgepipe.api.UserError), not by their class name. */
class UserErrorsTest {
  /** Named like a user error, but not marked as one: a bug, which keeps its stack trace. */
  static final class LookalikeSourceException extends RuntimeException {
    LookalikeSourceException() {
      super("lookalike");
    }
  }

  @Test
  void markedExceptionsAreUserErrorsAndANameAloneIsNot() {
    assertTrue(UserErrors.isUserError(new SourceException("no such file")));
    assertTrue(UserErrors.isUserError(new GpuException("UNAVAILABLE", "no CUDA device")));
    assertTrue(UserErrors.isUserError(new SpecException("bad spec")));
    assertFalse(UserErrors.isUserError(new LookalikeSourceException()));
    assertFalse(UserErrors.isUserError(new NullPointerException()));
  }

  @Test
  void aStageWithAMissingSpecIsOneLineAndExitCodeTwo() {
    CommandLine cmd = StageMain.commandLine();
    StringWriter err = new StringWriter();
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute("conv", "--spec", Path.of("no", "such", "spec.yaml").toString(), "--next", "localhost:1",
        "--metrics-port", "-1");
    assertEquals(2, code, err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertTrue(err.toString().startsWith("error: "), err.toString());
  }
}

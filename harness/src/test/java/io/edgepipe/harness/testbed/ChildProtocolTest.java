package io.edgepipe.harness.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command hosts' shared loop and error line. */
class ChildProtocolTest {
  @Test
  void aCommandHostSaysReadyThenAnswersEachNonBlankLineStrippedUntilItsInputEnds() throws IOException {
    List<String> said = new ArrayList<>();
    ChildProtocol.serve(new StringReader("CPU\n\n   \n  SEND x  \nLAST"), command -> "got " + command, said::add);
    assertEquals(List.of("READY", "got CPU", "got SEND x", "got LAST"), said);
  }

  @Test
  void anErrorLineIsOneLineEvenWithoutAMessage() {
    assertEquals("bad  value", ChildProtocol.oneLine(new IllegalStateException("bad\n value")));
    assertEquals("null", ChildProtocol.oneLine(new IllegalStateException()));
  }
}

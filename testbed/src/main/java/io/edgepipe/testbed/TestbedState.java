package io.edgepipe.testbed;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@code testbed up} made, as written to {@code /run/<prefix>-testbed/state.json}. The file
 * is written before the first object is created (phase {@code creating}) and again when
 * everything is in place (phase {@code up}), so {@code status} and {@code down} always know.
 *
 * @param phase          {@code creating} or {@code up}
 * @param upPid          process that ran {@code up}
 * @param edgeAddress    the edge end of the link (inside namespace {@code <prefix>-edge})
 * @param serverAddress  the server end of the link
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TestbedState(
    String prefix,
    String phase,
    long upPid,
    String createdAt,
    long bandwidthBps,
    long delayMicros,
    double edgeCpu,
    String subnet,
    String edgeAddress,
    String serverAddress) {
  public static final String CREATING = "creating";
  public static final String UP = "up";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static TestbedState of(TestbedConfig c, String phase) {
    return new TestbedState(c.prefix(), phase, ProcessHandle.current().pid(), java.time.Instant.now().toString(),
        c.bandwidthBps(), c.delay().toNanos() / 1_000, c.edgeCpu(), c.subnet().toString(),
        c.subnet().address(Node.EDGE), c.subnet().address(Node.SERVER));
  }

  TestbedState withPhase(String p) {
    return new TestbedState(prefix, p, upPid, createdAt, bandwidthBps, delayMicros, edgeCpu, subnet, edgeAddress,
        serverAddress);
  }

  /** The same testbed with the link at {@code bps} (after {@link Testbed#setLinkRate}). */
  TestbedState withBandwidth(long bps) {
    return new TestbedState(prefix, phase, upPid, createdAt, bps, delayMicros, edgeCpu, subnet, edgeAddress,
        serverAddress);
  }

  /** The same testbed with the edge capped at {@code cores} (after {@link Testbed#setEdgeCpu}). */
  TestbedState withEdgeCpu(double cores) {
    return new TestbedState(prefix, phase, upPid, createdAt, bandwidthBps, delayMicros, cores, subnet, edgeAddress,
        serverAddress);
  }

  public Names names() {
    return new Names(prefix);
  }

  public TestbedConfig config() {
    return new TestbedConfig(prefix, bandwidthBps, delay(), edgeCpu, Subnet.parse(subnet));
  }

  public Duration delay() {
    return Duration.ofNanos(delayMicros * 1_000);
  }

  @JsonIgnore
  public boolean isUp() {
    return UP.equals(phase);
  }

  /** The node's end of the link, as seen from the other namespace. */
  public String address(Node node) {
    return node == Node.EDGE ? edgeAddress : serverAddress;
  }

  public String netns(Node node) {
    return names().netns(node);
  }

  public static Optional<TestbedState> read(Names names) {
    Path file = names.stateFile();
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), TestbedState.class));
    } catch (IOException e) {
      throw new TestbedException("cannot read " + file + ": " + e.getMessage() + " (run `pipeline testbed down`)");
    }
  }

  void write() {
    Path file = names().stateFile();
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling("state.json.tmp");
      JSON.writeValue(tmp.toFile(), this);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}

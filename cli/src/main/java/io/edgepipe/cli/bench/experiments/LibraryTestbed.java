package io.edgepipe.cli.bench.experiments;

/**
 * The {@link TestbedDriver} over the project's testbed (module {@code testbed}, package
 * {@code io.edgepipe.testbed}, and the runner of {@code pipeline testbed run}).
 */
final class LibraryTestbed {
  private LibraryTestbed() {}

  static TestbedDrivers.Availability create() {
    return TestbedDrivers.Availability.none(
        "the testbed runner (pipeline testbed up/down/run) is not part of this build yet");
  }
}

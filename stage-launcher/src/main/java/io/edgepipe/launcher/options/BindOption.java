package io.edgepipe.launcher.options;

import picocli.CommandLine.Option;

/** {@code --bind ADDRESS}: the address a server listens on, the same flag on every command that serves. */
public final class BindOption {
  static final String ALL = "0.0.0.0";

  @Option(names = "--bind", defaultValue = "${env:EDGEPIPE_BIND:-0.0.0.0}", paramLabel = "ADDRESS",
      description = "Listen on this address only, e.g. 127.0.0.1 (default: ${DEFAULT-VALUE}, all interfaces; "
          + "env EDGEPIPE_BIND).")
  String address;

  /** The old name of the flag, still accepted. */
  @Option(names = "--host", hidden = true, paramLabel = "ADDRESS")
  void host(String address) {
    this.address = address;
  }

  public String address() {
    return address;
  }

  public boolean allInterfaces() {
    return ALL.equals(address);
  }
}

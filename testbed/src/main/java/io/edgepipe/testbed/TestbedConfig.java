package io.edgepipe.testbed;

import java.time.Duration;

/**
 * What {@code testbed up} builds.
 *
 * @param prefix        name prefix of everything created (see {@link Names}); default {@code edgepipe}
 * @param bandwidthBps  link rate in bits per second, each direction (htb class + tbf child)
 * @param delay         one-way delay added to each direction of every edge-server hop by the
 *                      user-space forwarder ({@link DelayProxy}); zero = no forwarder
 * @param edgeCpu       CPU cores the edge may use (cgroup v1 cfs quota / period), e.g. 0.5
 * @param subnet        the link's private subnet
 */
public record TestbedConfig(String prefix, long bandwidthBps, Duration delay, double edgeCpu, Subnet subnet) {
  public static final String DEFAULT_BANDWIDTH = "1gbit";
  public static final String DEFAULT_DELAY = "0ms";
  public static final double DEFAULT_EDGE_CPU = 0.5;
  public static final String DEFAULT_SUBNET = "10.77.0.0/30";

  public TestbedConfig {
    new Names(prefix); // validates
    if (bandwidthBps < 8_000) {
      throw new IllegalArgumentException("bandwidth must be at least 8kbit");
    }
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative");
    }
    if (!(edgeCpu >= 0.01 && edgeCpu <= 1024)) {
      throw new IllegalArgumentException("--edge-cpu must be between 0.01 and 1024 cores, not " + edgeCpu);
    }
  }

  /** 1gbit, no delay, half a core on the edge, 10.77.0.0/30, prefix edgepipe. */
  public static TestbedConfig defaults() {
    return new TestbedConfig(Names.DEFAULT_PREFIX, Units.parseRate(DEFAULT_BANDWIDTH),
        Units.parseDelay(DEFAULT_DELAY), DEFAULT_EDGE_CPU, Subnet.parse(DEFAULT_SUBNET));
  }

  public static TestbedConfig of(String bandwidth, String delay, double edgeCpu, String subnet) {
    return new TestbedConfig(Names.DEFAULT_PREFIX, Units.parseRate(bandwidth), Units.parseDelay(delay), edgeCpu,
        Subnet.parse(subnet));
  }

  public TestbedConfig withPrefix(String p) {
    return new TestbedConfig(p, bandwidthBps, delay, edgeCpu, subnet);
  }

  public TestbedConfig withBandwidth(String rate) {
    return new TestbedConfig(prefix, Units.parseRate(rate), delay, edgeCpu, subnet);
  }

  public TestbedConfig withDelay(String d) {
    return new TestbedConfig(prefix, bandwidthBps, Units.parseDelay(d), edgeCpu, subnet);
  }

  public TestbedConfig withEdgeCpu(double cores) {
    return new TestbedConfig(prefix, bandwidthBps, delay, cores, subnet);
  }

  public TestbedConfig withSubnet(String cidr) {
    return new TestbedConfig(prefix, bandwidthBps, delay, edgeCpu, Subnet.parse(cidr));
  }

  public Names names() {
    return new Names(prefix);
  }
}

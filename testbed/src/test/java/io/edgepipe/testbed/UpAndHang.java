package io.edgepipe.testbed;

/** Test child: {@code up} a testbed and stop after a given step (to be killed there). */
public final class UpAndHang {
  private UpAndHang() {}

  /** args: prefix subnet step */
  public static void main(String[] args) throws Exception {
    TestbedConfig config = TestbedConfig.defaults().withPrefix(args[0]).withSubnet(args[1]).withBandwidth("50mbit");
    Testbed.up(config, step -> {
      if (step.equals(args[2])) {
        System.out.println(NodeProcess.PROTOCOL + "PAUSED " + step);
        System.out.flush();
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    System.out.println(NodeProcess.PROTOCOL + "UP");
  }
}

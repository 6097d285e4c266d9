package io.edgepipe.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which hop targets are offered a shared-memory ring: loopback only, never another Pod, netns or host. */
class LoopbackTargetTest {
  @Test
  void loopbackAddressesAreSameHost() {
    assertTrue(LoopbackTarget.isLoopback("127.0.0.1:50101"));
    assertTrue(LoopbackTarget.isLoopback("127.3.0.9:1"));
    assertTrue(LoopbackTarget.isLoopback("localhost:50060"));
    assertTrue(LoopbackTarget.isLoopback("[::1]:50051"));
  }

  @Test
  void serviceNamesAndOtherAddressesAreNot() {
    assertFalse(LoopbackTarget.isLoopback("conv:50051"));
    assertFalse(LoopbackTarget.isLoopback("relu.edgepipe.svc.cluster.local:50051"));
    assertFalse(LoopbackTarget.isLoopback("10.77.0.2:50052"));
    assertFalse(LoopbackTarget.isLoopback("localhost.example.com:1"));
    assertFalse(LoopbackTarget.isLoopback("128.0.0.1:1"));
    assertFalse(LoopbackTarget.isLoopback(null));
  }
}

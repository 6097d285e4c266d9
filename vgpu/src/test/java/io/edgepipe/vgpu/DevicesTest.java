package io.edgepipe.vgpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.vgpu.cuda.CudaGpu;
import io.edgepipe.vgpu.remote.RemoteSpec;
import io.edgepipe.vgpu.remote.Wire;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevicesTest {
  @Test
  void cpuAndAuto() {
    try (Gpu g = Devices.open("cpu")) {
      assertInstanceOf(CpuGpu.class, g);
      assertEquals("cpu", g.name());
    }
    try (Gpu g = Devices.open("auto")) {
      assertEquals(CudaGpu.isAvailable(), g instanceof CudaGpu);
    }
    try (Gpu g = Devices.open(" ")) {
      assertEquals(CudaGpu.isAvailable(), g instanceof CudaGpu, "blank means auto");
    }
  }

  @Test
  void cudaWithoutAGpuSaysWhy() {
    Assumptions.assumeFalse(CudaGpu.isAvailable(), "this host has a GPU");
    GpuException e = assertThrows(GpuException.class, () -> Devices.open("cuda"));
    assertEquals("UNAVAILABLE", e.code());
    assertTrue(e.getMessage().contains(CudaGpu.unavailableReason()), e.getMessage());
    assertFalse(CudaGpu.unavailableReason().isBlank());
  }

  @Test
  void badSpecsAreIllegalArguments() {
    for (String bad : new String[] {"gpu", "cuda:x", "cuda:-1", "vgpu://", "vgpu://h:1/path", "vgpu://h?fgpu=2",
        "vgpu://h?fgpu=0", "vgpu://h?vmem=0", "vgpu://h?vmem=1.5", "vgpu://h?bogus=1", "vgpu://h?tenant=a&tenant=b",
        "vgpu://h:99999", "vgpu://h:1 2", "vgpu://h?timeout=0", "vgpu://h?timeout=x", "vgpu://h?reconnect=-1"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.open(bad, Map.of()), bad);
      assertFalse(e.getMessage().isBlank());
    }
  }

  @Test
  void unprintableTokensAreRefusedWithoutQuotingThem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Devices.parseRemote("vgpu://h?token=s%C3%A9cret", Map.of()));
    assertFalse(e.getMessage().contains("cret"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Devices.parseRemote("vgpu://h?tenant=a%20b", Map.of()));
  }

  @Test
  void tokenNeverAppearsInMessages() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Devices.parseRemote("vgpu://h?token=hunter2&bogus=1", Map.of()));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    RemoteSpec s = Devices.parseRemote("vgpu://h?token=hunter2&tenant=t", Map.of());
    assertFalse(s.toString().contains("hunter2"));
    assertFalse(s.displayName().contains("hunter2"));
  }

  @Test
  void remoteSpecDefaultsAndQuery() {
    RemoteSpec s = Devices.parseRemote("vgpu://gpu-server", Map.of());
    assertEquals("gpu-server", s.host());
    assertEquals(Wire.DEFAULT_PORT, s.port());
    assertEquals(1.0, s.fgpu());
    assertEquals(RemoteSpec.DEFAULT_VMEM_UNITS, s.vmemUnits());
    assertEquals("", s.token());
    s = Devices.parseRemote("vgpu://10.0.0.2:50111?tenant=edge1&token=a%2Bb&fgpu=0.25&vmem=3&client=cam1", Map.of());
    assertEquals("10.0.0.2", s.host());
    assertEquals(50111, s.port());
    assertEquals("edge1", s.tenant());
    assertEquals("a+b", s.token());
    assertEquals(0.25, s.fgpu());
    assertEquals(3, s.vmemUnits());
    assertEquals("cam1", s.client());
    assertEquals(RemoteSpec.DEFAULT_CALL_TIMEOUT_MILLIS, s.callTimeoutMillis());
    assertEquals(RemoteSpec.DEFAULT_RECONNECT_MILLIS, s.reconnectMillis());
    s = Devices.parseRemote("vgpu://[::1]:7?timeout=2.5&reconnect=0", Map.of());
    assertEquals("::1", s.host());
    assertEquals(2500, s.callTimeoutMillis());
    assertEquals(0, s.reconnectMillis());
  }

  @Test
  void tokenComesFromQueryThenEnvThenFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("token");
    Files.writeString(f, "from-file\n");
    Map<String, String> both = Map.of(Devices.TOKEN_ENV, "from-env", Devices.TOKEN_FILE_ENV, f.toString(),
        Devices.TENANT_ENV, "env-tenant");
    assertEquals("from-query", Devices.parseRemote("vgpu://h?token=from-query", both).token());
    assertEquals("from-env", Devices.parseRemote("vgpu://h", both).token());
    assertEquals("env-tenant", Devices.parseRemote("vgpu://h", both).tenant());
    assertEquals("from-file", Devices.parseRemote("vgpu://h", Map.of(Devices.TOKEN_FILE_ENV, f.toString())).token());
    assertThrows(IllegalArgumentException.class,
        () -> Devices.parseRemote("vgpu://h", Map.of(Devices.TOKEN_FILE_ENV, dir.resolve("missing").toString())));
  }
}

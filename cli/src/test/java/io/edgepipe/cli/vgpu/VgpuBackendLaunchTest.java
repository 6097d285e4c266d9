package io.edgepipe.cli.vgpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.vgpu.backend.BackendMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Users start the backend with the pipeline script or the vgpu-backend image: both must carry
 * BackendMemory's JVM flags and malloc settings (the tenants bench and BackendRssTest start it
 * with them too), or its resident memory does not return after a tenant's burst.
 */
class VgpuBackendLaunchTest {
  @Test
  void thePipelineScriptAndTheImageStartTheBackendWithItsMemorySettings() throws Exception {
    String script = Files.readString(Path.of("..", "pipeline"));
    String pom = Files.readString(Path.of("pom.xml"));
    String image = pom.substring(pom.indexOf("<id>edgepipe-vgpu-backend</id>"));
    for (String flag : BackendMemory.JVM_FLAGS) {
      assertTrue(script.contains(flag), "the pipeline script passes " + flag + " to vgpu-backend");
      assertTrue(image.contains("<jvmFlag>" + flag + "</jvmFlag>"), "the vgpu-backend image has " + flag);
    }
    BackendMemory.ENVIRONMENT.forEach((name, value) -> {
      assertTrue(script.contains(name + "=\"${" + name + ":-" + value + "}\""), "the pipeline script sets " + name);
      assertTrue(image.contains("<" + name + ">" + value + "</" + name + ">"), "the vgpu-backend image sets " + name);
    });
  }
}

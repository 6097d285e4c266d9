package io.edgepipe.vgpu.backend;

import io.edgepipe.vgpu.Gpu;
import io.edgepipe.vgpu.GpuFunction;
import io.edgepipe.vgpu.GpuModule;
import java.util.HashMap;
import java.util.Map;

/**
 * Kernel modules loaded on the backend's device, shared by all sessions: code is read-only, so
 * one copy serves every tenant, is loaded on first use, stays until the backend stops, and does
 * not count against anyone's vMemory. Used on the device thread only.
 */
final class SharedModules {
  private final Gpu device;
  private final Map<String, GpuModule> modules = new HashMap<>();
  private final Map<String, GpuFunction> functions = new HashMap<>();

  SharedModules(Gpu device) {
    this.device = device;
  }

  GpuModule load(String name) {
    GpuModule m = modules.get(name);
    if (m == null) {
      m = device.loadModule(name);
      modules.put(name, m);
    }
    return m;
  }

  GpuFunction function(GpuModule module, String kernel) {
    String key = module.name() + "\u0000" + kernel;
    GpuFunction f = functions.get(key);
    if (f == null) {
      f = device.function(module, kernel);
      functions.put(key, f);
    }
    return f;
  }
}

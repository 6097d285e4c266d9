package io.edgepipe.vgpu;

/** A kernel of a loaded module; {@code handle} is device-specific. */
public record GpuFunction(GpuModule module, String name, long handle) {}

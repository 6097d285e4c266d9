package io.edgepipe.vgpu;

/** A loaded kernel module; {@code handle} is device-specific. */
public record GpuModule(String name, long handle) {}

package io.edgepipe.vgpu;

/**
 * A device allocation. {@code handle} is meaningful only to the device that made it (a CUDA
 * address, an index into the emulator's table, or a tenant-scoped handle on a remote backend).
 */
public record DevicePtr(long handle, long bytes) {}

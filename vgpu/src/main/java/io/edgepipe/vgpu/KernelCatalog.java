package io.edgepipe.vgpu;

/**
 * The kernels of the project's one module and their arguments, in launch order. The CUDA C
 * source ({@code kernels/src/main/cuda/edgepipe.cu}) and the Java twins in
 * {@code io.edgepipe.kernels} implement exactly these signatures. "ptr" arguments are
 * {@link DevicePtr}s; the rest are 32-bit ints. Every kernel is element-wise independent, so
 * the launch grid only has to cover the output (see {@link #gridFor}).
 */
public final class KernelCatalog {
  private KernelCatalog() {}

  public static final String MODULE = "edgepipe";

  /** (ptr in f32[cin*h*w], ptr weights f32[cout*cin*k*k], ptr bias f32[cout], ptr out f32[cout*oh*ow],
   *  int cin, int h, int w, int cout, int k, int stride, int pad, int oh, int ow) */
  public static final String CONV2D_F32 = "conv2d_f32";
  /** (ptr in f32[n], ptr out f32[n], int n); out may equal in. */
  public static final String RELU_F32 = "relu_f32";
  /** (ptr in f32[c*h*w], ptr out f32[c*oh*ow], int c, int h, int w, int window, int stride, int oh, int ow) */
  public static final String MAXPOOL_F32 = "maxpool_f32";
  /** (ptr in u8[h*w*c] BGR interleaved, ptr out f32[c*h*w] in [0,1], int h, int w, int c) */
  public static final String BGR_U8_HWC_TO_F32_CHW = "bgr_u8_hwc_to_f32_chw";
  /** (ptr in u8[n], ptr out f32[n], int n): out = in / 255 */
  public static final String U8_TO_F32 = "u8_to_f32";
  /** (ptr in f32[n], ptr out u8[n], int n): out = round-half-even(clamp(in,0,1) * 255) */
  public static final String F32_TO_U8 = "f32_to_u8";
  /** (ptr in f16[n], ptr out f32[n], int n) */
  public static final String F16_TO_F32 = "f16_to_f32";
  /** (ptr in f32[n], ptr out f16[n], int n): round to nearest even */
  public static final String F32_TO_F16 = "f32_to_f16";

  /** Threads per block used by every launch of the project. */
  public static final int BLOCK = 256;

  /** A 1-D grid covering {@code n} threads with {@link #BLOCK}-thread blocks. */
  public static Dim3 gridFor(long n) {
    return new Dim3((int) Math.max(1, (n + BLOCK - 1) / BLOCK), 1, 1);
  }
}

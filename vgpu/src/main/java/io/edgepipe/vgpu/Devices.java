package io.edgepipe.vgpu;

import io.edgepipe.vgpu.cpu.CpuGpu;
import io.edgepipe.vgpu.cuda.CudaGpu;
import io.edgepipe.vgpu.remote.LinkOptions;
import io.edgepipe.vgpu.remote.RemoteGpu;
import io.edgepipe.vgpu.remote.RemoteSpec;
import io.edgepipe.vgpu.remote.Wire;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Opens a {@link Gpu} from a device spec, as stages and the CLI take it ({@code --device}):
 * <ul>
 *   <li>{@code auto} (also a null or blank spec): the first CUDA GPU if
 *       {@link CudaGpu#isAvailable()}, else {@code cpu};</li>
 *   <li>{@code cpu}: the emulated device (Java twins of the kernels);</li>
 *   <li>{@code cuda} or {@code cuda:N}: CUDA device N (default 0) through JCuda;</li>
 *   <li>{@code vgpu://host[:port][?tenant=NAME&token=T&fgpu=0.5&vmem=4&client=TEXT]}: a remote vGPU
 *       on a vgpu-backend (port defaults to {@value Wire#DEFAULT_PORT}); {@code fgpu} is the share of
 *       device time in (0, 1] (default 1), {@code vmem} the memory quota in 256 MiB units (default
 *       {@value RemoteSpec#DEFAULT_VMEM_UNITS}), {@code timeout} the seconds to wait for the backend's answer
 *       to one call (default 30), {@code reconnect} the seconds one call may spend re-establishing a
 *       lost session (default 5; 0: never), {@code shm} the shared-memory segment offered to a
 *       backend on the same host ({@code auto}: 64 MiB, {@code off}, or MiB; default
 *       {@value #SHM_ENV}, else auto), {@code codec} how inline payloads are encoded (none, lz4,
 *       zstd; default {@value #CODEC_ENV}, else none).</li>
 * </ul>
 * The token is taken from {@code token=} in the spec, else from the environment variable
 * {@value #TOKEN_ENV}, else from the file named by {@value #TOKEN_FILE_ENV} (its content, trimmed).
 * Prefer the environment or a file: a spec is easily logged (our own messages never show the
 * token). The tenant is {@code tenant=}, else {@value #TENANT_ENV}, else left to the backend to
 * infer from the token.
 */
public final class Devices {
  private Devices() {}

  public static final String TOKEN_ENV = "EDGEPIPE_VGPU_TOKEN";
  public static final String TOKEN_FILE_ENV = "EDGEPIPE_VGPU_TOKEN_FILE";
  public static final String TENANT_ENV = "EDGEPIPE_VGPU_TENANT";
  /** Default of {@code shm=} (auto, off, or MiB) for a stage's vgpu:// device. */
  public static final String SHM_ENV = "EDGEPIPE_VGPU_SHM";
  /** Default of {@code codec=} (none, lz4, zstd) for a stage's vgpu:// device. */
  public static final String CODEC_ENV = "EDGEPIPE_VGPU_CODEC";

  private static final String FORMS =
      "expected auto, cpu, cuda, cuda:N or vgpu://host[:port][?tenant=NAME&token=T&fgpu=0.5&vmem=4]";
  private static final Set<String> QUERY_KEYS = Set.of("tenant", "token", "fgpu", "vmem", "client", "timeout",
      "reconnect", "shm", "codec");

  /** Opens the device named by {@code spec}, reading tokens from the process environment. */
  public static Gpu open(String spec) {
    return open(spec, System.getenv());
  }

  /**
   * Opens the device named by {@code spec} with {@code env} as the environment.
   *
   * @throws IllegalArgumentException for a malformed spec
   * @throws GpuException when the device exists in the spec but cannot be opened (no CUDA
   *     device, backend unreachable, token refused)
   */
  public static Gpu open(String spec, Map<String, String> env) {
    return open(spec, env, null);
  }

  /**
   * As {@link #open(String, Map)}, reaching a {@code vgpu://} backend with {@code credentials}
   * (mutual TLS from the stage's own certificate), or plaintext when null.
   */
  public static Gpu open(String spec, Map<String, String> env, io.grpc.ChannelCredentials credentials) {
    String s = spec == null ? "" : spec.strip();
    if (s.isEmpty() || s.equals("auto")) {
      return CudaGpu.isAvailable() ? new CudaGpu(0) : new CpuGpu();
    }
    if (s.equals("cpu")) {
      return new CpuGpu();
    }
    if (s.equals("cuda") || s.startsWith("cuda:")) {
      return new CudaGpu(cudaOrdinal(s));
    }
    if (s.startsWith("vgpu://")) {
      return RemoteGpu.connect(parseRemote(s, env), credentials);
    }
    throw new IllegalArgumentException("unknown device spec '" + spec + "': " + FORMS);
  }

  /** The CUDA device number of "cuda" (0) or "cuda:N". */
  static int cudaOrdinal(String s) {
    if (s.equals("cuda")) {
      return 0;
    }
    String n = s.substring("cuda:".length());
    try {
      int i = Integer.parseInt(n);
      if (i < 0) {
        throw new NumberFormatException();
      }
      return i;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad device spec '" + s + "': N in cuda:N must be a device number >= 0");
    }
  }

  /** Parses a {@code vgpu://} spec (see the class comment) without connecting. */
  public static RemoteSpec parseRemote(String spec, Map<String, String> env) {
    URI uri;
    try {
      uri = new URI(spec);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad vgpu spec '" + redact(spec) + "': " + e.getReason() + "; " + FORMS);
    }
    if (!"vgpu".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("bad vgpu spec '" + redact(spec) + "': needs vgpu://host[:port]; " + FORMS);
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
      throw new IllegalArgumentException("bad vgpu spec '" + redact(spec) + "': no path expected after host:port");
    }
    if (uri.getUserInfo() != null || uri.getFragment() != null) {
      throw new IllegalArgumentException("bad vgpu spec '" + redact(spec) + "': user info and fragments are not used");
    }
    Map<String, String> q = query(uri.getRawQuery(), spec);
    String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
    int port = uri.getPort() < 0 ? Wire.DEFAULT_PORT : uri.getPort();
    String tenant = q.getOrDefault("tenant", env.getOrDefault(TENANT_ENV, ""));
    String token = q.containsKey("token") ? q.get("token") : tokenFromEnv(env);
    double fgpu = RemoteSpec.DEFAULT_FGPU;
    int vmem = RemoteSpec.DEFAULT_VMEM_UNITS;
    try {
      if (q.containsKey("fgpu")) {
        fgpu = Double.parseDouble(q.get("fgpu"));
      }
      if (q.containsKey("vmem")) {
        vmem = Integer.parseInt(q.get("vmem"));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad vgpu spec '" + redact(spec) + "': fgpu must be a number in (0, 1] and"
          + " vmem a whole number of 256 MiB units");
    }
    String client = q.getOrDefault("client", env.getOrDefault("HOSTNAME", ""));
    long timeout = seconds(q, "timeout", RemoteSpec.DEFAULT_CALL_TIMEOUT_MILLIS, spec);
    long reconnect = seconds(q, "reconnect", RemoteSpec.DEFAULT_RECONNECT_MILLIS, spec);
    LinkOptions link = link(q.getOrDefault("shm", env.get(SHM_ENV)), q.getOrDefault("codec", env.get(CODEC_ENV)), spec);
    try {
      return new RemoteSpec(host, port, tenant, token, fgpu, vmem, client, timeout, reconnect, link);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad vgpu spec '" + redact(spec) + "': " + e.getMessage(), e);
    }
  }

  /**
   * The link options of {@code shm} ({@code auto}: {@link LinkOptions#DEFAULT_SHM_BYTES}, {@code off},
   * or a size in MiB) and {@code codec} (none, lz4, zstd); null means the default.
   */
  static LinkOptions link(String shm, String codec, String spec) {
    LinkOptions l = LinkOptions.DEFAULT;
    try {
      if (codec != null && !codec.isBlank()) {
        l = l.withCodec(io.edgepipe.api.PayloadCodec.parse(codec.strip()));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad vgpu spec '" + redact(spec) + "': " + e.getMessage());
    }
    if (shm == null || shm.isBlank() || shm.strip().equals("auto")) {
      return l;
    }
    if (shm.strip().equals("off")) {
      return l.withShmBytes(0);
    }
    try {
      long mib = Long.parseLong(shm.strip());
      if (mib < 1 || mib > LinkOptions.MAX_SHM_BYTES >> 20) {
        throw new NumberFormatException();
      }
      return l.withShmBytes(mib << 20);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad vgpu spec '" + redact(spec) + "': shm must be auto, off or a size in MiB"
          + " (1.." + (LinkOptions.MAX_SHM_BYTES >> 20) + ")");
    }
  }

  /** A query parameter in seconds (decimals allowed), as milliseconds. */
  private static long seconds(Map<String, String> q, String key, long defaultMillis, String spec) {
    if (!q.containsKey(key)) {
      return defaultMillis;
    }
    try {
      double s = Double.parseDouble(q.get(key));
      if (!(s >= 0) || s > 86_400) {
        throw new NumberFormatException();
      }
      return Math.round(s * 1000);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad vgpu spec '" + redact(spec) + "': " + key + " must be a number of seconds"
          + " in [0, 86400]");
    }
  }

  private static Map<String, String> query(String raw, String spec) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      if (!QUERY_KEYS.contains(k)) {
        throw new IllegalArgumentException("bad vgpu spec '" + redact(spec) + "': unknown parameter '" + k
            + "' (known: tenant, token, fgpu, vmem, client, timeout, reconnect, shm, codec)");
      }
      if (q.put(k, v) != null) {
        throw new IllegalArgumentException("bad vgpu spec '" + redact(spec) + "': parameter '" + k + "' given twice");
      }
    }
    return q;
  }

  private static String tokenFromEnv(Map<String, String> env) {
    String t = env.get(TOKEN_ENV);
    if (t != null && !t.isBlank()) {
      return t.strip();
    }
    String file = env.get(TOKEN_FILE_ENV);
    if (file != null && !file.isBlank()) {
      try {
        return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the vGPU token file " + file + " (" + TOKEN_FILE_ENV + "): "
            + e.getMessage(), e);
      }
    }
    return "";
  }

  /** The spec with any token value masked, for messages. */
  static String redact(String spec) {
    return spec == null ? "null" : spec.replaceAll("(?i)(token=)[^&#]*", "$1***");
  }
}

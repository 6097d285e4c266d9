package io.edgepipe.vgpu.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tenants a backend admits and their tokens.
 *
 * <p>File format (path from {@code vgpu-backend --tokens FILE} or the environment variable
 * {@value #ENV}): one {@code tenant:token} per line; the tenant is everything before the first
 * colon, the token everything after it up to the first blank, both non-empty; blank lines and
 * lines starting with {@code #} are ignored; a tenant may appear once. Optional limits may follow
 * the token, separated by blanks: {@code max_fgpu=F} (sum of fGPU over the tenant's live sessions,
 * in (0, 1]), {@code max_vmem=N} (sum of vMemory units over them) and {@code max_sessions=N}
 * (sessions open at once), e.g. {@code edge1:2f9c...e1  max_fgpu=0.5 max_vmem=8}. A session that
 * would pass them is refused with RESOURCE_EXHAUSTED; a cap the line does not name is the
 * backend's default ({@link BackendLimits#tenantDefaults()}). The field {@code role=admin} makes a
 * line an admin token: it opens no sessions, and the status RPC shows it every tenant's sessions
 * (a tenant's token shows only its own). Keep the file readable only by the backend's user.
 *
 * <p>Only SHA-256 digests of the tokens are kept, and a presented token is compared with
 * {@link MessageDigest#isEqual} on digests, so the comparison takes the same time whatever the
 * token's content or length. Tokens are never logged or put in messages.
 */
public final class TokenStore {
  /** Environment variable naming the tokens file when no flag is given. */
  public static final String ENV = "EDGEPIPE_VGPU_TOKENS";

  private static final byte[] NO_MATCH = digest("\u0000no-such-token\u0000");

  /**
   * A tenant's caps over all its live sessions; a field left unset (NaN, 0) takes the backend's
   * default. {@code admin}: a status-only token that sees every tenant.
   */
  public record Limits(double maxFgpu, int maxVmemUnits, int maxSessions, boolean admin) {
    /** Nothing set: every cap is the backend's default. */
    public static final Limits UNSET = new Limits(Double.NaN, 0, 0, false);

    /** Caps on fGPU and vMemory, the rest default. */
    public Limits(double maxFgpu, int maxVmemUnits) {
      this(maxFgpu, maxVmemUnits, 0, false);
    }

    /** These caps, with each unset one taken from {@code defaults}. */
    public Limits orElse(Limits defaults) {
      return new Limits(Double.isNaN(maxFgpu) ? defaults.maxFgpu : maxFgpu,
          maxVmemUnits > 0 ? maxVmemUnits : defaults.maxVmemUnits,
          maxSessions > 0 ? maxSessions : defaults.maxSessions, admin);
    }
  }

  private final Map<String, byte[]> digests;
  private final Map<String, Limits> limits;

  private TokenStore(Map<String, byte[]> digests, Map<String, Limits> limits) {
    if (digests.isEmpty()) {
      throw new IllegalArgumentException("no tenants: a backend needs at least one tenant:token");
    }
    this.digests = Map.copyOf(digests);
    this.limits = Map.copyOf(limits);
  }

  /** Tenants and their tokens, e.g. for tests. */
  public static TokenStore of(Map<String, String> tokensByTenant) {
    Map<String, byte[]> d = new LinkedHashMap<>();
    tokensByTenant.forEach((tenant, token) -> {
      checkEntry(tenant, token, "entry for '" + tenant + "'");
      d.put(tenant, digest(token));
    });
    return new TokenStore(d, Map.of());
  }

  /** This store with {@code limits} for the named tenants (others keep theirs). */
  public TokenStore withLimits(Map<String, Limits> more) {
    Map<String, Limits> l = new LinkedHashMap<>(limits);
    more.forEach((tenant, lim) -> {
      if (!digests.containsKey(tenant)) {
        throw new IllegalArgumentException("limits for unknown tenant '" + tenant + "'");
      }
      l.put(tenant, lim);
    });
    return new TokenStore(digests, l);
  }

  /** The caps of {@code tenant} as the file gives them ({@link Limits#UNSET} when it gives none). */
  public Limits limits(String tenant) {
    return limits.getOrDefault(tenant, Limits.UNSET);
  }

  /** True for an admin (status-only) token's tenant. */
  public boolean isAdmin(String tenant) {
    return limits(tenant).admin();
  }

  /** Reads a tokens file (format in the class comment). */
  public static TokenStore load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read vGPU tokens file " + file + ": " + e.getMessage(), e);
    }
    return parse(lines, file.toString());
  }

  /** Parses the lines of a tokens file (format in the class comment); {@code source} names it in errors. */
  public static TokenStore parse(List<String> lines, String source) {
    Map<String, byte[]> d = new LinkedHashMap<>();
    Map<String, Limits> l = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + " line " + (i + 1);
      int colon = line.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(where + ": expected tenant:token");
      }
      String tenant = line.substring(0, colon).strip();
      String[] rest = line.substring(colon + 1).strip().split("\\s+");
      String token = rest[0];
      checkEntry(tenant, token, where);
      if (d.put(tenant, digest(token)) != null) {
        throw new IllegalArgumentException(where + ": tenant '" + tenant + "' appears twice");
      }
      if (rest.length > 1) {
        l.put(tenant, limits(rest, where));
      }
    }
    if (d.isEmpty()) {
      throw new IllegalArgumentException("vGPU tokens file " + source + " has no tenant:token line");
    }
    return new TokenStore(d, l);
  }

  private static Limits limits(String[] parts, String where) {
    double fgpu = Double.NaN;
    int vmem = 0;
    int sessions = 0;
    boolean admin = false;
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i];
      try {
        if (p.startsWith("max_fgpu=")) {
          fgpu = Double.parseDouble(p.substring("max_fgpu=".length()));
          if (!(fgpu > 0 && fgpu <= 1)) {
            throw new NumberFormatException();
          }
        } else if (p.startsWith("max_vmem=")) {
          vmem = positive(p.substring("max_vmem=".length()));
        } else if (p.startsWith("max_sessions=")) {
          sessions = positive(p.substring("max_sessions=".length()));
        } else if (p.equals("role=admin")) {
          admin = true;
        } else {
          // never echo the field: a mistyped line may hold a token
          throw new IllegalArgumentException(where + ": after the token only max_fgpu=F, max_vmem=N, max_sessions=N"
              + " and role=admin may follow (field " + (i + 1) + " is none of them)");
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(where + ": max_fgpu must be in (0, 1], max_vmem (256 MiB units) and"
            + " max_sessions whole numbers >= 1");
      }
    }
    return new Limits(fgpu, vmem, sessions, admin);
  }

  private static int positive(String s) {
    int v = Integer.parseInt(s);
    if (v < 1) {
      throw new NumberFormatException();
    }
    return v;
  }

  /**
   * Loads the file named by {@code flagPath}, or else by {@value #ENV} in {@code env}.
   *
   * @throws IllegalArgumentException when neither names a file
   */
  public static TokenStore fromFlagOrEnv(Path flagPath, Map<String, String> env) {
    if (flagPath != null) {
      return load(flagPath);
    }
    String p = env.get(ENV);
    if (p == null || p.isBlank()) {
      throw new IllegalArgumentException("no vGPU tokens: pass --tokens FILE or set " + ENV
          + " (one tenant:token per line)");
    }
    return load(Path.of(p));
  }

  public Set<String> tenants() {
    return digests.keySet();
  }

  /**
   * The tenant {@code token} belongs to, if any. With a non-empty {@code tenant} only that
   * tenant's token is accepted; with an empty one the token alone identifies the tenant (every
   * entry is compared, so the time does not tell which one matched).
   */
  public Optional<String> authenticate(String tenant, String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    byte[] presented = digest(token);
    if (tenant != null && !tenant.isEmpty()) {
      byte[] expected = digests.get(tenant);
      boolean ok = MessageDigest.isEqual(expected == null ? NO_MATCH : expected, presented);
      return ok && expected != null ? Optional.of(tenant) : Optional.empty();
    }
    String found = null;
    for (Map.Entry<String, byte[]> e : digests.entrySet()) {
      if (MessageDigest.isEqual(e.getValue(), presented) && found == null) {
        found = e.getKey();
      }
    }
    return Optional.ofNullable(found);
  }

  private static void checkEntry(String tenant, String token, String where) {
    if (tenant == null || tenant.isBlank() || tenant.chars().anyMatch(c -> c <= ' ' || c == ':')) {
      throw new IllegalArgumentException(where + ": tenant name must be non-empty, without spaces or ':'");
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException(where + ": token is empty");
    }
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "TokenStore" + tenants() + (limits.isEmpty() ? "" : " limits " + limits); // names only, never tokens
  }
}

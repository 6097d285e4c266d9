package io.edgepipe.planner.manifest;

import io.edgepipe.api.Tier;
import java.io.IOException;
import java.io.InputStream;
import java.util.EnumMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * How manifests are generated beyond the placement. Build with {@link #builder()}; every value
 * has a default, listed on its setter.
 */
public final class ManifestOptions {
  private final String namespace;
  private final String registry;
  private final String imageTag;
  private final Map<String, Integer> replicas;
  private final String vgpuBackend;
  private final String vgpuBackendImage;
  private final String gpuResource;
  private final String source;
  private final Map<Tier, ContainerResources> resources;
  private final boolean tls;
  private final boolean networkPolicies;
  private final List<String> metricsFrom;
  private final String cameraResource;
  private final long cameraGroup;
  private final java.nio.file.Path secretsFrom;
  private final boolean colocate;

  private ManifestOptions(Builder b) {
    this.namespace = b.namespace;
    this.registry = b.registry;
    this.imageTag = b.imageTag;
    this.replicas = Map.copyOf(b.replicas);
    this.vgpuBackend = b.vgpuBackend;
    this.vgpuBackendImage = b.vgpuBackendImage;
    this.gpuResource = b.gpuResource;
    this.source = b.source;
    this.resources = new EnumMap<>(b.resources);
    this.tls = b.tls;
    this.networkPolicies = b.networkPolicies;
    this.metricsFrom = List.copyOf(b.metricsFrom);
    this.cameraResource = b.cameraResource;
    this.cameraGroup = b.cameraGroup;
    this.secretsFrom = b.secretsFrom;
    this.colocate = b.colocate;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static ManifestOptions defaults() {
    return builder().build();
  }

  /** The project version the planner was built as; the default image tag. */
  public static String projectVersion() {
    Properties props = new Properties();
    try (InputStream in = ManifestOptions.class.getResourceAsStream("/edgepipe-planner.properties")) {
      if (in != null) {
        props.load(in);
      }
    } catch (IOException e) {
      // fall through to "latest": a tag is still needed, and the user can set --image-tag
    }
    String version = props.getProperty("version", "");
    return version.isBlank() || version.startsWith("${") ? "latest" : version;
  }

  public String namespace() {
    return namespace;
  }

  public String registry() {
    return registry;
  }

  public String imageTag() {
    return imageTag;
  }

  public int replicas(String stage) {
    return replicas.getOrDefault(stage, 1);
  }

  public Map<String, Integer> replicas() {
    return replicas;
  }

  public String vgpuBackend() {
    return vgpuBackend;
  }

  public String vgpuBackendImage() {
    return vgpuBackendImage;
  }

  public String gpuResource() {
    return gpuResource;
  }

  public String source() {
    return source;
  }

  public ContainerResources resources(Tier tier) {
    return resources.get(tier);
  }

  /** Mutual TLS between the services and to the vgpu-backend, from per-workload Secrets. */
  public boolean tls() {
    return tls;
  }

  public boolean networkPolicies() {
    return networkPolicies;
  }

  /** CIDRs admitted to the metrics port besides labelled scrapers. */
  public List<String> metricsFrom() {
    return metricsFrom;
  }

  /** Device-plugin resource that gives the producer its camera ("akri.sh/akri-usb-video=1"), or null for hostPath. */
  public String cameraResource() {
    return cameraResource;
  }

  /** Group that may open the camera device (44 = "video" on Debian). */
  public long cameraGroup() {
    return cameraGroup;
  }

  /** Folder of local secret files ({@code pipeline certs --out}) the Secrets are made from, or null. */
  public java.nio.file.Path secretsFrom() {
    return secretsFrom;
  }

  /** The stages of each tier as containers of one Pod, sharing memory ({@link CoLocation}). */
  public boolean colocate() {
    return colocate;
  }

  /** Mutable collector of options. */
  public static final class Builder {
    private String namespace = "edgepipe";
    private String registry = "edgepipe";
    private String imageTag = projectVersion();
    private final Map<String, Integer> replicas = new LinkedHashMap<>();
    private String vgpuBackend;
    private String vgpuBackendImage;
    private String gpuResource;
    private String source = "synthetic";
    private final Map<Tier, ContainerResources> resources = new EnumMap<>(Tier.class);
    private boolean tls;
    private boolean networkPolicies = true;
    private final List<String> metricsFrom = new ArrayList<>();
    private String cameraResource;
    private long cameraGroup = 44;
    private java.nio.file.Path secretsFrom;
    private boolean colocate;

    private Builder() {
      for (Tier tier : Tier.values()) {
        resources.put(tier, ContainerResources.defaults(tier));
      }
    }

    /** Default "edgepipe". */
    public Builder namespace(String value) {
      namespace = value;
      return this;
    }

    /** Image registry (prefix), default "edgepipe": images are {@code <registry>/edgepipe-stage-<name>:<tag>}. */
    public Builder registry(String value) {
      registry = value;
      return this;
    }

    /** Default: the project version. Edge stages get the tag with "-edge" appended. */
    public Builder imageTag(String value) {
      imageTag = value;
      return this;
    }

    /** Replicas of one stage, default 1; more than 1 makes its Service headless. */
    public Builder replicas(String stage, int count) {
      replicas.put(stage, count);
      return this;
    }

    public Builder replicas(Map<String, Integer> counts) {
      replicas.putAll(counts);
      return this;
    }

    /** host:port of a vgpu-backend for edge stages (they get --device vgpu://host:port); default none. */
    public Builder vgpuBackend(String value) {
      vgpuBackend = value;
      return this;
    }

    /** Image of a vgpu-backend to deploy on the server tier; default none (not deployed). */
    public Builder vgpuBackendImage(String value) {
      vgpuBackendImage = value;
      return this;
    }

    /** Extended resource to request once for GPU containers (e.g. nvidia.com/gpu); default none. */
    public Builder gpuResource(String value) {
      gpuResource = value;
      return this;
    }

    /** Producer's frame source, default "synthetic". */
    public Builder source(String value) {
      source = value;
      return this;
    }

    public Builder resources(Tier tier, ContainerResources value) {
      resources.put(tier, value);
      return this;
    }

    /**
     * One override written "edge.limits.memory=4Gi" (tier.requests|limits.resource=quantity),
     * the form the --resource flag takes.
     */
    public Builder resourceOverride(String text) {
      String[] keyValue = text.split("=", 2);
      String[] key = keyValue[0].split("\\.", 3);
      if (keyValue.length != 2 || key.length != 3 || keyValue[1].isBlank()) {
        throw new ManifestException("--resource '" + text + "' is not TIER.requests|limits.RESOURCE=QUANTITY, "
            + "e.g. edge.limits.memory=4Gi");
      }
      Tier tier;
      try {
        tier = Tier.parse(key[0]);
      } catch (IllegalArgumentException e) {
        throw new ManifestException("--resource '" + text + "': " + e.getMessage());
      }
      resources.put(tier, resources.get(tier).with(key[1], key[2], keyValue[1].trim()));
      return this;
    }

    /**
     * Default off. On: every workload mounts the Secret {@code <name>-tls} (see {@link Security})
     * at /etc/edgepipe/tls and serves and calls over mutual TLS ({@code --tls-cert/--tls-key/--tls-ca});
     * make the Secrets with {@code pipeline certs}.
     */
    public Builder tls(boolean value) {
      tls = value;
      return this;
    }

    /** Default on: a default-deny ingress policy plus one per workload (see {@link NetworkPolicies}). */
    public Builder networkPolicies(boolean value) {
      networkPolicies = value;
      return this;
    }

    /** A CIDR (e.g. the nodes' 10.0.0.0/24) admitted to every metrics port; default none. */
    public Builder metricsFrom(String cidr) {
      if (!cidr.matches("[0-9a-fA-F:.]+/[0-9]{1,3}")) {
        throw new ManifestException("--metrics-from '" + cidr + "' is not a CIDR such as 10.0.0.0/24");
      }
      metricsFrom.add(cidr);
      return this;
    }

    /** Default none: a camera source is then mounted as a hostPath device (see {@link CameraAccess}). */
    public Builder cameraResource(String value) {
      cameraResource = value;
      return this;
    }

    /** Default 44 ("video" on Debian and Ubuntu). */
    public Builder cameraGroup(long value) {
      if (value < 0) {
        throw new ManifestException("--camera-group must be a group id >= 0, got " + value);
      }
      cameraGroup = value;
      return this;
    }

    /**
     * Default none. A folder as {@code pipeline certs --out DIR [--vgpu-tenants ...]} writes it:
     * the Secrets the manifests mount are made from its files (see {@link SecretSources}).
     */
    public Builder secretsFrom(java.nio.file.Path value) {
      secretsFrom = value;
      return this;
    }

    /**
     * Default off (a Pod per stage). On: the stages a placement puts on one tier run as containers
     * of one Pod and pass payloads through a shared memory emptyDir ({@link CoLocation}).
     */
    public Builder colocate(boolean value) {
      colocate = value;
      return this;
    }

    public ManifestOptions build() {
      return new ManifestOptions(this);
    }
  }
}

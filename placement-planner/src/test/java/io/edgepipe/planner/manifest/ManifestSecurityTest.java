package io.edgepipe.planner.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgepipe.planner.StageChain;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Deployment of every kind of manifest set runs locked down, and the network policies admit
 * each workload's upstream, its metrics scrapers, and nothing else.
 */
class ManifestSecurityTest {
  static Stream<Arguments> manifestSets() throws Exception {
    return Stream.of(
        Arguments.of("EESS defaults", ManifestGeneratorTest.thesis("EESS", ManifestOptions.defaults())),
        Arguments.of("SSSS replicas", ManifestGeneratorTest.thesis("SSSS", ManifestOptions.builder()
            .replicas("relu", 3).namespace("lab").build())),
        Arguments.of("EEES backend tls", ManifestGeneratorTest.thesis("EEES", ManifestOptions.builder()
            .vgpuBackendImage("reg/vgpu:1").gpuResource("nvidia.com/gpu").tls(true).metricsFrom("10.42.0.0/16")
            .build())),
        Arguments.of("EESS external backend", ManifestGeneratorTest.thesis("EESS", ManifestOptions.builder()
            .vgpuBackend("10.0.0.5:50070").build())),
        Arguments.of("EES model tls", ModelManifestTest.model("EES", ManifestOptions.builder().tls(true).build())),
        Arguments.of("ESS model on a claim", ModelManifestTest.model("ESS", ModelFile.onClaim("tiny.onnx", "models"),
            ManifestOptions.defaults())));
  }

  /** Co-located (--colocate): the stages of a tier as containers of one Pod sharing a memory volume. */
  static Stream<Arguments> colocatedSets() throws Exception {
    return Stream.of(
        Arguments.of("EESS colocated", ManifestGeneratorTest.thesis("EESS", ManifestOptions.builder().colocate(true)
            .build())),
        Arguments.of("SSSS colocated tls", ManifestGeneratorTest.thesis("SSSS", ManifestOptions.builder().colocate(true)
            .tls(true).build())),
        Arguments.of("EEES colocated backend", ManifestGeneratorTest.thesis("EEES", ManifestOptions.builder()
            .colocate(true).vgpuBackendImage("reg/vgpu:1").metricsFrom("10.42.0.0/16").build())),
        Arguments.of("EES model colocated", ModelManifestTest.model("EES", ManifestOptions.builder().colocate(true)
            .build())));
  }

  static Stream<Arguments> allSets() throws Exception {
    return Stream.concat(manifestSets(), colocatedSets());
  }

  private static List<Deployment> deployments(PipelineManifests m) {
    return m.workloads().stream().map(Workload::deployment).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allSets")
  void everyPodRunsAsNonRootWithDefaultSeccompAndNoApiToken(String name, PipelineManifests m) {
    for (Deployment d : deployments(m)) {
      String where = name + ": " + d.getMetadata().getName();
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      PodSecurityContext psc = pod.getSecurityContext();
      assertNotNull(psc, where);
      assertEquals(Boolean.TRUE, psc.getRunAsNonRoot(), where);
      assertEquals(65532L, psc.getRunAsUser(), where);
      assertEquals(65532L, psc.getRunAsGroup(), where);
      assertEquals(65532L, psc.getFsGroup(), where);
      assertEquals("RuntimeDefault", psc.getSeccompProfile().getType(), where);
      assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), where);
      assertTrue(pod.getHostNetwork() == null || !pod.getHostNetwork(), where);
      assertTrue(pod.getHostPID() == null || !pod.getHostPID(), where);
      assertTrue(pod.getHostIPC() == null || !pod.getHostIPC(), where);
      assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getHostPath() != null), where + ": no hostPath");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allSets")
  void everyContainerIsReadOnlyUnprivilegedWithoutCapabilitiesAndLimited(String name, PipelineManifests m) {
    for (Deployment d : deployments(m)) {
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      assertTrue(pod.getInitContainers() == null || pod.getInitContainers().isEmpty());
      for (Container c : pod.getContainers()) {
        String where = name + ": " + c.getName();
        SecurityContext sc = c.getSecurityContext();
        assertNotNull(sc, where);
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), where);
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), where);
        assertEquals(Boolean.FALSE, sc.getPrivileged(), where);
        assertEquals(Boolean.TRUE, sc.getRunAsNonRoot(), where);
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), where);
        assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(), where);
        assertTrue(sc.getRunAsUser() == null || sc.getRunAsUser() != 0, where);
        // limits and requests for cpu and memory
        for (String r : List.of("cpu", "memory")) {
          assertNotNull(c.getResources().getLimits().get(r), where + " limits." + r);
          assertNotNull(c.getResources().getRequests().get(r), where + " requests." + r);
        }
        // the one writable place: /tmp, a size-limited emptyDir
        VolumeMount tmp = c.getVolumeMounts().stream().filter(v -> v.getMountPath().equals("/tmp")).findFirst()
            .orElseThrow(() -> new AssertionError(where + ": no /tmp"));
        Volume tmpVolume = volume(pod, tmp.getName());
        assertNotNull(tmpVolume.getEmptyDir(), where);
        assertNotNull(tmpVolume.getEmptyDir().getSizeLimit(), where);
        // and, co-located, the rings' folder: a memory emptyDir of limited size
        for (VolumeMount mount : c.getVolumeMounts()) {
          if (mount.getMountPath().equals(CoLocation.SHM_DIR)) {
            Volume rings = volume(pod, mount.getName());
            assertEquals("Memory", rings.getEmptyDir().getMedium(), where);
            assertNotNull(rings.getEmptyDir().getSizeLimit(), where);
          } else if (!mount.getMountPath().equals("/tmp")) {
            assertEquals(Boolean.TRUE, mount.getReadOnly(), where + " " + mount.getMountPath());
          }
        }
        // secrets are files readable by owner and group only; tokens never appear as values
        for (Volume v : pod.getVolumes()) {
          if (v.getSecret() != null) {
            assertEquals(0440, v.getSecret().getDefaultMode(), where + " " + v.getName());
          }
        }
        for (EnvVar e : c.getEnv()) {
          assertFalse(e.getName().equals("EDGEPIPE_VGPU_TOKEN"), where + ": token as an environment value");
          assertTrue(e.getValueFrom() == null || e.getValueFrom().getSecretKeyRef() == null, where + " " + e.getName());
        }
        assertTrue(c.getArgs().stream().noneMatch(a -> a.contains("token=")), where + ": token in arguments");
      }
    }
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allSets")
  void defaultDenyCoversEveryPod(String name, PipelineManifests m) {
    NetworkPolicy deny = m.networkPolicies().get(0);
    assertEquals(NetworkPolicies.DEFAULT_DENY, deny.getMetadata().getName());
    assertEquals(List.of("Ingress"), deny.getSpec().getPolicyTypes());
    assertTrue(deny.getSpec().getIngress() == null || deny.getSpec().getIngress().isEmpty(), "admits nothing");
    for (Deployment d : deployments(m)) {
      assertTrue(selects(deny, d), name + ": default deny misses " + d.getMetadata().getName());
    }
    boolean backend = m.workloads().stream().anyMatch(w -> w.name().equals(ManifestGenerator.VGPU_BACKEND));
    assertEquals(1 + m.stageNames().size() + (backend ? 1 : 0), m.networkPolicies().size(),
        "default deny plus one per stage and the backend");
    assertTrue(m.all().indexOf(deny) < m.all().indexOf(deployments(m).get(0)), "policies before workloads");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("manifestSets")
  void eachStageAdmitsOnlyItsUpstreamAndMetrics(String name, PipelineManifests m) {
    StageChain chain = m.chain();
    String namespace = m.namespaceName();
    for (int i = 0; i < chain.size(); i++) {
      String stage = chain.stage(i);
      String upstream = i == 0 ? chain.stage(chain.size() - 1) : chain.stage(i - 1);
      int port = i == 0 ? Ports.SINK : Ports.STAGE;
      NetworkPolicy p = onlyPolicyFor(m, stage);
      String where = name + ": " + p.getMetadata().getName();
      assertEquals(namespace, p.getMetadata().getNamespace(), where);
      List<NetworkPolicyIngressRule> rules = p.getSpec().getIngress();
      assertEquals(2, rules.size(), where);
      assertEquals(List.of(port), ports(rules.get(0)), where);
      assertEquals(1, rules.get(0).getFrom().size(), where);
      NetworkPolicyPeer from = rules.get(0).getFrom().get(0);
      assertNull(from.getNamespaceSelector(), where + ": same namespace only");
      assertNull(from.getIpBlock(), where);
      assertEquals(Labels.selector(upstream), from.getPodSelector().getMatchLabels(), where);
      assertMetricsOnly(rules.get(1), where);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("manifestSets")
  void backendAdmitsOnlyTheStagesThatComputeOnIt(String name, PipelineManifests m) {
    boolean deployed = m.workloads().stream().anyMatch(w -> w.name().equals(ManifestGenerator.VGPU_BACKEND));
    if (!deployed) {
      assertTrue(m.networkPolicies().stream().noneMatch(p -> p.getMetadata().getName().startsWith("vgpu-backend")));
      return;
    }
    Set<String> clients = new java.util.TreeSet<>();
    for (Workload w : m.workloads()) {
      Container c = w.deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
      int device = c.getArgs().indexOf("--device");
      if (device >= 0 && c.getArgs().get(device + 1).startsWith("vgpu://")) {
        clients.add(w.name());
      }
    }
    assertFalse(clients.isEmpty(), name);
    NetworkPolicy p = onlyPolicyFor(m, ManifestGenerator.VGPU_BACKEND);
    List<NetworkPolicyIngressRule> rules = p.getSpec().getIngress();
    assertEquals(2, rules.size());
    assertEquals(List.of(Ports.VGPU), ports(rules.get(0)));
    Set<String> admitted = new java.util.TreeSet<>();
    for (NetworkPolicyPeer peer : rules.get(0).getFrom()) {
      assertNull(peer.getNamespaceSelector());
      assertNull(peer.getIpBlock());
      admitted.add(peer.getPodSelector().getMatchLabels().get(Labels.NAME));
      assertEquals(Labels.selector(peer.getPodSelector().getMatchLabels().get(Labels.NAME)),
          peer.getPodSelector().getMatchLabels());
    }
    assertEquals(clients, admitted);
    assertMetricsOnly(rules.get(1), name + ": vgpu-backend");
  }

  private static void assertMetricsOnly(NetworkPolicyIngressRule rule, String where) {
    assertEquals(List.of(Ports.METRICS), ports(rule), where);
    assertFalse(rule.getFrom() == null || rule.getFrom().isEmpty(), where + ": an empty 'from' admits everyone");
    for (NetworkPolicyPeer peer : rule.getFrom()) {
      if (peer.getIpBlock() != null) {
        assertEquals("10.42.0.0/16", peer.getIpBlock().getCidr(), where);
        continue;
      }
      Map<String, String> labels = peer.getPodSelector() != null ? peer.getPodSelector().getMatchLabels()
          : peer.getNamespaceSelector().getMatchLabels();
      assertEquals(Map.of(Labels.METRICS_SCRAPER, "true"), labels, where);
      assertTrue(peer.getPodSelector() == null || peer.getNamespaceSelector() == null, where);
    }
  }

  private static List<Integer> ports(NetworkPolicyIngressRule rule) {
    List<Integer> ports = new ArrayList<>();
    for (NetworkPolicyPort p : rule.getPorts()) {
      assertEquals("TCP", p.getProtocol());
      ports.add(p.getPort().getIntVal());
    }
    return ports;
  }

  /** The one policy besides the default deny that selects {@code workload}'s pods. */
  private static NetworkPolicy onlyPolicyFor(PipelineManifests m, String workload) {
    Deployment d = deployments(m).stream().filter(x -> x.getMetadata().getName().equals(workload)).findFirst()
        .orElseThrow();
    List<NetworkPolicy> selecting = m.networkPolicies().stream()
        .filter(p -> !p.getMetadata().getName().equals(NetworkPolicies.DEFAULT_DENY))
        .filter(p -> selects(p, d)).collect(Collectors.toList());
    assertEquals(1, selecting.size(), workload + ": " + selecting.stream().map(HasMetadata::getMetadata).toList());
    assertEquals(List.of("Ingress"), selecting.get(0).getSpec().getPolicyTypes());
    return selecting.get(0);
  }

  private static boolean selects(NetworkPolicy p, Deployment d) {
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    return podLabels.entrySet().containsAll(p.getSpec().getPodSelector().getMatchLabels().entrySet())
        && (p.getSpec().getPodSelector().getMatchExpressions() == null
            || p.getSpec().getPodSelector().getMatchExpressions().isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("manifestSets")
  void tlsMountsEachWorkloadsSecretAndPointsTheFlagsAtIt(String name, PipelineManifests m) {
    boolean tls = name.contains("tls");
    for (Workload w : m.workloads()) {
      PodSpec pod = w.deployment().getSpec().getTemplate().getSpec();
      Container c = pod.getContainers().get(0);
      String where = name + ": " + w.name();
      if (!tls) {
        assertTrue(c.getArgs().stream().noneMatch(a -> a.startsWith("--tls")), where);
        assertNotNull(c.getReadinessProbe().getGrpc(), where);
        continue;
      }
      int cert = c.getArgs().indexOf("--tls-cert");
      assertEquals(List.of("--tls-cert", "/etc/edgepipe/tls/tls.crt", "--tls-key", "/etc/edgepipe/tls/tls.key",
          "--tls-ca", "/etc/edgepipe/tls/ca.crt"), c.getArgs().subList(cert, cert + 6), where);
      VolumeMount mount = c.getVolumeMounts().stream().filter(v -> v.getMountPath().equals("/etc/edgepipe/tls"))
          .findFirst().orElseThrow(() -> new AssertionError(where + ": no TLS mount"));
      assertEquals(Boolean.TRUE, mount.getReadOnly());
      assertEquals(w.name() + "-tls", volume(pod, mount.getName()).getSecret().getSecretName(), where);
      // kubelet's gRPC probe cannot present a client certificate
      assertNull(c.getReadinessProbe().getGrpc(), where);
      assertNotNull(c.getReadinessProbe().getTcpSocket(), where);
      assertNotNull(c.getLivenessProbe().getTcpSocket(), where);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("manifestSets")
  void vgpuTokensComeFromSecrets(String name, PipelineManifests m) {
    for (Workload w : m.workloads()) {
      PodSpec pod = w.deployment().getSpec().getTemplate().getSpec();
      Container c = pod.getContainers().get(0);
      String where = name + ": " + w.name();
      if (w.name().equals(ManifestGenerator.VGPU_BACKEND)) {
        int tokens = c.getArgs().indexOf("--tokens");
        assertEquals("/etc/edgepipe/vgpu-tokens/tokens", c.getArgs().get(tokens + 1), where);
        VolumeMount mount = c.getVolumeMounts().stream()
            .filter(v -> v.getMountPath().equals("/etc/edgepipe/vgpu-tokens")).findFirst().orElseThrow();
        assertEquals("vgpu-tokens", volume(pod, mount.getName()).getSecret().getSecretName(), where);
        continue;
      }
      int device = c.getArgs().indexOf("--device");
      boolean remote = device >= 0 && c.getArgs().get(device + 1).startsWith("vgpu://");
      EnvVar tokenFile = c.getEnv().stream().filter(e -> e.getName().equals("EDGEPIPE_VGPU_TOKEN_FILE")).findFirst()
          .orElse(null);
      if (!remote) {
        assertNull(tokenFile, where);
        continue;
      }
      assertEquals("/etc/edgepipe/vgpu-token/token", tokenFile.getValue(), where);
      VolumeMount mount = c.getVolumeMounts().stream().filter(v -> v.getMountPath().equals("/etc/edgepipe/vgpu-token"))
          .findFirst().orElseThrow();
      Volume v = volume(pod, mount.getName());
      assertEquals("vgpu-client-tokens", v.getSecret().getSecretName(), where);
      assertEquals(1, v.getSecret().getItems().size(), where + ": only its own token");
      assertEquals(w.name(), v.getSecret().getItems().get(0).getKey(), where);
      assertEquals("token", v.getSecret().getItems().get(0).getPath(), where);
    }
  }
}

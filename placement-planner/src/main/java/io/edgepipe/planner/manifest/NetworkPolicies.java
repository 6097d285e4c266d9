package io.edgepipe.planner.manifest;

import io.edgepipe.planner.StageChain;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Who may connect to whom. A default-deny policy selects every edgepipe pod (label
 * {@code app.kubernetes.io/part-of=edgepipe}) and admits nothing; one policy per workload then
 * admits exactly:
 *
 * <ul>
 *   <li>its upstream's pods on its gRPC port: conv from the producer, relu from conv, ..., and
 *       the producer (whose pod holds the sink) from the last stage on the sink port;</li>
 *   <li>the vgpu-backend: from the pods of the stages that compute on it, on the vGPU port;</li>
 *   <li>metrics scrapers on the metrics port: pods labelled {@value Labels#METRICS_SCRAPER}=true
 *       in the namespace, any pod of a namespace so labelled (label the monitoring namespace),
 *       and the CIDRs given with {@code --metrics-from} (the nodes' range, where the API server
 *       proxy that {@code pipeline status} uses comes from).</li>
 * </ul>
 *
 * Co-located ({@link CoLocation}), a stage's policy selects and admits pods by the label
 * {@code edgepipe.io/runs-<stage>} on the stage's own ports, so it holds wherever a move puts the
 * stage; hops inside a Pod use loopback, which NetworkPolicies do not filter.
 *
 * <p>The default deny selects edgepipe's pods rather than the whole namespace, so deploying into a
 * namespace shared with other workloads does not cut them off. Egress is not restricted (stages
 * resolve DNS and may reach a vGPU backend outside the cluster).
 */
public final class NetworkPolicies {
  public static final String DEFAULT_DENY = "default-deny-ingress";

  private NetworkPolicies() {}

  /** Name of a workload's ingress policy: {@code conv-ingress}. */
  public static String policyName(String workload) {
    return workload + "-ingress";
  }

  /**
   * @param chain       producer first
   * @param vgpuClients stages that compute on the in-cluster vgpu-backend (empty when none is deployed)
   * @param backend     whether the vgpu-backend is deployed here
   */
  static List<NetworkPolicy> build(StageChain chain, List<String> vgpuClients, boolean backend,
      ManifestOptions options) {
    String namespace = options.namespace();
    List<NetworkPolicy> policies = new ArrayList<>();
    policies.add(defaultDeny(namespace));
    if (backend) {
      List<NetworkPolicyIngressRule> rules = new ArrayList<>();
      if (!vgpuClients.isEmpty()) {
        List<NetworkPolicyPeer> from = new ArrayList<>();
        vgpuClients.forEach(stage -> from.add(podsOf(stage, options)));
        rules.add(rule(from, Ports.VGPU));
      }
      rules.add(metricsRule(options, Ports.METRICS));
      policies.add(policy(ManifestGenerator.VGPU_BACKEND, namespace, Labels.selector(ManifestGenerator.VGPU_BACKEND),
          rules));
    }
    boolean colocate = options.colocate();
    for (int i = 0; i < chain.size(); i++) {
      String stage = chain.stage(i);
      boolean producer = i == 0;
      String upstream = producer ? chain.stage(chain.size() - 1) : chain.stage(i - 1);
      int port = colocate ? CoLocation.grpcPort(i) : producer ? Ports.SINK : Ports.STAGE;
      int metrics = colocate ? CoLocation.metricsPort(i) : Ports.METRICS;
      policies.add(policy(stage, namespace, selector(stage, options),
          List.of(rule(List.of(podsOf(upstream, options)), port), metricsRule(options, metrics))));
    }
    return policies;
  }

  /**
   * The pods of one workload, by the labels its selector uses; co-located, the pods of whichever
   * group runs the stage (so a stage's policy holds wherever a move puts it).
   */
  private static Map<String, String> selector(String workload, ManifestOptions options) {
    return options.colocate() && !workload.equals(ManifestGenerator.VGPU_BACKEND) ? Labels.runs(workload)
        : Labels.selector(workload);
  }

  private static NetworkPolicy defaultDeny(String namespace) {
    Map<String, String> labels = Labels.partOf();
    labels.put(Labels.NAME, DEFAULT_DENY);
    return new NetworkPolicyBuilder()
        .withNewMetadata().withName(DEFAULT_DENY).withNamespace(namespace).withLabels(labels).endMetadata()
        .withNewSpec()
          .withNewPodSelector().withMatchLabels(Labels.partOf()).endPodSelector()
          .withPolicyTypes("Ingress")
        .endSpec()
        .build();
  }

  private static NetworkPolicy policy(String workload, String namespace, Map<String, String> pods,
      List<NetworkPolicyIngressRule> rules) {
    Map<String, String> labels = Labels.partOf();
    labels.put(Labels.NAME, policyName(workload));
    return new NetworkPolicyBuilder()
        .withNewMetadata().withName(policyName(workload)).withNamespace(namespace).withLabels(labels).endMetadata()
        .withNewSpec()
          .withNewPodSelector().withMatchLabels(pods).endPodSelector()
          .withPolicyTypes("Ingress")
          .withIngress(rules)
        .endSpec()
        .build();
  }

  /** The pods of one workload in this namespace. */
  private static NetworkPolicyPeer podsOf(String workload, ManifestOptions options) {
    return new NetworkPolicyPeerBuilder().withNewPodSelector().withMatchLabels(selector(workload, options))
        .endPodSelector().build();
  }

  private static NetworkPolicyIngressRule rule(List<NetworkPolicyPeer> from, int port) {
    return new NetworkPolicyIngressRuleBuilder().withFrom(from).withPorts(tcp(port)).build();
  }

  private static NetworkPolicyIngressRule metricsRule(ManifestOptions options, int port) {
    List<NetworkPolicyPeer> from = new ArrayList<>();
    Map<String, String> scraper = Map.of(Labels.METRICS_SCRAPER, "true");
    from.add(new NetworkPolicyPeerBuilder().withNewPodSelector().withMatchLabels(scraper).endPodSelector().build());
    from.add(new NetworkPolicyPeerBuilder().withNewNamespaceSelector().withMatchLabels(scraper).endNamespaceSelector()
        .build());
    for (String cidr : options.metricsFrom()) {
      from.add(new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(cidr).endIpBlock().build());
    }
    return rule(from, port);
  }

  private static NetworkPolicyPort tcp(int port) {
    return new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(port)).build();
  }
}

package io.edgepipe.planner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConnectorTest {
  @TempDir
  Path home;

  @Test
  void noKubeconfigSaysWhereItLooked() {
    ClusterException e = assertThrows(ClusterException.class,
        () -> new ClusterConnector(Map.of(), home).connect(null));
    assertEquals("no kubeconfig found (looked at " + home.resolve(".kube/config") + "); point KUBECONFIG at one, "
        + "e.g. on the k3s server: export KUBECONFIG=/etc/rancher/k3s/k3s.yaml", e.getMessage());
  }

  @Test
  void kubeconfigVariableIsHonoured() {
    ClusterException e = assertThrows(ClusterException.class,
        () -> new ClusterConnector(Map.of("KUBECONFIG", "/nonexistent/a.yaml"), home).requireKubeconfig());
    assertTrue(e.getMessage().contains("/nonexistent/a.yaml"), e.getMessage());
  }

  @Test
  void unreachableServerIsOneLine() throws Exception {
    Path kubeconfig = home.resolve("config");
    // port 9 on loopback: nothing listens there, the connection is refused at once
    Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: lab\n  cluster: {server: "
        + "'https://127.0.0.1:9'}\ncontexts:\n- name: lab\n  context: {cluster: lab, user: me}\ncurrent-context: lab\n"
        + "users:\n- name: me\n  user: {token: t}\n");
    String previous = System.getProperty("kubeconfig");
    System.setProperty("kubeconfig", kubeconfig.toString());
    try {
      ClusterConnector connector = new ClusterConnector(Map.of("KUBECONFIG", kubeconfig.toString()), home);
      ClusterException unreachable = assertThrows(ClusterException.class, () -> connector.connect("lab"));
      assertTrue(unreachable.getMessage().startsWith("cannot reach the Kubernetes API at https://127.0.0.1:9/ "
          + "(context lab): "), unreachable.getMessage());
      ClusterException unknown = assertThrows(ClusterException.class, () -> connector.connect("prod"));
      assertEquals("context 'prod' is not in the kubeconfig (contexts: lab)", unknown.getMessage());
    } finally {
      if (previous == null) {
        System.clearProperty("kubeconfig");
      } else {
        System.setProperty("kubeconfig", previous);
      }
    }
  }
}

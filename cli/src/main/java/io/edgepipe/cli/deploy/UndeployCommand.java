package io.edgepipe.cli.deploy;

import io.edgepipe.planner.deploy.Undeployer;
import io.edgepipe.planner.deploy.Undeployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pipeline undeploy}: remove everything edgepipe deployed in a namespace. */
@Command(name = "undeploy", mixinStandardHelpOptions = true,
    description = {"Delete every edgepipe object in the namespace.",
        "Objects labelled app.kubernetes.io/part-of=edgepipe go, and the namespace itself when edgepipe created it."})
public final class UndeployCommand implements Callable<Integer> {
  @Mixin
  NamespaceOption namespace;

  @Mixin
  KubeContext kube;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return Guarded.run(spec, () -> {
      PrintWriter out = spec.commandLine().getOut();
      try (KubernetesClient client = kube.connect()) {
        Undeployment result = Undeployer.undeploy(client, namespace.name());
        if (result.deleted().isEmpty()) {
          out.println("nothing of edgepipe in namespace " + namespace.name());
        }
        result.deleted().forEach(name -> out.println("  deleted " + name));
        if (!result.namespaceKept().isEmpty()) {
          out.println(result.namespaceKept());
        }
      }
      return 0;
    });
  }
}

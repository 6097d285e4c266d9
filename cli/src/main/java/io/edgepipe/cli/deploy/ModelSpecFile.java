package io.edgepipe.cli.deploy;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.api.SpecException;
import io.edgepipe.launcher.options.SpecOption;
import io.edgepipe.models.spec.ModelSpec;
import io.edgepipe.planner.manifest.ModelFile;
import io.edgepipe.planner.manifest.SpecFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model spec as the manifests deploy it: the chain of its services, its ONNX file as a
 * {@link ModelFile} (in a ConfigMap, or on a claim), and the spec text the pods read, whose
 * {@code model.file} names the file where the pods mount it.
 */
final class ModelSpecFile {
  private ModelSpecFile() {}

  /** @param claim the PersistentVolumeClaim holding the model (--model-pvc), or null for the ConfigMap */
  static SpecFile load(Path file, String claim) {
    PipelineSpec chain = SpecOption.load(file); // a bad spec or model is one line
    ModelSpec spec = ModelSpec.load(file);
    Path onnx = spec.modelFile();
    String name = onnx.getFileName().toString();
    ModelFile model;
    if (claim != null) {
      model = ModelFile.onClaim(name, claim);
    } else {
      try {
        model = ModelFile.inConfigMap(name, Files.readAllBytes(onnx));
      } catch (IOException e) {
        throw new SpecException("cannot read the model " + io.edgepipe.api.FileProblem.describe(onnx, e));
      }
    }
    ModelSpec deployed = new ModelSpec(spec.name(), Path.of(model.path()), spec.inputName(), spec.inputShape(),
        spec.input(), spec.postprocess(), spec.autoSplit(), spec.services());
    String text = "# " + file + " as deployed: model.file is " + onnx + " in "
        + (claim == null ? "the ConfigMap " + ModelFile.CONFIG_MAP : "the PersistentVolumeClaim " + claim)
        + ", sha256 " + model.sha256() + "\n" + deployed.toYaml();
    return new SpecFile(file, chain, text, model);
  }
}

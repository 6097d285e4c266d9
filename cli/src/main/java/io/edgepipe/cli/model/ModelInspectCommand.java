package io.edgepipe.cli.model;

import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.inspect.ModelInspection;
import io.edgepipe.models.onnx.OnnxImporter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pipeline model inspect MODEL.onnx}. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Lists an ONNX model's layers, tensors (shapes and bytes), parameters, operators and cut points "
        + "(with the bytes that cross each), and marks every node that cannot run.")
public final class ModelInspectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX file.")
  Path model;

  @Option(names = "--input-shape", paramLabel = "[NAME=]D0,D1,..",
      description = "Shape of an input whose dimensions are symbolic in the file, e.g. 1,3,48,192.")
  String inputShape;

  @Override
  public Integer call() {
    ModelGraph g = OnnxImporter.load(model, InputShapes.forModel(InputShapes.parse(inputShape), model));
    System.out.print(ModelInspection.render(g));
    return g.unsupported().isEmpty() ? 0 : 1;
  }
}

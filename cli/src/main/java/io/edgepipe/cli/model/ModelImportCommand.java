package io.edgepipe.cli.model;

import io.edgepipe.models.exec.ModelInput;
import io.edgepipe.models.graph.ModelGraph;
import io.edgepipe.models.onnx.OnnxImporter;
import io.edgepipe.models.spec.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pipeline model import MODEL.onnx --out pipelines/NAME.yaml}. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Writes a pipeline spec that runs an ONNX model as services split at cut points "
        + "(--cut, repeatable), or with split: auto for the planner. A model with an operator outside the "
        + "supported set is refused, naming the operator and its node.")
public final class ModelImportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX file.")
  Path model;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The spec to write, e.g. pipelines/blazeface.yaml.")
  Path out;

  @Option(names = "--name", description = "Pipeline name (default: the spec file's name).")
  String name;

  @Option(names = "--input-shape", paramLabel = "[NAME=]D0,D1,..", description = "Input shape, where the file's is symbolic.")
  String inputShape;

  @Option(names = "--layout", description = "Input layout, nchw or nhwc (default: nhwc when the last dimension is 3).")
  String layout;

  @Option(names = "--channels", defaultValue = "rgb", description = "Channel order the model expects: rgb or bgr (default: ${DEFAULT-VALUE}).")
  String channels;

  @Option(names = "--normalize", defaultValue = "signed",
      description = "Pixel normalisation: signed (x/127.5 - 1), unit (x/255), none (0..255), or MEAN/STD on [0,1] "
          + "pixels such as 0.485,0.456,0.406/0.229,0.224,0.225 (default: ${DEFAULT-VALUE}).")
  String normalize;

  @Option(names = "--cut", paramLabel = "K", description = "A cut point (see inspect) where one service hands on to the next; repeatable.")
  List<Integer> cuts = new ArrayList<>();

  @Option(names = "--postprocess", defaultValue = "none", description = "blazeface, ppocr-cls or none (default: ${DEFAULT-VALUE}).")
  String postprocess;

  @Override
  public Integer call() {
    Map<String, int[]> shapes = InputShapes.forModel(InputShapes.parse(inputShape), model);
    ModelGraph g = OnnxImporter.load(model, shapes);
    if (!g.unsupported().isEmpty()) {
      throw new IllegalArgumentException(model + ": " + g.unsupported().get(0).line());
    }
    if (g.inputs().size() != 1) {
      throw new IllegalArgumentException(model + ": models with " + g.inputs().size() + " inputs are not supported (one picture input)");
    }
    String inName = g.inputs().keySet().iterator().next();
    int[] shape = g.inputs().get(inName);
    boolean nhwc = layout == null ? shape.length == 4 && shape[3] == 3 : layout.equals("nhwc");
    if (layout != null && !layout.equals("nhwc") && !layout.equals("nchw")) {
      throw new IllegalArgumentException("--layout: nchw or nhwc, got " + layout);
    }
    if (!channels.equals("rgb") && !channels.equals("bgr")) {
      throw new IllegalArgumentException("--channels: rgb or bgr, got " + channels);
    }
    if (!ModelSpec.POSTPROCESS.contains(postprocess)) {
      throw new IllegalArgumentException("--postprocess: one of " + ModelSpec.POSTPROCESS + ", got " + postprocess);
    }
    if (shape.length != 4 || shape[nhwc ? 3 : 1] != 3) {
      throw new IllegalArgumentException(model + ": input " + inName + " " + java.util.Arrays.toString(shape)
          + " is not a 3-channel picture in the " + (nhwc ? "nhwc" : "nchw") + " layout");
    }
    float[][] norm = normalisation(normalize);
    ModelInput input = new ModelInput(nhwc ? shape[1] : shape[2], nhwc ? shape[2] : shape[3], nhwc,
        channels.equals("bgr"), norm[0], norm[1]);
    String pipeline = name != null ? name : out.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    List<ModelSpec.Service> services = ModelSpec.servicesFor(pipeline, g, cuts);
    ModelSpec spec = new ModelSpec(pipeline, model, inName, shape, input, postprocess, cuts.isEmpty(), services);
    try {
      if (out.toAbsolutePath().getParent() != null) {
        Files.createDirectories(out.toAbsolutePath().getParent());
      }
      Files.writeString(out, spec.toYaml());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
    }
    System.out.printf("wrote %s: %s, %d layers, %d service(s): %s%n", out, model.getFileName(), g.steps().size(),
        services.size(), services.stream().map(s -> s.name() + " (" + bytes(g.crossingBytes(s.to())) + " out)").toList());
    return 0;
  }

  private static String bytes(long b) {
    return b + " B";
  }

  static float[][] normalisation(String text) {
    float third = 1f;
    return switch (text) {
      case "signed" -> new float[][] {{1 / 127.5f, 1 / 127.5f, 1 / 127.5f}, {-1, -1, -1}};
      case "unit" -> new float[][] {{1 / 255f, 1 / 255f, 1 / 255f}, {0, 0, 0}};
      case "none" -> new float[][] {{third, third, third}, {0, 0, 0}};
      default -> {
        String[] ms = text.split("/");
        if (ms.length != 2) {
          throw new IllegalArgumentException("--normalize: signed, unit, none or MEAN/STD (3 values each), got " + text);
        }
        yield ModelInput.meanStd(three(ms[0]), three(ms[1]));
      }
    };
  }

  private static float[] three(String csv) {
    String[] p = csv.split(",");
    float[] v = new float[3];
    try {
      for (int i = 0; i < 3; i++) {
        v[i] = Float.parseFloat(p[p.length == 1 ? 0 : i]);
      }
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("--normalize: '" + csv + "' is not 1 or 3 numbers");
    }
    return v;
  }
}

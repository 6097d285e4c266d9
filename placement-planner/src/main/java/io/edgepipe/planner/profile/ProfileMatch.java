package io.edgepipe.planner.profile;

import io.edgepipe.api.PipelineSpec;
import io.edgepipe.planner.StageChain;
import java.util.List;

/**
 * Checks that a profile describes the pipeline a plan is for: same pipeline name, same stages,
 * same layers (kinds, parameters, element types) and a measurement at the frame size planned.
 * A mismatch is refused with one line that names both sides: predicting one pipeline from
 * another's figures gives a confident, wrong answer.
 */
public final class ProfileMatch {
  /**
   * @param frameSize what to plan for
   * @param warning   a line to show the user (a profile too old to record its layers), or null
   */
  public record Result(FrameSize frameSize, String warning) {}

  private ProfileMatch() {}

  /**
   * @param profileName how to name the profile in a message (its file)
   * @param specName    how to name the spec (its file)
   * @param asked       the frame size asked for, or null for the spec's input size
   * @throws ProfileException when the profile was measured for something else
   */
  public static Result check(Profile profile, String profileName, PipelineSpec spec, String specName,
      FrameSize asked) {
    String measuredFor = "profile " + profileName + " was measured for pipeline '" + profile.pipeline() + "'";
    if (!profile.pipeline().equals(spec.name())) {
      throw new ProfileException(measuredFor + " but spec " + specName + " is pipeline '" + spec.name()
          + "'; measure this spec first: pipeline measure --spec " + specName);
    }
    List<String> stages = StageChain.of(spec).stages();
    if (!profile.stages().equals(stages)) {
      throw new ProfileException(measuredFor + " with stages " + profile.stages() + " but spec " + specName
          + " has stages " + stages + "; measure this spec first: pipeline measure --spec " + specName);
    }
    String warning = null;
    List<String> layers = LayerSignature.of(spec);
    if (profile.layers() == null) {
      warning = "warning: profile " + profileName + " does not record the layers it was measured with, so they "
          + "cannot be checked against " + specName + "; measure again to record them";
    } else if (!profile.layers().equals(layers)) {
      throw new ProfileException(measuredFor + " with " + firstDifference(profile.layers(), layers, specName)
          + "; measure this spec first: pipeline measure --spec " + specName);
    }
    FrameSize input = FrameSize.of(spec.input().w(), spec.input().h());
    FrameSize size = asked != null ? asked : input;
    if (!profile.frameSizes().contains(size)) {
      throw new ProfileException(measuredFor + " at " + profile.frameSizes() + ", not at " + size
          + (asked != null ? " (--frame-size)" : " (the input of spec " + specName + ")")
          + "; measure that size: pipeline measure --spec " + specName + " --sizes " + size);
    }
    return new Result(size, warning);
  }

  private static String firstDifference(List<String> measured, List<String> wanted, String specName) {
    for (int i = 0; i < Math.min(measured.size(), wanted.size()); i++) {
      if (!measured.get(i).equals(wanted.get(i))) {
        return "'" + measured.get(i) + "' but spec " + specName + " has '" + wanted.get(i) + "'";
      }
    }
    return measured.size() + " layer lines " + measured + " but spec " + specName + " has " + wanted.size() + " "
        + wanted;
  }
}

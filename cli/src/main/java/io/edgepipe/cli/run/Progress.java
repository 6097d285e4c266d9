package io.edgepipe.cli.run;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars on stderr, so stdout stays a clean report. */
public final class Progress {
  private Progress() {}

  public static ProgressBar bar(String task, long max, boolean hidden) {
    ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().setUnit(" frames", 1);
    if (hidden) {
      b.setConsumer(new ConsoleProgressBarConsumer(new java.io.PrintStream(java.io.OutputStream.nullOutputStream())));
    } else {
      b.setConsumer(new ConsoleProgressBarConsumer(System.err));
    }
    return b.build();
  }
}

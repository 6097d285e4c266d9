package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The codecs section: measured best against the predicted best, and a run that was not link-bound said so. */
class LinkCodecReportTest {
  static final String CSV = """
      placement,codec,repeats,fps,fps_min,fps_max,vs_none_pct,pred_hop_fps,pred_limit,pred_best,meas_best
      ESSS,none,3,45.0,44.0,46.0,-,47.7,producer->conv link,zstd,zstd
      ESSS,lz4,3,44.0,43.0,45.0,-2.2,48.4,producer->conv link,zstd,zstd
      ESSS,zstd,3,54.0,52.0,55.0,+20.0,55.6,producer->conv link,zstd,zstd
      EESS,none,3,5.0,4.0,6.0,-,11.9,conv->relu link,zstd,none
      EESS,lz4,3,4.0,3.0,5.0,-20.0,11.9,conv->relu link,zstd,none
      EESS,zstd,3,3.0,2.0,4.0,-40.0,13.7,conv->relu link,zstd,none
      """;

  @Test
  void readsMatchesAndFlagsAPlacementThatWasNotLinkBound(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(LinkCodecExperiment.CSV), CSV);
    Files.writeString(dir.resolve("meta.csv"), "key,value\ncodec_method,test\ncodec_run,\"1.0 min\"\n");
    new ReportWriter(dir).write();
    String md = Files.readString(dir.resolve(ReportWriter.REPORT));
    assertTrue(md.contains("ESSS: none 45.00 fps (44.00-46.00), best codec zstd 54.00 fps (+20.0%); predicted best zstd"
        + " (55.60 fps, limit producer->conv link), measured best zstd: match"), md);
    assertTrue(md.contains("EESS: none 5.00 fps (4.00-6.00), best codec lz4 4.00 fps (-20.0%, within the repeats' "
        + "spread); predicted best zstd (13.70 fps, limit conv->relu link), measured best none: no match (but not "
        + "link-bound: none ran at 5.00 of the 11.90 fps its link allows"), md);
    assertTrue(md.contains("is the measured best in 1 of 2 placements; 1 of them were not link-bound"), md);
    assertTrue(md.contains("Run: 1.0 min."), md);
  }
}

package io.edgepipe.experiments;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** E2's section: its reading on the recorded run and on a falling CCR. */
class CcrReportTest {
  @Test
  void ccrReadingSaysWhereItCrossesOneAgainstTheThesis() {
    String above = CcrSection.read(Csv.parse(RecordedRun.E2));
    assertTrue(above.contains("stays above 1 at every size (thesis: below 1 at 512x512)"), above);
    assertTrue(above.contains("at 1024x1024 it is 4.34"), above);
    assertTrue(above.contains("highest per-stage CCR at 1024x1024 is relu's"), above);
    assertTrue(above.contains("Why ours stays higher"), above);

    String falling = """
        size,side,stage,compute_ms,transfer_ms,ccr
        128x128,128,total,1,3,3.00
        256x256,256,total,4,5,1.25
        512x512,512,total,16,8,0.500
        1024x1024,1024,total,64,20,0.312
        """;
    String r = CcrSection.read(Csv.parse(falling));
    assertTrue(r.contains("It falls as the frame grows and is below 1 from 512x512 on (thesis: below 1 at 512x512, "
        + "the same size)"), r);
    assertTrue(r.contains("at 1024x1024 it is 0.312 (thesis at 1024x1024: far below 0.5, as here)"), r);
  }
}

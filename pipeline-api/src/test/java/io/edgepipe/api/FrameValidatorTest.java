package io.edgepipe.api;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.edgepipe.api.proto.DType;
import io.edgepipe.api.proto.Frame;
import io.edgepipe.api.proto.Shape;
import org.junit.jupiter.api.Test;

class FrameValidatorTest {
  private final FrameValidator validator = new FrameValidator(1 << 20);

  private static Frame.Builder frame(DType type, int c, int h, int w, int bytes) {
    return Frame.newBuilder().setFlowId("cam0").setDtype(type)
        .setShape(Shape.newBuilder().setC(c).setH(h).setW(w)).setData(ByteString.copyFrom(new byte[bytes]));
  }

  @Test
  void wellFormedFramesPass() {
    assertNull(validator.problem(frame(DType.F32, 3, 5, 7, 3 * 5 * 7 * 4).build()));
    assertNull(validator.problem(frame(DType.F16, 1, 5, 7, 5 * 7 * 2).build()));
    assertNull(validator.problem(frame(DType.U8, 1, 5, 7, 35).build()));
  }

  @Test
  void eachProblemIsNamed() {
    assertProblem("data is 10 bytes but shape 1x2x3 F32 needs 24", frame(DType.F32, 1, 2, 3, 10));
    assertProblem("dtype DTYPE_UNSPECIFIED is not a known element type", frame(DType.DTYPE_UNSPECIFIED, 1, 2, 3, 6));
    assertProblem("dtype value 42 is not a known element type", frame(DType.F32, 1, 2, 3, 24).setDtypeValue(42));
    assertProblem("shape 0x2x3 has a dimension <= 0", frame(DType.U8, 0, 2, 3, 0));
    assertProblem("shape 1x-2x3 has a dimension <= 0", frame(DType.U8, 1, -2, 3, 0));
    assertProblem("shape is missing", frame(DType.U8, 1, 1, 1, 1).clearShape());
    assertProblem("flow_id is 300 characters long", frame(DType.U8, 1, 1, 1, 1).setFlowId("x".repeat(300)));
  }

  @Test
  void absurdDeclaredSizesAreRefusedWithoutOverflow() {
    int max = Integer.MAX_VALUE;
    assertProblem("declared size 2147483647x2147483647x2147483647 F32 exceeds the limit of 1048576 bytes", frame(DType.F32, max, max, max, 4));
    assertProblem("declared size 1x1024x1024 F32 exceeds", frame(DType.F32, 1, 1024, 1024, 16));
    // 2^31-1 cubed overflows a long if multiplied naively; it must still be refused
    assertProblem("declared size 65536x65536x65536 U8 exceeds", frame(DType.U8, 65536, 65536, 65536, 1));
  }

  private void assertProblem(String expected, Frame.Builder f) {
    String problem = validator.problem(f.build());
    assertTrue(problem != null && problem.startsWith(expected), "got: " + problem);
  }
}

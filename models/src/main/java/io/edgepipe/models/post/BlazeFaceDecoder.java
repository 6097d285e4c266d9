package io.edgepipe.models.post;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * BlazeFace (front, 128x128) output to face boxes: MediaPipe's SSD anchors (16x16 cells with 2
 * anchors, 8x8 cells with 6), box regressions decoded relative to each anchor's centre, scores
 * through a sigmoid, then non-maximum suppression.
 */
public final class BlazeFaceDecoder {
  /** One face: box and key points in [0,1] image coordinates, score in [0,1]. */
  public record Face(float score, float xmin, float ymin, float xmax, float ymax, float[] keypoints) {
    float area() {
      return Math.max(0, xmax - xmin) * Math.max(0, ymax - ymin);
    }

    float iou(Face o) {
      float ix = Math.max(0, Math.min(xmax, o.xmax) - Math.max(xmin, o.xmin));
      float iy = Math.max(0, Math.min(ymax, o.ymax) - Math.max(ymin, o.ymin));
      float inter = ix * iy;
      return inter / (area() + o.area() - inter);
    }
  }

  private static final int INPUT = 128;
  private final float minScore;
  private final float iouThreshold;

  public BlazeFaceDecoder(float minScore, float iouThreshold) {
    this.minScore = minScore;
    this.iouThreshold = iouThreshold;
  }

  /**
   * @param outputs the model's four outputs by name: classificators and regressors of the 16x16
   *                (512 anchors) and the 8x8 (384 anchors) heads, told apart by size
   */
  public List<Face> decode(Map<String, float[]> outputs) {
    float[] scores16 = null, scores8 = null, boxes16 = null, boxes8 = null;
    for (float[] t : outputs.values()) {
      switch (t.length) {
        case 512 -> scores16 = t;
        case 384 -> scores8 = t;
        case 512 * 16 -> boxes16 = t;
        case 384 * 16 -> boxes8 = t;
        default -> throw new IllegalArgumentException("not a BlazeFace 128 output: a tensor of " + t.length + " values");
      }
    }
    if (scores16 == null || scores8 == null || boxes16 == null || boxes8 == null) {
      throw new IllegalArgumentException("BlazeFace needs its four outputs, got " + outputs.keySet());
    }
    List<Face> faces = new ArrayList<>();
    head(scores16, boxes16, 16, 2, faces);
    head(scores8, boxes8, 8, 6, faces);
    return suppress(faces);
  }

  private void head(float[] scores, float[] boxes, int grid, int perCell, List<Face> faces) {
    int a = 0;
    for (int y = 0; y < grid; y++) {
      for (int x = 0; x < grid; x++) {
        float ax = (x + 0.5f) / grid;
        float ay = (y + 0.5f) / grid;
        for (int k = 0; k < perCell; k++, a++) {
          float raw = Math.max(-100f, Math.min(100f, scores[a]));
          float score = (float) (1 / (1 + Math.exp(-raw)));
          if (score < minScore) {
            continue;
          }
          int r = a * 16;
          float cx = boxes[r] / INPUT + ax;
          float cy = boxes[r + 1] / INPUT + ay;
          float w = boxes[r + 2] / INPUT;
          float h = boxes[r + 3] / INPUT;
          float[] kp = new float[12];
          for (int p = 0; p < 6; p++) {
            kp[2 * p] = boxes[r + 4 + 2 * p] / INPUT + ax;
            kp[2 * p + 1] = boxes[r + 5 + 2 * p] / INPUT + ay;
          }
          faces.add(new Face(score, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, kp));
        }
      }
    }
  }

  /** Keeps the best-scoring box of each overlapping group. */
  private List<Face> suppress(List<Face> faces) {
    faces.sort(Comparator.comparingDouble(Face::score).reversed());
    List<Face> kept = new ArrayList<>();
    for (Face f : faces) {
      boolean overlaps = false;
      for (Face k : kept) {
        if (k.iou(f) > iouThreshold) {
          overlaps = true;
          break;
        }
      }
      if (!overlaps) {
        kept.add(f);
      }
    }
    return kept;
  }
}

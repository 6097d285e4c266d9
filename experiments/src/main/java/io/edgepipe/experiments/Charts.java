package io.edgepipe.experiments;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's charts as PNG, drawn headless with XChart; one look for all of them. */
final class Charts {
  static final int WIDTH = 900;
  static final int HEIGHT = 500;
  private static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
      new float[] {6f, 4f}, 0f);

  private Charts() {}

  /** Bars per category, one colour per series; stacked when asked. Missing values are 0. */
  static CategoryChart bars(String title, String xTitle, String yTitle, List<String> categories,
      Map<String, List<Double>> series, boolean stacked) {
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    style(c.getStyler());
    c.getStyler().setStacked(stacked);
    c.getStyler().setOverlapped(false);
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    c.getStyler().setXAxisLabelRotation(categories.size() > 6 ? 30 : 0);
    for (Map.Entry<String, List<Double>> e : series.entrySet()) {
      List<Double> ys = new ArrayList<>();
      for (Double y : e.getValue()) {
        ys.add(y == null || y.isNaN() ? 0.0 : y);
      }
      c.addSeries(e.getKey(), categories, ys);
    }
    return c;
  }

  /**
   * Lines over categories (evenly spaced, e.g. frame sizes); series whose name starts with "CCR ="
   * or "deadline" are drawn as dashed grey reference lines. Non-positive values are left out on a
   * log axis.
   */
  static CategoryChart categoryLines(String title, String xTitle, String yTitle, List<String> categories,
      Map<String, List<Double>> series, boolean logY) {
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    style(c.getStyler());
    c.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
    c.getStyler().setOverlapped(true); // every series at the category's x, not side by side
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    for (Map.Entry<String, List<Double>> e : series.entrySet()) {
      List<Double> ys = new ArrayList<>();
      for (Double y : e.getValue()) {
        ys.add(y == null || !Double.isFinite(y) || (logY && y <= 0) ? null : y);
      }
      CategorySeries s = c.addSeries(e.getKey(), categories, ys);
      if (e.getKey().startsWith("CCR =") || e.getKey().startsWith("deadline")) {
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(DASHED);
        s.setLineColor(e.getKey().endsWith("0.5") ? Color.LIGHT_GRAY : Color.GRAY);
      } else {
        s.setMarker(SeriesMarkers.CIRCLE);
      }
    }
    if (logY) {
      logY(c);
    }
    return c;
  }

  /** Lines through points; x and y may be logarithmic. NaN points are left out. */
  static XYChart lines(String title, String xTitle, String yTitle, Map<String, double[][]> series, boolean logX,
      boolean logY) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
        .build();
    style(c.getStyler());
    c.getStyler().setXAxisLogarithmic(logX);
    c.getStyler().setYAxisLogarithmic(logY);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    for (Map.Entry<String, double[][]> e : series.entrySet()) {
      double[][] pts = clean(e.getValue(), logX, logY);
      if (pts[0].length > 0) {
        c.addSeries(e.getKey(), pts[0], pts[1]).setMarker(SeriesMarkers.CIRCLE);
      }
    }
    return c;
  }

  /** A dashed horizontal reference line across [x0, x1]. */
  static void referenceLine(XYChart c, String name, double x0, double x1, double y, Color color, int yAxisGroup) {
    XYSeries s = c.addSeries(name, new double[] {x0, x1}, new double[] {y, y});
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    s.setLineStyle(DASHED);
    s.setYAxisGroup(yAxisGroup);
  }

  /** A dashed line y = factor x across [lo, hi] (an identity or a +-x% line on a predicted-vs-measured chart). */
  static void referenceXy(XYChart c, String name, double lo, double hi, double factor, Color color) {
    XYSeries s = c.addSeries(name, new double[] {lo, hi}, new double[] {lo * factor, hi * factor});
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    s.setLineStyle(DASHED);
  }

  private static double[][] clean(double[][] xy, boolean logX, boolean logY) {
    List<double[]> keep = new ArrayList<>();
    for (int i = 0; i < xy[0].length; i++) {
      double x = xy[0][i];
      double y = xy[1][i];
      if (Double.isFinite(x) && Double.isFinite(y) && (!logX || x > 0) && (!logY || y > 0)) {
        keep.add(new double[] {x, y});
      }
    }
    double[][] out = new double[2][keep.size()];
    for (int i = 0; i < keep.size(); i++) {
      out[0][i] = keep.get(i)[0];
      out[1][i] = keep.get(i)[1];
    }
    return out;
  }

  private static void style(Styler s) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setLegendBorderColor(Color.LIGHT_GRAY);
    s.setChartTitleBoxVisible(false);
    s.setAntiAlias(true);
    if (s instanceof org.knowm.xchart.style.AxesChartStyler a) {
      a.setPlotGridLinesColor(new Color(225, 225, 225));
      a.setDecimalPattern("#,##0.###");
    }
  }

  static void png(Chart<?, ?> chart, Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Turns the chart's y axis logarithmic, from the power of ten below its smallest positive value
   * to the one above its largest (XChart's own log range can round down to zero for bars).
   */
  static void logY(CategoryChart c) {
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (CategorySeries s : c.getSeriesCollection()) {
      for (Number n : s.getYData()) {
        if (n != null && n.doubleValue() > 0 && Double.isFinite(n.doubleValue())) {
          lo = Math.min(lo, n.doubleValue());
          hi = Math.max(hi, n.doubleValue());
        }
      }
    }
    if (hi == 0) {
      return; // nothing positive: leave it linear
    }
    c.getStyler().setYAxisLogarithmic(true);
    c.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lo))));
    c.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(hi))));
  }

  /** An ordered map literal helper. */
  static <V> Map<String, V> ordered() {
    return new LinkedHashMap<>();
  }
}

package io.edgepipe.planner.control;

/**
 * What one service process costs in CPU, fitted from its own readings: a JVM passing frames at
 * {@code fps} uses cores = background + fps x perFrame (the model of the testbed's
 * {@code ServiceCpu}). Each reading is a point (rate, cores) over a span of time; the fit is a
 * least-squares line through the points, weighted by their spans and forgetting with time
 * constant {@code memorySeconds} (a JVM's per-frame cost falls as its JIT finishes).
 *
 * <p>Where the process idled (no frames) for long enough, what it used then is its background,
 * measured rather than extrapolated, and the line goes from there through the readings with frames.
 * Otherwise a line needs rates that differ: with every point at one rate the background is the prior
 * (what the base profile measured, or 0), clamped to the cores used, and the rest is per frame.
 * Either way the line passes through the mean point, so the cores at the rate seen are exact.
 *
 * <p>These are CPU times, not wall times: a process waiting for its share of a quota is not
 * charged for the wait, so a node's throughput under a quota is (quota - background) / (CPU per
 * frame) whatever the quota was when the readings were taken.
 */
public final class ServiceCpuFit {
  /** Rates must spread by this coefficient of variation before the line's own intercept is trusted. */
  static final double MIN_RATE_SPREAD = 0.25;
  /** Seconds of readings, and of readings with frames, before the fit is used. */
  static final double MIN_SECONDS = 0.5;
  /**
   * Seconds of idling before what the process used then is taken as its background: the kernel
   * counts CPU in 10 ms ticks, and an idle JVM uses about 5 ms a second, so a shorter spell reads
   * as 0 or twice the truth.
   */
  static final double MIN_IDLE_SECONDS = 10;

  private final double memorySeconds;
  private final double priorBackgroundCores;
  private double w;
  private double secondsWithFrames; // not forgotten: once warm, an idle spell does not make the fit unknown
  private double wIdle; // the part of w whose readings passed no frames, and their cores
  private double skIdle;
  private double sf;
  private double sk;
  private double sff;
  private double sfk;

  public ServiceCpuFit(double memorySeconds, double priorBackgroundCores) {
    if (!(memorySeconds > 0) || !(priorBackgroundCores >= 0)) {
      throw new IllegalArgumentException("memory must be > 0 and the prior background >= 0");
    }
    this.memorySeconds = memorySeconds;
    this.priorBackgroundCores = priorBackgroundCores;
  }

  /** {@code cpuSeconds} of CPU used over {@code seconds} while {@code frames} passed. */
  public void add(long frames, double seconds, double cpuSeconds) {
    if (!(seconds > 0) || frames < 0 || !(cpuSeconds >= 0)) {
      throw new IllegalArgumentException("a reading needs a span > 0, frames >= 0 and CPU >= 0");
    }
    double fps = frames / seconds;
    double cores = cpuSeconds / seconds;
    double keep = Math.exp(-seconds / memorySeconds);
    w = w * keep + seconds;
    secondsWithFrames += frames > 0 ? seconds : 0;
    sf = sf * keep + seconds * fps;
    sk = sk * keep + seconds * cores;
    sff = sff * keep + seconds * fps * fps;
    sfk = sfk * keep + seconds * fps * cores;
    wIdle = wIdle * keep + (frames == 0 ? seconds : 0);
    skIdle = skIdle * keep + (frames == 0 ? seconds * cores : 0);
  }

  /**
   * Whether enough readings with frames came in to say anything about a frame's CPU: one report
   * of a few frames (the first ones after a move) reads in 10 ms ticks and would price a frame
   * from noise.
   */
  public boolean ready() {
    return w >= MIN_SECONDS && secondsWithFrames >= MIN_SECONDS && sf > 0;
  }

  /** Whether readings of at least {@link #MIN_SECONDS} came in, with frames or without. */
  public boolean hasReadings() {
    return w >= MIN_SECONDS;
  }

  /** Mean cores over the readings (for a process that passed no frames: its background). */
  public double meanCores() {
    return sk / w;
  }

  /**
   * Cores the process uses whatever the rate: what it used while it passed no frames, where it
   * idled for {@link #MIN_IDLE_SECONDS} (a standby beside the placement: a measurement), else the
   * line's intercept (an extrapolation from the rates seen, which reads any CPU per frame that
   * falls with the rate, batching, a JIT finishing, as background).
   */
  public double backgroundCores() {
    return backgroundCores(priorBackgroundCores);
  }

  /** As {@link #backgroundCores()}, with {@code prior} for a process seen at one rate and never idle. */
  public double backgroundCores(double prior) {
    double meanF = sf / w;
    double meanK = sk / w;
    if (wIdle >= MIN_IDLE_SECONDS) {
      return Math.min(skIdle / wIdle, meanK);
    }
    double varF = sff / w - meanF * meanF;
    if (varF > MIN_RATE_SPREAD * MIN_RATE_SPREAD * meanF * meanF) {
      double slope = (sfk / w - meanF * meanK) / varF;
      if (slope > 0) {
        return Math.max(0, meanK - slope * meanF); // below meanK since the slope is positive
      }
    }
    // a prior that would leave the frames under half the CPU seen is not trusted: it would price
    // them at next to nothing
    return Math.min(prior, meanK / 2);
  }

  /** CPU milliseconds per frame beyond the background. */
  public double cpuMsPerFrame() {
    return cpuMsPerFrame(priorBackgroundCores);
  }

  /** As {@link #cpuMsPerFrame()}, beyond {@link #backgroundCores(double)}. */
  public double cpuMsPerFrame(double prior) {
    double meanF = sf / w;
    return (sk / w - backgroundCores(prior)) / meanF * 1000;
  }

  /** The cores it used while it passed no frames, or NaN where it never idled for {@link #MIN_IDLE_SECONDS}. */
  public double idleCores() {
    return wIdle >= MIN_IDLE_SECONDS ? skIdle / wIdle : Double.NaN;
  }

  /** Cores used at {@code fps}, by the fit. */
  public double coresAt(double fps) {
    return backgroundCores() + fps * cpuMsPerFrame() / 1000;
  }
}

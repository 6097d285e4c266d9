package io.edgepipe.harness;

/**
 * What a run was asked to do, for its report and its CSV: a TLS run or a 4-flow run must be told
 * apart from a plaintext or 1-flow one when the files are read later.
 *
 * @param inputSize "1280x720", or "768x576 -> 1280x720 (stretched)" (see {@link InputSizing})
 * @param fpsAsked  the pace asked per flow, 0 = as fast as possible
 * @param device    the device the stages computed on, {@code auto} resolved
 */
public record RunSettings(String spec, String inputSize, int flows, double fpsAsked, String delivery, boolean tls,
    String device) {}

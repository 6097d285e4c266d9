package io.edgepipe.producer;

/**
 * Mean per-frame time of each phase at one service, in milliseconds. receive = previous
 * service's send stamp to this one's receive stamp (transfer, serialization, queueing),
 * process = compute, send = until the output was handed to the transport (includes waiting
 * for the next hop's flow control).
 */
public record PhaseRow(String stage, String node, double receiveMs, double processMs, double sendMs) {}

package io.edgepipe.producer;

/**
 * What became of one flow's frames at the sink. With the producer's count of frames sent,
 * {@code sent = delivered + dropped + rejected} must hold; anything else is a lost frame.
 */
public record FlowAccount(String flow, long delivered, long dropped, long rejected, long duplicates,
    long outOfOrder, long gaps) {}

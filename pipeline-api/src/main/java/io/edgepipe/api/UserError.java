package io.edgepipe.api;

/**
 * Marks an exception whose message tells the user what to fix (a bad spec, placement, source
 * or device): front ends print the message as one line, without a stack trace, and exit with 2.
 * Anything not marked (and not a bad argument or state) is a bug and keeps its stack trace.
 */
public interface UserError {}

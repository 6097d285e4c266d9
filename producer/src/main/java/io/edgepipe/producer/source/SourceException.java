package io.edgepipe.producer.source;

import io.edgepipe.api.UserError;

/**
 * A source could not be opened or read. The message is one line that names the input (path,
 * URL or device) and the reason, meant to be printed as-is to the user with no stack trace.
 */
public class SourceException extends RuntimeException implements UserError {
  private static final long serialVersionUID = 1L;

  public SourceException(String message) {
    super(oneLine(message));
  }

  public SourceException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  /** Native libraries put newlines in their messages; keep only a single line. */
  static String oneLine(String s) {
    if (s == null) {
      return "unknown source error";
    }
    return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}

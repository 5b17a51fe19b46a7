package io.tcpsim.packetdrill;

/**
 * A backquoted shell command: its text between the backquotes as written (escapes not decoded), the line and column
 * of its opening backquote, and the line of its closing one (commands may span lines).
 */
public record Command(String text, int line, int column, int endLine) {}

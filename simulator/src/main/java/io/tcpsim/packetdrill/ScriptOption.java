package io.tcpsim.packetdrill;

/**
 * An option line at the top of a script, {@code --name=value} or {@code --name}, as packetdrill's config.c would
 * take it from the command line. {@code value} is null for a flag; {@code line}/{@code column} locate the
 * {@code --}; an option from the command line has line 0 and its argument's position (1-based) as column.
 */
public record ScriptOption(String name, String value, int line, int column) {}

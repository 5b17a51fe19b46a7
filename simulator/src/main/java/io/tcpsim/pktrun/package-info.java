/**
 * packetdrill scripts on the model, one-sided: the model is packetdrill's local host (192.168.0.1, MTU 1500, the
 * sysctls of {@code defaults.sh}) and the script is the remote side. {@link io.tcpsim.pktrun.PktRun} is the one
 * interpreter loop over a {@link io.tcpsim.packetdrill.PktScript}'s events, in virtual time:
 * <ul>
 *   <li>{@code <} packets are injected at their times, their sequence numbers moved from the script's space into the
 *       live one as packetdrill moves them (run_packet.c, map_inbound_packet);</li>
 *   <li>{@code >} packets are the next segments the host sends, moved into the script's space and checked field by
 *       field in packetdrill's order and words ({@link io.tcpsim.pktrun.OutboundCheck});</li>
 *   <li>system calls become {@link io.tcpsim.calls.Call}s on the model ({@link io.tcpsim.pktrun.SyscallMap});
 *       {@code ...} calls block while the script's next packets arrive.</li>
 * </ul>
 * What the model does not model is refused ({@link io.tcpsim.pktrun.NotModelled}), never skipped. docs/packetdrill.md.
 */
package io.tcpsim.pktrun;

/**
 * The comparison core: how an expected packet (the model's) and an observed one (the kernel's in check, a capture's
 * in replay, and later a packetdrill script's) are set side by side and judged. Pure Java, like the rest of
 * simulator: it knows segments and numbers, not pcap, the kernel or the command line.
 *
 * <ul>
 *   <li>{@link io.tcpsim.compare.SequenceSpace}: each direction's ISN and the relative numbers in it.</li>
 *   <li>{@link io.tcpsim.compare.PacketFields}: what is compared of a packet, and
 *       {@link io.tcpsim.compare.Difference}, one field's difference in packetdrill's wording
 *       ({@code ack: expected 6 vs actual 7}).</li>
 *   <li>{@link io.tcpsim.compare.Tolerance} and {@link io.tcpsim.compare.Rule}: how far in time a packet may be from
 *       the model's, and the named rules that accept more where Linux's timing cannot be reproduced.</li>
 *   <li>{@link io.tcpsim.compare.Divergence}: one place where the observed run differs from the model's.</li>
 * </ul>
 *
 * docs/architecture.md, "The path of one packet through the comparison core".
 */
package io.tcpsim.compare;

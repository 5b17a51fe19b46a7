package io.tcpsim.replay;

import io.tcpsim.backend.TcpState;
import io.tcpsim.compare.SequenceSpace;
import io.tcpsim.wire.SockAddr;

/**
 * What replay knows about one side of a flow: its address in the capture and in the model, its ISN in each
 * ({@link SequenceSpace.Direction}: the capture's numbers and the model's are compared relative to these), how far
 * its application and the capture have got in its sequence space, its descriptor, its FIN, and what the model's
 * endpoint has become.
 */
final class FlowSide {
    /** Which call sent the side's FIN: close() and shutdown(SHUT_WR) send the same one (see CallInference). */
    enum Fin { NONE, UNDECIDED, SHUTDOWN, CLOSE }

    final Role role;
    SockAddr addr;
    SockAddr modelAddr;
    /** The side's ISN in the capture (from its SYN, or seq - 1 of its first packet mid-stream). */
    final SequenceSpace.Direction captured = new SequenceSpace.Direction();
    /** The side's ISN in the model (from the model's SYN). */
    final SequenceSpace.Direction model = new SequenceSpace.Direction();
    /** Next sequence number (relative) the application has handed to the model: 1 + bytes sent (+1 for the FIN). */
    long appNext = 1;
    /** Highest relative sequence number the capture has shown this side send (end of data, SYN and FIN). */
    long capNext;
    /** {@link #capNext} before the packet being replayed: what a retransmission repeats. */
    long capNextBefore;
    int fd = -1;
    Fin fin = Fin.NONE;
    long finPacket;
    /** The model endpoint's state; null before it exists. */
    TcpState state;
    /** The model's endpoint was reset by an RST from its peer, in {@link #stateWhenReset}. */
    boolean reset;
    TcpState stateWhenReset;
    long bytesReceived;
    /** The side's application aborted the connection (close() sent an RST). */
    boolean rstByApp;
    /** The sk_rst_reason of the first RST the model sent from this side, null before one. */
    io.tcpsim.backend.RstReason rstReason;
    /** Data (or a FIN) the model's application has not read yet because the capture shows it had not. */
    boolean unread;
    /** Not run by the model (not Linux): its packets are taken as given and delivered to the other side (GivenPeer). */
    boolean given;
    /** The first TS value of this side in the capture and in the model (-1: none yet), to translate TS echoes. */
    long capTs0 = -1, modelTs0 = -1;
    /** The last packet of this side in the capture: a second copy of it is the capture's, not the sender's. */
    Captured lastPacket;
    /** Why this side's window field is not compared (its kernel sizes it otherwise), or null when it is. */
    String windowNotJudged;
    /** The TTLs this side's packets carried (the first, and whether any other was seen), for spotting injected ones. */
    int ttl;

    FlowSide(Role role) {
        this.role = role;
    }

    /** A state as the report prints it: "-" before the endpoint exists. */
    String stateName() {
        return name(state);
    }

    static String name(TcpState state) {
        return state == null ? "-" : state.netstatName();
    }
}

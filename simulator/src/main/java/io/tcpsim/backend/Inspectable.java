package io.tcpsim.backend;

import java.util.List;

/** A backend that can show the inside of each endpoint (the model can; the kernel cannot). */
public interface Inspectable {
    List<EndpointSnapshot> endpoints();

    /**
     * One TCP endpoint's full state. Sequence numbers are relative to the endpoint's own ISN (snd_*) and the peer's
     * ISN (rcv_nxt). {@code owner} is "main:c" (process and descriptor name or number), or "orphan".
     */
    /**
     * {@code transport}: on a host with a link, the sender's and receiver's machinery (srtt, rto, backoff, cwnd,
     * ssthresh, the SACK scoreboard, the out-of-order queue); null on loopback.
     */
    record EndpointSnapshot(String local, String remote, String owner, TcpState state, long sndUna, long sndNxt,
                            long rcvNxt, int sendQueued, int recvQueued, String skErr, String shutdown,
                            List<String> timers, boolean orphan, String transport) {
        public EndpointSnapshot(String local, String remote, String owner, TcpState state, long sndUna, long sndNxt,
                                long rcvNxt, int sendQueued, int recvQueued, String skErr, String shutdown,
                                List<String> timers, boolean orphan) {
            this(local, remote, owner, state, sndUna, sndNxt, rcvNxt, sendQueued, recvQueued, skErr, shutdown, timers,
                    orphan, null);
        }
    }
}

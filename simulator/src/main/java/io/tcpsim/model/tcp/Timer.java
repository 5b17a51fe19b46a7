package io.tcpsim.model.tcp;

import io.tcpsim.backend.Cause;
import io.tcpsim.model.Scheduler;

/**
 * One armed kernel timer of an endpoint, as data: what it is for, the jiffy it was armed for ({@code timer->expires},
 * which /proc/net/tcp shows) and the virtual time the timer wheel runs it ({@link TcpStack#timerFiresAt}). An endpoint
 * holds at most one timer per {@link Slot}; arming another or cancelling replaces it, and the wheel runs a timer only
 * while it is still the endpoint's current one ({@link #armed}), so a timer needs no generation counter. Compared by
 * identity: two timers armed for the same instant are still two.
 */
public record Timer(Kind kind, long expires, long fires, Endpoint owner) implements Scheduler.Timer {

    /**
     * The kernel's timer_list structures: each holds one pending timer at a time, whatever its kind (icsk_pending
     * says which for the retransmission timer; the minisock's tw_timer serves FIN_WAIT2 and TIME_WAIT; a full socket's
     * sk_timer is the keepalive timer, which also ends an orphan's long FIN_WAIT2).
     */
    public enum Slot { DELAYED_ACK, RETRANSMIT, TIMEWAIT, KEEPALIVE, COMPRESSED_ACK }

    /** What a timer is for: its slot, what the step view says of it, and what runs when it fires. */
    public enum Kind {
        /** icsk_delack_timer (ICSK_TIME_DACK): tcp_delack_timer_handler sends the ACK. */
        DELAYED_ACK(Slot.DELAYED_ACK) {
            String describe(Timer t) { return "delayed ACK at " + t.fires / 1000 + "us"; }
            void expire(Endpoint owner) { owner.stack.output.delackTimer((TcpSock) owner); }
        },
        /** icsk_retransmit_timer (ICSK_TIME_RETRANS), armed only for the SYN: tcp_retransmit_timer resends it. */
        RETRANSMIT(Slot.RETRANSMIT) {
            String describe(Timer t) { return "retransmit (SYN)"; }
            void expire(Endpoint owner) { owner.stack.output.retransmitTimer((TcpSock) owner); }
        },
        /**
         * icsk_retransmit_timer as ICSK_TIME_PROBE0, armed by tcp_check_probe_timer when data is held back with
         * nothing in flight (a tail corked by MSG_MORE): tcp_probe_timer sends it (tcp_write_wakeup).
         */
        PROBE0(Slot.RETRANSMIT) {
            String describe(Timer t) { return "probe0 at " + t.fires / 1000 + "us"; }
            void expire(Endpoint owner) { owner.stack.output.probeTimer((TcpSock) owner); }
        },
        /** icsk_retransmit_timer (ICSK_TIME_RETRANS) of a synchronized socket: tcp_retransmit_timer (TcpRetransmit). */
        RTO(Slot.RETRANSMIT) {
            String describe(Timer t) { return "retransmit at " + t.fires / 1000 + "us"; }
            void expire(Endpoint owner) { owner.stack.rtx.rtoTimer((TcpSock) owner); }
        },
        /** icsk_retransmit_timer as ICSK_TIME_LOSS_PROBE: tcp_send_loss_probe (TcpRetransmit). */
        LOSS_PROBE(Slot.RETRANSMIT) {
            String describe(Timer t) { return "loss probe at " + t.fires / 1000 + "us"; }
            void expire(Endpoint owner) { owner.stack.rtx.lossProbeTimer((TcpSock) owner); }
        },
        /** icsk_retransmit_timer as ICSK_TIME_REO_TIMEOUT: RACK's reordering window ran out (tcp_rack_reo_timeout). */
        REO_TIMEOUT(Slot.RETRANSMIT) {
            String describe(Timer t) { return "reordering at " + t.fires / 1000 + "us"; }
            void expire(Endpoint owner) { owner.stack.recovery.reoTimeout((TcpSock) owner); }
        },
        /**
         * tp->compressed_ack_timer, an hrtimer (not the wheel): the ACK that SACK compression held back
         * (tcp_compressed_ack_kick).
         */
        COMPRESSED_ACK(Slot.COMPRESSED_ACK) {
            String describe(Timer t) { return "compressed ACK at " + t.fires / 1000 + "us"; }
            void expire(Endpoint owner) { owner.stack.output.compressedAckKick((TcpSock) owner); }
        },
        /**
         * icsk_retransmit_timer of a passive Fast Open child in SYN_RECV (tcp_fastopen_create_child arms it for
         * TCP_TIMEOUT_INIT): tcp_fastopen_synack_timer would send the SYN-ACK again. Not modelled: refused when it
         * fires.
         */
        FASTOPEN_SYNACK(Slot.RETRANSMIT) {
            String describe(Timer t) { return "retransmit (Fast Open SYN-ACK) at " + t.fires / 1000 + "us"; }
            void expire(Endpoint owner) {
                throw new io.tcpsim.backend.NotModelled(io.tcpsim.backend.NotModelled.words(
                        "the SYN-ACK retransmission of a Fast Open child (tcp_fastopen_synack_timer)"));
            }
        },
        /** tw_timer of a minisock in TIME_WAIT (TCP_TIMEWAIT_LEN): tw_timer_handler kills it. */
        TIME_WAIT(Slot.TIMEWAIT) {
            String describe(Timer t) { return "timewait expires at " + t.fires / 1000 + "us"; }
            void expire(Endpoint owner) {
                owner.stack.input.timewaitKill((TimeWaitSock) owner, Cause.TIMEWAIT_EXPIRED);
            }
        },
        /** tw_timer of an orphan's minisock in FIN_WAIT2 (tcp_fin_time): tw_timer_handler kills it. */
        FIN_WAIT2(Slot.TIMEWAIT) {
            String describe(Timer t) { return TIME_WAIT.describe(t); }
            void expire(Endpoint owner) { TIME_WAIT.expire(owner); }
        },
        /**
         * sk_timer of a full socket (inet_csk_reset_keepalive_timer): tcp_keepalive_timer, which probes an idle
         * connection with SO_KEEPALIVE and hands an orphan in a long FIN_WAIT2 to a minisock (TcpKeepalive).
         */
        KEEPALIVE(Slot.KEEPALIVE) {
            String describe(Timer t) { return "keepalive at " + t.fires / 1000 + "us"; }
            void expire(Endpoint owner) { owner.stack.keepalive.timer((TcpSock) owner); }
        };

        final Slot slot;

        Kind(Slot slot) {
            this.slot = slot;
        }

        /** The timer as the step view lists it. */
        abstract String describe(Timer t);

        abstract void expire(Endpoint owner);
    }

    /** Still the owner's timer in its slot: not cancelled, not re-armed since. */
    @Override
    public boolean armed() {
        return owner.timer(kind) == this;
    }

    /** The timer fires: it is no longer pending, and its kind's handler runs. */
    @Override
    public void expire() {
        owner.cancel(kind);
        kind.expire(owner);
    }

    /** The timer as {@code tcpsim step} lists it. */
    public String describe() {
        return kind.describe(this);
    }
}

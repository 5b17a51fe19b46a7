package io.tcpsim.model.tcp;

import io.tcpsim.model.Scheduler;

/**
 * A request sock's rsk_timer, armed as data (net/ipv4/inet_connection_sock.c reqsk_queue_hash_req, reqsk_timer_handler):
 * the jiffy it was armed for and when the timer wheel runs it. Only the request's current timer runs, and only while
 * the request is still in its listener's queue (the third ACK, an RST or the listener's close take it out, and the
 * timer with it: inet_csk_reqsk_queue_drop). Armed on a host with a link only: on loopback the third ACK comes at
 * once, so no request ever waits for it.
 */
record SynAckTimer(RequestSock req, long expires, long fires) implements Scheduler.Timer {

    @Override
    public boolean armed() {
        return req.timer == this && req.listener.synQueue.get(new ConnKey(req.local, req.remote)) == req;
    }

    @Override
    public void expire() {
        req.timer = null;
        req.listener.stack.rtx.synackTimer(req);
    }
}

package io.tcpsim.replay;

/** A flow's two sides, by {@link Role}. */
record Sides(FlowSide client, FlowSide server) {
    Sides() {
        this(new FlowSide(Role.CLIENT), new FlowSide(Role.SERVER));
    }

    FlowSide of(Role r) {
        return r == Role.CLIENT ? client : server;
    }

    FlowSide peer(FlowSide s) {
        return of(s.role.other());
    }
}

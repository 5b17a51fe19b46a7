package io.tcpsim.model.tcp;

import io.tcpsim.wire.SockAddr;

/** A connection's 4-tuple, seen from the local end. */
public record ConnKey(SockAddr local, SockAddr remote) {}

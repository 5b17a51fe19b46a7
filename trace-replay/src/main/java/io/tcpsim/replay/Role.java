package io.tcpsim.replay;

/**
 * The two sides of a flow. The client sent the first SYN (in a capture that starts mid-connection: the side on an
 * ephemeral port, else the higher port); the server answered it. Each is a process of the flow's model named by its
 * {@link #word}, and the reports name them so.
 */
enum Role {
    CLIENT("client"),
    SERVER("server");

    final String word;

    Role(String word) {
        this.word = word;
    }

    Role other() {
        return this == CLIENT ? SERVER : CLIENT;
    }
}

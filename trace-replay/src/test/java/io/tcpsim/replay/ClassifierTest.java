package io.tcpsim.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tcpsim.backend.TcpState;
import io.tcpsim.compare.Divergence;
import io.tcpsim.replay.Classifier.Mismatch;
import io.tcpsim.replay.Predictions.Predicted;
import io.tcpsim.wire.Segment;
import io.tcpsim.wire.TcpFlags;
import org.junit.jupiter.api.Test;

/** The one decision of what an unexplained packet is, on hand-made segments. */
class ClassifierTest {
    static final long MS = 1_000_000L;

    final Segments seg = new Segments();
    final Predictions predictions = new Predictions(seg.sides, 4 * MS);

    {
        // Both sides established with descriptors; the client has sent 5 bytes (1:6), the capture showed them.
        for (FlowSide s : new FlowSide[] {seg.client, seg.server}) {
            s.state = TcpState.ESTABLISHED;
            s.fd = 4;
        }
        seg.client.appNext = 6;
        seg.client.capNext = seg.client.capNextBefore = 6;
    }

    Mismatch classify(Segment s) {
        FlowSide me = s.src().equals(Segments.C) ? seg.client : seg.server;
        FlowSide peer = me == seg.client ? seg.server : seg.client;
        return (Mismatch) Classifier.classify(s, 20 * MS, me, peer, predictions, false, 0);
    }

    Predicted predict(Role from, long seq, long ack, int flags, int length) {
        return predictions.add(10 * MS, from, seg.model(from, seq, ack, flags, length), null, null);
    }

    @Test
    void dataTheCaptureShowedBeforeIsARetransmission() {
        Mismatch m = classify(seg.captured(Role.CLIENT, 1, 1, TcpFlags.PSH | TcpFlags.ACK, 5));
        assertInstanceOf(Classifier.Retransmission.class, m);
        assertEquals(Divergence.Kind.RETRANSMISSION, m.kind());
        assertEquals("client sends data again that the model sent once (loopback loses nothing); the replay goes on "
                + "with the capture", m.detail());
    }

    @Test
    void bytesTheApplicationHandedOverInOtherSegmentsAreResegmented() {
        seg.client.capNextBefore = 1;
        Predicted all = predict(Role.CLIENT, 1, 1, TcpFlags.PSH | TcpFlags.ACK, 5);
        Mismatch m = classify(seg.captured(Role.CLIENT, 1, 1, TcpFlags.PSH | TcpFlags.ACK, 3));
        assertInstanceOf(Classifier.Resegmented.class, m);
        assertSame(all, m.expected());
        assertNull(m.consumed());
        assertEquals(Divergence.Kind.DIFFERENT, m.kind());
    }

    @Test
    void anAckForDataNeverSentIsUnexpected() {
        Mismatch m = classify(seg.captured(Role.SERVER, 1, 9, TcpFlags.ACK, 0));
        assertEquals("it ACKs data client never sent (ack 9, client sent up to 6)", m.detail());
        assertEquals(Divergence.Kind.UNEXPECTED, m.kind());
    }

    @Test
    void thePredictionWithOtherFieldsIsNamedFieldByField() {
        Predicted rst = predict(Role.SERVER, 1, 6, TcpFlags.RST | TcpFlags.ACK, 0);
        Mismatch m = classify(seg.captured(Role.SERVER, 1, 6, TcpFlags.RST, 0));
        assertInstanceOf(Classifier.DifferentFields.class, m);
        assertEquals("flags: expected [R.] vs actual [R]", m.detail());
        assertSame(rst, m.consumed());
        Divergence d = Classifier.divergence(m, 6, m.detail(), "captured line", "model line");
        assertEquals("different at packet 6: flags: expected [R.] vs actual [R]", d.text());
        assertEquals("captured line", d.actual());
        assertEquals("model line", d.expected());
    }

    @Test
    void thePredictionWithTheSameFieldsIsLate() {
        Predicted data = predict(Role.SERVER, 1, 6, TcpFlags.PSH | TcpFlags.ACK, 1);
        Mismatch m = classify(seg.captured(Role.SERVER, 1, 6, TcpFlags.PSH | TcpFlags.ACK, 1));
        assertInstanceOf(Classifier.Timing.class, m);
        assertSame(data, m.consumed());
        assertEquals("sent +20.000 ms after the capture's flow start, the model sent it at +10.000 ms", m.detail());
    }

    @Test
    void anRstDataAfterTheSocketAndAnythingElseAreUnexpected() {
        assertEquals("an RST the model's server would not send (its state: ESTABLISHED)",
                classify(seg.captured(Role.SERVER, 1, 6, TcpFlags.RST | TcpFlags.ACK, 0)).detail());
        seg.client.fd = -1;
        seg.client.state = TcpState.FIN_WAIT2;
        assertEquals("client sends data after its socket is gone (FIN_WAIT2)",
                classify(seg.captured(Role.CLIENT, 6, 1, TcpFlags.PSH | TcpFlags.ACK, 3)).detail());
        assertEquals("an RST the model's client would not send (its state: FIN_WAIT2, no descriptor open)",
                classify(seg.captured(Role.CLIENT, 6, 1, TcpFlags.RST, 0)).detail());
        Mismatch m = classify(seg.captured(Role.SERVER, 1, 6, TcpFlags.ACK | TcpFlags.URG, 0));
        assertInstanceOf(Classifier.NoSuchPacket.class, m);
        assertEquals("the model's server (ESTABLISHED) sends no such packet", m.detail());
    }

    @Test
    void whileResynchronisingTheKernelsOwnPacketsAreNotCompared() {
        Segment ack = seg.captured(Role.SERVER, 1, 6, TcpFlags.ACK, 0);
        assertInstanceOf(Classifier.NotCompared.class,
                Classifier.classify(ack, 0, seg.server, seg.client, predictions, true, 0));
        Segment data = seg.captured(Role.SERVER, 1, 6, TcpFlags.PSH | TcpFlags.ACK, 2);
        assertInstanceOf(Classifier.NoSuchPacket.class,
                Classifier.classify(data, 0, seg.server, seg.client, predictions, true, 0));
    }

    @Test
    void aPredictionTheCaptureNeverShowsIsMissing() {
        Mismatch m = new Classifier.Missing(predict(Role.SERVER, 1, 7, TcpFlags.FIN | TcpFlags.ACK, 0));
        assertEquals(Role.SERVER, m.role());
        assertEquals("the model's server sends this packet (a FIN); the capture does not have it", m.detail());
        assertEquals("missing: the model's server sends this packet (a FIN); the capture does not have it",
                Classifier.divergence(m, 0, m.detail(), null, "model line").text());
    }
}

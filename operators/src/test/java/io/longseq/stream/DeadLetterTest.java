package io.longseq.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.features.FeatureKind;
import io.longseq.stream.input.SequenceFragment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link DeadLetter#bounded}: what is kept, what is cut and said, and that bounding twice changes nothing. */
class DeadLetterTest {

    static final StreamLimits LIMITS = StreamLimits.DEFAULTS.withDeadLetterBytes(64).withMaxIdBytes(6);

    static SequenceFragment fragment(String id, int payloadBytes) {
        byte[] p = new byte[payloadBytes];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) i;
        }
        return new SequenceFragment(id, 0, FeatureKind.DNA, p, false).from("topic-a", 3, 77);
    }

    @Test
    void aDeadLetterWithinTheLimitsIsKeptAsItIs() {
        DeadLetter d = DeadLetter.of(fragment("seq", 64), "assemble", "why");
        assertThat(d.bounded(LIMITS)).isSameAs(d);
    }

    @Test
    void aLargePayloadKeepsItsPrefixAndTheReasonSaysHowManyBytesWereCut() {
        SequenceFragment f = fragment("seq", 1000);
        DeadLetter d = DeadLetter.of(f, "assemble", "conflicting overlap at position 7", LIMITS);
        assertThat(d.payload).hasSize(64).isEqualTo(Arrays.copyOf(f.payload, 64));
        assertThat(d.reason).isEqualTo("conflicting overlap at position 7; the dead letter keeps the first 64 of 1000"
                + " payload bytes, 936 cut (dead-letter-bytes)");
        assertThat(d.source).isEqualTo("topic-a");
        assertThat(d.sourcePartition).isEqualTo(3);
        assertThat(d.sourceOffset).isEqualTo(77);
        assertThat(d.stage).isEqualTo("assemble");
        assertThat(f.payload).as("the record itself is untouched").hasSize(1000);
        assertThat(d.bounded(LIMITS)).as("bounded twice").isSameAs(d);
    }

    @Test
    void aLongReasonIsCutToTheLimitAndTheNoteAboutThePayloadSurvives() {
        String reason = "quoted input: " + "q\n".repeat(3000);
        DeadLetter d = DeadLetter.of(fragment("seq", 100), "validate", reason, LIMITS);
        String note = "; the dead letter keeps the first 64 of 100 payload bytes, 36 cut (dead-letter-bytes)";
        String escaped = "quoted input: " + "q\\n".repeat(3000); // on one line
        assertThat(d.reason).hasSize(DeadLetter.MAX_REASON_CHARS)
                .isEqualTo(escaped.substring(0, DeadLetter.MAX_REASON_CHARS - note.length() - 3) + "..." + note);
        assertThat(d.bounded(LIMITS)).isSameAs(d);
        DeadLetter small = DeadLetter.of(fragment("seq", 10), "validate", reason, LIMITS);
        assertThat(small.reason).isEqualTo(escaped.substring(0, DeadLetter.MAX_REASON_CHARS - 3) + "...");
        assertThat(small.payload).hasSize(10);
    }

    @Test
    void theSequenceIdSourceAndStageAreCut() {
        SequenceFragment f = fragment("abcdéfgh", 10); // é is 2 bytes: "abcd" + é = 6 bytes
        f.source = "s".repeat(10_000);
        DeadLetter d = DeadLetter.of(f, "x".repeat(100), "why", LIMITS);
        assertThat(d.sequenceId).isEqualTo("abcdé");
        assertThat(d.sequenceId.getBytes(StandardCharsets.UTF_8)).hasSize(6);
        assertThat(d.source).hasSize(DeadLetter.MAX_SOURCE_CHARS).endsWith("s...");
        assertThat(d.stage).hasSize(DeadLetter.MAX_STAGE_CHARS);
        assertThat(d.reason).isEqualTo("why");
        assertThat(d.bounded(LIMITS)).isSameAs(d);
    }

    @Test
    void nullFieldsBecomeEmpty() {
        DeadLetter d = new DeadLetter();
        DeadLetter b = d.bounded(LIMITS);
        assertThat(b.payload).isEmpty();
        assertThat(b.sequenceId).isEmpty();
        assertThat(b.reason).isEmpty();
        assertThat(b.source).isEmpty();
        assertThat(b.stage).isEmpty();
    }
}

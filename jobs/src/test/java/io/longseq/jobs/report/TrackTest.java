package io.longseq.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Tracks: one point per block up to 2,000 blocks, else 1,000 min–max bins, against a brute-force reference. */
class TrackTest {

    @Test
    void upToTwoThousandBlocksEveryBlockIsAPoint() {
        Track t = new Track("self weight", 2_000);
        assertThat(t.binned()).isFalse();
        assertThat(t.bins()).isEqualTo(2_000);
        t.add(1_999, 0.25f);
        t.add(5, Float.NaN);
        assertThat(t.max(1_999)).isEqualTo(0.25f);
        assertThat(Float.isNaN(t.max(5))).isTrue();
        assertThat(t.lo()).isEqualTo(0.25f);
    }

    @Test
    void longerSequencesKeepTheEnvelopeOfEachBin() {
        long n = 123_457;
        Track t = new Track("entropy", n);
        assertThat(t.binned()).isTrue();
        assertThat(t.bins()).isEqualTo(1_000);
        float[] lo = new float[1_000];
        float[] hi = new float[1_000];
        java.util.Arrays.fill(lo, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(hi, Float.NEGATIVE_INFINITY);
        Random r = new Random(5);
        for (long b = 0; b < n; b++) {
            float v = r.nextFloat() * (b == 77_777 ? 100 : 1); // one spike
            t.add(b, v);
            int bin = (int) Math.floor(b * 1000.0 / n);
            lo[bin] = Math.min(lo[bin], v);
            hi[bin] = Math.max(hi[bin], v);
        }
        for (int i = 0; i < 1_000; i++) {
            assertThat(t.min(i)).as("bin %d", i).isEqualTo(lo[i]);
            assertThat(t.max(i)).as("bin %d", i).isEqualTo(hi[i]);
        }
        assertThat(t.hi()).isGreaterThan(1f); // the spike survives downsampling
        assertThat(t.max(t.bin(77_777))).isEqualTo(t.hi());
    }
}

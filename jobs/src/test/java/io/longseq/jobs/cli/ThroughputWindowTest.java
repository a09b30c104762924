package io.longseq.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ThroughputWindowTest {

    private static final long S = 1_000_000_000L;

    @Test
    void leavesOutTheStartAndCountsFromTheOpeningSampleToTheFinalCount() {
        ThroughputWindow w = new ThroughputWindow();
        w.add(0, 0);
        w.add(5 * S, 0);            // start-up: nothing done yet
        w.add(6 * S, 50);           // warm-up, below 10 % of 1,000
        w.add(7 * S, 200);          // window opens here
        w.add(9 * S, 600);
        w.add(11 * S, 1000);        // final count reached
        w.add(12 * S, 1000);        // the job still winding down
        assertThat(w.sustainedRate(0.10)).isCloseTo(800.0 / 4, within(1e-9));
        // the whole run's rate is far lower: the window is what differs
        assertThat(1000.0 / 12).isLessThan(w.sustainedRate(0.10) / 2);
    }

    @Test
    void tooShortARunHasNoSustainedRate() {
        ThroughputWindow w = new ThroughputWindow();
        assertThat(w.sustainedRate(0.1)).isNaN();
        w.add(0, 0);
        w.add(S, 1000);             // everything in one sample: no window
        assertThat(w.sustainedRate(0.1)).isNaN();
        ThroughputWindow brief = new ThroughputWindow();
        brief.add(0, 0);
        brief.add(S, 200);
        brief.add(S + S / 2, 1000); // a 0.5 s window: too short to give a figure
        assertThat(brief.sustainedRate(0.1)).isNaN();
        ThroughputWindow nothing = new ThroughputWindow();
        nothing.add(0, 0);
        nothing.add(S, 0);
        assertThat(nothing.sustainedRate(0.1)).isNaN();
    }

    @Test
    void samplesOutOfTimeOrderAreRefused() {
        ThroughputWindow w = new ThroughputWindow();
        w.add(2 * S, 1);
        assertThatThrownBy(() -> w.add(S, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("time order");
    }
}

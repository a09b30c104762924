package io.longseq.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a person reads: lengths, weights and the link sentence in sequence coordinates. */
class FormatsTest {

    @Test
    void amountsAndWeights() {
        assertThat(Units.BP.amount(812)).isEqualTo("812 bp");
        assertThat(Units.BP.amount(7_936)).isEqualTo("7.9 kbp");
        assertThat(Units.BP.amount(21_504)).isEqualTo("22 kbp");
        assertThat(Units.BP.amount(1_250_000)).isEqualTo("1.25 Mbp");
        assertThat(Units.BP.amount(48_502_000)).isEqualTo("48.5 Mbp");
        assertThat(Units.LINES.amount(21_504)).isEqualTo("21,504 lines");
        assertThat(Units.ofKind("DNA")).isEqualTo(Units.BP);
        assertThat(Units.ofKind(null)).isEqualTo(Units.POSITIONS);
        assertThat(Html.weight(0.4988f)).isEqualTo("0.5");
        assertThat(Html.weight(0.42)).isEqualTo("0.42");
        assertThat(Html.weight(0.00143)).isEqualTo("0.0014");
        assertThat(Html.weight(LinkRuns.MIN_WEIGHT)).isEqualTo("0.01");
        assertThat(Html.weight(1.0)).isEqualTo("1");
        assertThat(Html.esc("<a href=\"x\">&'")).isEqualTo("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assertThat(Units.tick(0)).isEqualTo("0");
        assertThat(Units.tick(20_000)).isEqualTo("20k");
        assertThat(Units.tick(1_500_000)).isEqualTo("1.5M");
        assertThat(Units.niceStep(48_502, 6)).isEqualTo(10_000);
        assertThat(Units.niceStep(230_208, 6)).isEqualTo(50_000);
    }

    @Test
    void aLinkInSequenceCoordinates() {
        Survey.Seq q = new Survey.Seq(new BlockLine.SeqId("chr", 3, 0), 1);
        q.blockSize = 256;
        q.length = 48_502;
        // block 55 = [14,080, 14,336) and the entry of block 24 = [6,144, 6,400): 7,936 positions apart
        assertThat(HtmlReport.link(q, 55, 55, 24, 24, Units.BP))
                .isEqualTo("[14,080–14,336) resembles [6,144–6,400), 7.9 kbp earlier");
        // a run to the end of the sequence: cut at its length
        assertThat(HtmlReport.link(q, 180, 189, 100, 109, Units.BP))
                .isEqualTo("[46,080–48,502) resembles [25,600–28,160), 20 kbp earlier");
    }
}

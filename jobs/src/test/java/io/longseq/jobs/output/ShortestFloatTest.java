package io.longseq.jobs.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.longseq.math.model.BlockResult;
import io.longseq.math.model.TopEntry;
import io.longseq.stream.global.TokenContext;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link ShortestFloat} against a brute-force reference written plainly with {@link BigDecimal} (not against its
 * own output), against the notation rules of {@link Float#toString(float)}, and against JDK 17's
 * {@code Float.toString} wherever that one is itself shortest and closest.
 *
 * <p>The reference is the JDK 19+ rule (Float.toString Javadoc): R = the decimals that read back to v; p = the
 * smallest length in R, but at least 2 (when one digit would do, decimals of 1 or 2 digits are considered, so
 * {@code Float.MIN_VALUE} is 1.4E-45, not 1.0E-45); the decimal of length p in R closest to v, on a tie the one with
 * the even last digit. The p-digit decimals nearest to the exact value x are x rounded to p digits toward -inf and
 * toward +inf (FLOOR, CEILING: right for both signs); no other p-digit decimal can be in R but not farther.
 *
 * <p>Where JDK 17's Float.toString differs (fixed seeds, JDK 17.0.15; the tests print these counts): of the
 * 2,000,000 random-bit floats, 217,515 (10.9 %): 216,675 longer (9 digits where 8 read back, e.g. 2.2856919E9 for
 * 2.285692E9) and 840 as long but farther from v (e.g. 5.3683995E25 for 5.3683996E25, exact 5.36839959E25); of
 * the 300,000 of the full-reference run, 32,848 (32,723 longer, 125 farther); of the 500,000 floats in [-10, 10],
 * none; of the 88,278 edge cases, 3,910 (3,876 longer, e.g. Float.MIN_NORMAL 1.17549435E-38 for 1.1754944E-38;
 * 34 farther, e.g. the subnormal 1.0E-43 for 9.9E-44, exact 9.949E-44).
 */
class ShortestFloatTest {

    private static final Pattern PLAIN = Pattern.compile("(0|[1-9][0-9]*)\\.([0-9]+)");
    private static final Pattern SCIENTIFIC = Pattern.compile("([1-9])\\.([0-9]+)E(-?[1-9][0-9]*)");
    private static final BigDecimal PLAIN_MIN = new BigDecimal("0.001");
    private static final BigDecimal PLAIN_LIMIT = new BigDecimal("10000000");

    @Test
    void notationExamples() {
        assertThat(text(0f)).isEqualTo("0.0");
        assertThat(text(-0f)).isEqualTo("-0.0");
        assertThat(text(1f)).isEqualTo("1.0");
        assertThat(text(-1f)).isEqualTo("-1.0");
        assertThat(text(0.001f)).isEqualTo("0.001");
        assertThat(text(9.999999E-4f)).isEqualTo("9.999999E-4");
        assertThat(text(123.45f)).isEqualTo("123.45");
        assertThat(text(100f)).isEqualTo("100.0");
        assertThat(text(1234567f)).isEqualTo("1234567.0");
        assertThat(text(9999999f)).isEqualTo("9999999.0");
        assertThat(text(1e7f)).isEqualTo("1.0E7");
        assertThat(text(1.234e7f)).isEqualTo("1.234E7");
        assertThat(text(1e-5f)).isEqualTo("1.0E-5");
        assertThat(text(0.1f)).isEqualTo("0.1");
        assertThat(text(1f / 3)).isEqualTo("0.33333334");
        assertThat(text(2f / 3)).isEqualTo("0.6666667");
        assertThat(text(-Float.MAX_VALUE)).isEqualTo("-3.4028235E38");
        assertThat(text(Float.MIN_VALUE)).isEqualTo("1.4E-45");
        assertThat(text(7 * Float.MIN_VALUE)).isEqualTo("9.8E-45");
        assertThat(text(Float.MIN_NORMAL)).isEqualTo("1.1754944E-38"); // JDK 17: 1.17549435E-38, not shortest
        assertThat(text(1.18846831E13f)).isEqualTo("1.1884683E13"); // JDK 17: 1.18846831E13
    }

    @Test
    void nonFiniteAsFloatToStringAndAppendsToTheGivenBuilder() {
        assertThat(text(Float.NaN)).isEqualTo("NaN");
        assertThat(text(Float.intBitsToFloat(0xffc00001))).isEqualTo("NaN"); // a NaN with the sign bit set
        assertThat(text(Float.POSITIVE_INFINITY)).isEqualTo("Infinity");
        assertThat(text(Float.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        StringBuilder b = new StringBuilder("[");
        assertThat(ShortestFloat.append(b, 0.5f)).isSameAs(b);
        ShortestFloat.append(b.append(','), -2.5e-7f).append(']');
        assertThat(b).hasToString("[0.5,-2.5E-7]");
    }

    @Test
    void jsonWritersUseItAndWriteNullForNonFinite() {
        float notShortestOnJdk17 = 1.18846831E13f;
        BlockResult block = new BlockResult(0, 0, 4, new float[] {Float.NaN, notShortestOnJdk17},
                new float[] {Float.NEGATIVE_INFINITY, 1e-5f}, new TopEntry[0], Float.POSITIVE_INFINITY, 0.1f, 1f);
        assertThat(BlockJsonWriter.toJson("s", block)).isEqualTo("{\"sequenceId\":\"s\",\"block\":0,\"start\":0,"
                + "\"end\":4,\"summary\":[null,1.1884683E13],\"context\":[null,1.0E-5],\"top\":[],"
                + "\"selfWeight\":null,\"entropy\":0.1,\"novelty\":1.0}");
        TokenContext t = new TokenContext("s", 1, 4, 6, new float[] {Float.NaN, notShortestOnJdk17,
                Float.POSITIVE_INFINITY, -0f});
        assertThat(JsonLines.tokens(t, 2)).isEqualTo("{\"sequenceId\":\"s\",\"block\":1,\"start\":4,\"end\":6,"
                + "\"vectors\":[[null,1.1884683E13],[null,-0.0]]}");
    }

    /** The reference itself, on answers known independently (so that it cannot agree with anything by accident). */
    @Test
    void referenceKnowsKnownAnswers() {
        assertThat(reference(Float.MIN_VALUE)).isEqualByComparingTo("1.4E-45"); // 1E-45 reads back, 1.4E-45 closer
        assertThat(reference(0.1f)).isEqualByComparingTo("0.1");
        assertThat(reference(1f / 3)).isEqualByComparingTo("0.33333334");
        assertThat(reference(-Float.MAX_VALUE)).isEqualByComparingTo("-3.4028235E38");
        assertThat(reference(Float.MIN_NORMAL)).isEqualByComparingTo("1.1754944E-38");
        assertThat(reference(16777216f)).isEqualByComparingTo("16777216"); // 2^24: 1.6777216E7, exact
        assertThat(reference(Math.nextUp(0.001f))).isEqualByComparingTo("0.0010000002");
    }

    @Test
    void edgeCasesAgainstReference() {
        Set<Float> values = new LinkedHashSet<>();
        for (float v : new float[] {Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, 0.1f, 1f / 3, 2f / 3, 100f,
                1e-5f, 9.999999E-4f, 0.001f, 9999999f, 1e7f, 123.45f, 0.99762785f, 16777216f, 16777217f}) {
            withNeighbours(values, v);
        }
        for (int c = 1; c <= 300; c++) { // the smallest subnormals: 1 and 2 digit decimals
            values.add(c * Float.MIN_VALUE);
        }
        for (int e = -149; e <= 127; e++) { // powers of two: c = 2^23, the asymmetric rounding interval
            withNeighbours(values, (float) Math.scalb(1.0, e));
        }
        for (int e = -45; e <= 38; e++) { // powers of ten and short decimals around them
            for (int d = 1; d <= 99; d++) {
                withNeighbours(values, Float.parseFloat(d + "E" + e));
            }
        }
        for (int i = 1; i <= 20_000; i++) { // integers, including those with trailing zeros
            values.add((float) i);
        }
        for (int i = (1 << 24) - 1000; i <= (1 << 24) + 1000; i++) { // integers around 2^24, where spacing becomes 2
            values.add((float) i);
        }
        values.removeIf(v -> !Float.isFinite(v));
        Stats stats = new Stats("edge cases");
        for (float v : values) {
            checkAgainstReference(v, stats);
            checkAgainstReference(-v, stats);
        }
        stats.report();
        assertThat(stats.checked).isGreaterThan(50_000);
    }

    /** Uniformly random bits (every binade equally likely): the full reference on 300,000 of them. */
    @Test
    void randomBitsAgainstReference() {
        Random r = new Random(20240611);
        Stats stats = new Stats("random bits, full reference");
        while (stats.checked < 300_000) {
            float v = Float.intBitsToFloat(r.nextInt());
            if (Float.isFinite(v)) {
                checkAgainstReference(v, stats);
            }
        }
        stats.report();
    }

    /**
     * 2,000,000 uniformly random bits: the output must be the reference answer, checked more cheaply than by the
     * search from one digit. Having p digits and reading back, it is shortest iff neither (p-1)-digit decimal nearest
     * to x reads back (R is an interval around x: if a shorter decimal read back, so would the nearer of these on its
     * side); then it must be the closest of the max(p, 2)-digit ones, exactly as the reference picks.
     */
    @Test
    void randomBitsShortestAndClosest() {
        Random r = new Random(42);
        Stats stats = new Stats("random bits");
        while (stats.checked < 2_000_000) {
            float v = Float.intBitsToFloat(r.nextInt());
            if (!Float.isFinite(v) || v == 0) {
                continue;
            }
            String s = text(v);
            int bits = Float.floatToRawIntBits(v);
            checkRoundTripAndNotation(v, s);
            BigDecimal x = new BigDecimal(v);
            BigDecimal mine = new BigDecimal(s);
            int p = length(mine);
            if (p > 2) {
                assertThat(readsBack(round(x, p - 1, RoundingMode.FLOOR), bits)
                        || readsBack(round(x, p - 1, RoundingMode.CEILING), bits))
                        .as("%s: a decimal shorter than %s reads back", v, s).isFalse();
            }
            assertThat(mine).as("%s", v).isEqualByComparingTo(closestReadingBack(x, Math.max(p, 2), bits));
            assertThat(p).as("%s: %s vs JDK 17 %s", v, s, Float.toString(v))
                    .isLessThanOrEqualTo(length(new BigDecimal(Float.toString(v))));
            compareWithJdk17(v, s, mine, stats);
        }
        stats.report();
    }

    /** The typical range of the job's outputs. */
    @Test
    void typicalRangeAgainstReference() {
        Random r = new Random(7);
        Stats stats = new Stats("[-10, 10]");
        while (stats.checked < 500_000) {
            float v = (r.nextFloat() * 2 - 1) * 10;
            if (v != 0) {
                checkAgainstReference(v, stats);
            }
        }
        stats.report();
    }

    // ---- checks

    private static void checkAgainstReference(float v, Stats stats) {
        String s = text(v);
        checkRoundTripAndNotation(v, s);
        if (v == 0) {
            assertThat(s).isEqualTo(Float.toString(v));
            return;
        }
        BigDecimal ref = reference(v);
        BigDecimal mine = new BigDecimal(s);
        assertThat(mine.stripTrailingZeros()).as("%s: %s vs reference %s", v, s, ref)
                .isEqualTo(ref.stripTrailingZeros());
        compareWithJdk17(v, s, mine, stats);
    }

    /** Round trip to the same bits, and the notation of Float.toString decided from the float's magnitude. */
    private static void checkRoundTripAndNotation(float v, String s) {
        int bits = Float.floatToRawIntBits(v);
        assertThat(Float.floatToRawIntBits(Float.parseFloat(s))).as("round trip of %s via %s", v, s).isEqualTo(bits);
        assertThat(s.startsWith("-")).as(s).isEqualTo(bits < 0);
        String m = bits < 0 ? s.substring(1) : s;
        if (v == 0) {
            assertThat(m).isEqualTo("0.0");
            return;
        }
        BigDecimal magnitude = new BigDecimal(Math.abs(v));
        if (magnitude.compareTo(PLAIN_MIN) >= 0 && magnitude.compareTo(PLAIN_LIMIT) < 0) {
            Matcher plain = PLAIN.matcher(m);
            assertThat(plain.matches()).as("plain notation expected: %s", s).isTrue();
            assertNoSuperfluousZero(plain.group(2), s);
        } else {
            Matcher sci = SCIENTIFIC.matcher(m);
            assertThat(sci.matches()).as("scientific notation expected: %s", s).isTrue();
            assertNoSuperfluousZero(sci.group(2), s);
            // one nonzero digit before the point, so the exponent is that of the leading digit: outside [-3, 7)
            int exponent = Integer.parseInt(sci.group(3));
            assertThat(exponent < -3 || exponent >= 7).as(s).isTrue();
        }
    }

    /** The digits after the point: "0" alone, or not ending in a zero. */
    private static void assertNoSuperfluousZero(String fraction, String s) {
        assertThat(fraction.equals("0") || !fraction.endsWith("0")).as("superfluous zero in %s", s).isTrue();
    }

    /**
     * Where JDK 17's Float.toString gives the reference decimal, the output must be its very string (this pins the
     * notation to the JDK's); where not, JDK 17 must be longer, or as long and farther from v (or as far with an odd
     * last digit).
     */
    private static void compareWithJdk17(float v, String s, BigDecimal mine, Stats stats) {
        stats.checked++;
        String jdk = Float.toString(v);
        BigDecimal j = new BigDecimal(jdk);
        if (j.compareTo(mine) == 0) {
            assertThat(s).as("same decimal as JDK 17, so the same string").isEqualTo(jdk);
            return;
        }
        assertThat(readsBack(j, Float.floatToRawIntBits(v))).as("JDK 17 %s reads back", jdk).isTrue();
        BigDecimal x = new BigDecimal(v);
        int lj = Math.max(length(j), 2);
        int lm = Math.max(length(mine), 2);
        int far = x.subtract(j).abs().compareTo(x.subtract(mine).abs());
        assertThat(lj > lm || lj == lm && far >= 0).as("%s: JDK 17 %s is not worse than %s", v, jdk, s).isTrue();
        if (lj > lm) {
            stats.jdkLonger++;
        } else {
            stats.jdkFarther++;
        }
        if (stats.examples.size() < 5) {
            stats.examples.add(jdk + " -> " + s);
        }
    }

    // ---- the reference

    /** The decimal JDK 19+ Float.toString selects for a finite v != 0, by search from one digit up. */
    static BigDecimal reference(float v) {
        int bits = Float.floatToRawIntBits(v);
        BigDecimal x = new BigDecimal(v); // the exact binary value
        int p = 1;
        while (!readsBack(round(x, p, RoundingMode.FLOOR), bits)
                && !readsBack(round(x, p, RoundingMode.CEILING), bits)) {
            p++;
            assertThat(p).as("no decimal of up to 9 digits reads back to %s", v).isLessThanOrEqualTo(9);
        }
        return closestReadingBack(x, Math.max(p, 2), bits);
    }

    /** Of the two p-digit decimals nearest to x, the one that reads back, or the closer if both, or the even one. */
    private static BigDecimal closestReadingBack(BigDecimal x, int p, int bits) {
        BigDecimal lo = round(x, p, RoundingMode.FLOOR);
        BigDecimal hi = round(x, p, RoundingMode.CEILING);
        boolean loIn = readsBack(lo, bits);
        boolean hiIn = readsBack(hi, bits);
        assertThat(loIn || hiIn).as("a %d-digit decimal near %s reads back", p, x).isTrue();
        if (loIn != hiIn) {
            return loIn ? lo : hi;
        }
        int cmp = x.subtract(lo).compareTo(hi.subtract(x));
        if (cmp != 0) {
            return cmp < 0 ? lo : hi;
        }
        return lo.unscaledValue().testBit(0) ? hi : lo; // a tie (or lo = hi = x): the even last digit
    }

    private static BigDecimal round(BigDecimal x, int digits, RoundingMode mode) {
        return x.round(new MathContext(digits, mode));
    }

    private static boolean readsBack(BigDecimal d, int bits) {
        return Float.floatToRawIntBits(Float.parseFloat(d.toString())) == bits;
    }

    /** Significant digits without trailing zeros. */
    private static int length(BigDecimal d) {
        return d.stripTrailingZeros().precision();
    }

    private static String text(float v) {
        return ShortestFloat.append(new StringBuilder(), v).toString();
    }

    private static void withNeighbours(Set<Float> values, float v) {
        values.add(Math.nextDown(v));
        values.add(v);
        values.add(Math.nextUp(v));
    }

    private static final class Stats {
        final String name;
        int checked;
        int jdkLonger;
        int jdkFarther;
        final List<String> examples = new ArrayList<>();

        Stats(String name) {
            this.name = name;
        }

        void report() {
            System.out.printf("ShortestFloatTest %s: %d values, JDK 17 Float.toString differs on %d (%d longer, %d "
                    + "farther), e.g. %s%n", name, checked, jdkLonger + jdkFarther, jdkLonger, jdkFarther, examples);
        }
    }
}

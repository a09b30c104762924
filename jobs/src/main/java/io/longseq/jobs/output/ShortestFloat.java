package io.longseq.jobs.output;

import java.math.BigInteger;

/**
 * Writes a {@code float} as the shortest decimal that reads back to the same float, in the notation of
 * {@link Float#toString(float)}, appended to a {@link StringBuilder} without allocating.
 *
 * <p><b>Why.</b> The job writes two vectors of 128 floats per output block. On JDK 17, {@code Float.toString}
 * (the old {@code FloatingDecimal}) takes about a third of the writing thread's CPU and allocates a
 * {@code String} per float; it is also not always shortest (JDK-4511638, fixed in JDK 19 by a new algorithm).
 * This class gives the JDK 19+ output on JDK 17: no allocation per call (digits go straight into the builder),
 * a few 64-bit multiplications per float, and always the shortest digits.
 *
 * <p><b>Which decimal.</b> The rule of the JDK 19+ {@code Float.toString}. A decimal is d&times;10<sup>i</sup>
 * with d &gt; 0 not a multiple of 10; its length is the number of digits of d. For a finite v &gt; 0:
 * <ol>
 * <li>R is the set of decimals that round to v (IEEE round to nearest, ties to even: what
 *     {@link Float#parseFloat(String)} does);</li>
 * <li>n is the minimal length in R, except that when one digit would do, decimals of 1 or 2 digits are
 *     considered (the notation shows two digits anyway: {@code 1.4E-45} for {@link Float#MIN_VALUE}, not
 *     {@code 1.0E-45}); this matters only for subnormals below about 10<sup>-43</sup>;</li>
 * <li>of those decimals, the one closest to v is chosen; of two equally close, the one whose last digit is even.</li>
 * </ol>
 * So {@code Float.parseFloat} of the output gives back exactly the same float, always.
 *
 * <p><b>Notation</b> (as {@code Float.toString}): a '{@code -}' for negative values (also {@code -0.0}); zero is
 * {@code 0.0}; if 10<sup>-3</sup> &le; |v| &lt; 10<sup>7</sup>, plain decimal with the integer part (no leading
 * zeros, {@code 0} if below one), a point, and at least one fraction digit ({@code 1.0}, {@code 0.001},
 * {@code 123.45}, {@code 1234567.0}); otherwise computerized scientific notation: one nonzero digit, a point, at
 * least one more digit, {@code E} and the decimal exponent, with '{@code -}' but never '{@code +}'
 * ({@code 1.0E-5}, {@code 1.234E7}, {@code -3.4028235E38}, {@code 1.4E-45}). Non-finite values are the caller's
 * business (JSON has none); they are written as {@code Float.toString} writes them: {@code NaN},
 * {@code Infinity}, {@code -Infinity}.
 *
 * <p><b>Algorithm.</b> Schubfach: Raffaello Giulietti, "The Schubfach way to render doubles" (2020/2021), the
 * algorithm of the JDK 19+ {@code FloatToDecimal}; written here from the paper, for floats only. In short, with
 * v = c&middot;2<sup>q</sup>: the rounding interval of v, scaled by 10<sup>-k</sup> where k is chosen so that it
 * is at least 1 and less than 10 wide, contains at most one multiple of 10 (a decimal one digit shorter) and
 * always one of the two integers around v&middot;10<sup>-k</sup>; deciding which of these few candidates lie in
 * the interval and which is closest needs only the scaled value and interval ends, computed as fixed-point
 * products with a table of powers of ten and "rounded to odd", which keeps every comparison with an even integer
 * exact (see {@code roundToOdd}). The table is computed with {@link BigInteger} when the class loads.
 *
 * <p>Stateless and thread-safe.
 */
public final class ShortestFloat {

    // Binary format: v = c·2^q with c < 2^24. Normals: c = 2^23 + stored fraction, q = biased exponent - 150.
    // Subnormals: c = stored fraction, q = -149.
    private static final int FRACTION_BITS = 23;
    private static final int FRACTION_MASK = (1 << FRACTION_BITS) - 1;
    private static final int EXPONENT_MASK = 0xFF;
    private static final int Q_BIAS = 150;
    private static final int Q_MIN = -149;
    private static final int Q_MAX = 254 - Q_BIAS;
    /** Smallest normal significand 2^23: the float below v = 2^23·2^q is only half as far as the one above. */
    private static final int C_MIN = 1 << FRACTION_BITS;
    /**
     * Subnormal significands below this (1..7, v &lt; 1.1E-44) give a scaled value below 10; they are scaled by
     * ten more so that two digits come out, as the selection rule (1 or 2 digits, closest) requires.
     */
    private static final int C_TINY = 8;

    /** The range of decimal exponents k used (v·10^-k has 7 to 9 digits for normals, at least 2 for subnormals). */
    private static final int K_MIN = -46;
    private static final int K_MAX = 31;

    /** floor(log10(2^q)), by q - Q_MIN: the scale of the symmetric rounding interval (width 2^q). */
    private static final int[] K_SYMMETRIC = new int[Q_MAX - Q_MIN + 1];
    /** floor(log10(3/4·2^q)), by q - Q_MIN: the scale of the asymmetric interval of c = 2^23 (width 3/4·2^q). */
    private static final int[] K_ASYMMETRIC = new int[Q_MAX - Q_MIN + 1];
    /** floor(log2(10^-k)), by k - K_MIN: the binary exponent of the table entry below. */
    private static final int[] LOG2_POW10 = new int[K_MAX - K_MIN + 1];
    /**
     * g_k = 10^-k·2^(127 - LOG2_POW10[k]), a 128-bit integer in [2^127, 2^128), high and low 64 bits by k - K_MIN.
     * Exact for k &le; 0 (10^|k| times a power of two); for k &gt; 0 the exact value rounded up (floor + 1).
     */
    private static final long[] G_HI = new long[K_MAX - K_MIN + 1];
    private static final long[] G_LO = new long[K_MAX - K_MIN + 1];
    /**
     * Fraction bits below 2^-64 that count when k &gt; 0: those from 2^-65 to 2^-95 (see {@code roundToOdd}).
     * For k &le; 0 the product is exact and all fraction bits count (mask -1).
     */
    private static final long LOW_FRACTION_MASK_INEXACT = -1L << 33;

    /** 10^i, i = 0..9, for the length of a significand. */
    private static final int[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
            1_000_000_000};

    static {
        for (int q = Q_MIN; q <= Q_MAX; q++) {
            // 2^q and 3/4·2^q = 3·2^(q-2) as fractions num/den of BigIntegers
            K_SYMMETRIC[q - Q_MIN] = floorLog10(pow2(Math.max(q, 0)), pow2(Math.max(-q, 0)));
            K_ASYMMETRIC[q - Q_MIN] =
                    floorLog10(BigInteger.valueOf(3).shiftLeft(Math.max(q - 2, 0)), pow2(Math.max(2 - q, 0)));
        }
        for (int k = K_MIN; k <= K_MAX; k++) {
            BigInteger p = BigInteger.TEN.pow(Math.abs(k));
            // floor(log2(10^-k)): from 10^|k| for k <= 0; for k > 0, 10^-k is between 2^-bitLength and twice that
            int e = k <= 0 ? p.bitLength() - 1 : -p.bitLength();
            BigInteger g;
            if (k <= 0) {
                // 10^|k|·2^(127-e): a right shift (when 127 < e) drops only zero bits, since 10^|k| = 5^|k|·2^|k|
                g = p.shiftLeft(127 - e);
                check(g.shiftLeft(e - 127).equals(p), "inexact power of ten at k = " + k);
            } else {
                g = pow2(127 - e).divide(p).add(BigInteger.ONE); // floor(2^(127-e) / 10^k) + 1
            }
            check(g.bitLength() == 128, "table entry out of [2^127, 2^128) at k = " + k);
            LOG2_POW10[k - K_MIN] = e;
            G_HI[k - K_MIN] = g.shiftRight(64).longValue();
            G_LO[k - K_MIN] = g.longValue();
        }
        // The assumptions the arithmetic rests on, checked rather than only argued:
        for (int q = Q_MIN; q <= Q_MAX; q++) {
            for (int k : new int[] {K_SYMMETRIC[q - Q_MIN], K_ASYMMETRIC[q - Q_MIN]}) {
                check(k > K_MIN && k <= K_MAX, "k out of range at q = " + q);
                int h = q + LOG2_POW10[k - K_MIN] + 1;
                check(h >= 1 && h <= 4, "shift out of range at q = " + q); // shifted values < 2^26 << 4 = 2^30
            }
        }
        int tinyK = K_SYMMETRIC[0] - 1; // the scale of the tiny subnormals
        check(tinyK == K_MIN && Q_MIN + LOG2_POW10[0] + 1 == 4, "tiny subnormal scale");
        // roundToOdd for k > 0: the exact scaled value is a multiple of 5^-k >= 5^-K_MAX, which must exceed 2^-95
        check(BigInteger.valueOf(5).pow(K_MAX).bitLength() <= 95, "5^K_MAX too large");
    }

    private ShortestFloat() {}

    /**
     * Appends {@code v} to {@code b} as described in the class comment (the same characters as the JDK 19+
     * {@code Float.toString(v)}) and returns {@code b}. Allocates nothing but the builder's own growth. Callers
     * writing JSON handle non-finite values themselves; here they come out as {@code NaN}, {@code Infinity},
     * {@code -Infinity}.
     */
    public static StringBuilder append(StringBuilder b, float v) {
        // Take the float apart: sign, biased exponent, stored fraction.
        int bits = Float.floatToRawIntBits(v);
        int biased = (bits >>> FRACTION_BITS) & EXPONENT_MASK;
        int fraction = bits & FRACTION_MASK;
        if (biased == EXPONENT_MASK) { // all exponent bits set: NaN (any sign) or an infinity
            return b.append(fraction != 0 ? "NaN" : bits < 0 ? "-Infinity" : "Infinity");
        }
        if (bits < 0) { // the sign, then the magnitude (so -0.0 gets its '-')
            b.append('-');
        }
        if (biased == 0 && fraction == 0) {
            return b.append("0.0");
        }
        // v = c·2^q, c an integer below 2^24.
        int c = biased != 0 ? C_MIN | fraction : fraction;
        int q = biased != 0 ? biased - Q_BIAS : Q_MIN;

        // The rounding interval, in units of 2^(q-2): v itself is 4c, its upper end halfway to the next float (4c+2);
        // its lower end halfway to the previous float: 4c-2, or 4c-1 when that float is only half as far (c = 2^23,
        // except in the lowest binade, whose predecessors are subnormals with the same spacing).
        long cb = (long) c << 2;
        long cbr = cb + 2;
        boolean asymmetric = c == C_MIN && q > Q_MIN;
        long cbl = asymmetric ? cb - 1 : cb - 2;
        // Its ends are included when c is even (a decimal exactly halfway reads back as the even c), excluded when odd.
        int open = c & 1;

        // The decimal scale 10^k: the interval scaled by 10^-k is at least 1 and less than 10 wide, so it holds at
        // most one multiple of 10 and one of the integers next to v·10^-k. Tiny subnormals take one scale finer.
        int k = asymmetric ? K_ASYMMETRIC[q - Q_MIN] : c < C_TINY ? K_MIN : K_SYMMETRIC[q - Q_MIN];
        int i = k - K_MIN;
        // h makes (x << h)·g_k / 2^128 = 4·(x·2^(q-2))·10^-k for x in units of 2^(q-2): g_k = 10^-k·2^(127-e), so
        // x·2^h·10^-k·2^(127-e-128) = x·2^q·10^-k when h = q + e + 1 (1 <= h <= 4, checked at load: x << h < 2^30)
        int h = q + LOG2_POW10[i] + 1;
        long gHi = G_HI[i];
        long gLo = G_LO[i];
        long lowMask = k > 0 ? LOW_FRACTION_MASK_INEXACT : -1L;
        // Four times the scaled value and interval ends, rounded to odd: exact when they are integers, else the
        // integer part with its last bit set, which compares with every even integer as the exact value does.
        long vb = roundToOdd(gHi, gLo, cb << h, lowMask);
        long vbl = roundToOdd(gHi, gLo, cbl << h, lowMask);
        long vbr = roundToOdd(gHi, gLo, cbr << h, lowMask);

        // s = floor(v·10^-k) and t = s + 1: the integers around the scaled value.
        long s = vb >> 2;
        // First the decimal one digit shorter: the multiples of 10 around s; at most one can be in the interval.
        // Only tried while it still has two digits (s >= 100); with fewer, the closest two-digit decimal is wanted.
        if (s >= 100) {
            long sp = s / 10 * 10;
            long tp = sp + 10;
            boolean spIn = vbl + open <= sp << 2; // lower end below 4·sp (strictly if the ends are excluded)
            boolean tpIn = (tp << 2) + open <= vbr; // 4·tp below the upper end (likewise)
            if (spIn != tpIn) { // exactly one: it is the shortest, and the only one of its length
                return format(b, (int) (spIn ? sp : tp), k);
            }
        }
        // Else the shortest decimals have the length of s; s and t are the closest of them, and at least one is in.
        long t = s + 1;
        boolean sIn = vbl + open <= s << 2;
        boolean tIn = (t << 2) + open <= vbr;
        long d;
        if (sIn != tIn) { // only one of them reads back to v
            d = sIn ? s : t;
        } else { // both do: the closer to v, i.e. compare 4·v·10^-k with 4·(s + 1/2), on a tie the even one
            long cmp = vb - ((s + t) << 1);
            d = cmp < 0 || cmp == 0 && (s & 1) == 0 ? s : t;
        }
        return format(b, (int) d, k);
    }

    /**
     * cp·g / 2^128 rounded to odd, for g = gHi·2^64 + gLo (unsigned) and 0 &lt; cp &lt; 2^33 (here cp &lt; 2^30): the
     * integer part, with its lowest bit set if the fraction is not zero.
     *
     * <p>Why this is exact. If g is exact (k &le; 0), so is the product, and every fraction bit counts. If g is the
     * exact value G rounded up (k &gt; 0), the product exceeds cp·G by less than cp &lt; 2^33 units of 2^-128, so the
     * result exceeds the exact value X by less than 2^-95; and X = x·2^(q-k)/5^k (q &ge; k) is a multiple of 5^-k
     * &ge; 5^-31 &gt; 2^-72. Hence: if X is an integer, the fraction bits down to 2^-95 are zero; if it is not, its
     * integer part is unchanged and some fraction bit above 2^-72 is set. So counting the fraction bits down to
     * 2^-95 only (the low-word mask) gives the exact rounding to odd in both cases.
     */
    private static long roundToOdd(long gHi, long gLo, long cp, long lowMask) {
        long lowHigh = unsignedMultiplyHigh(cp, gLo); // cp·gLo = lowHigh·2^64 + lowLow
        long lowLow = cp * gLo;
        long highHigh = unsignedMultiplyHigh(cp, gHi); // cp·gHi = highHigh·2^64 + highLow
        long highLow = cp * gHi;
        long middle = highLow + lowHigh; // bits 64..127 of the product: the first 64 fraction bits
        long carry = Long.compareUnsigned(middle, highLow) < 0 ? 1 : 0; // the addition overflowed into the integer
        long integer = highHigh + carry; // bits 128 and up: the integer part
        long fractionNonZero = (middle | (lowLow & lowMask)) != 0 ? 1 : 0;
        return integer | fractionNonZero;
    }

    /** The high 64 bits of the unsigned 128-bit product a·b, for a &ge; 0 (JDK 17 has only the signed one). */
    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((b >> 63) & a); // b read as unsigned adds a·2^64 when its top bit is set
    }

    /** Appends the decimal d·10^e (d &gt; 0, at most 9 digits) in Float.toString notation; returns {@code b}. */
    private static StringBuilder format(StringBuilder b, int d, int e) {
        // Drop trailing zeros: d·10^e with d not a multiple of 10.
        while (d % 10 == 0) {
            d /= 10;
            e++;
        }
        // n digits d1..dn; the value is d1.d2..dn × 10^x.
        int n = 1;
        while (n < 9 && d >= POW10[n]) {
            n++;
        }
        int x = e + n - 1;
        int start = b.length();
        if (x >= 0 && x < 7) { // 1 <= value < 10^7: digits, point inside or zeros and ".0" after
            b.append(d);
            if (n <= x + 1) { // an integer: d1..dn, then x + 1 - n zeros, then ".0"
                for (int z = x + 1 - n; z > 0; z--) {
                    b.append('0');
                }
                b.append(".0");
            } else { // the point after the first x + 1 digits
                b.insert(start + x + 1, '.');
            }
        } else if (x < 0 && x >= -3) { // 10^-3 <= value < 1: "0.", -x-1 zeros, the digits
            b.append("0.");
            for (int z = -x - 1; z > 0; z--) {
                b.append('0');
            }
            b.append(d);
        } else { // scientific: d1 '.' d2..dn (or "0") 'E' x
            b.append(d);
            if (n == 1) {
                b.append(".0");
            } else {
                b.insert(start + 1, '.');
            }
            b.append('E').append(x);
        }
        return b;
    }

    /** The largest k with 10^k &le; num/den. */
    private static int floorLog10(BigInteger num, BigInteger den) {
        int k = 0;
        while (!pow10AtMost(k, num, den)) {
            k--;
        }
        while (pow10AtMost(k + 1, num, den)) {
            k++;
        }
        return k;
    }

    /** Whether 10^k &le; num/den. */
    private static boolean pow10AtMost(int k, BigInteger num, BigInteger den) {
        return k >= 0
                ? BigInteger.TEN.pow(k).multiply(den).compareTo(num) <= 0
                : den.compareTo(num.multiply(BigInteger.TEN.pow(-k))) <= 0;
    }

    private static BigInteger pow2(int n) {
        return BigInteger.ONE.shiftLeft(n);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("ShortestFloat table: " + what);
        }
    }
}

package io.longseq.math.model;

import io.longseq.stream.assemble.Chunk;

/**
 * Which memory block-level attention reads (docs/design.md 2.5, 2.7). In every mode q_b, k_b, v_b are
 * LN_g(s_b)·W_gq, ·W_gk, ·W_gv, attention is causal over blocks (block b sees blocks 0..b) and the context is
 * c_b = s_b + g_b·W_go; the modes differ in what g_b averages over. Exact formulas: docs/numerics.md.
 */
public enum GlobalMode {
    /** Bounded multi-resolution partition of all earlier blocks; state O(H·(R+G)·d). */
    HIERARCHICAL,
    /** Every earlier block is its own entry: exact, but state grows with n/B up to a cap. */
    FULL,
    /**
     * Performer-style causal linear attention with m positive random features (m = {@code linearFeatures}).
     *
     * <p>With x' = x / d^(1/4) and ω [m, d], φ(x)_i = exp(ω_i·x' − |x'|²/2) / √m, so that
     * E_ω[φ(q)·φ(k)] = exp(q·k/√d), the unnormalised weight of FULL mode. Running state per sequence:
     * S = Σ_{b'≤b} φ(k_b') v_b'ᵀ [m, d] and z = Σ_{b'≤b} φ(k_b') [m]; g_b = φ(q_b)ᵀS / φ(q_b)ᵀz.
     * State O(m·d), bounded.
     *
     * <p>ω: ω[i·d + c] = (float) the (i·d + c)-th {@code nextGaussian()} of {@code new java.util.Random(mix(linearSeed))},
     * row-major, with mix the SplitMix64 finaliser (so every bit of the seed matters, java.util.Random alone keeps
     * 48). The same seed gives the same ω on every JVM.
     *
     * <p>Stabiliser (exact in math): both exponents are shifted by maxima that cancel between numerator and
     * denominator of g_b, so nothing overflows and φ(q_b)ᵀz ≥ 1 in the shifted units (never 0/0).
     *
     * <p>Output: there are no memory entries, so {@link BlockResult#top()} is empty;
     * selfWeight = φ(q_b)·φ(k_b) / φ(q_b)ᵀz (the block's share of the normaliser); entropy is defined as 0,
     * because the per-block weights are never materialised (they are not recoverable from S and z).
     */
    LINEAR,
    /**
     * Chunk-row × in-chunk-column factorisation. Blocks form a grid of P = C/B columns: block b = (r, j) with
     * row r = ⌊b/P⌋ (its chunk) and column j = b mod P. Block b's entries are
     * <ul>
     *   <li>the blocks of its own row up to itself, (r, 0..j), each its own entry with c = 1, level 1;</li>
     *   <li>when r &gt; 0, one column entry: the plain means of k and v over blocks (0, j), (1, j), ..., (r−1, j),
     *       with c = r (so its score gets + ln r as in 2.5), level 2, firstBlock = j,
     *       lastBlock = (r−1)·P + j. It is <b>not</b> a contiguous range: it stands for every P-th block.</li>
     * </ul>
     * The weights are the softmax of 2.5 over these j + 1 (+ 1) entries; top-K, selfWeight and entropy as in
     * 2.6. State O(P·d): the current row's keys and values and per-column sums, for any n.
     */
    AXIAL,
    /**
     * BigBird at block level: block b attends to itself and its w earlier neighbours (b−w..b, w =
     * {@code bigbirdWindow}), the g global blocks 0..g−1 (g = {@code bigbirdGlobal}) and r random earlier blocks
     * (r = {@code bigbirdRandom}), each its own entry with c = 1, level 1, every block at most once.
     *
     * <p>Bounded state: the random blocks are drawn from a reservoir of P = 4r blocks, a uniform sample of the
     * blocks that have left the window and are not global (g ≤ e &lt; b−w). Block e is offered when block e+w+1
     * arrives, as the t-th candidate t = e−g+1 (Algorithm R): it fills slot t−1 while t ≤ P, else it replaces slot
     * H(σ, e, 1) mod t when that is &lt; P. Block b then takes min(r, held) distinct slots by a partial Fisher-Yates
     * shuffle of the held slots, step i swapping slot i with slot i + H(σ, b, i+2) mod (held−i). H(σ, x, y) =
     * mix(mix(σ ^ mix(x)) ^ y) with mix the SplitMix64 finaliser and σ the sequence seed, the FNV-1a 64 hash of the
     * sequence id's UTF-8 bytes ({@code BigBirdMemory.sequenceSeed}); unsigned remainders. So the same sequence
     * id and input give the same blocks, on any parallelism. State O((g + w + 1 + 4r)·d) per sequence.
     */
    BIGBIRD,
    /**
     * The HIERARCHICAL partition plus a bounded store of exemplar blocks kept whole, so a block can name the specific
     * far block it resembles. The store has 2^k content buckets (k = {@code retrievalBits}): block j goes to the
     * bucket of the signs of its centred key against k seeded Gaussian hyperplanes P [k, d] (bit i set when
     * P_i·(k_j − k̄_j) &gt; 0, k̄_j the mean key of blocks 0..j; P
     * drawn as LINEAR mode's ω, with {@code retrievalSeed}). A bucket holds the newest E_r = {@code retrievalRecent}
     * of its members and, of its older members, the E − E_r (E = {@code retrievalSlots}) with the smallest
     * priority π(j) = SplitMix64(seed + (j+1)·0x9E3779B97F4A7C15) compared unsigned: a seeded reservoir keyed on the
     * block index, so what is held is a function of the blocks so far only.
     *
     * <p>Sketch tier (S = {@code retrievalSketches} &gt; 0): every one of the newest S blocks is also held as the D
     * sign bits of a seeded rotation of x_j = LN_g(s_j) and ‖x_j‖ (D = 256 at d = 128; {@code SignSketch}). Block b's
     * sketch candidates: of the blocks j in [max(0, b + 1 − S), s₁), the M = {@code retrievalCandidates} whose codes
     * have the smallest Hamming distance to the code of its query in x-space, W_gk·q_b (with a reverse-strand query
     * the nearer of the two codes), ties to the larger j, less the blocks held whole; each is an entry of c = 1,
     * level 0, with key x̂_j·W_gk and value x̂_j·W_gv, x̂_j = ‖x_j‖·Rᵀσ_j/√D the estimate its code gives.
     *
     * <p>Block b's entries: the HIERARCHICAL entries of [0, b], its sketch candidates, then each held exemplar
     * j &lt; s₁ (older than level 1) as an entry of c = 1, level 0, firstBlock = lastBlock = j. Softmax, top-K,
     * selfWeight and entropy as in 2.5–2.6. An exemplar also stays inside the mean of its coarse entry. State
     * O(H·(R+G)·d + 2^k·E·d + S·(D/8 + 4) bytes), bounded.
     */
    RETRIEVAL
}

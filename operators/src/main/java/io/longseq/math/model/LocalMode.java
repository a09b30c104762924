package io.longseq.math.model;

import io.longseq.math.kernel.DenseLocalTier;
import io.longseq.math.kernel.LocalTier;
import io.longseq.math.kernel.ScalarAttention;

/**
 * Which positions a token's local attention reads (docs/design.md 2.3, 2.7). In every mode the layer is the same
 * pre-LayerNorm block (q, k, v projections, RoPE at absolute positions, max-subtracted softmax, W_o, GELU FFN);
 * the modes differ only in the set of keys j a query i meets.
 */
public enum LocalMode {
    /**
     * The sliding window of radius w: |i − j| ≤ w (bidirectional) or i − w ≤ j ≤ i (causal), cut to the
     * positions that exist. O(n·w·d) time, chunked with halos; the default and the streaming path.
     */
    SLIDING,
    /**
     * The dilated window (docs/design.md 2.7): j = i + s·m for |m| ≤ w (bidirectional) or −w ≤ m ≤ 0 (causal), s =
     * {@code dilation}, cut to the positions that exist. The same 2w+1 keys per query as SLIDING, spread over
     * 2·s·w positions, so chunks need halos of L·s·w. The fast path runs it as s sliding windows, one per
     * residue class of the position modulo s (j − i ≡ 0 mod s keeps a query inside its class).
     */
    DILATED,
    /**
     * The sliding window plus attention sinks (docs/design.md 2.7): every query also meets the first {@code sinks}
     * positions of the sequence (those before its window; causal: and ≤ i), as in StreamingLLM's attention
     * sinks. A chunk needs the sinks' keys and values at every layer, which depend on the first sinks + L·w
     * positions: the chunk is given that prefix and recomputes it ({@link LocalTier#forward(int[], long, int,
     * long, long, float[], int[], int)}). Computed by {@link ScalarAttention}.
     */
    SINKS,
    /**
     * Linformer's low-rank attention over segments aligned to absolute positions (docs/design.md 2.7): segment s is
     * positions [sP, (s+1)P), P = {@code linformerSegment}; its keys and values (RoPE'd keys) are projected to k =
     * {@code linformerRank} rows by the learned E, F [k, P] ({@code linformer.e}, {@code linformer.f}), shared by
     * all layers and heads. Bidirectional: query i in segment s attends to the k projected keys of s (segment-local,
     * no halo). Causal: to the k projected keys of segment s−1 plus the exact keys sP..i (halo L·P on the left).
     * A cut last segment of m &lt; P positions uses E's first m columns. Chunks hold whole segments (C a multiple of
     * P), so chunking does not change the result.
     */
    LINFORMER,
    /**
     * Dense attention over the whole sequence: every j (bidirectional) or every j ≤ i (causal). The O(n²·d) time
     * and O(n²) memory baseline that benchmarks compare against; the fast path ({@link DenseLocalTier})
     * materialises one n×n float score matrix per head (4·n² bytes: 400 MB at n = 10 000), so sequences longer
     * than {@code maxDensePositions} are refused with a clear error instead of exhausting memory. Not chunked:
     * the whole sequence is one array.
     */
    FULL
}
